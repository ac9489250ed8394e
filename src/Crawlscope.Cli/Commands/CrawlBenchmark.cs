using System.Diagnostics;
using System.Net;
using Crawlscope.Crawling;
using Crawlscope.Extraction;
using Crawlscope.Fetching;
using Crawlscope.SampleWeb;
using Crawlscope.Storage;
using Crawlscope.Urls;

namespace Crawlscope.Cli.Commands;

/// <summary>The figures `crawlscope bench` prints and writes.</summary>
internal sealed record CrawlBenchResult(string Extract, long Pages, double Seconds, double PagesPerSecond, double CpuMsPerPage, double PeakRssMb,
    int Cores, string Machine, DateTimeOffset When);

/// <summary>
/// Like `scrapy bench`: the sample web in this process with politeness delays off, crawled at full speed into a
/// fresh store (robots.txt still fetched and obeyed). CPU time includes serving the sample web.
/// </summary>
internal static class CrawlBenchmark
{
    internal static async Task<CrawlBenchResult> RunAsync(bool noExtraction, int pagesPerHost, int perHost, CancellationToken ct)
    {
        string db = Path.Combine(Path.GetTempPath(), $"crawlscope-bench-{Environment.ProcessId}.db");
        try
        {
            await using var web = await SampleWebServer.StartAsync(new SampleWebOptions { PagesPerHost = pagesPerHost, Fast = true }, ct);
            await using var store = await SqliteCrawlStore.OpenAsync(db, ct);
            var keyer = new UrlKeyer(PublicSuffixList.Default, UrlNormalizer.Default);
            var options = new CrawlOptions
            {
                Delay = TimeSpan.Zero,
                PerHost = perHost,
                Concurrency = 64,
                MaxDepth = 6,
                Extract = noExtraction ? ExtractionParts.Metadata : ExtractionParts.All,
                Fetch = new FetchOptions
                {
                    AllowPrivateNetworks = true,
                    Resolve = SampleSites.Hosts.ToDictionary(h => h.Name, _ => IPAddress.Loopback),
                    TotalTimeout = TimeSpan.FromSeconds(2),
                },
                RetryBase = TimeSpan.FromMilliseconds(100),
            };
            var seeds = web.Seeds.Select(s => keyer.TryIdentify(s, out var id, out _) ? id! : throw new InvalidOperationException(s)).ToList();
            var process = Process.GetCurrentProcess();
            var cpu = process.TotalProcessorTime;
            var sw = Stopwatch.StartNew();
            using var engine = new CrawlEngine(options, store, keyer);
            await engine.RunAsync(seeds, ct);
            sw.Stop();
            process.Refresh();
            long pages = engine.Progress.Pages;
            if (Environment.GetEnvironmentVariable("CRAWLSCOPE_PROFILE") == "1")
                foreach (var (stage, ms) in engine.Progress.StageMs.OrderByDescending(kv => kv.Value))
                    Console.Error.WriteLine($"  {stage,-18} {ms / Math.Max(1, pages):F2} ms per page (summed over workers)");
            return new CrawlBenchResult(noExtraction ? "none" : "full", pages, sw.Elapsed.TotalSeconds, pages / sw.Elapsed.TotalSeconds,
                (process.TotalProcessorTime - cpu).TotalMilliseconds / Math.Max(1, pages), PeakRssMegabytes(), Environment.ProcessorCount,
                $"{Environment.OSVersion}, .NET {Environment.Version}", DateTimeOffset.UtcNow);
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            foreach (var f in new[] { db, db + "-wal", db + "-shm" }) File.Delete(f);
        }
    }

    private static double PeakRssMegabytes()
    {
        // VmHWM: the resident set's high-water mark.
        foreach (var line in File.Exists("/proc/self/status") ? File.ReadLines("/proc/self/status") : [])
            if (line.StartsWith("VmHWM:", StringComparison.Ordinal) && long.TryParse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], out long kb))
                return kb / 1024.0;
        return Process.GetCurrentProcess().PeakWorkingSet64 / 1024.0 / 1024.0;
    }
}
