using System.Diagnostics.CodeAnalysis;
using System.Text;

namespace Crawlscope.Urls;

/// <summary>
/// The stored identity of a normalised URL (<c>src_unparsed</c>, the inspector's "Unparsed URL"):
/// the site's labels reversed and joined with ',', then '!', then each subdomain label right to left followed
/// by ',', then path and query, then a space, the scheme letter (s = https, h = http) and the port, always
/// written. <c>https://www.pickl.ai/blog/</c> is <c>ai,pickl!www,/blog/ s443</c>. Keys of one site share the
/// prefix up to '!', so they sort together. An IP host is written as it is (<c>127.0.0.1!/x h8080</c>).
/// A ',' or '!' inside a label (legal in WHATWG hosts) is written %2C or %21; '%' cannot occur in a host.
/// </summary>
public readonly record struct UrlKey
{
    private UrlKey(string value) => Value = value;

    public string Value { get; }

    public override string ToString() => Value;

    /// <summary>Keys a normalised http(s) URL whose site (registrable domain, or the host itself) is <paramref name="site"/>.</summary>
    public static UrlKey From(WebUrl normalized, string site)
    {
        char schemeLetter = normalized.Scheme switch
        {
            "https" => 's',
            "http" => 'h',
            _ => throw new ArgumentException($"only http and https URLs have keys, not {normalized.Scheme}", nameof(normalized)),
        };
        var sb = new StringBuilder(normalized.Host.Length + normalized.PathAndQuery.Length + 12);
        if (normalized.HostKind == HostKind.Domain)
        {
            string host = normalized.Host;
            if (!host.EndsWith(site, StringComparison.Ordinal) ||
                (host.Length > site.Length && host[host.Length - site.Length - 1] != '.'))
                throw new ArgumentException($"site {site} is not a suffix of host {host}", nameof(site));
            string[] siteLabels = site.Split('.');
            for (int i = siteLabels.Length - 1; i >= 0; i--)
            {
                AppendLabel(sb, siteLabels[i]);
                if (i > 0) sb.Append(',');
            }
            sb.Append('!');
            if (host.Length > site.Length)
            {
                string[] sub = host[..(host.Length - site.Length - 1)].Split('.');
                for (int i = sub.Length - 1; i >= 0; i--)
                {
                    AppendLabel(sb, sub[i]);
                    sb.Append(',');
                }
            }
        }
        else
        {
            sb.Append(normalized.Host).Append('!');
        }
        sb.Append(normalized.PathAndQuery).Append(' ').Append(schemeLetter).Append(normalized.EffectivePort);
        return new UrlKey(sb.ToString());
    }

    /// <summary>Reads a stored key; false when the text is not in the key format.</summary>
    public static bool TryParse(string? text, out UrlKey key)
    {
        key = default;
        if (text is null || ParseParts(text) is null) return false;
        key = new UrlKey(text);
        return true;
    }

    public static UrlKey Parse(string text) =>
        TryParse(text, out var key) ? key : throw new FormatException($"not a URL key: {text}");

    /// <summary>The site part of the key, as a host name (or IP literal).</summary>
    public string Site => ParseParts(Value)!.Value.Site;

    /// <summary>The normalised URL this key stands for.</summary>
    public WebUrl ToUrl()
    {
        var parts = ParseParts(Value) ?? throw new FormatException($"not a URL key: {Value}");
        return WebUrl.Parse(parts.Href);
    }

    private readonly record struct KeyParts(string Site, string Href);

    private static KeyParts? ParseParts(string text)
    {
        int space = text.LastIndexOf(' ');
        int bang = text.IndexOf('!');
        if (space < 0 || bang <= 0 || bang > space) return null;
        string tail = text[(space + 1)..];
        if (tail.Length < 2 || tail[0] is not ('s' or 'h') || !int.TryParse(tail.AsSpan(1), out int port) || port is < 0 or > 65535 ||
            tail[1] is '+' or '-' || (tail.Length > 2 && tail[1] == '0'))
            return null;
        string scheme = tail[0] == 's' ? "https" : "http";

        string sitePart = text[..bang];
        string rest = text[(bang + 1)..space];
        int slash = rest.IndexOf('/');
        if (slash < 0) return null;
        string subPart = rest[..slash];
        string pathAndQuery = rest[slash..];

        string site;
        var host = new StringBuilder();
        if (sitePart.StartsWith('[') || sitePart.Contains('.'))
        {
            if (subPart.Length > 0) return null; // IP hosts have no subdomain labels
            site = sitePart;
            host.Append(site);
        }
        else
        {
            string[] siteLabels = sitePart.Split(',');
            Array.Reverse(siteLabels);
            site = string.Join('.', siteLabels.Select(UnescapeLabel));
            if (subPart.Length > 0)
            {
                if (!subPart.EndsWith(',')) return null;
                string[] sub = subPart[..^1].Split(',');
                for (int i = sub.Length - 1; i >= 0; i--) host.Append(UnescapeLabel(sub[i])).Append('.');
            }
            host.Append(site);
        }
        int defaultPort = scheme == "https" ? 443 : 80;
        string portText = port == defaultPort ? "" : ":" + port;
        return new KeyParts(site, $"{scheme}://{host}{portText}{pathAndQuery}");
    }

    private static void AppendLabel(StringBuilder sb, string label)
    {
        foreach (char c in label)
        {
            if (c == ',') sb.Append("%2C");
            else if (c == '!') sb.Append("%21");
            else sb.Append(c);
        }
    }

    private static string UnescapeLabel(string label) =>
        label.Contains('%') ? label.Replace("%2C", ",", StringComparison.Ordinal).Replace("%21", "!", StringComparison.Ordinal) : label;
}
