using Crawlscope.Crawling;
using Crawlscope.Frontier;
using Crawlscope.Fetching;
using Crawlscope.Storage;
using Crawlscope.Urls;

namespace Crawlscope.Inspection;

/// <summary>
/// The live test (Search Console's "test live URL"): fetch the URL now and inspect the result, storing nothing
/// in the crawl store. It runs the crawler itself for one page, into a scratch store in a temporary file, so the
/// live result goes through exactly the robots, SSRF, fetch, extraction and classification code of a crawl,
/// and its filters are evaluated by the same store query; the stored bans are copied in so the ban check agrees.
/// </summary>
public sealed class LiveInspector(UrlKeyer keyer, FetchOptions fetch, InspectionOptions? inspection = null)
{
    public async Task<InspectionReport> InspectAsync(UrlIdentity url, IReadOnlyList<BanRecord> bans, CancellationToken ct = default)
    {
        string path = Path.Combine(Path.GetTempPath(), $"crawlscope-live-{Guid.NewGuid():N}.db");
        try
        {
            await using (var scratch = await SqliteCrawlStore.OpenAsync(path, ct))
            {
                foreach (var ban in bans) await scratch.BanAsync(ban.Name, ban.Reason, ct);
                var options = new CrawlOptions
                {
                    Scope = CrawlScopeKind.Seeds,
                    MaxPages = 1,
                    MaxDepth = 0,
                    Delay = TimeSpan.Zero,
                    MaxAttempts = 1,
                    ReadSitemaps = false,
                    ShardCount = keyer.ShardCount,
                    Fetch = fetch,
                };
                // A stop after a bound: a live test never waits out long Retry-After or crawl-delay values.
                using var bound = CancellationTokenSource.CreateLinkedTokenSource(ct);
                bound.CancelAfter(fetch.TotalTimeout * 3);
                using (var engine = new CrawlEngine(options, scratch, keyer))
                    await engine.RunAsync([url], bound.Token);
                ct.ThrowIfCancellationRequested();
                var report = await new UrlInspector(scratch, keyer, inspection).InspectAsync(url, ct);
                return report with { Summary = "live test: " + report.Summary };
            }
        }
        finally
        {
            SqliteCrawlStore.DeleteFiles(path);
        }
    }
}
