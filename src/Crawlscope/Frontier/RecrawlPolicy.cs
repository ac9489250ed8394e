using Crawlscope.Storage;

namespace Crawlscope.Frontier;

/// <summary>When a stored page is due again: its interval halves when the content changed and doubles when it did
/// not, between 1 and 30 days, starting at 7.</summary>
public static class RecrawlPolicy
{
    public static readonly TimeSpan First = TimeSpan.FromDays(7), Shortest = TimeSpan.FromDays(1), Longest = TimeSpan.FromDays(30);

    public static DateTimeOffset NextFetch(PageRecord? previous, string? contentHash, DateTimeOffset now)
    {
        var interval = First;
        if (previous?.NextFetch is { } prevNext && previous.DownloadStamp is { } prevStamp)
        {
            var last = prevNext - prevStamp;
            interval = previous.ContentHash == contentHash ? last * 2 : last / 2;
        }
        if (interval < Shortest) interval = Shortest;
        if (interval > Longest) interval = Longest;
        return now + interval;
    }
}
