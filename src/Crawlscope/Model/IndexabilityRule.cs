using Crawlscope.Vocabulary;


namespace Crawlscope.Model;

/// <summary>The indexability filters, in the order the inspector shows them (the seed's five first).</summary>
public enum IndexabilityFilter
{
    HttpStatus,
    AgeCutoff,
    HistoryDrop,
    SpamBan,
    Canonical,
    RobotsNoIndex,
    RobotsTxtAllowed,
    HtmlContentType,
    Duplicate,
    Failure,
    Soft404,
}

/// <summary>
/// The one indexability rule. Each filter has its C# predicate here, which the crawl uses, and its SQL condition in
/// each store (<see cref="InspectionQueries.Condition"/>), which the inspector and exports evaluate;
/// the stores' behaviour suite checks on generated pages that the two agree on both backends.
/// </summary>
public static class IndexabilityRule
{
    /// <summary>The age filter's default cut-off: a page last crawled longer ago than this is not indexable.</summary>
    public const int DefaultMaxAgeMonths = 6;

    public static IReadOnlyList<IndexabilityFilter> Filters { get; } = Enum.GetValues<IndexabilityFilter>();

    public static string Name(IndexabilityFilter filter) => filter switch
    {
        IndexabilityFilter.HttpStatus => "HTTP status",
        IndexabilityFilter.AgeCutoff => "Age cutoff",
        IndexabilityFilter.HistoryDrop => "History drop",
        IndexabilityFilter.SpamBan => "Spam/ban",
        IndexabilityFilter.Canonical => "Canonical",
        IndexabilityFilter.RobotsNoIndex => "Robots noindex",
        IndexabilityFilter.RobotsTxtAllowed => "robots.txt allowed",
        IndexabilityFilter.HtmlContentType => "HTML content type",
        IndexabilityFilter.Duplicate => "Duplicate",
        IndexabilityFilter.Failure => "No failure",
        IndexabilityFilter.Soft404 => "Not a soft 404",
        _ => throw new ArgumentOutOfRangeException(nameof(filter)),
    };

    /// <summary>Whether the stored page passes the filter at <paramref name="now"/>; <paramref name="banned"/> is
    /// <c>fh_dont_index</c> (its host or site is banned).</summary>
    public static bool Passes(IndexabilityFilter filter, PageRecord page, bool banned, DateTimeOffset now, int maxAgeMonths) => filter switch
    {
        IndexabilityFilter.HttpStatus => page.DownloadHttpCode == 200,
        IndexabilityFilter.AgeCutoff => page.DownloadStamp is { } stamp && stamp > now.AddMonths(-maxAgeMonths),
        IndexabilityFilter.HistoryDrop => page.HistoryDropReason is null,
        IndexabilityFilter.SpamBan => !banned && page.MlSpamScore == 0,
        IndexabilityFilter.Canonical => string.IsNullOrEmpty(page.MetaCanonical) || page.MetaCanonical == page.SrcUnparsed,
        IndexabilityFilter.RobotsNoIndex => !page.RobotsNoIndex,
        IndexabilityFilter.RobotsTxtAllowed => page.FailureReason != FailureReason.RobotsDisallowed,
        IndexabilityFilter.HtmlContentType => page.ContentType is { } type && type.Contains("html", StringComparison.OrdinalIgnoreCase),
        IndexabilityFilter.Duplicate => page.DuplicateOf is null,
        IndexabilityFilter.Failure => page.FailureReason is null,
        IndexabilityFilter.Soft404 => page.Soft404 is null,
        _ => throw new ArgumentOutOfRangeException(nameof(filter)),
    };

    /// <summary>Every filter passes.</summary>
    public static bool IsIndexable(PageRecord page, bool banned, DateTimeOffset now, int maxAgeMonths)
    {
        foreach (var filter in Filters)
            if (!Passes(filter, page, banned, now, maxAgeMonths)) return false;
        return true;
    }

    /// <summary>The first filter the page fails, or null when it is indexable.</summary>
    public static IndexabilityFilter? FirstFailing(PageRecord page, bool banned, DateTimeOffset now, int maxAgeMonths)
    {
        foreach (var filter in Filters)
            if (!Passes(filter, page, banned, now, maxAgeMonths)) return filter;
        return null;
    }
}
