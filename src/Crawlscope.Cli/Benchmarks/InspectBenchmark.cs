using System.Diagnostics;
using System.Text;
using Crawlscope.Inspection;
using Crawlscope.Model;
using Crawlscope.Storage;
using Crawlscope.Urls;
using Crawlscope.Vocabulary;
using Crawlscope.Web;
using Microsoft.AspNetCore.Builder;

namespace Crawlscope.Cli.Benchmarks;

internal sealed record LatencyFigures(string Path, int Lookups, double P50Ms, double P90Ms, double P99Ms, double MaxMs);

internal sealed record InspectBenchResult(string Store, long Pages, long Links, double BuildSeconds, long PagesBuilt, double IngestPagesPerSecond, long RowsBuilt, long StoreMegabytes,
    int KnownLookups, IReadOnlyList<LatencyFigures> Latency, int Cores);

/// <summary>
/// <c>crawlscope bench inspect [--db PATH | --store clickhouse://...]</c>: lookup latency on a store of many pages
/// (default 100,000), through the engine and through the JSON API over loopback HTTP. The store is generated
/// (pages with every field, links, fetch history, robots.txt per host) through the store interface, so it has
/// the indexes a crawl leaves; on a cluster the pages go in as bulk inserts, and the ingest rate is measured.
/// </summary>
internal static class InspectBenchmark
{
    private const int Hosts = 200, LinksPerPage = 8;

    internal static async Task<InspectBenchResult> RunAsync(ICrawlStore store, string where, int pages, int lookups, TextWriter log, CancellationToken ct)
    {
        var keyer = new UrlKeyer(PublicSuffixList.Default, UrlNormalizer.Default);
        var sw = Stopwatch.StartNew();
        long existing = await store.PageCountAsync(ct), rowsBuilt = 0;
        if (existing < pages)
        {
            log.WriteLine($"building a store of {pages:N0} pages in {where} (kept for the next run) ...");
            rowsBuilt = await BuildAsync(store, keyer, (int)existing, pages, ct);
        }
        else log.WriteLine($"reusing {where} ({existing:N0} pages)");
        double build = sw.Elapsed.TotalSeconds;
        long built = Math.Max(0, pages - existing);

        // Lookups: nine in ten of stored pages, one in ten of URLs never seen (the "not known" answer).
        var random = new Random(7);
        var urls = Enumerable.Range(0, lookups).Select(i => i % 10 == 9 ? $"https://unknown-{i}.example.org/page/{i}" : PageUrl(random.Next(pages))).ToList();
        var inspector = new UrlInspector(store, keyer);
        var engine = new List<double>();
        int known = 0;
        foreach (var warm in urls.Take(50)) await inspector.LookupAsync(warm, null, null, ct);
        foreach (var url in urls)
        {
            long t = Stopwatch.GetTimestamp();
            var report = await inspector.LookupAsync(url, null, null, ct);
            engine.Add(Stopwatch.GetElapsedTime(t).TotalMilliseconds);
            if (report.Page is not null) known++;
        }

        await using var site = InspectorSite.Build(new InspectorSiteOptions { Store = store, Keyer = keyer, Urls = "http://127.0.0.1:0" });
        await site.StartAsync(ct);
        using var http = new HttpClient { BaseAddress = new Uri(site.Urls.First()) };
        var api = new List<double>();
        foreach (var warm in urls.Take(50)) await http.GetStringAsync("/api/inspect?url=" + Uri.EscapeDataString(warm), ct);
        foreach (var url in urls)
        {
            long t = Stopwatch.GetTimestamp();
            using var response = await http.GetAsync("/api/inspect?url=" + Uri.EscapeDataString(url), ct);
            response.EnsureSuccessStatusCode();
            await response.Content.ReadAsByteArrayAsync(ct);
            api.Add(Stopwatch.GetElapsedTime(t).TotalMilliseconds);
        }
        await site.StopAsync(ct);

        long links = Convert.ToInt64((await store.InspectAsync("SELECT COUNT(*) AS n FROM links", [], ct)).Rows[0]["n"], System.Globalization.CultureInfo.InvariantCulture);
        long megabytes = store is SqliteCrawlStore sqlite ? new FileInfo(sqlite.Path).Length / 1048576
            : store is Crawlscope.Storage.ClickHouse.ClickHouseCrawlStore ch ? await ch.DiskBytesAsync(ct) / 1048576 : 0;
        return new InspectBenchResult(where, await store.PageCountAsync(ct), links, build, built, built == 0 ? 0 : built / build, rowsBuilt, megabytes, known,
            [Figures("engine (UrlInspector)", engine), Figures("JSON API over HTTP", api)], Environment.ProcessorCount);
    }

