using System.Diagnostics;
using System.Globalization;
using System.Net;
using Crawlscope.Crawling;
using Crawlscope.Fetching;
using Crawlscope.Rendering;
using Crawlscope.SampleWeb;
using Crawlscope.Storage;
using Crawlscope.Urls;

namespace Crawlscope.Cli.Benchmarks;

internal sealed record RenderBenchResult(int Pages, int Rendered, double Seconds, double PagesPerSecond, double CpuMsPerPage, double BrowserCpuMsPerPage,
    double PeakBrowserRssMb, double FirstRenderSeconds, int Parallel, int Cores, string Browser, DateTimeOffset When);

/// <summary>
/// <c>bench render</c>: the sample web's client-rendered site crawled with every page rendered (no politeness
/// delay, robots.txt obeyed), its pages' requests answered by the crawler's fetcher. CPU is the crawl's process and
/// every process under it (the Playwright driver, the browser and its renderers), which is what a rendered page costs.
/// </summary>
internal static class RenderBenchmark
{
    private static readonly double TicksPerSecond = 100; // Linux's USER_HZ, what /proc/PID/stat counts in

    internal static async Task<RenderBenchResult> RunAsync(int pages, int parallel, CancellationToken ct)
    {
        string db = Path.Combine(Path.GetTempPath(), $"crawlscope-bench-render-{Environment.ProcessId}.db");
        var render = new RenderOptions { Mode = RenderMode.Always, Parallel = parallel, MaxShare = 1 };
        string browser = render.FindBrowser() ?? throw new CommandException("no browser: apt-get install chromium-headless-shell");
        try
        {
            await using var web = await SampleWebServer.StartAsync(new SampleWebOptions { PagesPerHost = pages, Fast = true, KeepHits = false }, ct);
            await using var store = await SqliteCrawlStore.OpenAsync(db, ct);
            var keyer = new UrlKeyer(PublicSuffixList.Default, UrlNormalizer.Default);
            var options = new CrawlOptions
            {
                Delay = TimeSpan.Zero, PerHost = parallel * 2, Concurrency = 16, MaxDepth = 3, RetryBase = TimeSpan.FromMilliseconds(100),
                Fetch = new FetchOptions { TrustResolveMap = true, Resolve = SampleSites.Hosts.ToDictionary(h => h.Name, _ => IPAddress.Loopback) },
                Render = render,
            };
            keyer.TryIdentify($"http://rho-app.test:{web.Port}/", out var seed, out _);
            using var self = Process.GetCurrentProcess();
            var cpu = self.TotalProcessorTime;
            double peakRss = 0, browserCpu = 0;
            var clock = Stopwatch.StartNew();
            using var engine = new CrawlEngine(options, store, keyer);
            using var sampler = new Timer(_ =>
            {
                var (rss, used) = Descendants();
                peakRss = Math.Max(peakRss, rss);
                browserCpu = Math.Max(browserCpu, used);
            }, null, 0, 250);
            await engine.RunAsync([seed!], ct);
            clock.Stop();
            var (lastRss, lastCpu) = Descendants();
            peakRss = Math.Max(peakRss, lastRss);
            browserCpu = Math.Max(browserCpu, lastCpu);
            self.Refresh();
            double ownCpu = (self.TotalProcessorTime - cpu).TotalMilliseconds;
            var counts = (await store.InspectAsync("SELECT COUNT(*) AS n, SUM(rendered) AS r FROM pages WHERE download_http_code = 200", [], ct)).Rows[0];
            int stored = Convert.ToInt32(counts["n"], CultureInfo.InvariantCulture), rendered = Convert.ToInt32(counts["r"] ?? 0L, CultureInfo.InvariantCulture);
            return new RenderBenchResult(stored, rendered, clock.Elapsed.TotalSeconds, rendered / clock.Elapsed.TotalSeconds, (ownCpu + browserCpu) / Math.Max(1, rendered),
                browserCpu / Math.Max(1, rendered), peakRss, engine.FirstRender?.TotalSeconds ?? double.NaN, parallel, Environment.ProcessorCount, browser, DateTimeOffset.UtcNow);
        }
        finally
        {
            SqliteCrawlStore.DeleteFiles(db);
        }
    }

    /// <summary>The resident set (MB) and CPU time (ms, reaped children included) of every process under this one.</summary>
    private static (double RssMb, double CpuMs) Descendants()
    {
        var parents = new Dictionary<int, int>();
        var stats = new Dictionary<int, string[]>();
        foreach (string dir in Directory.GetDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out int pid)) continue;
            try
            {
                string stat = File.ReadAllText(Path.Combine(dir, "stat"));
                // Fields after the command (which may hold spaces) in parentheses: state ppid ... utime(14) stime cutime cstime.
                string[] fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
                parents[pid] = int.Parse(fields[1], CultureInfo.InvariantCulture);
                stats[pid] = fields;
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or FormatException)
            {
            }
        }
        int self = Environment.ProcessId;
        double rss = 0, cpu = 0;
        foreach (var (pid, fields) in stats)
        {
            int up = parents[pid];
            while (up > 1 && up != self) up = parents.GetValueOrDefault(up);
            if (up != self) continue;
            cpu += Enumerable.Range(11, 4).Sum(i => double.Parse(fields[i], CultureInfo.InvariantCulture)) * 1000 / TicksPerSecond;
            rss += double.Parse(fields[21], CultureInfo.InvariantCulture) * Environment.SystemPageSize / 1048576.0;
        }
        return (rss, cpu);
    }
}
