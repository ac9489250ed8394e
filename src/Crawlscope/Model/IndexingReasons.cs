using Crawlscope.Vocabulary;

namespace Crawlscope.Model;

/// <summary>
/// The one rule for a URL's primary reason. A stored page's reasons are checked in data-flow order (robots.txt, then
/// the fetch, the status, the content type, processing, the page's own directives, then what the whole crawl decided:
/// duplicates, bans, spam, age, history); the first that holds is the primary reason, the rest are shown after it.
/// None holds exactly when every indexability filter passes (<see cref="IndexabilityRule"/>), which the stores'
/// behaviour suite checks on generated pages, as it checks that each store's SQL for a reason
/// (<see cref="InspectionQueries.ReasonCondition"/>) agrees with <see cref="Holds"/>.
/// </summary>
public static class IndexingReasons
{
    /// <summary>The reasons a stored page can have, in precedence order.</summary>
    public static IReadOnlyList<IndexingReason> PageReasons { get; } =
    [
        IndexingReason.BlockedByRobots, IndexingReason.FetchFailed, IndexingReason.Redirect, IndexingReason.NotFound,
        IndexingReason.Forbidden, IndexingReason.ClientError, IndexingReason.ServerError, IndexingReason.OtherStatus,
        IndexingReason.NotHtml, IndexingReason.ProcessingFailed, IndexingReason.Noindex, IndexingReason.CanonicalElsewhere,
        IndexingReason.Duplicate, IndexingReason.Soft404, IndexingReason.Banned, IndexingReason.Spam, IndexingReason.TooOld, IndexingReason.Dropped,
    ];

    /// <summary>Every reason in report order: the URLs not stored first, then the pages' reasons, indexed last.</summary>
    public static IReadOnlyList<IndexingReason> All { get; } =
        [IndexingReason.Unknown, IndexingReason.Queued, .. PageReasons, IndexingReason.Indexed];

    /// <summary>What people read.</summary>
    public static string Label(IndexingReason reason) => reason switch
    {
        IndexingReason.Indexed => "Indexed",
        IndexingReason.Unknown => "Not known to the crawler",
        IndexingReason.Queued => "Queued, not fetched yet",
        IndexingReason.BlockedByRobots => "Blocked by robots.txt",
        IndexingReason.FetchFailed => "Fetch failed",
        IndexingReason.Redirect => "Page with redirect",
        IndexingReason.NotFound => "Not found (404/410)",
        IndexingReason.Forbidden => "Forbidden (401/403)",
        IndexingReason.ClientError => "Client error (4xx)",
        IndexingReason.ServerError => "Server error (5xx)",
        IndexingReason.OtherStatus => "Unexpected HTTP status",
        IndexingReason.NotHtml => "Not HTML",
        IndexingReason.ProcessingFailed => "Processing failed",
        IndexingReason.Noindex => "Excluded by noindex",
        IndexingReason.CanonicalElsewhere => "Canonical points elsewhere",
        IndexingReason.Duplicate => "Duplicate of another page",
        IndexingReason.Soft404 => "Soft 404",
        IndexingReason.Banned => "Banned by an operator",
        IndexingReason.Spam => "Spam",
        IndexingReason.TooOld => "Too old",
        IndexingReason.Dropped => "Dropped from the index",
        _ => throw new ArgumentOutOfRangeException(nameof(reason)),
    };

    /// <summary>Whether the reason holds for a stored page at <paramref name="now"/>; <paramref name="banned"/> is
    /// <c>fh_dont_index</c>. The robots.txt, fetch, status, content-type and processing reasons exclude each other;
    /// the page's directives and the crawl's decisions may hold together (shown as the other reasons).</summary>
    public static bool Holds(IndexingReason reason, PageRecord page, bool banned, DateTimeOffset now, int maxAgeMonths)
    {
        int? code = page.DownloadHttpCode;
        bool robots = page.FailureReason == FailureReason.RobotsDisallowed;
        bool html = IndexabilityRule.Passes(IndexabilityFilter.HtmlContentType, page, banned, now, maxAgeMonths);
        return reason switch
        {
            IndexingReason.BlockedByRobots => robots,
            IndexingReason.FetchFailed => code is null && !robots,
            IndexingReason.Redirect => code is >= 300 and <= 399,
            IndexingReason.NotFound => code is 404 or 410,
            IndexingReason.Forbidden => code is 401 or 403,
            IndexingReason.ClientError => code is >= 400 and <= 499 and not (401 or 403 or 404 or 410),
            IndexingReason.ServerError => code is >= 500 and <= 599,
            IndexingReason.OtherStatus => code is not null and not 200 and not (>= 300 and <= 599),
            IndexingReason.NotHtml => code == 200 && !html,
            IndexingReason.ProcessingFailed => code == 200 && html && page.FailureReason is not null,
            IndexingReason.Noindex => page.RobotsNoIndex,
            IndexingReason.CanonicalElsewhere => !IndexabilityRule.Passes(IndexabilityFilter.Canonical, page, banned, now, maxAgeMonths),
            IndexingReason.Duplicate => page.DuplicateOf is not null,
            IndexingReason.Soft404 => page.Soft404 is not null,
            IndexingReason.Banned => banned,
            IndexingReason.Spam => page.MlSpamScore != 0,
            // A URL never fetched (robots.txt, a failed fetch) is not "too old": it has no age.
            IndexingReason.TooOld => !IndexabilityRule.Passes(IndexabilityFilter.AgeCutoff, page, banned, now, maxAgeMonths) &&
                                     !(code is null && page.DownloadStamp is null),
            IndexingReason.Dropped => page.HistoryDropReason is not null,
            _ => false,
        };
    }

    /// <summary>Every reason that holds for a stored page, primary first; <see cref="IndexingReason.Indexed"/> alone when none does.</summary>
    public static IReadOnlyList<IndexingReason> Of(PageRecord page, bool banned, DateTimeOffset now, int maxAgeMonths)
    {
        var reasons = PageReasons.Where(r => Holds(r, page, banned, now, maxAgeMonths)).ToList();
        return reasons.Count > 0 ? reasons : [IndexingReason.Indexed];
    }
}
