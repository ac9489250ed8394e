using Crawlscope.Vocabulary;


namespace Crawlscope.Fetching;

/// <summary>What one fetch result is, for the crawl: the closed vocabulary every response maps to.</summary>
public enum ResponseKind
{
    /// <summary>A 1xx or 2xx answer with an HTML body (or no content type): extracted.</summary>
    Page,
    /// <summary>A 1xx or 2xx answer of another type: recorded, not extracted.</summary>
    NotHtml,
    NotModified,
    Redirect,
    /// <summary>429 or 503: the host asks for less; it is backed off and the URL tried again.</summary>
    Throttled,
    /// <summary>Another 5xx: tried again, up to the attempts allowed.</summary>
    ServerError,
    ClientError,
    /// <summary>A code outside 100-599: recorded as it is, not tried again.</summary>
    UnknownStatus,
    /// <summary>No answer for a reason that may pass (DNS, connect, timeout, network): tried again.</summary>
    NetworkError,
    /// <summary>No answer, for a reason that will not pass by trying again (TLS, SSRF guard, size, ...).</summary>
    FetchFailed,
}

/// <summary>The one mapping from a fetch result to a <see cref="ResponseKind"/>.</summary>
internal static class ResponseStatus
{
    public static ResponseKind FromHttpCode(int code) => code switch
    {
        < 100 or > 599 => ResponseKind.UnknownStatus,
        429 or 503 => ResponseKind.Throttled,
        >= 500 => ResponseKind.ServerError,
        304 => ResponseKind.NotModified,
        >= 400 => ResponseKind.ClientError,
        >= 300 => ResponseKind.Redirect,
        _ => ResponseKind.Page,
    };

    public static ResponseKind Of(FetchResult fetched)
    {
        if (!fetched.IsSuccess)
            return fetched.Failure?.Reason is FailureReason.Timeout or FailureReason.Connect or FailureReason.Network or FailureReason.Dns
                ? ResponseKind.NetworkError : ResponseKind.FetchFailed;
        var kind = FromHttpCode(fetched.StatusCode!.Value);
        return kind == ResponseKind.Page && !fetched.IsHtml ? ResponseKind.NotHtml : kind;
    }

    /// <summary>Whether trying again later may give another answer.</summary>
    public static bool IsTransient(ResponseKind kind) => kind is ResponseKind.NetworkError or ResponseKind.ServerError or ResponseKind.Throttled;
}
