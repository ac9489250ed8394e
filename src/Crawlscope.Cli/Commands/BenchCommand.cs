using System.CommandLine;
using System.Text;
using Crawlscope.Evaluation;
using Crawlscope.SampleWeb;
using Crawlscope.Urls;

namespace Crawlscope.Cli.Commands;

/// <summary><c>crawlscope bench</c> and its subcommands: their options and output; the benchmarks themselves are in
/// <c>Benchmarks/</c> (and the extraction timer in the evaluation project), indexed in docs/benchmarks.md.</summary>
internal static class BenchCommand
{
    internal static Command Create(TextWriter stdout, TextWriter stderr)
    {
        var json = CommonOptions.Json();
        var bench = new Command("bench", "Crawl the sample web at full speed (no politeness delay, robots.txt obeyed) and print pages/s, CPU ms per page and peak RSS; `bench extraction` times extraction; `bench inspect` times lookups.")
        {
            Extraction(stdout), Inspect(stdout, stderr), Soak(stdout), Frontier(stdout), Render(stdout), Hostile(stdout), Scrapy(stdout, stderr),
        };
        var mode = new Option<string>("--extract") { Description = "full or none.", DefaultValueFactory = _ => "full" };
        mode.AcceptOnlyFromAmong("full", "none");
        var perHost = new Option<int>("--pages") { Description = "Article pages per sample host (default 2,400: a 50,000-page crawl over the 21 hosts).", DefaultValueFactory = _ => 2400 };
        var hostCount = new Option<int>("--hosts") { Description = "Sample hosts: up to 23 hand-made ones (the last two render with scripts; default the 21 others), or more generated blog hosts (site0.test ...), each with --pages articles.", DefaultValueFactory = _ => SampleSites.ServerRenderedCount };
        CommonOptions.AtLeast(hostCount, 1);
        var connections = new Option<int>("--per-host") { Description = "Connections per host.", DefaultValueFactory = _ => 4 };
        var output = new Option<string>("--out") { Description = "Where to write the figures as JSON.", DefaultValueFactory = _ => "bench-results.json" };
        bench.Options.Add(mode);
        bench.Options.Add(perHost);
        bench.Options.Add(hostCount);
        bench.Options.Add(connections);
        bench.Options.Add(output);
        var warc = new Option<bool>("--warc") { Description = "Also write WARC files (to a temporary folder), to measure what archiving costs." };
        bench.Options.Add(warc);
        var inProcess = new Option<bool>("--in-process") { Description = "Serve the sample web from this process (default: a process of its own, so the figures are the crawler's alone)." };
        bench.Options.Add(inProcess);
        var render = new Option<string>("--render") { Description = "never, auto or always (auto renders only empty shells: none among the 21 default hosts).", DefaultValueFactory = _ => "auto" };
        render.AcceptOnlyFromAmong("never", "auto", "always");
        bench.Options.Add(render);
        bench.Options.Add(json);
        var templateBlocks = new Option<int>("--template-blocks") { Description = "Blocks of their own on every page of generated hosts (bench hostile --template-sites).", Hidden = true };
        bench.Options.Add(templateBlocks);
        var noTemplates = new Option<bool>("--no-templates") { Description = "Do not learn site templates (to measure what learning them costs).", Hidden = true };
        bench.Options.Add(noTemplates);
        bench.SetAction(async (parse, ct) =>
        {
            var result = await CrawlBenchmark.RunAsync(parse.GetValue(mode) == "none", parse.GetValue(perHost), parse.GetValue(hostCount), parse.GetValue(connections), parse.GetValue(warc), parse.GetValue(inProcess), ct,
                Enum.Parse<Rendering.RenderMode>(parse.GetValue(render)!, ignoreCase: true), templateBlocks: parse.GetValue(templateBlocks), learnTemplates: !parse.GetValue(noTemplates));
            await File.WriteAllTextAsync(parse.GetValue(output)!, System.Text.Json.JsonSerializer.Serialize(result, Crawlscope.Inspection.ReportJson.Options), ct);
            if (parse.GetValue(json)) CliJson.Write(stdout, result);
            else
                stdout.WriteLine($"bench ({result.Extract} extraction{(result.Warc ? ", WARC written" : "")}): {result.Pages} pages in {result.Seconds:F1} s = {result.PagesPerSecond:F0} pages/s, " +
                                 (result.ServingCpuMsPerPage is { } serving
                                     ? $"{result.CpuMsPerPage:F2} CPU ms per page (crawler and in-process sample web together; serving and plain fetching alone: {serving:F2}), "
                                     : $"{result.CpuMsPerPage:F2} CPU ms per page (the crawler's process; the sample web runs in its own), ") +
                                 $"peak RSS {result.PeakRssMb:F0} MB, {result.StoreBytesPerPage:N0} bytes per page in the store, {result.Hosts:N0} hosts " +
                                 $"({Environment.ProcessorCount} cores); written to {parse.GetValue(output)}");
            if (!parse.GetValue(json) && result.ExtractionPassCpuMsPerPage is { } pass)
                stdout.WriteLine($"extraction pass alone on up to 1,000 of these pages (one thread, median of three passes): {pass:F2} CPU ms per page; the crawl's CPU per page is {result.CpuMsPerPage / Math.Max(0.001, pass):F2}x that");
            if (!parse.GetValue(json) && result.Curve.Count > 0)
            {
                stdout.WriteLine("| tenth | pages at its end | pages/s | CPU ms per page | JIT ms | RSS (largest sampled) |");
                stdout.WriteLine("|---|---|---|---|---|---|");
                foreach (var t in result.Curve)
                    stdout.WriteLine($"| {t.Tenth} | {t.PagesAtEnd:N0} | {t.PagesPerSecond:N0} | {t.CpuMsPerPage:F2} | {t.JitMs:N0} | {t.RssMb:F0} MB |");
                stdout.WriteLine($"last tenth / first tenth: {result.Curve[^1].PagesPerSecond / Math.Max(1, result.Curve[0].PagesPerSecond):P0} of the pages/s");
                if (result.SteadyPagesPerSecond is { } steady)
                    stdout.WriteLine($"warm-up: first tenth at {result.Curve[0].PagesPerSecond / Math.Max(1, steady):P0} of the median of tenths 2-9 ({steady:N0} pages/s); " +
                                     (result.SecondsToNinetyPercent is { } s ? $"90 % of it first held for a second {s:F1} s after the first page was stored" : "90 % of it never held for a second"));
            }
            return CrawlscopeCli.Success;
        });
        return bench;
    }

