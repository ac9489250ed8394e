using Crawlscope.Model;

namespace Crawlscope.Frontier;

/// <summary>When a stored page is due again: its interval halves when the content changed and doubles when it did
/// not, between <see cref="Shortest"/> and <see cref="Longest"/>, starting at <see cref="First"/>.</summary>
public sealed record RecrawlPolicy(TimeSpan First, TimeSpan Shortest, TimeSpan Longest)
{
    /// <summary>1 to 30 days, starting at 7.</summary>
    public static readonly RecrawlPolicy Default = new(TimeSpan.FromDays(7), TimeSpan.FromDays(1), TimeSpan.FromDays(30));

    /// <summary>A policy with these bounds, or an error that says which is wrong.</summary>
    public static RecrawlPolicy Create(TimeSpan shortest, TimeSpan longest, TimeSpan? first = null)
    {
        if (shortest <= TimeSpan.Zero) throw new ArgumentException("the shortest recrawl interval must be positive");
        if (longest < shortest) throw new ArgumentException($"the longest recrawl interval ({longest}) is shorter than the shortest ({shortest})");
        var start = first ?? TimeSpan.FromTicks(Math.Clamp(Default.First.Ticks, shortest.Ticks, longest.Ticks));
        return new RecrawlPolicy(start, shortest, longest);
    }

    public RecrawlBounds Bounds => new(Shortest, Longest);

    public DateTimeOffset NextFetch(PageRecord? previous, string? contentHash, DateTimeOffset now)
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

    /// <summary>When a URL that gave no page (an error, a redirect, a refusal) is checked again. It has no content
    /// hash, so one that was a page is checked at half its interval and one that keeps failing at double, as a
    /// page that changed and one that did not.</summary>
    public DateTimeOffset NextCheck(PageRecord? previous, DateTimeOffset now) => NextFetch(previous, null, now);
}
