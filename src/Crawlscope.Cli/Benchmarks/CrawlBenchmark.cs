using System.Diagnostics;
using System.Net;
using Crawlscope.Classification;
using Crawlscope.Crawling;
using Crawlscope.Extraction;
using Crawlscope.Fetching;
using Crawlscope.Frontier;
using Crawlscope.SampleWeb;
using Crawlscope.Storage;
using Crawlscope.Urls;

namespace Crawlscope.Cli.Benchmarks;

/// <summary>The figures `crawlscope bench` prints and writes.</summary>
internal sealed record CrawlBenchResult(string Extract, bool Warc, string SampleWeb, int Hosts, long Pages, double Seconds, double PagesPerSecond, double CpuMsPerPage, double PeakRssMb,
    double StoreBytesPerPage, IReadOnlyList<CrawlTenth> Curve, double? ServingCpuMsPerPage, int Cores, string Machine, DateTimeOffset When,
    double? SteadyPagesPerSecond = null, double? SecondsToNinetyPercent = null, double? ExtractionPassCpuMsPerPage = null);

/// <summary>One tenth of a benchmark crawl (by pages stored): its rate, CPU per page, the JIT compiler's time in it (the
/// warm-up's cost) and the largest RSS seen in it.</summary>
internal sealed record CrawlTenth(int Tenth, long PagesAtEnd, double PagesPerSecond, double CpuMsPerPage, double JitMs, double RssMb);

