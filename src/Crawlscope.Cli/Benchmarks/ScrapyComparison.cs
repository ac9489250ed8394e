using System.Diagnostics;
using System.Globalization;
using System.Net;
using Crawlscope.Robots;
using Crawlscope.SampleWeb;
using Crawlscope.Storage;
using Crawlscope.Urls;

namespace Crawlscope.Cli.Benchmarks;

/// <summary>One crawler's crawl of the sample web: its wall and CPU time, peak RSS, and what the server saw.</summary>
internal sealed record PeerCrawl(string Crawler, int Round, double Seconds, double CpuSeconds, double PeakRssMb, int Requests, int Urls,
    long PagesKept, int RobotsViolations, int DuplicateFetches, int ErrorHostRepeats)
{
    public double UrlsPerSecond => Urls / Math.Max(0.001, Seconds);
    public double CpuMsPerRequest => CpuSeconds * 1000 / Math.Max(1, Requests);
}

/// <summary>What `crawlscope bench scrapy` prints and writes.</summary>
internal sealed record ScrapyComparisonResult(int Hosts, int PagesPerHost, string Extract, bool ErrorHost, IReadOnlyList<PeerCrawl> Crawls, int UrlsBoth, int UrlsScrapyOnly, int UrlsCrawlscopeOnly,
    double WallRatio, double SamePagesRatio, string ScrapyVersion, int Cores, string Machine, DateTimeOffset When);

/// <summary>
/// Scrapy and Crawlscope crawl the same sample web one after the other, each in a process of its own against a fresh
/// in-process sample web (so the error host's answers start over): same seeds, scope, depth limit, connections,
/// robots.txt obeyed, no delay. The server's record of requests gives each crawler's robots.txt violations and
/// repeated fetches; wall time runs from starting the process to its exit, CPU time is the child's (the kernel's
/// count for waited-for children), peak RSS its high-water mark sampled every 100 ms.
/// </summary>
internal static class ScrapyComparison
{
    internal const string ScrapyCrawler = "Scrapy", CrawlscopeCrawler = "Crawlscope";

