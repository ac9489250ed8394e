using System.CommandLine;
using Crawlscope.Crawling;
using Crawlscope.Fetching;
using Crawlscope.SampleWeb;
using Crawlscope.Storage;
using Crawlscope.Urls;

namespace Crawlscope.Cli.Commands;

/// <summary>
/// <c>crawlscope demo</c>: starts the sample web in-process, crawls it politely into ./crawlscope-demo.db, and shows
/// what was stored for the page shaped like the seed's example article.
/// </summary>
internal static class DemoCommand
{
    internal const int DefaultPort = 8131;

    private static async Task<SampleWebServer> StartSampleWebAsync(int pages, int port, TextWriter stderr, CancellationToken ct)
    {
        try
        {
            return await SampleWebServer.StartAsync(new SampleWebOptions { PagesPerHost = pages, Port = port }, ct);
        }
        catch (Exception ex) when (port != 0 && ex is IOException or InvalidOperationException)
        {
            stderr.WriteLine($"crawlscope: port {port} is busy ({ex.Message}); the sample web takes a free one, so this demo's URLs differ from an earlier one's");
            return await SampleWebServer.StartAsync(new SampleWebOptions { PagesPerHost = pages }, ct);
        }
    }

    internal static Command Create(TextWriter stdout, TextWriter stderr)
    {
        var db = new Option<string>("--db") { Description = "Where the demo crawl is stored.", DefaultValueFactory = _ => Options.StoreOptions.DemoStore };
        // A fixed port: the port is part of every stored URL and key, so a second demo keeps the first one's URLs.
        var port = new Option<int>("--port") { Description = "Where the sample web listens (a free one is taken when this one is busy).", DefaultValueFactory = _ => DefaultPort };
        var pages = new Option<int>("--pages") { Description = "Article pages per sample host.", DefaultValueFactory = _ => 8 };
        var serve = new Option<bool>("--serve") { Description = "Then serve the inspector on 127.0.0.1:5080 (with the sample web still up) until Ctrl+C." };
        var command = new Command("demo", "Crawl the built-in sample web into crawlscope-demo.db and show a stored page.") { db, pages, port, serve };
        command.SetAction(async (parse, ct) =>
        {
            string path = parse.GetValue(db)!;
            using var crawlLock = CrawlLock.Acquire(path);
            SqliteCrawlStore.DeleteFiles(path);
            await using var web = await StartSampleWebAsync(parse.GetValue(pages), parse.GetValue(port), stderr, ct);
            stdout.WriteLine($"sample web: {SampleSites.Hosts.Count} hosts on 127.0.0.1:{web.Port}; crawling politely (1 connection per host, 0.5 s apart, robots.txt and crawl-delay obeyed)");

            var options = new CrawlOptions
            {
                Delay = TimeSpan.FromSeconds(0.5),
                MaxDepth = 4,
                Fetch = new FetchOptions
                {
                    // The sample web lives on loopback: allowed for its own names only, so the hostile scripts of its
                    // rendered pages cannot reach any other loopback or private address.
                    TrustResolveMap = true,
                    Resolve = SampleSites.Hosts.ToDictionary(h => h.Name, _ => System.Net.IPAddress.Loopback),
                    TotalTimeout = TimeSpan.FromSeconds(2),
                },
                RetryBase = TimeSpan.FromMilliseconds(500),
            };
            var keyer = new UrlKeyer(PublicSuffixList.Default, UrlNormalizer.Default, options.ShardCount);
            var seeds = web.Seeds.Select(s => keyer.TryIdentify(s, out var id, out _) ? id : throw new InvalidOperationException(s)).ToList();
            await using var store = await SqliteCrawlStore.OpenAsync(path, ct);
            int code = await CrawlRunner.RunAsync(options, store, keyer, seeds, stdout, stderr, ct);
            if (code != CrawlscopeCli.Success) return code;

            keyer.TryIdentify(web.SeedArticleUrl, out var article, out _);
            stdout.WriteLine();
            var report = await new Inspection.UrlInspector(store, keyer).InspectAsync(article!, ct);
            InspectionText.Write(stdout, report);
            stdout.WriteLine();
            stdout.WriteLine($"Look further: ./crawlscope inspect URL --db {path}   (any URL of the sample web, e.g. {web.Seeds[0]}noindex-meta)");
            stdout.WriteLine($"              ./crawlscope inspect http://rho-app.test:{web.Port}/articles/0 --db {path}   (a page built by scripts, rendered in a browser)");
            string inspectLink = $"{Web.InspectorSiteOptions.DefaultUrls}/inspect?url={Uri.EscapeDataString(web.SeedArticleUrl)}";
            stdout.WriteLine($"              ./crawlscope stats --db {path}");
            if (!parse.GetValue(serve))
            {
                stdout.WriteLine($"              ./crawlscope serve --db {path}   (the inspector in a browser, JSON API at /api/inspect?url=)");
                stdout.WriteLine($"Open this page in a browser (after ./crawlscope demo --serve, or serve): {inspectLink}");
                return code;
            }
            await using var site = Web.InspectorSite.Build(new Web.InspectorSiteOptions { Store = store, Keyer = keyer });
            try
            {
                await site.StartAsync(ct);
            }
            catch (IOException ex)
            {
                throw new CommandException($"cannot serve the inspector on {Web.InspectorSiteOptions.DefaultUrls}: {ex.Message} (is another serve running?)");
            }
            stdout.WriteLine($"Inspector: {inspectLink}   (Ctrl+C stops)");
            stdout.Flush();
            try
            {
                await Task.Delay(Timeout.Infinite, ct);
            }
            catch (OperationCanceledException)
            {
            }
            await site.StopAsync(CancellationToken.None);
            return code;
        });
        return command;
    }
}