/// <summary>
/// Like `scrapy bench`: the sample web in this process with politeness delays off, crawled at full speed into a
/// fresh store (robots.txt still fetched and obeyed). CPU time includes serving the sample web.
/// </summary>
internal static class CrawlBenchmark
{
    internal static async Task<CrawlBenchResult> RunAsync(bool noExtraction, int pagesPerHost, int hosts, int perHost, bool warc, bool inProcess, CancellationToken ct,
        Rendering.RenderMode render = Rendering.RenderMode.Auto, bool hostilePages = false, int templateBlocks = 0, bool learnTemplates = true)
    {
        string db = Path.Combine(Path.GetTempPath(), $"crawlscope-bench-{Environment.ProcessId}.db");
        string warcDir = Path.Combine(Path.GetTempPath(), $"crawlscope-bench-warc-{Environment.ProcessId}");
        try
        {
            // By default the sample web runs in a process of its own, as nginx did in the measurements, so
            // CPU time and RSS are the crawler's alone; --in-process serves it from this process.
            var webOptions = new SampleWebOptions { PagesPerHost = pagesPerHost, Hosts = hosts, Fast = true, KeepHits = false, HostilePages = hostilePages, TemplateBlocks = templateBlocks };
            inProcess |= hostilePages; // the separate sample web process serves the ordinary pages only
            await using var web = inProcess ? await SampleWebServer.StartAsync(webOptions, ct) : null;
            using var child = inProcess ? null : await SampleWebProcess.StartAsync(pagesPerHost, hosts, ct, templateBlocks);
            int port = web?.Port ?? child!.Port;
            var hostNames = webOptions.Broad ? SampleSites.GeneratedNames(hosts) : SampleSites.Hosts.Take(hosts).Select(h => h.Name).ToList();
            var store = await SqliteCrawlStore.OpenAsync(db, ct);
            var keyer = new UrlKeyer(PublicSuffixList.Default, UrlNormalizer.Default);
            var options = new CrawlOptions
            {
                Delay = TimeSpan.Zero,
                PerHost = perHost,
                Concurrency = 64,
                // A broad sample web's hosts are each a site of their own, linked ten to a home page, five levels deep.
                MaxDepth = webOptions.Broad ? 8 : 6,
                Scope = webOptions.Broad ? CrawlScopeKind.Any : CrawlScopeKind.Site,
                Extract = noExtraction ? ExtractionParts.Metadata : ExtractionParts.All,
                Fetch = new FetchOptions
                {
                    TrustResolveMap = true,
                    Resolve = webOptions.Broad ? new GeneratedHostsResolve(hosts) : hostNames.ToDictionary(h => h, _ => IPAddress.Loopback),
                    TotalTimeout = TimeSpan.FromSeconds(2),
                },
                RetryBase = TimeSpan.FromMilliseconds(100),
                WarcDirectory = warc ? warcDir : null,
                Render = new Rendering.RenderOptions { Mode = render },
                LearnsSiteTemplates = learnTemplates,
            };
            var seeds = (webOptions.Broad ? hostNames.Take(1) : hostNames)
                .Select(h => keyer.TryIdentify($"http://{h}:{port}/", out var id, out _) ? id! : throw new InvalidOperationException(h)).ToList();
            bool profile = Environment.GetEnvironmentVariable("CRAWLSCOPE_PROFILE") == "1";
            using var gcReasons = profile ? new GcReasons() : null;
            using var jitTimes = profile ? new JitTimes() : null;
            var process = Process.GetCurrentProcess();
            var cpu = process.TotalProcessorTime;
            var sw = Stopwatch.StartNew();
            using var engine = new CrawlEngine(options, store, keyer);
            var samples = new List<Sample>();
            using var sampler = new Timer(_ =>
            {
                GcPeakCommitted = Math.Max(GcPeakCommitted, GC.GetGCMemoryInfo().TotalCommittedBytes);
                lock (samples) samples.Add(Sample.Now(sw, engine.Progress.Pages));
            }, null, 0, 500);
            await engine.RunAsync(seeds, ct);
            sw.Stop();
            lock (samples) samples.Add(Sample.Now(sw, engine.Progress.Pages));
            process.Refresh();
            long pages = engine.Progress.Pages;
            if (profile)
                foreach (var (stage, ms) in engine.Progress.StageMs.OrderByDescending(kv => kv.Value))
                    Console.Error.WriteLine($"  {stage,-18} {ms / Math.Max(1, pages):F2} ms per page (summed over workers)");
            double crawlCpu = (process.TotalProcessorTime - cpu).TotalMilliseconds / Math.Max(1, pages);
            if (profile)
                Console.Error.WriteLine($"  GC: gen0 {GC.CollectionCount(0)}, gen1 {GC.CollectionCount(1)}, gen2 {GC.CollectionCount(2)}, paused {GC.GetTotalPauseDuration().TotalSeconds:F1} s, allocated {GC.GetTotalAllocatedBytes() / 1048576} MB, " +
                    $"store writer busy {store.WriterBusy.TotalSeconds:F1} s in {store.WriterBatches} transactions, " +
                    $"heap {GC.GetGCMemoryInfo().HeapSizeBytes / 1048576} MB, committed {GC.GetGCMemoryInfo().TotalCommittedBytes / 1048576} MB, peak committed {GcPeakCommitted / 1048576} MB, threads {process.Threads.Count}\n  GC by reason: {gcReasons}");
            if (jitTimes is not null) Console.Error.WriteLine(jitTimes.Summary(8));
            double peakRss = PeakRssMegabytes();
            double? serving = inProcess ? await ServingCpuAsync(store, options.Fetch, ct) : null;
            double? pass = noExtraction ? null : await ExtractionPassCpuAsync(store, options, ct);
            // Closed, the store checkpoints its WAL into the file: what is left is what the crawl takes on disk.
            await store.DisposeAsync();
            double bytesPerPage = new FileInfo(db).Length / (double)Math.Max(1, pages);
            List<CrawlTenth> curve;
            double? toNinety = null, steady = null;
            lock (samples)
            {
                curve = Tenths(samples);
                if (curve.Count == 10)
                {
                    steady = Median(curve.Skip(1).Take(8).Select(t => t.PagesPerSecond)); // tenths 2-9: the last is the crawl's tail
                    toNinety = SecondsToRate([.. samples.Select(x => (x.Seconds, x.Pages))], 0.9 * steady.Value);
                }
                if (profile && samples.FirstOrDefault(x => x.Pages > 0) is { Pages: > 0 } first)
                    Console.Error.WriteLine($"  first pages stored by {first.Seconds:F1} s ({first.Pages}), JIT {first.JitMs - samples[0].JitMs:N0} ms and CPU {first.CpuMs - samples[0].CpuMs:N0} ms by then");
            }
            return new CrawlBenchResult(noExtraction ? "none" : "full", warc, inProcess ? "in process" : "separate process", hosts, pages, sw.Elapsed.TotalSeconds, pages / sw.Elapsed.TotalSeconds,
                crawlCpu, peakRss, bytesPerPage, curve, serving, Environment.ProcessorCount,
                $"{Environment.OSVersion}, .NET {Environment.Version}", DateTimeOffset.UtcNow, steady, toNinety, pass);
        }
        finally
        {
            SqliteCrawlStore.DeleteFiles(db);
            if (Directory.Exists(warcDir)) Directory.Delete(warcDir, recursive: true);
        }
    }

