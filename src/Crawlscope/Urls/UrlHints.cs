namespace Crawlscope.Urls;

/// <summary>What to suggest for a URL that was not accepted, in every place one is typed (CLI, API, forms).</summary>
public static class UrlHints
{
    /// <summary>For a seed or URL typed without a scheme (<c>www.example.com/blog/</c>): " (did you mean https://...?)"; else "".</summary>
    public static string SchemeHint(string typed)
    {
        string t = typed.Trim();
        if (t.Contains("://", StringComparison.Ordinal) || t.StartsWith('-') || t.Length == 0) return "";
        string hostPart = t.TrimStart('/').Split('/', 2)[0];
        bool looksLikeHost = hostPart.Contains('.') && !hostPart.Contains(' ') && hostPart.Split(':')[0].Split('.').All(l => l.Length > 0);
        return looksLikeHost ? $" (did you mean https://{t.TrimStart('/')}{(t.Contains('/') ? "" : "/")}?)" : "";
    }
}
