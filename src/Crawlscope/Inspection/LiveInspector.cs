using Crawlscope.Crawling;
using Crawlscope.Fetching;
using Crawlscope.Frontier;
using Crawlscope.Robots;
using Crawlscope.Model;
using Crawlscope.Rendering;
using Crawlscope.Storage;
using Crawlscope.Urls;

namespace Crawlscope.Inspection;

/// <summary>
/// The live test (Search Console's "test live URL"): fetch the URL now and inspect the result, storing nothing in
/// the crawl store. One attempt goes through the crawl's own robots gate, fetcher and page processor into a scratch
/// store in a temporary file, so its filters are evaluated by the same store query as a crawled page's; the stored
/// bans are copied in so the ban check agrees. No scheduler: a live test is one request, made now. It renders the
/// page when its raw HTML is an empty shell (as a crawl in auto mode) or when asked to (the caller asks when the stored
/// page was rendered), and then keeps a screenshot of what the browser showed.
/// </summary>
public sealed class LiveInspector(UrlKeyer keyer, FetchOptions fetch, InspectionOptions? inspection = null, TimeProvider? time = null,
    RenderOptions? render = null)
{
    private readonly TimeProvider _time = time ?? TimeProvider.System;

    public async Task<InspectionReport> InspectAsync(UrlIdentity url, IReadOnlyList<BanRecord> bans, CancellationToken ct = default, bool renderRequested = false)
    {
        string path = Path.Combine(Path.GetTempPath(), $"crawlscope-live-{Guid.NewGuid():N}.db");
        try
        {
            await using var scratch = await SqliteCrawlStore.OpenAsync(path, ct);
            foreach (var ban in bans) await scratch.BanAsync(ban.Name, ban.Reason, null, ct);
            byte[]? screenshot = await TestAsync(scratch, url, renderRequested, ct);
            var report = await new UrlInspector(scratch, keyer, inspection).InspectAsync(url, ct);
            // Duplicates need the whole crawl; the scratch store has this page alone, so its answer says nothing.
            var filters = report.Filters.Select(f => f.Name == IndexabilityRule.Name(IndexabilityFilter.Duplicate)
                ? f with { Details = "not evaluated live: needs the whole crawl" } : f).ToList();
            return report with
            {
                Summary = "live test: " + report.Summary, Filters = filters,
                ScreenshotPng = screenshot is null ? null : Convert.ToBase64String(screenshot),
            };
        }
        finally
        {
            SqliteCrawlStore.DeleteFiles(path);
        }
    }

    /// <summary>Steps 6-14 once for the URL, with no retry: a live test never waits out a Retry-After.</summary>
    private async Task<byte[]?> TestAsync(ICrawlStore scratch, UrlIdentity url, bool renderRequested, CancellationToken ct)
    {
        var options = new CrawlOptions { Scope = CrawlScopeKind.Seeds, MaxDepth = 0, MaxAttempts = 1, ReadSitemaps = false, ShardCount = keyer.ShardCount, Fetch = fetch };
        string agent = RobotsAgent.ProductToken(fetch.UserAgent);
        using var fetcher = new Fetcher(fetch);
        var robots = new RobotsGate(scratch, fetcher, agent, _time);
        var renderOptions = render ?? new RenderOptions();
        if (renderRequested) renderOptions = renderOptions with { Mode = RenderMode.Always };
        await using var rendering = renderOptions.Mode == RenderMode.Never ? null
            : new PageRendering(renderOptions, fetcher, robots, fetch.UserAgent) { Screenshots = true };
        var processor = new PageProcessor(options, scratch, keyer, new CrawlScope(options.ScopeRules, [url]), _time, new CrawlProgress(_time), rendering: rendering);
        var entry = FrontierEntry.Seed(url, _time.GetUtcNow());
        await scratch.EnqueueAsync([entry], ct); // as a crawl's seed: the report's seen check finds it
        var check = await robots.CheckAsync(url.Normalized, ct);
        var outcome = await processor.RefusedAsync(entry, url, check, ct)
                      ?? await processor.ProcessAsync(entry, url, await fetcher.FetchAsync(entry.Url, null, ct), null, ct);
        await outcome.Saved;
        return rendering?.LastScreenshot;
    }
}
