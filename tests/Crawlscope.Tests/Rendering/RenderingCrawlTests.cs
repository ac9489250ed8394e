using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Crawlscope.Crawling;
using Crawlscope.Fetching;
using Crawlscope.Model;
using Crawlscope.Rendering;
using Crawlscope.SampleWeb;
using Crawlscope.Tests.Crawling;
using Crawlscope.Tests.Support;
using Crawlscope.Urls;
using Crawlscope.Vocabulary;

namespace Crawlscope.Tests.Rendering;

/// <summary>A loopback listener that only counts the connections made to it: the place hostile scripts aim at.</summary>
public sealed class ConnectionCounter : IDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private int _connections;

    public ConnectionCounter()
    {
        _listener.Start();
        _ = AcceptAsync();
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;
    public int Connections => Volatile.Read(ref _connections);

    private async Task AcceptAsync()
    {
        try
        {
            while (true)
            {
                using var client = await _listener.AcceptTcpClientAsync();
                Interlocked.Increment(ref _connections);
            }
        }
        catch (Exception ex) when (ex is ObjectDisposedException or SocketException)
        {
        }
    }

    public void Dispose() => _listener.Stop();
}

/// <summary>Where the renderer's browser is, or the test is skipped locally (and fails under CI) without one.</summary>
internal static class RenderingBrowser
{
    public static string Require()
    {
        string? path = new RenderOptions().FindBrowser();
        if (path is null) SharedData.Missing("rendering tests: neither /usr/bin/chromium-headless-shell nor /usr/bin/chromium (./test.sh installs them)");
        return path!;
    }
}

/// <summary>Crawls of the sample web's scripted sites with a real browser: client-rendered articles are stored with
/// their text and their links followed; hostile scripts reach nothing and cost at most their time cap.</summary>
[Collection(CrawlCollection.Name)]
public class RenderingCrawlTests
{
    private static CrawlOptions Options(SampleWebServer web, RenderMode mode, TimeSpan? pageTimeout = null) => CrawlTestOptions.Fast(allowPrivate: false) with
    {
        Fetch = new FetchOptions
        {
            TrustResolveMap = true,
            Resolve = SampleSites.Hosts.ToDictionary(h => h.Name, _ => IPAddress.Loopback),
            TotalTimeout = TimeSpan.FromSeconds(5),
        },
        Render = new RenderOptions { Mode = mode, PageTimeout = pageTimeout ?? TimeSpan.FromSeconds(10) },
    };

    /// <summary>A finished crawl of one sample host: its web, engine and stored pages, disposed together.</summary>
    private sealed class RenderedCrawl(SampleWebServer web, TempCrawlStore temp, CrawlEngine engine, IReadOnlyList<PageRecord> pages) : IAsyncDisposable
    {
        public SampleWebServer Web => web;
        public CrawlEngine Engine => engine;
        public IReadOnlyList<PageRecord> Pages => pages;

        public async ValueTask DisposeAsync()
        {
            engine.Dispose();
            await temp.DisposeAsync();
            await web.DisposeAsync();
        }
    }

    private static async Task<RenderedCrawl> CrawlAsync(string host, RenderMode mode, SampleWebOptions? webOptions = null)
    {
        RenderingBrowser.Require();
        var web = await SampleWebServer.StartAsync(webOptions ?? new SampleWebOptions { PagesPerHost = 6 });
        var temp = await TempCrawlStore.OpenAsync("render-" + host);
        var keyer = new UrlKeyer(PublicSuffixList.Default, UrlNormalizer.Default);
        keyer.TryIdentify($"http://{host}:{web.Port}/", out var seed, out _);
        var engine = new CrawlEngine(Options(web, mode), temp.Store, keyer);
        await engine.RunAsync([seed!], CancellationToken.None);
        return new RenderedCrawl(web, temp, engine, await temp.Store.PagesAsync("1 = 1", []).ToListAsync());
    }

