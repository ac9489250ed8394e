using System.Net;

namespace Crawlscope.Fetching;

/// <summary>How pages are fetched.</summary>
public sealed class FetchOptions
{
    /// <summary>Sent with every request. Default <c>Crawlscope/&lt;version&gt; (+https://github.com/crawlscope)</c>.</summary>
    public string UserAgent { get; init; } = FetchDefaults.UserAgent;
    /// <value>Default 10 s.</value>
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(10);
    /// <summary>Whole request, body included. Default 30 s.</summary>
    public TimeSpan TotalTimeout { get; init; } = TimeSpan.FromSeconds(30);
    /// <summary>Bytes of body kept; a longer body is cut and the page marked truncated. Default 10 MiB.</summary>
    public int MaxBodyBytes { get; init; } = 10 * 1024 * 1024;
    /// <summary>Fetch loopback, private, link-local and reserved addresses too. Default false (SSRF guard on).</summary>
    public bool AllowPrivateNetworks { get; init; }
    /// <summary>The hosts <see cref="Resolve"/> names may be at private addresses: the operator said where they are.
    /// Every other private address stays refused, so a page (or a script in a rendered page) cannot reach them.
    /// Default false.</summary>
    public bool TrustResolveMap { get; init; }
    /// <summary>Keep the exchange as it went over the wire (request and response head, body before content
    /// decoding), for WARC archiving. Bodies are then decoded by the fetcher rather than the HTTP handler.</summary>
    public bool KeepRawExchange { get; init; }
    /// <summary>Names mapped to addresses, as curl's --resolve (checked before DNS).</summary>
    public IReadOnlyDictionary<string, IPAddress> Resolve { get; init; } = new Dictionary<string, IPAddress>();

    /// <summary>The same options, keeping the raw exchange.</summary>
    public FetchOptions WithRawExchange() => new()
    {
        UserAgent = UserAgent, ConnectTimeout = ConnectTimeout, TotalTimeout = TotalTimeout, MaxBodyBytes = MaxBodyBytes,
        AllowPrivateNetworks = AllowPrivateNetworks, TrustResolveMap = TrustResolveMap, Resolve = Resolve, KeepRawExchange = true,
    };
}

/// <summary>What an HTTP header value may be (RFC 9110 section 5.5: visible characters, spaces and tabs; no CR, LF or NUL).</summary>
public static class HeaderValue
{
    /// <summary>Longer user agents are refused: nothing legitimate needs more, and every request carries it.</summary>
    public const int MaxUserAgentLength = 512;

    /// <summary>Why <paramref name="value"/> cannot be the User-Agent header; null when it can.</summary>
    public static string? UserAgentProblem(string? value)
    {
        if (string.IsNullOrWhiteSpace(value)) return "the user agent is empty";
        if (value.Length > MaxUserAgentLength) return $"the user agent is {value.Length:N0} characters long (at most {MaxUserAgentLength})";
        foreach (char c in value)
            if (c is not ('\t' or (>= ' ' and <= '~')))
                return $"the user agent holds {(c is '\r' or '\n' ? "a line break" : $"the character U+{(int)c:X4}")}: a header value is visible ASCII, spaces and tabs";
        return null;
    }
}

internal static class FetchDefaults
{
    internal static readonly string Version = typeof(FetchDefaults).Assembly.GetName().Version?.ToString(3) ?? "0.1.0";
    internal static readonly string UserAgent = $"Crawlscope/{Version} (+https://github.com/crawlscope/crawlscope)";
}