    /// <summary>
    /// What serving and plain fetching cost without the crawler: every stored URL fetched once more with
    /// HttpClient (64 at a time) from the same in-process sample web, in CPU ms per request. The crawler's own
    /// cost is the bench's CPU ms per page minus this.
    /// </summary>
    private static async Task<double> ServingCpuAsync(SqliteCrawlStore store, FetchOptions fetch, CancellationToken ct)
    {
        var urls = await StoredUrlsAsync(store, null, ct);
        using var fetcher = new Fetcher(fetch);
        var process = Process.GetCurrentProcess();
        var cpu = process.TotalProcessorTime;
        await Parallel.ForEachAsync(urls, new ParallelOptions { MaxDegreeOfParallelism = 64, CancellationToken = ct },
            async (url, token) => await fetcher.FetchAsync(url, null, token));
        process.Refresh();
        return (process.TotalProcessorTime - cpu).TotalMilliseconds / Math.Max(1, urls.Count);
    }

    /// <summary>
    /// The extraction pass alone, as <c>bench extraction</c> times it, on up to 1,000 of the pages just crawled (fetched
    /// once more, then extracted on one thread with the crawl's parts and scorer), in CPU ms per page, the median of
    /// three passes: the crawl's CPU per page over this is how much the crawler adds to extraction, measured in the same run.
    /// </summary>
    private static async Task<double> ExtractionPassCpuAsync(SqliteCrawlStore store, CrawlOptions options, CancellationToken ct)
    {
        var urls = await StoredUrlsAsync(store, 1000, ct);
        var pages = new List<(byte[] Html, WebUrl Url)>(urls.Count);
        using (var fetcher = new Fetcher(options.Fetch))
            foreach (string url in urls)
                if (await fetcher.FetchAsync(url, null, ct) is { Body.Length: > 0 } fetched) pages.Add((fetched.Body, WebUrl.Parse(url)));
        var extractor = new PageExtractor(options.ExtractorOptions());
        using var process = Process.GetCurrentProcess();
        var perPage = new List<double>();
        for (int repetition = 0; repetition < 3; repetition++)
        {
            // The crawl's garbage is collected first, so the pass does not pay for it.
            GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
            process.Refresh();
            var cpu = process.TotalProcessorTime;
            foreach (var (html, url) in pages) _ = SpamClassifier.Classify(extractor.Extract(html, url));
            process.Refresh();
            perPage.Add((process.TotalProcessorTime - cpu).TotalMilliseconds / Math.Max(1, pages.Count));
        }
        return perPage.Order().ElementAt(1);
    }

    /// <summary>The URLs the crawl fetched with a 200, at most <paramref name="limit"/> of them.</summary>
    private static async Task<List<string>> StoredUrlsAsync(SqliteCrawlStore store, int? limit, CancellationToken ct) =>
        (await store.InspectAsync("SELECT url FROM fetches WHERE http_code = 200" + (limit is int n ? FormattableString.Invariant($" LIMIT {n}") : ""), [], ct))
            .Rows.Select(r => (string)r["url"]!).ToList();

    private static long GcPeakCommitted;

    /// <summary>What the sampler saw at one moment: time, pages stored, the process's CPU time, the JIT compiler's time
    /// on all threads, and the resident set.</summary>
    private readonly record struct Sample(double Seconds, long Pages, double CpuMs, double JitMs, double RssMb)
    {
        public static Sample Now(Stopwatch clock, long pages)
        {
            using var process = Process.GetCurrentProcess();
            return new Sample(clock.Elapsed.TotalSeconds, pages, process.TotalProcessorTime.TotalMilliseconds,
                System.Runtime.JitInfo.GetCompilationTime().TotalMilliseconds, RssMegabytes("VmRSS:"));
        }
    }

    /// <summary>The crawl cut into tenths of its pages: each tenth's pages/s and CPU ms per page between the samples
    /// closest to its ends, and the largest RSS sampled in it.</summary>
    private static List<CrawlTenth> Tenths(List<Sample> samples)
    {
        var curve = new List<CrawlTenth>();
        long total = samples[^1].Pages;
        if (total < 10) return curve;
        var from = samples[0];
        int i = 0;
        for (int tenth = 1; tenth <= 10; tenth++)
        {
            long target = total * tenth / 10;
            double rss = 0;
            while (i < samples.Count - 1 && samples[i].Pages < target) rss = Math.Max(rss, samples[i++].RssMb);
            var to = samples[i];
            rss = Math.Max(rss, to.RssMb);
            long pages = to.Pages - from.Pages;
            double seconds = to.Seconds - from.Seconds;
            curve.Add(new CrawlTenth(tenth, to.Pages, seconds > 0 ? pages / seconds : 0, pages > 0 ? (to.CpuMs - from.CpuMs) / pages : 0, to.JitMs - from.JitMs, rss));
            from = to;
        }
        return curve;
    }