    private static double WordF1(string found, string truth)
    {
        var a = WordCounts(found);
        var b = WordCounts(truth);
        int common = a.Sum(kv => Math.Min(kv.Value, b.GetValueOrDefault(kv.Key)));
        if (common == 0) return 0;
        double precision = common / (double)a.Values.Sum(), recall = common / (double)b.Values.Sum();
        return 2 * precision * recall / (precision + recall);
    }

    private static Dictionary<string, int> WordCounts(string text) =>
        System.Text.RegularExpressions.Regex.Matches(text.ToLowerInvariant(), @"[\p{L}\p{N}]+").GroupBy(m => m.Value).ToDictionary(g => g.Key, g => g.Count());

    [Fact]
    public async Task ClientRenderedSite_ArticlesStoredWithTheirText_LinksFollowed_ServerSectionsNotRendered()
    {
        await using var crawl = await CrawlAsync("rho-app.test", RenderMode.Auto);
        var (web, pages) = (crawl.Web, crawl.Pages);
        // The article links exist only after rendering: every article was reached through them.
        for (int i = 0; i < 6; i++)
        {
            var article = pages.SingleOrDefault(p => p.Url.EndsWith($"/articles/{i}", StringComparison.Ordinal));
            Assert.True(article is not null, $"article {i} not stored; stored: {string.Join(", ", pages.Select(p => p.Url))}");
            Assert.True(article!.Rendered, $"article {i}: {article.RenderReason} {article.RenderDetails}");
            string truth = ScriptedPages.ArticleTitle(i) + " " + string.Join(' ', ScriptedPages.ArticleParagraphs(i));
            double f1 = WordF1(article.ReadableMarkdown ?? "", truth);
            Assert.True(f1 >= 0.95, $"article {i}: word F1 {f1:F3}\n{article.ReadableMarkdown}");
            Assert.Equal(ScriptedPages.ArticleTitle(i), article.MetaTitle);
        }
        var home = pages.Single(p => p.Url.EndsWith(":" + web.Port + "/", StringComparison.Ordinal));
        Assert.Equal(RenderReason.EmptyShell, home.RenderReason);
        using var details = JsonDocument.Parse(home.RenderDetails!);
        Assert.True(details.RootElement.GetProperty("links_only_rendered_count").GetInt32() >= 6);
        Assert.Contains(details.RootElement.GetProperty("resources").EnumerateArray(), r => r.GetProperty("url").GetString()!.EndsWith("/api/articles", StringComparison.Ordinal) && r.GetProperty("status").GetInt32() == 200);
        // The server-rendered section of the same site is not a shell: kept as fetched, with the reason.
        // The server-rendered section of the same site is not a shell: rendered only because the site renders, and then
        // the render shows it gained nothing.
        var about = pages.Single(p => p.Url.EndsWith("/about", StringComparison.Ordinal));
        Assert.True(about.RenderReason is RenderReason.NoShellSignal or RenderReason.SiteRenders, $"{about.RenderReason}");
        if (about.Rendered)
        {
            using var aboutDetails = JsonDocument.Parse(about.RenderDetails!);
            Assert.Equal(aboutDetails.RootElement.GetProperty("raw").GetProperty("words").GetInt32(), aboutDetails.RootElement.GetProperty("rendered_page").GetProperty("words").GetInt32());
        }
    }

