using Crawlscope.Model;
using Crawlscope.Vocabulary;

namespace Crawlscope.Indexability;

/// <summary>
/// Step 11: whether a freshly processed page is indexable, by the one rule, and what that changes in its history:
/// <c>first_indexed</c> is set the first time it is, and <c>history_drop_reason</c> records why a page that was
/// indexable stopped being so (and is cleared when it is indexable again).
/// </summary>
internal static class IndexabilityDecision
{
    // A page is judged when it is fetched, and a previous record at its own download time, so the age cut-off
    // cannot fail here; any value serves.
    private const int MaxAgeMonths = IndexabilityRule.DefaultMaxAgeMonths;

    /// <summary>The record with <c>first_indexed</c> and <c>history_drop_reason</c> decided. <paramref name="page"/> is
    /// the new state without its drop reason; its own faults name the reason, in the order the inspector lists them.</summary>
    public static PageRecord Decide(PageRecord page, PageRecord? previous, bool banned, DateTimeOffset now)
    {
        var fresh = page with { HistoryDropReason = null };
        bool indexable = IndexabilityRule.IsIndexable(fresh, banned, now, MaxAgeMonths);
        DropReason? reason = indexable ? null
            : banned ? DropReason.Banned
            : page.RobotsNoIndex ? DropReason.NoIndex
            : !IndexabilityRule.Passes(IndexabilityFilter.Canonical, fresh, banned, now, MaxAgeMonths) ? DropReason.CanonicalElsewhere
            : page.DuplicateOf is not null ? DropReason.Duplicate
            : page.Soft404 is not null ? DropReason.Soft404
            : page.MlSpamScore > 0 ? DropReason.Spam
            : null;
        return fresh with
        {
            FirstIndexed = previous?.FirstIndexed ?? (indexable ? now : null),
            HistoryDropReason = reason is { } r ? DropIf(previous, r) : null,
        };
    }

    /// <summary>A drop reason is recorded when a page that was indexable (when it was last fetched) stops being so;
    /// otherwise the page keeps the reason it had.</summary>
    public static DropReason? DropIf(PageRecord? previous, DropReason reason) =>
        previous is not null && WasIndexable(previous) ? reason : previous?.HistoryDropReason;

    private static bool WasIndexable(PageRecord previous) =>
        previous.DownloadStamp is { } stamp && IndexabilityRule.IsIndexable(previous, banned: false, stamp, MaxAgeMonths);
}
