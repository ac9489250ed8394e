using System.Diagnostics.CodeAnalysis;
using System.Text;

namespace Crawlscope.Urls;

/// <summary>
/// Crawl normalisation: the URL identity we deduplicate on. On top of WHATWG parsing (which already lower-cases
/// scheme and host, applies IDNA, drops the default port and resolves dot segments) it drops the fragment and
/// any credentials, strips a trailing dot from the host, upper-cases percent-escapes and decodes the unreserved
/// ones, removes tracking parameters keeping the order of the rest, and drops an empty query.
/// We still fetch the original URL; only identity uses this form.
/// </summary>
public sealed class UrlNormalizer(UrlNormalizerOptions? options = null)
{
    private readonly string[] _exact = (options?.TrackingParameters ?? UrlDefaults.TrackingParameters)
        .Where(p => !p.EndsWith('*')).Select(p => p.ToLowerInvariant()).ToArray();
    private readonly string[] _prefixes = (options?.TrackingParameters ?? UrlDefaults.TrackingParameters)
        .Where(p => p.EndsWith('*')).Select(p => p[..^1].ToLowerInvariant()).ToArray();

    public static UrlNormalizer Default { get; } = new();

    public WebUrl Normalize(WebUrl url)
    {
        if (!IsCrawlable(url, out string? unsupported)) throw new UrlParseException(url.Href, unsupported);

        var segments = url.PathSegments.Select(NormalizeEscapes).ToArray();
        string? query = url.Query is null ? null : RemoveTrackingParameters(NormalizeEscapes(url.Query));
        // Only the root's dot: a host ending in an empty label ("foo.09..") is kept whole, or the Public Suffix List, which
        // drops a trailing dot itself, would name a site that is not a suffix of the host.
        string host = url.HostKind == HostKind.Domain && url.Host.Length > 1 && url.Host.EndsWith('.') && !url.Host.EndsWith("..", StringComparison.Ordinal)
            ? url.Host[..^1] : url.Host;
        return new WebUrl(url.Scheme, "", "", host, url.HostKind, url.Port, segments, string.IsNullOrEmpty(query) ? null : query, null);
    }

    public bool TryNormalize(string input, [NotNullWhen(true)] out WebUrl? normalized, [NotNullWhen(false)] out string? error)
    {
        normalized = TryParseCrawlable(input, out var url, out error) ? Normalize(url) : null;
        return normalized is not null;
    }

    /// <summary>Parses an absolute URL and accepts it only when it is http or https: the one gate for crawlable input.</summary>
    public static bool TryParseCrawlable(string input, [NotNullWhen(true)] out WebUrl? url, [NotNullWhen(false)] out string? error)
    {
        if (!WebUrl.TryParse(input, null, out url, out error)) return false;
        if (IsCrawlable(url, out error)) return true;
        url = null;
        return false;
    }

    /// <summary>Whether a parsed URL is http or https, with the refusal's reason when it is not.</summary>
    public static bool IsCrawlable(WebUrl url, [NotNullWhen(false)] out string? error)
    {
        error = url.Scheme is "http" or "https" ? null : $"unsupported scheme '{url.Scheme}' (only http and https are crawled)";
        return error is null;
    }

    /// <summary>Upper-cases every percent-escape and decodes those of unreserved characters (RFC 3986 §6.2.2).</summary>
    internal static string NormalizeEscapes(string s)
    {
        int percent = s.IndexOf('%');
        if (percent < 0) return s;
        var sb = new StringBuilder(s.Length);
        sb.Append(s, 0, percent);
        for (int i = percent; i < s.Length; i++)
        {
            if (PercentEncoding.IsHexTriplet(s, i))
            {
                char decoded = (char)(PercentEncoding.HexValue(s[i + 1]) * 16 + PercentEncoding.HexValue(s[i + 2]));
                if (char.IsAsciiLetterOrDigit(decoded) || decoded is '-' or '.' or '_' or '~') sb.Append(decoded);
                else sb.Append('%').Append(char.ToUpperInvariant(s[i + 1])).Append(char.ToUpperInvariant(s[i + 2]));
                i += 2;
            }
            else
            {
                sb.Append(s[i]);
            }
        }
        return sb.ToString();
    }

    private string RemoveTrackingParameters(string query)
    {
        if (query.Length == 0) return query;
        var kept = new List<string>();
        foreach (var pair in query.Split('&'))
        {
            int eq = pair.IndexOf('=');
            string name = (eq < 0 ? pair : pair[..eq]).ToLowerInvariant();
            if (!IsTracking(name)) kept.Add(pair);
        }
        return string.Join('&', kept);
    }

    private bool IsTracking(string name)
    {
        foreach (var e in _exact)
            if (name == e) return true;
        foreach (var p in _prefixes)
            if (name.StartsWith(p, StringComparison.Ordinal)) return true;
        return false;
    }
}