    /// <summary>With --warc, what a rendered page fetched is archived beside it (as Brozzler does): the archive replays it.</summary>
    [Fact]
    public async Task RenderedPages_ArchiveTheirSubrequests()
    {
        RenderingBrowser.Require();
        await using var web = await SampleWebServer.StartAsync(new SampleWebOptions { PagesPerHost = 2 });
        await using var temp = await TempCrawlStore.OpenAsync("render-warc");
        string warc = Directory.CreateTempSubdirectory("crawlscope-render-warc").FullName;
        try
        {
            var keyer = new UrlKeyer(PublicSuffixList.Default, UrlNormalizer.Default);
            keyer.TryIdentify($"http://rho-app.test:{web.Port}/articles/1", out var seed, out _);
            using (var engine = new CrawlEngine(Options(web, RenderMode.Auto) with { WarcDirectory = warc, MaxDepth = 0 }, temp.Store, keyer))
                await engine.RunAsync([seed!], CancellationToken.None);
            var targets = new List<string>();
            foreach (string file in Directory.GetFiles(warc, "*.warc.gz"))
                await foreach (var (record, error) in Crawlscope.Archiving.WarcReader.ReadAsync(file))
                {
                    Assert.Null(error);
                    if (record!.Headers.GetValueOrDefault("WARC-Type") == "response") targets.Add(record.Headers["WARC-Target-URI"]);
                }
            Assert.Contains($"http://rho-app.test:{web.Port}/articles/1", targets);
            Assert.Contains($"http://rho-app.test:{web.Port}/app.js", targets);
            Assert.Contains($"http://rho-app.test:{web.Port}/api/articles/1", targets);
        }
        finally
        {
            Directory.Delete(warc, recursive: true);
        }
    }

    [Fact]
    public async Task NeverMode_StoresTheShellsAsFetched_WithTheReason()
    {
        await using var crawl = await CrawlAsync("rho-app.test", RenderMode.Never);
        var pages = crawl.Pages;
        Assert.All(pages.Where(p => p.DownloadHttpCode == 200), p => Assert.Equal(RenderReason.Off, p.RenderReason));
        Assert.DoesNotContain(pages, p => p.Rendered || p.Url.Contains("/articles/", StringComparison.Ordinal));
        Assert.Equal(0, crawl.Engine.BrowserLaunches);
    }

    [Fact]
    public async Task HostileScripts_ReachNothingForbidden_CostAtMostTheirCap_AndTheCrawlFinishes()
    {
        using var counter = new ConnectionCounter();
        var started = DateTime.UtcNow;
        // Always: in auto the site's unhelpful renders would soon stop its shells being rendered (the policy at work).
        await using var crawl = await CrawlAsync("sigma-scripts.test", RenderMode.Always, new SampleWebOptions { PagesPerHost = 2, ProbePort = counter.Port });
        var web = crawl.Web;
        var elapsed = DateTime.UtcNow - started;
        Assert.Equal(0, counter.Connections);
        Assert.DoesNotContain(web.Hits.Keys, k => k.StartsWith("127.0.0.1", StringComparison.Ordinal) || k.StartsWith("localhost", StringComparison.Ordinal));
        var pages = crawl.Pages;
        foreach (string path in ScriptedPages.HostilePaths)
        {
            var page = pages.SingleOrDefault(p => p.Url.EndsWith(path, StringComparison.Ordinal));
            Assert.True(page is not null, $"{path} not stored");
            Assert.True(page!.RenderDetails is not null, $"{path}: {page.RenderReason} {page.FailureReason} {page.Markdown}");
            using var details = JsonDocument.Parse(page.RenderDetails!);
            Assert.True(details.RootElement.GetProperty("render_ms").GetDouble() < 13_000, $"{path}: {page.RenderDetails}");
        }
        string Refusals(string path) => pages.Single(p => p.Url.EndsWith(path, StringComparison.Ordinal)).RenderDetails!;
        Assert.Contains("\"ssrf\"", Refusals("/probe"));
        Assert.Contains("\"ssrf\"", Refusals("/redirect-probe"));
        Assert.Contains("\"too_many\"", Refusals("/flood"));
        Assert.Contains("\"navigation\"", Refusals("/popup"));
        Assert.Contains("did not yield", Refusals("/busy"));
        // Seven hostile pages, two rendered at once, each capped at 10 s: the crawl does not wait for their scripts.
        Assert.True(elapsed < TimeSpan.FromSeconds(90), $"crawl took {elapsed}");
    }
}