    internal static async Task<ScrapyComparisonResult> RunAsync(int pagesPerHost, int hosts, int rounds, string python, bool noExtraction, bool errorHost, TextWriter log, CancellationToken ct)
    {
        string home = Environment.GetEnvironmentVariable("CRAWLSCOPE_HOME") is { Length: > 0 } h ? h
            : throw new CommandException("bench scrapy runs from the source checkout: start it with ./crawlscope", CrawlscopeCli.Failure);
        string spider = Path.Combine(home, "bench", "scrapy", "sample_web_spider.py");
        string wrapper = Path.Combine(home, "crawlscope");
        string version = await ScrapyVersionAsync(python, ct);
        string work = Directory.CreateTempSubdirectory("crawlscope-bench-scrapy-").FullName;
        var crawls = new List<PeerCrawl>();
        var urlSets = new Dictionary<string, HashSet<string>>();
        try
        {
            for (int round = 1; round <= rounds; round++)
                // Alternating which crawler goes first evens out a machine that speeds up or slows down.
                foreach (string crawler in round % 2 == 1 ? new[] { ScrapyCrawler, CrawlscopeCrawler } : [CrawlscopeCrawler, ScrapyCrawler])
                {
                    var (crawl, urls) = await CrawlOnceAsync(crawler, round, pagesPerHost, hosts, python, spider, wrapper, noExtraction, errorHost, Path.Combine(work, $"{crawler}-{round}"), ct);
                    log.WriteLine($"  round {round}, {crawler}: {crawl.Urls:N0} URLs in {crawl.Seconds:F1} s");
                    crawls.Add(crawl);
                    urlSets.TryAdd(crawler, urls);
                }
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
        var scrapyUrls = urlSets[ScrapyCrawler];
        var ourUrls = urlSets[CrawlscopeCrawler];
        double Median(string crawler, Func<PeerCrawl, double> value)
        {
            var values = crawls.Where(c => c.Crawler == crawler).Select(value).Order().ToList();
            return values[values.Count / 2];
        }
        double wallRatio = Median(ScrapyCrawler, c => c.Seconds) / Median(CrawlscopeCrawler, c => c.Seconds);
        double samePages = Median(ScrapyCrawler, c => c.Seconds / Math.Max(1, c.Urls)) / Median(CrawlscopeCrawler, c => c.Seconds / Math.Max(1, c.Urls));
        return new ScrapyComparisonResult(hosts, pagesPerHost, noExtraction ? "none" : "full", errorHost, crawls, scrapyUrls.Intersect(ourUrls).Count(), scrapyUrls.Except(ourUrls).Count(),
            ourUrls.Except(scrapyUrls).Count(), wallRatio, samePages, version, Environment.ProcessorCount, $"{Environment.OSVersion}, .NET {Environment.Version}", DateTimeOffset.UtcNow);
    }

    private static async Task<string> ScrapyVersionAsync(string python, CancellationToken ct)
    {
        try
        {
            var psi = new ProcessStartInfo(python, ["-c", "import scrapy; print(scrapy.__version__)"]) { RedirectStandardOutput = true, RedirectStandardError = true };
            using var process = Process.Start(psi)!;
            string output = (await process.StandardOutput.ReadToEndAsync(ct)).Trim();
            await process.WaitForExitAsync(ct);
            if (process.ExitCode == 0) return output;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            // No such interpreter: said below.
        }
        throw new CommandException($"Scrapy cannot be imported by {python}: install Debian's python3-scrapy (apt-get install python3-scrapy) or give --python", CrawlscopeCli.Failure);
    }

    private static async Task<(PeerCrawl Crawl, HashSet<string> Urls)> CrawlOnceAsync(string crawler, int round, int pagesPerHost, int hosts, string python, string spider, string wrapper,
        bool noExtraction, bool errorHost, string folder, CancellationToken ct)
    {
        Directory.CreateDirectory(folder);
        await using var web = await SampleWebServer.StartAsync(new SampleWebOptions { PagesPerHost = pagesPerHost, Hosts = hosts, Fast = true, KeepHits = true }, ct);
        string resolveFile = Path.Combine(folder, "resolve");
        await File.WriteAllTextAsync(resolveFile, web.ResolveFile, ct);
        // Without the error host, neither crawler waits on its Retry-After answers, retries and six-second page
        // (its own registrable domain, so leaving out its seed leaves it out of both crawls' scope).
        var seeds = web.Seeds.Take(hosts).Where(s => errorHost || SampleSites.Find(new Uri(s).Host)?.Kind != SiteKind.Errors).ToList();
        var domains = seeds.Select(s => PublicSuffixList.Default.GetRegistrableDomain(new Uri(s).Host)!).Distinct().ToList();
        string db = Path.Combine(folder, "crawl.db"), items = Path.Combine(folder, "items.jsonl");
        var psi = crawler == ScrapyCrawler
            ? new ProcessStartInfo(python, [spider, "--seeds", .. seeds, "--domains", .. domains, "--resolve-file", resolveFile, "--out", items, "--concurrency", "64", "--per-host", "4", "--max-depth", "6"])
            : new ProcessStartInfo(wrapper, ["crawl", .. seeds, "--db", db, "--delay", "0", "--per-host", "4", "--concurrency", "64", "--max-depth", "6", "--resolve-file", resolveFile,
                "--trust-resolve", "--extract", noExtraction ? "none" : "full"]);
        psi.RedirectStandardOutput = true;
        psi.RedirectStandardError = true;
        double cpuBefore = ChildrenCpuSeconds();
        var clock = Stopwatch.StartNew();
        using var process = Process.Start(psi) ?? throw new InvalidOperationException($"cannot start {crawler}");
        var output = process.StandardOutput.ReadToEndAsync(ct);
        var errors = process.StandardError.ReadToEndAsync(ct);
        double peakRss = 0;
        using (ct.Register(() => process.Kill(entireProcessTree: true)))
        {
            while (!process.HasExited)
            {
                peakRss = Math.Max(peakRss, CrawlBenchmark.PeakRssMegabytes(process.Id));
                await Task.WhenAny(process.WaitForExitAsync(ct), Task.Delay(100, ct));
            }
            await process.WaitForExitAsync(ct);
        }
        clock.Stop();
        double cpu = ChildrenCpuSeconds() - cpuBefore;
        await File.WriteAllTextAsync(Path.Combine(folder, "output.log"), await output + await errors, ct);
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"{crawler} exited with {process.ExitCode}: {Tail(await errors)}");
        long kept = crawler == ScrapyCrawler ? File.ReadLines(items).Count(l => l.Contains("\"status\": 200", StringComparison.Ordinal)) : await StoredPagesAsync(db, ct);
        var hits = web.Hits;
        var (violations, duplicates, errorRepeats) = await JudgeAsync(hits, web.Port, crawler, ct);
        var urls = hits.Keys.Where(k => !k.EndsWith("/robots.txt", StringComparison.Ordinal)).ToHashSet();
        return (new PeerCrawl(crawler, round, clock.Elapsed.TotalSeconds, cpu, peakRss, hits.Values.Sum(), urls.Count, kept, violations, duplicates, errorRepeats), urls);
    }