    /// <summary><c>bench hostile</c>: the crawl's pages/s with two pages built to stall extraction among the ordinary
    /// ones, against the same crawl without them, back to back (twice each, in alternation).</summary>
    private static Command Hostile(TextWriter stdout)
    {
        var pages = new Option<int>("--pages") { Description = "Article pages per sample host.", DefaultValueFactory = _ => 300 };
        CommonOptions.AtLeast(pages, 1);
        var rounds = new Option<int>("--rounds") { Description = "Pairs of crawls (ordinary, then with the hostile pages).", DefaultValueFactory = _ => 2 };
        CommonOptions.AtLeast(rounds, 1);
        var templateSites = new Option<int>("--template-sites") { Description = "Instead: crawl this many generated sites whose every page has --blocks blocks of its own, and the same sites without them, each crawl in a process of its own; print both peak RSS.", DefaultValueFactory = _ => 0 };
        var blocks = new Option<int>("--blocks") { Description = "Blocks of its own per page with --template-sites (the learner keeps at most 2,000 of a page, so more only cost parsing).", DefaultValueFactory = _ => 5_000 };
        var command = new Command("hostile", "Crawl the sample web with and without two extraction-stalling pages (a million unclosed <p>, 80,000 unclosed tables), back to back; print both pages/s and their ratio. With --template-sites: the template learner's memory under sites built to fill it.")
            { pages, rounds, templateSites, blocks };
        command.SetAction(async (parse, ct) => parse.GetValue(templateSites) is > 0 and int sites
            ? await Benchmarks.HostileBenchmark.TemplateSitesAsync(stdout, sites, parse.GetValue(blocks), ct)
            : await Benchmarks.HostileBenchmark.StallingPagesAsync(stdout, parse.GetValue(pages), parse.GetValue(rounds), ct));
        return command;
    }

