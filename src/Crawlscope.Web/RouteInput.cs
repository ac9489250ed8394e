using Crawlscope.Inspection;
using Crawlscope.Vocabulary;
using Microsoft.AspNetCore.Http;

namespace Crawlscope.Web;

/// <summary>Query parameters read the same way by the pages and the API; a value that is not one is the caller's
/// mistake (<see cref="InspectionInputException"/>), said with the values there are.</summary>
internal static class RouteInput
{
    /// <summary>out (the default) or in.</summary>
    public static LinkDirection Direction(string? text) => text switch
    {
        null or "" or "out" => LinkDirection.Out,
        "in" => LinkDirection.In,
        _ => throw new InspectionInputException("direction must be out or in"),
    };

    /// <summary>The shard parameter; a value that is not a number is the caller's mistake, said in words.</summary>
    public static int? Shard(string? text) =>
        string.IsNullOrEmpty(text) ? null
        : int.TryParse(text, System.Globalization.NumberStyles.Integer, System.Globalization.CultureInfo.InvariantCulture, out int shard) ? shard
        : throw new InspectionInputException($"shard must be a whole number, not \"{(text.Length > 40 ? text[..40] + "…" : text)}\"");

    /// <summary>The indexing report's reason parameter; null when not given.</summary>
    public static IndexingReason? Reason(string? reason)
    {
        if (string.IsNullOrEmpty(reason)) return null;
        if (!StoreNames.TryParse<IndexingReason>(reason, out var parsed))
            throw new InspectionInputException($"reason must be one of {string.Join(", ", Model.IndexingReasons.All.Select(r => StoreNames.Of(r)))}");
        return parsed;
    }

    public static IResult Html(string page, int status = StatusCodes.Status200OK) =>
        Results.Content(page, "text/html; charset=utf-8", System.Text.Encoding.UTF8, status);
}

/// <summary>What the pages and the API read the store through, made once for both.</summary>
internal sealed record SiteReaders(UrlInspector Inspector, LinkLister Links, IndexingReporter Indexing, CrawlStatsReporter CrawlStats)
{
    public static SiteReaders For(InspectorSiteOptions options) => new(new UrlInspector(options.Store, options.Keyer, options.Inspection),
        new LinkLister(options.Store, options.Keyer), new IndexingReporter(options.Store, options.Inspection), new CrawlStatsReporter(options.Store));
}
