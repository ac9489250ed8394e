using AngleSharp.Dom;
using Crawlscope.Urls;

namespace Crawlscope.Extraction;

/// <summary>Title, description, canonical, robots directives, language and links of a parsed page.</summary>
internal static class MetadataExtractor
{
    internal static string? Title(IDocument doc)
    {
        string title = TextNormalization.CollapseWhitespace(doc.Head?.QuerySelector("title")?.TextContent ?? doc.QuerySelector("title")?.TextContent);
        return title.Length > 0 ? title : Meta(doc, "og:title");
    }

    private static readonly string[] TitleSeparators = [" | ", " - ", " – ", " — ", " · ", " › ", " « ", " » ", " :: ", " // ", " / ", ": "];

    /// <summary>
    /// The page's own headline, without the site name that titles usually carry: an &lt;h1&gt; that the title
    /// contains, else og:title when the title starts with it, else the longest part of the title between
    /// separators (when that leaves at least two words), else the only &lt;h1&gt;, else the title. (Measured on
    /// trafilatura's labelled titles, this order beats trafilatura's own og:title-first order.)
    /// </summary>
    internal static string? Headline(IDocument doc, string? title)
    {
        var h1s = doc.QuerySelectorAll("h1").Select(h => TextNormalization.CollapseWhitespace(h.TextContent)).Where(t => t.Length >= 3).ToList();
        if (string.IsNullOrEmpty(title)) return Meta(doc, "og:title") ?? h1s.FirstOrDefault();
        foreach (var h1 in h1s.Take(3))
            if (title.Contains(h1, StringComparison.Ordinal)) return h1;
        if (Meta(doc, "og:title") is { Length: >= 3 } og && title.StartsWith(og, StringComparison.Ordinal)) return og;
        foreach (var separator in TitleSeparators)
        {
            if (!title.Contains(separator, StringComparison.Ordinal)) continue;
            var parts = title.Split(separator).Select(p => p.Trim()).Where(p => p.Length > 0).ToList();
            var longest = parts.MaxBy(p => p.Split(' ').Length)!;
            if (longest.Split(' ').Length >= 2) return longest;
        }
        return h1s.Count == 1 ? h1s[0] : title;
    }

    internal static string? Description(IDocument doc) => Meta(doc, "description") ?? Meta(doc, "og:description");

    /// <summary>The content of the first meta tag whose name or property is <paramref name="name"/> (case-insensitive).</summary>
    internal static string? Meta(IDocument doc, string name)
    {
        foreach (var meta in doc.QuerySelectorAll("meta"))
        {
            string? key = meta.GetAttribute("name") ?? meta.GetAttribute("property");
            if (key is null || !key.Trim().Equals(name, StringComparison.OrdinalIgnoreCase)) continue;
            string content = TextNormalization.CollapseWhitespace(meta.GetAttribute("content"));
            if (content.Length > 0) return content;
        }
        return null;
    }

    /// <summary>The URL relative links resolve against: the first valid &lt;base href&gt;, else the page URL.</summary>
    internal static WebUrl BaseUrl(IDocument doc, WebUrl pageUrl)
    {
        string? href = doc.QuerySelector("base[href]")?.GetAttribute("href");
        return href is not null && WebUrl.TryParse(href.Trim(), pageUrl, out var b, out _) && b.Scheme is "http" or "https" ? b : pageUrl;
    }

    internal static string? Canonical(IDocument doc, WebUrl baseUrl, IReadOnlyDictionary<string, string[]>? headers)
    {
        foreach (var link in doc.QuerySelectorAll("link[rel][href]"))
        {
            if (!HasToken(link.GetAttribute("rel"), "canonical")) continue;
            if (Normalize(link.GetAttribute("href"), baseUrl) is { } url) return url;
        }
        foreach (var value in Header(headers, "Link"))
            foreach (var (target, rel) in ParseLinkHeader(value))
                if (HasToken(rel, "canonical") && Normalize(target, baseUrl) is { } url) return url;
        return null;
    }

    private static string? Normalize(string? href, WebUrl baseUrl)
    {
        if (string.IsNullOrWhiteSpace(href)) return null;
        if (!WebUrl.TryParse(href.Trim(), baseUrl, out var url, out _) || url.Scheme is not ("http" or "https")) return null;
        return UrlNormalizer.Default.Normalize(url).Href;
    }

    /// <summary>Links of an HTTP Link header: "&lt;url&gt;; rel=canonical, &lt;url2&gt;; rel=\"alternate\"".</summary>
    internal static IEnumerable<(string Target, string Rel)> ParseLinkHeader(string value)
    {
        int i = 0;
        while (i < value.Length)
        {
            int open = value.IndexOf('<', i);
            if (open < 0) yield break;
            int close = value.IndexOf('>', open + 1);
            if (close < 0) yield break;
            string target = value[(open + 1)..close];
            int next = value.IndexOf('<', close + 1);
            string parameters = next < 0 ? value[(close + 1)..] : value[(close + 1)..next];
            string rel = "";
            foreach (var p in parameters.Split(';'))
            {
                var kv = p.Split('=', 2);
                if (kv.Length == 2 && kv[0].Trim().Equals("rel", StringComparison.OrdinalIgnoreCase))
                    rel = kv[1].Trim().Trim(',').Trim().Trim('"');
            }
            yield return (target, rel);
            i = next < 0 ? value.Length : next;
        }
    }