    /// <summary><c>bench render</c>: rendering's throughput and cost on the sample web's client-rendered site.</summary>
    private static Command Render(TextWriter stdout)
    {
        var pages = new Option<int>("--pages") { Description = "Articles of the client-rendered site (each rendered).", DefaultValueFactory = _ => 200 };
        var parallel = new Option<int>("--parallel") { Description = "Pages rendered at once.", DefaultValueFactory = _ => 2 };
        CommonOptions.AtLeast(pages, 1);
        CommonOptions.AtLeast(parallel, 1);
        var json = CommonOptions.Json();
        var command = new Command("render", "Crawl the sample web's client-rendered site rendering every page; print pages/s, CPU ms per rendered page (crawler and browser), peak browser RSS and the first render's time.")
            { pages, parallel, json };
        command.SetAction(async (parse, ct) =>
        {
            var r = await Benchmarks.RenderBenchmark.RunAsync(parse.GetValue(pages), parse.GetValue(parallel), ct);
            if (parse.GetValue(json)) CliJson.Write(stdout, r);
            else
                stdout.WriteLine($"bench render: {r.Rendered} of {r.Pages} pages rendered in {r.Seconds:F1} s = {r.PagesPerSecond:F1} pages/s with {r.Parallel} at once; " +
                                 $"{r.CpuMsPerPage:F0} CPU ms per rendered page ({r.BrowserCpuMsPerPage:F0} in the browser and its driver); peak browser RSS {r.PeakBrowserRssMb:F0} MB; " +
                                 $"first render {r.FirstRenderSeconds:F2} s after its request (browser start included); {r.Browser}, {r.Cores} cores");
            return CrawlscopeCli.Success;
        });
        return command;
    }

    /// <summary><c>bench scrapy</c>: Scrapy and Crawlscope on the same sample web, one after the other.</summary>
    private static Command Scrapy(TextWriter stdout, TextWriter stderr)
    {
        var pages = new Option<int>("--pages") { Description = "Article pages per sample host.", DefaultValueFactory = _ => 150 };
        CommonOptions.AtLeast(pages, 1);
        var hosts = new Option<int>("--hosts") { Description = "Sample hosts (the 21 hand-made ones with traps by default; more: generated blog hosts).", DefaultValueFactory = _ => SampleSites.ServerRenderedCount };
        CommonOptions.AtLeast(hosts, 1);
        var rounds = new Option<int>("--rounds") { Description = "Crawls of each, alternating which goes first.", DefaultValueFactory = _ => 1 };
        CommonOptions.AtLeast(rounds, 1);
        var python = new Option<string>("--python") { Description = "The Python that imports Scrapy (Debian's python3-scrapy).", DefaultValueFactory = _ => "/usr/bin/python3" };
        var mode = new Option<string>("--extract") { Description = "Crawlscope's extraction: full or none.", DefaultValueFactory = _ => "full" };
        mode.AcceptOnlyFromAmong("full", "none");
        var output = new Option<string>("--out") { Description = "Where to write the figures as JSON.", DefaultValueFactory = _ => "bench-scrapy.json" };
        var noErrorHost = new Option<bool>("--without-error-host") { Description = "Leave out the host of errors (503 and 429 with Retry-After, which Crawlscope waits for and Scrapy 2.8 does not, 500s, a six-second page)." };
        var json = CommonOptions.Json();
        var command = new Command("scrapy", "Crawl the sample web with Scrapy and with Crawlscope, one after the other (robots.txt obeyed, no delay, same seeds, scope, depth and connections); print wall and CPU time, robots.txt violations and repeated fetches of each.")
        {
            pages, hosts, rounds, python, mode, output, noErrorHost, json,
        };
        command.SetAction(async (parse, ct) =>
        {
            var result = await ScrapyComparison.RunAsync(parse.GetValue(pages), parse.GetValue(hosts), parse.GetValue(rounds), parse.GetValue(python)!, parse.GetValue(mode) == "none", !parse.GetValue(noErrorHost), stderr, ct);
            await File.WriteAllTextAsync(parse.GetValue(output)!, System.Text.Json.JsonSerializer.Serialize(result, Crawlscope.Inspection.ReportJson.Options), ct);
            if (parse.GetValue(json))
            {
                CliJson.Write(stdout, result);
                return CrawlscopeCli.Success;
            }
            stdout.WriteLine($"bench scrapy: {result.Hosts} hosts x {result.PagesPerHost} pages{(result.ErrorHost ? "" : ", without the error host")}, Scrapy {result.ScrapyVersion}, Crawlscope with {result.Extract} extraction ({result.Cores} cores)");
            stdout.WriteLine("| round | crawler | wall s | URLs fetched | requests | URLs/s | CPU s | CPU ms per request | peak RSS | pages kept (200) | robots.txt violations | repeated fetches | error host's retries |");
            stdout.WriteLine("|---|---|---|---|---|---|---|---|---|---|---|---|---|");
            foreach (var c in result.Crawls)
                stdout.WriteLine($"| {c.Round} | {c.Crawler} | {c.Seconds:F1} | {c.Urls:N0} | {c.Requests:N0} | {c.UrlsPerSecond:N0} | {c.CpuSeconds:F1} | {c.CpuMsPerRequest:F2} | {c.PeakRssMb:F0} MB | {c.PagesKept:N0} | {c.RobotsViolations} | {c.DuplicateFetches} | {c.ErrorHostRepeats} |");
            stdout.WriteLine($"URLs fetched by both: {result.UrlsBoth:N0}; by Scrapy only: {result.UrlsScrapyOnly:N0}; by Crawlscope only: {result.UrlsCrawlscopeOnly:N0}");
            stdout.WriteLine($"Crawlscope took 1/{result.WallRatio:F1} of Scrapy's wall time (medians), 1/{result.SamePagesRatio:F1} per URL fetched; written to {parse.GetValue(output)}");
            return CrawlscopeCli.Success;
        });
        return command;
    }

