using Microsoft.AspNetCore.Http;

namespace Crawlscope.Web;

/// <summary>The API's errors as RFC 9457 problem documents, those the framework raises included: a request it could not
/// read (not JSON, too deep, too large) is the client's error, said in one line, never an empty 400 or a 500.</summary>
internal static class ApiProblems
{
    public static void Customize(ProblemDetailsContext c)
    {
        if (c.Exception is BadHttpRequestException bad)
        {
            c.ProblemDetails.Status = c.HttpContext.Response.StatusCode = bad.StatusCode;
            c.ProblemDetails.Title = "The request could not be read";
            c.ProblemDetails.Detail = bad.Message.Split('\n', 2)[0];
        }
        // A body in a charset nobody should send (utf-7): the client's error too.
        else if (c.Exception is InvalidOperationException or ArgumentException && c.Exception.Message.Contains("charset", StringComparison.OrdinalIgnoreCase)
                 || c.Exception is ArgumentException { ParamName: "encodingName" or "name" })
        {
            c.ProblemDetails.Status = c.HttpContext.Response.StatusCode = StatusCodes.Status415UnsupportedMediaType;
            c.ProblemDetails.Title = "Unsupported media type";
            c.ProblemDetails.Detail = "send JSON in UTF-8 (Content-Type: application/json)";
        }
        c.ProblemDetails.Extensions.Remove("traceId");
    }
}
