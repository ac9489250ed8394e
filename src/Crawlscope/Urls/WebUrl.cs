using System.Diagnostics.CodeAnalysis;
using System.Text;

namespace Crawlscope.Urls;

/// <summary>
/// An http(s) URL parsed with the WHATWG URL Standard (the parser browsers use), so relative links on crawled
/// pages resolve exactly as a browser resolves them. Immutable; <see cref="Href"/> is its serialisation.
/// Only the special schemes a crawler fetches (http, https) and their relatives (ws, wss, ftp) are accepted.
/// </summary>
public sealed class WebUrl : IEquatable<WebUrl>
{
    internal WebUrl(string scheme, string username, string password, string host, HostKind hostKind, int? port,
        IReadOnlyList<string> pathSegments, string? query, string? fragment)
    {
        Scheme = scheme;
        Username = username;
        Password = password;
        Host = host;
        HostKind = hostKind;
        Port = port;
        PathSegments = pathSegments;
        Query = query;
        Fragment = fragment;
        Path = "/" + string.Join('/', pathSegments);
        Href = Serialize(includeFragment: true);
    }

    /// <summary>Lower-case scheme without the colon.</summary>
    public string Scheme { get; }
    public string Username { get; }
    public string Password { get; }
    /// <summary>Lower-case punycode domain, dotted IPv4, or bracketed compressed IPv6.</summary>
    public string Host { get; }
    public HostKind HostKind { get; }
    /// <summary>The explicit port; null when it is the scheme's default.</summary>
    public int? Port { get; }
    public int EffectivePort => Port ?? DefaultPort(Scheme) ?? 0;
    public IReadOnlyList<string> PathSegments { get; }
    /// <summary>The serialised path, always starting with '/'.</summary>
    public string Path { get; }
    /// <summary>The query without '?'; null when the URL has none (empty when it ends in '?').</summary>
    public string? Query { get; }
    /// <summary>The fragment without '#'; null when the URL has none.</summary>
    public string? Fragment { get; }
    public string Href { get; }
    public string PathAndQuery => Query is null ? Path : Path + "?" + Query;

    public static WebUrl Parse(string input, WebUrl? baseUrl = null) =>
        TryParse(input, baseUrl, out var url, out var error) ? url : throw new UrlParseException(input, error);

    public static bool TryParse(string? input, WebUrl? baseUrl, [NotNullWhen(true)] out WebUrl? url, [NotNullWhen(false)] out string? error)
    {
        if (input is null)
        {
            url = null;
            error = "no URL given";
            return false;
        }
        url = WhatwgUrlParser.Parse(input, baseUrl, out error);
        return url is not null;
    }

    public static bool TryParse(string? input, [NotNullWhen(true)] out WebUrl? url) => TryParse(input, null, out url, out _);

    public static int? DefaultPort(string scheme) => scheme switch
    {
        "http" or "ws" => 80,
        "https" or "wss" => 443,
        "ftp" => 21,
        _ => null,
    };

    internal static bool IsSpecialScheme(string scheme) => DefaultPort(scheme) is not null;

    internal WebUrl With(IReadOnlyList<string>? pathSegments = null, string? query = null, bool clearQuery = false,
        bool clearFragment = false, bool clearUserinfo = false) =>
        new(Scheme, clearUserinfo ? "" : Username, clearUserinfo ? "" : Password, Host, HostKind, Port,
            pathSegments ?? PathSegments, clearQuery ? null : query ?? Query, clearFragment ? null : Fragment);

    private string Serialize(bool includeFragment)
    {
        var sb = new StringBuilder(Scheme.Length + Host.Length + Path.Length + 16);
        sb.Append(Scheme).Append("://");
        if (Username.Length > 0 || Password.Length > 0)
        {
            sb.Append(Username);
            if (Password.Length > 0) sb.Append(':').Append(Password);
            sb.Append('@');
        }
        sb.Append(Host);
        if (Port is not null) sb.Append(':').Append(Port.Value);
        sb.Append(Path);
        if (Query is not null) sb.Append('?').Append(Query);
        if (includeFragment && Fragment is not null) sb.Append('#').Append(Fragment);
        return sb.ToString();
    }

    public bool Equals(WebUrl? other) => other is not null && Href == other.Href;
    public override bool Equals(object? obj) => obj is WebUrl u && Equals(u);
    public override int GetHashCode() => Href.GetHashCode(StringComparison.Ordinal);
    public override string ToString() => Href;
}

/// <summary>A string that is not a URL we can crawl; the message says why.</summary>
internal sealed class UrlParseException(string input, string reason)
    : FormatException($"not a valid http(s) URL: {Shorten(input)} ({reason})")
{
    public string Input { get; } = input;
    public string Reason { get; } = reason;

    private static string Shorten(string s) => s.Length <= 200 ? s : s[..200] + "…";
}