    /// <summary>
    /// noindex/nofollow from &lt;meta name="robots|robot|{agent}"&gt; and from X-Robots-Tag headers, which may be
    /// scoped to an agent ("crawlscope: noindex"); directives scoped to other agents are ignored.
    /// </summary>
    internal static RobotsMeta Robots(IDocument doc, IReadOnlyDictionary<string, string[]>? headers, string agentToken)
    {
        bool noIndex = false, noFollow = false;
        var sources = new List<string>();
        foreach (var meta in doc.QuerySelectorAll("meta[name][content]"))
        {
            string name = meta.GetAttribute("name")!.Trim().ToLowerInvariant();
            if (name is not ("robots" or "robot") && name != agentToken.ToLowerInvariant()) continue;
            string content = meta.GetAttribute("content")!;
            if (Apply(content, ref noIndex, ref noFollow)) sources.Add($"meta {name}: {TextNormalization.CollapseWhitespace(content)}");
        }
        foreach (var value in Header(headers, "X-Robots-Tag"))
        {
            string directives = value;
            int colon = value.IndexOf(':');
            if (colon > 0)
            {
                string scope = value[..colon].Trim();
                // "unavailable_after: date" is a directive, not an agent.
                if (!scope.Contains(',') && !scope.Equals("unavailable_after", StringComparison.OrdinalIgnoreCase))
                {
                    if (!scope.Equals(agentToken, StringComparison.OrdinalIgnoreCase)) continue;
                    directives = value[(colon + 1)..];
                }
            }
            if (Apply(directives, ref noIndex, ref noFollow)) sources.Add($"X-Robots-Tag: {value.Trim()}");
        }
        return noIndex || noFollow ? new RobotsMeta(noIndex, noFollow, sources) : RobotsMeta.None;
    }

    private static bool Apply(string content, ref bool noIndex, ref bool noFollow)
    {
        bool any = false;
        foreach (var raw in content.Split([',', ' '], StringSplitOptions.RemoveEmptyEntries))
        {
            switch (raw.Trim().ToLowerInvariant())
            {
                case "noindex":
                    noIndex = any = true;
                    break;
                case "nofollow":
                    noFollow = any = true;
                    break;
                case "none":
                    noIndex = noFollow = any = true;
                    break;
            }
        }
        return any;
    }

    internal static string? Language(IDocument doc)
    {
        string? lang = doc.DocumentElement?.GetAttribute("lang")?.Trim();
        if (string.IsNullOrEmpty(lang))
            lang = doc.QuerySelectorAll("meta[http-equiv]")
                .FirstOrDefault(m => m.GetAttribute("http-equiv")!.Trim().Equals("content-language", StringComparison.OrdinalIgnoreCase))
                ?.GetAttribute("content")?.Trim();
        return string.IsNullOrEmpty(lang) ? null : lang;
    }

    internal static List<PageLink> Links(IDocument doc, WebUrl baseUrl, bool pageNoFollow)
    {
        var links = new List<PageLink>();
        foreach (var a in doc.QuerySelectorAll("a[href], area[href]"))
        {
            string href = a.GetAttribute("href")!.Trim();
            if (href.Length == 0 || href.StartsWith('#')) continue;
            if (!WebUrl.TryParse(href, baseUrl, out var url, out _) || url.Scheme is not ("http" or "https")) continue;
            string text = TextNormalization.CollapseWhitespace(a.TextContent);
            if (text.Length == 0) text = TextNormalization.CollapseWhitespace(a.GetAttribute("alt") ?? a.QuerySelector("img[alt]")?.GetAttribute("alt"));
            string? rel = a.GetAttribute("rel");
            bool noFollow = pageNoFollow || HasToken(rel, "nofollow") || HasToken(rel, "ugc") || HasToken(rel, "sponsored");
            links.Add(new PageLink(url.Href, text, noFollow) { Parsed = url });
        }
        return links;
    }

    internal static bool HasToken(string? list, string token) =>
        list is not null && list.Split([' ', '\t', '\n', '\r', '\f'], StringSplitOptions.RemoveEmptyEntries)
            .Any(t => t.Equals(token, StringComparison.OrdinalIgnoreCase));

    private static IEnumerable<string> Header(IReadOnlyDictionary<string, string[]>? headers, string name)
    {
        if (headers is null) yield break;
        foreach (var (key, values) in headers)
            if (key.Equals(name, StringComparison.OrdinalIgnoreCase))
                foreach (var v in values) yield return v;
    }
}
