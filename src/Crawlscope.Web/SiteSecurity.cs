using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Crawlscope.Web;

/// <summary>What every request passes before a route sees it: host filtering, the security headers, the cross-site
/// check, the token when one is set, and the anti-forgery check of forms.</summary>
internal static class SiteSecurity
{
    /// <summary>Sent with every response. No inline script or style is ever needed, so none is allowed.</summary>
    internal const string ContentSecurityPolicy =
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
        "form-action 'self'; base-uri 'none'; frame-ancestors 'none'";

    /// <summary>The API reference's page (Scalar) starts from one inline script, allowed by a nonce fresh for each
    /// request, and sets styles from its script; it shows our OpenAPI document, never crawled content.</summary>
    private static string ReferencePolicy(string nonce) =>
        $"default-src 'none'; script-src 'self' 'nonce-{nonce}'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; " +
        "font-src 'self' data:; connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'";

    /// <summary>This request's script nonce (made on first use).</summary>
    internal static string ScriptNonce(HttpContext context)
    {
        if (context.Items[NonceItem] is string nonce) return nonce;
        nonce = Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(18));
        context.Items[NonceItem] = nonce;
        return nonce;
    }

    private const string NonceItem = "crawlscope.script-nonce";

    /// <summary>Host filtering, the security headers on every response, and the token when one is set.</summary>
    public static void Use(WebApplication app, InspectorSiteOptions options)
    {
        app.UseHostFiltering();
        app.Use(async (context, next) =>
        {
            var headers = context.Response.Headers;
            headers.ContentSecurityPolicy = context.Request.Path.StartsWithSegments(ApiRoutes.ReferencePath)
                ? ReferencePolicy(ScriptNonce(context)) : ContentSecurityPolicy;
            headers.XContentTypeOptions = "nosniff";
            headers.XFrameOptions = "DENY";
            headers["Referrer-Policy"] = "no-referrer";
            headers["Cross-Origin-Opener-Policy"] = "same-origin";
            // The API's answers are the crawl's state now (and may carry what a token guards): never kept by a cache.
            if (context.Request.Path.StartsWithSegments("/api")) headers.CacheControl = "no-store";
            await next(context);
        });
        app.Use(CrossSiteCheck);
        if (!string.IsNullOrEmpty(options.Token)) app.Use(new AccessToken(options.Token).InvokeAsync);
        app.UseAntiforgery();
    }

    /// <summary>A request that changes something and that a browser says comes from another site (its Origin is not
    /// this one, or Sec-Fetch-Site says cross-site) is refused before any route sees it; programs send neither header.</summary>
    private static async Task CrossSiteCheck(HttpContext context, RequestDelegate next)
    {
        var request = context.Request;
        if (!HttpMethods.IsGet(request.Method) && !HttpMethods.IsHead(request.Method) && !HttpMethods.IsOptions(request.Method))
        {
            string site = request.Headers["Sec-Fetch-Site"].ToString();
            string origin = request.Headers.Origin.ToString();
            // Browsers send Sec-Fetch-Site; under our no-referrer policy they send "Origin: null" even from our own
            // pages, so the origin decides only for clients without Sec-Fetch-Site.
            bool foreignOrigin = site.Length == 0 && origin.Length > 0 && !string.Equals(origin, $"{request.Scheme}://{request.Host}", StringComparison.OrdinalIgnoreCase);
            if (site is "cross-site" or "same-site" || foreignOrigin)
            {
                context.Response.StatusCode = StatusCodes.Status403Forbidden;
                await context.Response.WriteAsJsonAsync(new ApiError("refused: a request from another site may not act on the crawl"));
                return;
            }
        }
        await next(context);
    }
}