    private static LatencyFigures Figures(string path, List<double> ms)
    {
        ms.Sort();
        double At(double q) => ms[Math.Min(ms.Count - 1, (int)Math.Floor(q * ms.Count))];
        return new LatencyFigures(path, ms.Count, At(0.50), At(0.90), At(0.99), ms[^1]);
    }

    private static string PageUrl(int i) => $"https://www.site{i % Hosts / 2}.example{(i % 2 == 0 ? ".com" : ".co.uk")}/{(i % Hosts % 2 == 0 ? "" : "blog/")}articles/{i / Hosts}";

    private static readonly Dictionary<string, string> BenchHeaders = new() { ["content-type"] = "text/html; charset=utf-8", ["server"] = "bench" };

    /// <summary>Stores pages <paramref name="from"/> to <paramref name="pages"/>; on a cluster, returns the rows inserted
    /// (pages, fetches, links, near-duplicate bands, robots.txt), 0 on the embedded store.</summary>
    private static async Task<long> BuildAsync(ICrawlStore store, UrlKeyer keyer, int from, int pages, CancellationToken ct)
    {
        long rows = 0;
        // The cluster takes pages and robots.txt rows in bulk (one insert per table per batch), as a crawl worker ships them.
        var batch = new List<Crawlscope.Model.ReplicaRows>();
        var cluster = store as Crawlscope.Storage.ClickHouse.ClickHouseCrawlStore;
        var now = DateTimeOffset.UtcNow;
        var hostsDone = new HashSet<string>();
        string body = string.Concat(Enumerable.Repeat("The crawler stores every extracted field of the page so that the inspector can show it. ", 12));
        for (int i = from; i < pages; i++)
        {
            ct.ThrowIfCancellationRequested();
            var id = keyer.TryIdentify(PageUrl(i), out var identity, out var error) ? identity : throw new InvalidOperationException(error);
            string hostKey = $"https://{id.Host}:443";
            if (hostsDone.Add(hostKey))
            {
                var robots = new StoredRobots(hostKey, now, now.AddDays(1), 200, Encoding.UTF8.GetBytes("User-agent: *\nDisallow: /private/\n"),
                    "Parse", "HTTP 200: rules parsed", null, true);
                if (cluster is null) await store.SaveRobotsAsync(robots, ct);
                else batch.AddRange(cluster.Rows.Robots(robots));
            }
            var links = new List<LinkRecord>(LinksPerPage);
            for (int k = 1; k <= LinksPerPage; k++)
                if (keyer.TryIdentify(PageUrl((int)((i + k * 7919L) % pages)), out var target, out _))
                    links.Add(new LinkRecord(id.Key.Value, target.Key.Value, $"Article {k}", false));
            var stamp = now.AddMinutes(-(i % 50_000));
            var page = new PageRecord
            {
                SrcUnparsed = id.Key.Value, Url = id.Normalized.Href, Shard = id.Shard, RootHash = id.RootHash, Host = id.Host, Site = id.Site,
                DownloadHttpCode = i % 50 == 0 ? 404 : 200, DownloadStamp = stamp, FirstIndexed = stamp.AddDays(-30),
                ContentType = "text/html; charset=utf-8", FailureReason = i % 50 == 0 ? FailureReason.Http4xx : null,
                MetaTitle = $"Article {i} of the benchmark store", MetaDescription = $"A stored page with every field filled, number {i}.",
                MetaCanonical = i % 20 == 0 ? links[0].Target : null, Lang = "en",
                BoilerpipeText = body, Markdown = $"# Article {i}\n\n{body}\n\n{body}", ReadableMarkdown = $"# Article {i}\n\n{body}",
                ContentHash = $"{i:x16}", SimHash = i * 2654435761L, ResponseHeaders = BenchHeaders,
                BodyBytes = 20_000, Outlinks = links.Count, NextFetch = stamp.AddDays(7),
            };
            var fetch = new FetchRecord(id.Key.Value, id.Normalized.Href, stamp, page.DownloadHttpCode, page.FailureReason is { } f ? new FetchFailure(f) : null, 12.5, 20_000, page.ContentType, null);
            if (cluster is null) await store.SaveAsync(page, fetch, links, [], ct);
            else
            {
                batch.AddRange(cluster.Rows.Save(page, fetch, links));
                if ((i + 1 - from) % 5_000 == 0 || i == pages - 1)
                {
                    await cluster.InsertAsync(batch, ct);
                    rows += batch.Sum(r => (long)r.Lines.AsSpan().Count('\n'));
                    batch.Clear();
                }
            }
        }
        return rows;
    }
}