    /// <summary>Robots.txt violations (requests its rules refuse the crawler's token), URLs fetched more than once,
    /// and repeats on the error host (whose 503, 429 and 500 answers invite a retry, so they are counted apart).</summary>
    internal static async Task<(int Violations, int Duplicates, int ErrorHostRepeats)> JudgeAsync(IReadOnlyDictionary<string, int> hits, int port, string crawler, CancellationToken ct)
    {
        using var http = new HttpClient(new SocketsHttpHandler { ConnectCallback = async (_, token) =>
        {
            var socket = new System.Net.Sockets.Socket(System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Tcp);
            await socket.ConnectAsync(IPAddress.Loopback, port, token);
            return new System.Net.Sockets.NetworkStream(socket, ownsSocket: true);
        } });
        var rules = new Dictionary<string, RobotsRules>();
        int violations = 0, duplicates = 0, errorRepeats = 0;
        foreach (var (key, count) in hits)
        {
            int slash = key.IndexOf('/');
            string host = slash < 0 ? key : key[..slash];
            if (count > 1)
            {
                if (SampleSites.Find(host)?.Kind == SiteKind.Errors) errorRepeats += count - 1;
                else duplicates += count - 1;
            }
            if (key.EndsWith("/robots.txt", StringComparison.Ordinal) || slash < 0) continue;
            if (!rules.TryGetValue(host, out var hostRules))
            {
                // Asked after the crawl, so the record of requests read above does not count it.
                using var response = await http.GetAsync($"http://{host}:{port}/robots.txt", ct);
                rules[host] = hostRules = response.IsSuccessStatusCode ? RobotsParser.Parse(await response.Content.ReadAsByteArrayAsync(ct)) : RobotsRules.AllowAll;
            }
            if (!hostRules.Check(crawler, $"http://{host}:{port}{key[slash..]}").Allowed) violations++;
        }
        return (violations, duplicates, errorRepeats);
    }

    private static async Task<long> StoredPagesAsync(string db, CancellationToken ct)
    {
        await using var store = await SqliteCrawlStore.OpenAsync(db, ct);
        var rows = (await store.InspectAsync("SELECT count(DISTINCT url) AS n FROM fetches WHERE http_code = 200", [], ct)).Rows;
        return Convert.ToInt64(rows[0]["n"], CultureInfo.InvariantCulture);
    }

    /// <summary>CPU seconds of this process's waited-for children (cutime + cstime of /proc/self/stat, in USER_HZ,
    /// which Linux fixes at 100 per second there).</summary>
    private static double ChildrenCpuSeconds()
    {
        string stat = File.ReadAllText("/proc/self/stat");
        // Fields after the command name (which may hold spaces) start at the state, field 3; cutime and cstime are 16 and 17.
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        return (long.Parse(fields[13], CultureInfo.InvariantCulture) + long.Parse(fields[14], CultureInfo.InvariantCulture)) / 100.0;
    }

    private static string Tail(string text) => text.Length <= 2000 ? text : "..." + text[^2000..];
}