    private static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[sorted.Count / 2 - 1] + sorted[sorted.Count / 2]) / 2;
    }

    /// <summary>Seconds from the first sample with a page stored to the end of the first window of at least one second
    /// (between two samples) that ran at <paramref name="rate"/> pages/s or more; null when none did.</summary>
    internal static double? SecondsToRate(IReadOnlyList<(double Seconds, long Pages)> samples, double rate)
    {
        int first = 0;
        while (first < samples.Count && samples[first].Pages == 0) first++;
        if (first == samples.Count) return null;
        int start = first;
        for (int end = first + 1; end < samples.Count; end++)
        {
            while (samples[end].Seconds - samples[start + 1].Seconds >= 1.0) start++;
            double seconds = samples[end].Seconds - samples[start].Seconds;
            if (seconds >= 1.0 && (samples[end].Pages - samples[start].Pages) / seconds >= rate) return samples[end].Seconds - samples[first].Seconds;
        }
        return null;
    }

    /// <summary>The sample web as a child process (<c>crawlscope sample-web --fast</c>), killed on dispose.</summary>
    internal sealed class SampleWebProcess : IDisposable
    {
        private readonly Process _process;

        private SampleWebProcess(Process process, int port)
        {
            _process = process;
            Port = port;
        }

        public int Port { get; }

        public static async Task<SampleWebProcess> StartAsync(int pagesPerHost, int hosts, CancellationToken ct, int templateBlocks = 0)
        {
            var psi = new ProcessStartInfo(DotnetHost()) { RedirectStandardOutput = true, RedirectStandardError = true };
            foreach (var a in new[] { typeof(CrawlBenchmark).Assembly.Location, "sample-web", "--fast", "--pages", pagesPerHost.ToString(System.Globalization.CultureInfo.InvariantCulture),
                         "--hosts", hosts.ToString(System.Globalization.CultureInfo.InvariantCulture), "--template-blocks", templateBlocks.ToString(System.Globalization.CultureInfo.InvariantCulture) })
                psi.ArgumentList.Add(a);
            var process = Process.Start(psi) ?? throw new InvalidOperationException("cannot start the sample web");
            try
            {
                string? line;
                while ((line = await process.StandardOutput.ReadLineAsync(ct)) is not null)
                {
                    const string marker = "sample web on 127.0.0.1:";
                    if (line.StartsWith(marker, StringComparison.Ordinal) && int.TryParse(line[marker.Length..].Split(';')[0], out int port))
                    {
                        // The rest (a seed and a resolve line per host: 50 MB of text at a million hosts) is drained, not
                        // kept: it would be counted in this process's RSS, which is the crawler's measurement.
                        _ = process.StandardOutput.BaseStream.CopyToAsync(Stream.Null, CancellationToken.None);
                        _ = process.StandardError.BaseStream.CopyToAsync(Stream.Null, CancellationToken.None);
                        return new SampleWebProcess(process, port);
                    }
                }
                throw new InvalidOperationException("the sample web did not start: " + await process.StandardError.ReadToEndAsync(ct));
            }
            catch
            {
                // A signal while it starts (or a start that failed) must not leave the child serving on its own.
                Stop(process);
                throw;
            }
        }

        public void Dispose() => Stop(_process);

        private static void Stop(Process process)
        {
            if (!process.HasExited) process.Kill(entireProcessTree: true);
            process.Dispose();
        }
    }

    /// <summary>The dotnet host that runs this process, to run the CLI's own assembly in a child process.</summary>
    internal static string DotnetHost() =>
        Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } h ? h
        : Path.GetFileNameWithoutExtension(Environment.ProcessPath) == "dotnet" ? Environment.ProcessPath! : "dotnet";

    /// <summary>VmHWM: the resident set's high-water mark.</summary>
    internal static double PeakRssMegabytes() => RssMegabytes("VmHWM:");

    /// <summary>Another process's VmHWM; 0 once it has exited.</summary>
    internal static double PeakRssMegabytes(int pid) => StatusMegabytes($"/proc/{pid}/status", "VmHWM:") ?? 0;

    private static double RssMegabytes(string field)
    {
        if (StatusMegabytes("/proc/self/status", field) is { } mb) return mb;
        using var process = Process.GetCurrentProcess();
        return (field == "VmHWM:" ? process.PeakWorkingSet64 : process.WorkingSet64) / 1024.0 / 1024.0;
    }

    /// <summary>A kB field of a /proc status file in MB; null when the file cannot be read.</summary>
    private static double? StatusMegabytes(string statusFile, string field)
    {
        try
        {
            foreach (var line in File.Exists(statusFile) ? File.ReadLines(statusFile) : [])
                if (line.StartsWith(field, StringComparison.Ordinal) && long.TryParse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], out long kb))
                    return kb / 1024.0;
        }
        catch (IOException)
        {
            // Out of file descriptors, or the process has just exited: the sample is lost, not the benchmark.
        }
        return null;
    }
}
