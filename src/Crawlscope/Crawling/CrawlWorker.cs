using Crawlscope.Archiving;
using Crawlscope.Fetching;
using Crawlscope.Frontier;
using Crawlscope.Robots;
using Crawlscope.Sitemaps;
using Crawlscope.Model;
using Crawlscope.Urls;
using Crawlscope.Telemetry;
using Crawlscope.Vocabulary;

namespace Crawlscope.Crawling;

/// <summary>
/// One frontier entry through the steps of docs/architecture.md after politeness (5, the loop's): (6) the robots
/// gate, and the host's sitemaps the first time its robots.txt is read; (7) the fetch; then (8-14) the page
/// processor. What the host's answers say about politeness (crawl-delay, backoff, success) goes back in the outcome:
/// the crawl loop alone writes the scheduler.
/// </summary>
internal sealed class CrawlWorker(
    CrawlOptions options,
    IFrontierStore store,
    UrlKeyer keyer,
    Fetcher fetcher,
    RobotsGate robots,
    CrawlScope scope,
    string agentToken,
    TimeProvider time,
    CrawlProgress progress,
    WarcArchive? archive = null,
    CrawlControl? control = null,
    PageRendering? rendering = null)
{
    private readonly SitemapDiscovery _sitemaps = new(store, store, fetcher, keyer, scope, robots, agentToken, time, archive);
    private readonly PageProcessor _processor = new(options, store, keyer, scope, time, progress, archive, control, rendering);
    private readonly System.Diagnostics.Stopwatch _clock = System.Diagnostics.Stopwatch.StartNew();

    public async Task<ProcessOutcome> ProcessAsync(FrontierEntry entry, CancellationToken ct)
    {
        try
        {
            return await ThroughStepsAsync(entry, ct);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // A failure before the processor (robots, sitemaps) is stored like one in it.
            return await _processor.FailedAsync(entry, PageProcessor.ProcessingError(ex), ct);
        }
    }

    private async Task<ProcessOutcome> ThroughStepsAsync(FrontierEntry entry, CancellationToken ct)
    {
        double started = _clock.Elapsed.TotalMilliseconds;
        var identity = keyer.Identify(WebUrl.Parse(entry.Url));
        var robotsCheck = await robots.CheckAsync(identity.Normalized, ct);                                // 6. robots
        double? crawlDelay = robotsCheck.Rules.ForAgent(agentToken).CrawlDelaySeconds;
        int fromSitemaps = await SitemapsAsync(identity, robotsCheck, options.Politeness.GapFor(crawlDelay), ct);
        progress.Time("robots", _clock.Elapsed.TotalMilliseconds - started);
        if (await _processor.RefusedAsync(entry, identity, robotsCheck, ct) is { } refused) return refused with { Host = new HostReport(crawlDelay, false) };

        started = _clock.Elapsed.TotalMilliseconds;
        var previous = await store.GetPageAsync(entry.Key.Value, ct);
        var fetched = await fetcher.FetchAsync(entry.Url, Conditional(previous), ct);                      // 7. fetch
        progress.Time("fetch", _clock.Elapsed.TotalMilliseconds - started);
        CrawlMetrics.Fetched(fetched.ElapsedMs);

        var outcome = await _processor.ProcessAsync(entry, identity, fetched, previous, ct);               // 8-14
        bool answered = fetched.StatusCode is { } code && ResponseStatus.FromHttpCode(code) is not (ResponseKind.Throttled or ResponseKind.ServerError);
        return outcome with { NewUrls = outcome.NewUrls + fromSitemaps, Host = new HostReport(crawlDelay, answered) };
    }

    /// <summary>The first time a host's robots.txt is read, its sitemaps are read too, while this worker holds the
    /// host's slot, each request a politeness gap apart. Returns how many URLs they added.</summary>
    private async Task<int> SitemapsAsync(UrlIdentity identity, RobotsCheck check, TimeSpan gap, CancellationToken ct)
    {
        if (!options.ReadSitemaps || !check.Fresh || check.SsrfBlocked) return 0;
        int added = await _sitemaps.DiscoverAsync(identity.Normalized, check.Rules, gap, ct);
        await robots.SitemapsReadAsync(check.HostKey, ct);
        if (gap > TimeSpan.Zero) await Task.Delay(gap, time, ct);
        return added;
    }

    /// <summary>Conditional GET headers from the stored page, when it was fetched whole.</summary>
    internal static Dictionary<string, string>? Conditional(PageRecord? previous)
    {
        if (previous is null || previous.DownloadHttpCode != 200) return null;
        var headers = new Dictionary<string, string>();
        if (previous.Etag is { } etag) headers["If-None-Match"] = etag;
        if (previous.LastModified is { } lm) headers["If-Modified-Since"] = lm;
        return headers.Count == 0 ? null : headers;
    }
}
