using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http;

namespace Crawlscope.Web;

/// <summary>
/// Guards every route when a token is configured. A program sends <c>Authorization: Bearer TOKEN</c>; a person
/// opens any page once with <c>?token=TOKEN</c>, which sets an HttpOnly, SameSite=Strict cookie and redirects
/// to the same address without the token (so it does not stay in the address bar or in history).
/// </summary>
internal sealed class AccessToken(string token)
{
    internal const string CookieName = "crawlscope_token";
    private readonly byte[] _token = Encoding.UTF8.GetBytes(token);

    internal async Task InvokeAsync(HttpContext context, RequestDelegate next)
    {
        var request = context.Request;
        // Probes (systemd, Kubernetes) carry no token; these answer only whether the process and the store are up. The
        // stylesheet, script and icon hold no data, and the token page itself needs them.
        if (request.Path == "/healthz" || request.Path == "/readyz" || request.Path.StartsWithSegments("/assets") || request.Path == "/favicon.ico")
        {
            await next(context);
            return;
        }
        if (request.Query.TryGetValue("token", out var fromQuery) && Matches(fromQuery.ToString()))
        {
            context.Response.Cookies.Append(CookieName, fromQuery.ToString(), new CookieOptions
            {
                HttpOnly = true, SameSite = SameSiteMode.Strict, Secure = request.IsHttps, Path = "/",
            });
            var rest = QueryString.Create(request.Query.Where(q => !string.Equals(q.Key, "token", StringComparison.OrdinalIgnoreCase)));
            context.Response.Redirect(LocalPath(request) + rest);
            return;
        }
        // The scheme's name is case-insensitive (RFC 9110, section 11.1).
        string? bearer = request.Headers.Authorization.ToString() is { } auth && auth.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) ? auth[7..].Trim() : null;
        if (Matches(bearer) || Matches(request.Cookies[CookieName]))
        {
            await next(context);
            return;
        }
        context.Response.StatusCode = StatusCodes.Status401Unauthorized;
        context.Response.Headers.WWWAuthenticate = "Bearer";
        if (request.Path.StartsWithSegments("/api") || request.Path.StartsWithSegments("/openapi"))
        {
            await context.Response.WriteAsJsonAsync(new ApiError("a token is required: send Authorization: Bearer TOKEN"));
            return;
        }
        context.Response.ContentType = "text/html; charset=utf-8";
        await context.Response.WriteAsync(PageLayout.Render("Token required", h => h
            .Element("h2", "This inspector is protected by a token")
            .Tag("form", ("method", "get"), ("action", LocalPath(request)), ("id", "token-form"))
            .Tag("label", ("for", "token")).Text("Token").End("label")
            .Tag("input", ("id", "token"), ("name", "token"), ("type", "password"), ("required", "required"))
            .Element("button", "Open", ("type", "submit")).End("form")));
    }

    /// <summary>The request's path as a path on this server: a path that starts with <c>//</c> or <c>/\</c> would be read
    /// by browsers as another host (<c>//evil.example/x</c>), so leading slashes collapse to one.</summary>
    internal static string LocalPath(HttpRequest request) => "/" + (request.PathBase + request.Path).ToString().TrimStart('/', '\\');

    private bool Matches(string? candidate) =>
        candidate is not null && CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(candidate), _token);
}

/// <summary>The API's error body.</summary>
public sealed record ApiError(string Error);
