using System.Diagnostics;
using Crawlscope.Model;
using Crawlscope.Storage;
using Crawlscope.Urls;

namespace Crawlscope.Cli.Benchmarks;

/// <summary>
/// <c>bench frontier</c>: the embedded store's frontier alone, at a broad crawl's size. Discovered URLs spread over
/// many hosts are queued in batches as saves queue them (each twenty URLs discovered on one page), then every host
/// is leased empty as the loop leases. A share of the discovered URLs is already known, as on a real site, where
/// most of a page's links were on its other pages. The figures are the insert and lease rates, the scan of queued hosts a run
/// makes once at its start, the bytes on disk per queued URL and the peak RSS.
/// </summary>
internal static class FrontierBenchmark
{
    internal static async Task<int> RunAsync(long urls, int hosts, int knownPercent, TextWriter stdout, CancellationToken ct)
    {
        string db = Path.Combine(Path.GetTempPath(), $"crawlscope-bench-frontier-{Environment.ProcessId}.db");
        SqliteCrawlStore.DeleteFiles(db);
        try
        {
            var store = await SqliteCrawlStore.OpenAsync(db, ct);
            var keyer = UrlKeyer.Default;
            var now = DateTimeOffset.UtcNow;
            var clock = Stopwatch.StartNew();
            var batch = new List<FrontierEntry>(1000);
            long inserted = 0;
            // A known link is one of its host's earlier URLs, picked uniformly: with hosts interleaved it was queued
            // long before, out of reach of any cache of recent keys.
            var queuedPerHost = new int[hosts];
            var random = new Random(20261206);
            string? source = null;
            for (long i = 0; i < urls && !ct.IsCancellationRequested; i++)
            {
                int h = (int)(i % hosts);
                bool known = queuedPerHost[h] > 0 && random.Next(100) < knownPercent;
                int ordinal = known ? random.Next(queuedPerHost[h]) : queuedPerHost[h]++;
                var id = keyer.Identify(WebUrl.Parse(Url(h, ordinal)));
                if (i % 20 == 0) source = id.Key.Value;
                batch.Add(FrontierEntry.Seed(id, now) with { Depth = 1, Priority = 1, DiscoveredFrom = source });
                if (batch.Count == batch.Capacity)
                {
                    inserted += await store.EnqueueAsync(batch, ct);
                    batch.Clear();
                }
                if ((i + 1) % (urls / 10) == 0)
                    stdout.WriteLine($"  offered {i + 1:N0}: {(i + 1) / clock.Elapsed.TotalSeconds:N0} URLs/s so far, RSS peak {CrawlBenchmark.PeakRssMegabytes():F0} MB");
            }
            inserted += await store.EnqueueAsync(batch, ct);
            double insertSeconds = clock.Elapsed.TotalSeconds;
            // Closed, the store checkpoints its WAL into the file: what is left is what the frontier takes on disk.
            await store.DisposeAsync();
            long bytes = new FileInfo(db).Length;
            await using var reopened = await SqliteCrawlStore.OpenAsync(db, ct);
            store = reopened;

            // The first frontier write of a run reads every key back into the seen set (here: the first URL, offered again).
            clock.Restart();
            await store.EnqueueAsync([FrontierEntry.Seed(keyer.Identify(WebUrl.Parse(Url(0, 0))), now)], ct);
            double rebuildMs = clock.Elapsed.TotalMilliseconds;

            clock.Restart();
            var queuedHosts = await store.QueuedHostsAsync(ct: ct);
            double scanMs = clock.Elapsed.TotalMilliseconds;

            clock.Restart();
            long leased = 0;
            foreach (var (host, _, _) in queuedHosts)
            {
                while (!ct.IsCancellationRequested)
                {
                    var got = await store.LeaseAsync(host, now.AddMinutes(1), 16, ct);
                    leased += got.Count;
                    if (got.Count < 16) break;
                }
            }
            double leaseSeconds = clock.Elapsed.TotalSeconds;
            long offeredNew = queuedPerHost.Sum(n => (long)n);
            stdout.WriteLine($"bench frontier: {urls:N0} discovered URLs offered at {urls / insertSeconds:N0} URLs/s (keying included), {100 - knownPercent}% new: " +
                             $"{inserted:N0} queued over {queuedHosts.Count:N0} hosts ({offeredNew - inserted:N0} new ones taken for known); " +
                             $"{bytes / (double)Math.Max(1, inserted):F0} bytes on disk per queued URL; the seen set read back at start in {rebuildMs:F0} ms; a run's one scan of queued hosts {scanMs:F0} ms; " +
                             $"{leased:N0} leased (16 at a time, host by host) at {leased / leaseSeconds:N0} URLs/s; peak RSS {CrawlBenchmark.PeakRssMegabytes():F0} MB ({Environment.ProcessorCount} cores)");
            return CrawlscopeCli.Success;
        }
        finally
        {
            SqliteCrawlStore.DeleteFiles(db);
        }
    }

    private static string Url(int host, int ordinal) => $"https://www{host % 3}.site{host}.example/section/{ordinal % 97}/page-{ordinal}";
}
