using Crawlscope.Crawling;
using Crawlscope.Model;

namespace Crawlscope.Operating;

/// <summary>The live overview's figures at one moment: what the service's page and <c>/api/events</c> show.</summary>
public sealed record CrawlFigures(
    DateTimeOffset At,
    double PagesPerSecond,
    long PagesThisRun,
    long Queued,
    long InFlight,
    long Leased,
    long RecrawlsDue,
    long RecrawlsQueued,
    long NotModified,
    int HostsQueued,
    int HostsFetching,
    long Errors,
    long Redirects,
    IReadOnlyDictionary<string, long> ErrorsByReason,
    IReadOnlyDictionary<string, long> LinksNotFollowed,
    bool Paused,
    IReadOnlyCollection<string> PausedHosts)
{
    // InFlight: requests in progress now (the crawl's own count). Leased: URLs the store holds as taken, those in
    // progress and those leased ahead for their hosts; the two were once shown under one name and disagreed.

    /// <summary>Hosts with URLs queued but no request in flight (waiting for their politeness gap or a lease).</summary>
    public int HostsWaiting => Math.Max(0, HostsQueued - HostsFetching);
}

/// <summary>
/// Samples a running crawl's figures; pages/s is the rate since the previous sample (so a pause shows as 0 within
/// one sample), not the average of the run. One sampler per watcher: each keeps its own previous sample.
/// </summary>
public sealed class CrawlFiguresSampler(ICrawlStats store, CrawlEngine engine, TimeProvider? time = null)
{
    private readonly TimeProvider _time = time ?? TimeProvider.System;
    private (DateTimeOffset At, long Pages)? _previous;

    public async Task<CrawlFigures> SampleAsync(CancellationToken ct = default)
    {
        var now = _time.GetUtcNow();
        var p = engine.Progress;
        long pages = p.Pages;
        double rate = _previous is { } prev && now > prev.At ? (pages - prev.Pages) / (now - prev.At).TotalSeconds : p.PagesPerSecond;
        _previous = (now, pages);
        var queue = await store.QueueCountsAsync(now, ct);
        return new CrawlFigures(now, Math.Round(rate, 1), pages, queue.Queued, p.InFlight, queue.InFlight, queue.RecrawlsDue, p.Recrawls,
            p.Statuses.GetValueOrDefault(304), p.ActiveHosts, p.HostsFetching, p.Errors, p.Redirects,
            new SortedDictionary<string, long>(p.Failures, StringComparer.Ordinal),
            new SortedDictionary<string, long>(p.LinksNotFollowed.ToDictionary(), StringComparer.Ordinal), engine.Control.Paused, engine.Control.PausedHosts);
    }
}