    /// <summary><c>bench frontier</c>: the frontier alone at a broad crawl's size.</summary>
    private static Command Frontier(TextWriter stdout)
    {
        var urls = new Option<long>("--urls") { Description = "Discovered URLs to offer.", DefaultValueFactory = _ => 1_000_000 };
        var known = new Option<int>("--known") { Description = "Percent of them already known (a host's earlier URL).", DefaultValueFactory = _ => 80 };
        known.Validators.Add(r => { if (r.GetValueOrDefault<int>() is < 0 or > 99) r.AddError("--known takes a percentage from 0 to 99."); });
        var hosts = new Option<int>("--hosts") { Description = "Hosts they spread over.", DefaultValueFactory = _ => 10_000 };
        CommonOptions.AtLeast(urls, 10);
        CommonOptions.AtLeast(hosts, 1);
        var command = new Command("frontier", "Offer many discovered URLs over many hosts to the embedded store (--known percent of them seen before), then lease the queued ones; print insert and lease rates, the host scan, bytes per queued URL and peak RSS.")
            { urls, hosts, known };
        command.SetAction(async (parse, ct) => await Benchmarks.FrontierBenchmark.RunAsync(parse.GetValue(urls), parse.GetValue(hosts), parse.GetValue(known), stdout, ct));
        return command;
    }

    /// <summary><c>bench soak</c>: the service over the sample web for a while, watched from outside.</summary>
    private static Command Soak(TextWriter stdout)
    {
        var minutes = new Option<double>("--minutes") { Description = "How long to run.", DefaultValueFactory = _ => 10 };
        var recrawl = new Option<double>("--recrawl-seconds") { Description = "Shortest recrawl interval (the longest is twice it); shortened so recrawls are the steady state.", DefaultValueFactory = _ => 60 };
        var pages = new Option<int>("--pages") { Description = "Article pages per sample host (21 hosts).", DefaultValueFactory = _ => 100 };
        var every = new Option<double>("--every") { Description = "Seconds between two samples.", DefaultValueFactory = _ => 30 };
        var command = new Command("soak", "Run `crawlscope run` over the sample web with short recrawl intervals and print pages/s, 304s, RSS and its slope, WAL size and overdue recrawls over time.")
            { minutes, recrawl, pages, every };
        command.SetAction(async (parse, ct) => await Benchmarks.SoakBenchmark.RunAsync(TimeSpan.FromMinutes(parse.GetValue(minutes)), TimeSpan.FromSeconds(parse.GetValue(recrawl)),
            parse.GetValue(pages), TimeSpan.FromSeconds(parse.GetValue(every)), stdout, ct));
        return command;
    }

