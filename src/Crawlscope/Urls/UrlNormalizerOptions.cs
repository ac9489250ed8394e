namespace Crawlscope.Urls;

/// <summary>What crawl normalisation removes from a URL before it is keyed.</summary>
public sealed class UrlNormalizerOptions
{
    /// <summary>
    /// Query parameter names dropped as tracking noise, compared case-insensitively; a trailing '*' matches a
    /// prefix. Default: utm_*, gclid, fbclid, mc_cid, mc_eid.
    /// </summary>
    public IReadOnlyList<string> TrackingParameters { get; init; } = UrlDefaults.TrackingParameters;
}

internal static class UrlDefaults
{
    internal static readonly string[] TrackingParameters = ["utm_*", "gclid", "fbclid", "mc_cid", "mc_eid"];

    /// <summary>Shards a crawl is split into unless configured otherwise.</summary>
    internal const int ShardCount = 100;
}