    /// <summary><c>bench extraction</c>: the extraction pass timed step by step on synthetic and real pages.</summary>
    private static Command Extraction(TextWriter stdout)
    {
        var datasets = CommonOptions.Datasets();
        var pages = new Option<int>("--pages") { Description = "Synthetic 20 KB pages to time.", DefaultValueFactory = _ => 300 };
        var json = CommonOptions.Json();
        var extraction = new Command("extraction", "Time extraction on the Scrapinghub pages and on typical 20 KB pages (one core).")
        {
            datasets, pages, json,
        };
        extraction.SetAction(parse =>
        {
            var results = new List<ExtractionTimings>();
            var synthetic = Enumerable.Range(0, parse.GetValue(pages)).Select(i =>
                (Encoding.UTF8.GetBytes(ArticlePages.Generate(i, "Sample News", Links(i))), WebUrl.Parse($"https://news.sample.test/articles/{i}"))).ToList();
            results.Add(ExtractionBenchmark.Run("synthetic 20 KB pages", synthetic));

            string root = CommonOptions.DatasetsRoot(parse.GetValue(datasets));
            var scrapinghub = ExtractionDatasets.Load(root, ExtractionDatasets.Scrapinghub)
                .Select(p => (p.ReadHtml(), WebUrl.TryParse(p.Url, null, out var u, out _) ? u : WebUrl.Parse("https://example.com/"))).ToList();
            results.Add(ExtractionBenchmark.Run("Scrapinghub benchmark pages", scrapinghub));

            if (parse.GetValue(json))
            {
                CliJson.Write(stdout, results);
                return CrawlscopeCli.Success;
            }
            stdout.WriteLine($"median ms per page, one core ({Environment.ProcessorCount} cores, {Environment.OSVersion})");
            stdout.WriteLine($"| step | {string.Join(" | ", results.Select(r => $"{r.Corpus} ({r.Pages}, avg {r.AverageKilobytes:F0} KB)"))} |");
            stdout.WriteLine($"|---|{string.Concat(results.Select(_ => "---|"))}");
            foreach (var step in ExtractionBenchmark.Steps)
                stdout.WriteLine($"| {step} | {string.Join(" | ", results.Select(r => r.MedianMs[step].ToString("F2")))} |");
            stdout.WriteLine();
            stdout.WriteLine("median KB allocated per page");
            foreach (var step in ExtractionBenchmark.Steps)
                stdout.WriteLine($"| {step} | {string.Join(" | ", results.Select(r => r.MedianAllocatedKilobytes[step].ToString("F0")))} |");
            stdout.WriteLine();
            stdout.WriteLine("stored text per page (Markdown, readable Markdown, boilerpipe text), as UTF-8 and as the embedded store packs it");
            foreach (var r in results)
                stdout.WriteLine($"| {r.Corpus} | {r.TextBytes.Plain:N0} B | {r.TextBytes.Packed:N0} B | {r.TextBytes.Plain / Math.Max(1, r.TextBytes.Packed):F1}× |");
            return CrawlscopeCli.Success;
        });
        return extraction;
    }

    private static Command Inspect(TextWriter stdout, TextWriter stderr)
    {
        var pages = new Option<int>("--pages") { Description = "Pages in the store.", DefaultValueFactory = _ => 100_000 };
        var lookups = new Option<int>("--lookups") { Description = "Lookups timed on each path.", DefaultValueFactory = _ => 2_000 };
        var storeOptions = new StoreOptions();
        storeOptions.Db.Description = "The embedded store to build or reuse.";
        storeOptions.Db.DefaultValueFactory = _ => Path.Combine(Path.GetTempPath(), "crawlscope-bench-inspect.db");
        var json = CommonOptions.Json();
        var command = new Command("inspect", "Time inspector lookups (p50/p99 ms) on a store of many pages, through the engine and through the JSON API; on a cluster (--store) also the bulk ingest rate.") { pages, lookups, json };
        storeOptions.AddTo(command);
        command.SetAction(async (parse, ct) =>
        {
            var keyer = new UrlKeyer(PublicSuffixList.Default, UrlNormalizer.Default);
            await using var store = await storeOptions.OpenAsync(parse, keyer, ct, create: true);
            string where = storeOptions.Cluster(parse)?.ToString() ?? parse.GetValue(storeOptions.Db)!;
            var r = await InspectBenchmark.RunAsync(store, where, parse.GetValue(pages), parse.GetValue(lookups), stderr, ct);
            if (parse.GetValue(json))
            {
                CliJson.Write(stdout, r);
                return CrawlscopeCli.Success;
            }
            stdout.WriteLine($"store {r.Store}: {r.Pages:N0} pages, {r.Links:N0} links, {r.StoreMegabytes:N0} MB ({Environment.ProcessorCount} cores); {r.KnownLookups} of the lookups found a stored page");
            if (r.PagesBuilt > 0) stdout.WriteLine($"ingest: {r.PagesBuilt:N0} pages with every field, links and fetches in {r.BuildSeconds:F1} s: {r.IngestPagesPerSecond:N0} pages/s" +
                (r.RowsBuilt > 0 ? $" ({r.RowsBuilt / r.BuildSeconds:N0} rows/s: pages, fetches, links, near-duplicate bands, robots.txt)" : ""));
            foreach (var l in r.Latency)
                stdout.WriteLine($"{l.Path}: {l.Lookups} lookups, p50 {l.P50Ms:F2} ms, p90 {l.P90Ms:F2} ms, p99 {l.P99Ms:F2} ms, max {l.MaxMs:F2} ms");
            return CrawlscopeCli.Success;
        });
        return command;
    }

    private static List<(string, string)> Links(int seed) =>
        Enumerable.Range(1, 12).Select(k => ($"/articles/{(seed * 7 + k) % 1000}", ArticlePages.Title(seed + k))).ToList();
}
