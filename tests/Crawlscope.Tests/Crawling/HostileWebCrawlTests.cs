using System.Text;
using Crawlscope.Crawling;
using Crawlscope.Model;
using Crawlscope.Tests.Support;
using Crawlscope.Urls;
using Crawlscope.Vocabulary;

namespace Crawlscope.Tests.Crawling;

/// <summary>
/// The hostile web of the sweep, each page reproduced on a loopback server: a page may fail, but never ends the
/// crawl, never stays leased, and never sends the crawler past the gates every URL passes.
/// </summary>
public sealed class HostileWebCrawlTests : IAsyncLifetime
{
    private const string Site = "hostile.test";
    private HostileWeb _web = null!;
    private TempCrawlStore _db = null!;
    private readonly UrlKeyer _keyer = UrlKeyer.Default;

    public async Task InitializeAsync()
    {
        _web = await HostileWeb.StartAsync();
        _db = await TempCrawlStore.OpenAsync("hostile");
    }

    public async Task DisposeAsync()
    {
        await _db.DisposeAsync();
        await _web.DisposeAsync();
    }

    private static string Page(string title, params string[] links) =>
        $"<html><head><title>{title}</title></head><body><h1>{title}</h1><p>{string.Join(" ", Enumerable.Repeat("Some words of the page.", 30))}</p>" +
        string.Concat(links.Select(l => $"<a href=\"{l}\">{l}</a> ")) + "</body></html>";

    private async Task<CrawlEnd> CrawlAsync(CrawlOptions options, params string[] seeds)
    {
        var ids = seeds.Select(s => _keyer.TryIdentify(s, out var id, out var e) ? id : throw new ArgumentException(e)).ToList();
        using var engine = new CrawlEngine(options, _db.Store, _keyer);
        return await engine.RunAsync(ids, CancellationToken.None).WaitAsync(TimeSpan.FromMinutes(2));
    }

    private async Task<PageRecord?> StoredAsync(string url) =>
        await _db.Store.GetPageAsync(_keyer.TryIdentify(url, out var id, out _) ? id.Key.Value : throw new ArgumentException(url));

    private async Task<long> CountAsync(string sql) => Convert.ToInt64((await _db.Store.InspectAsync(sql, [])).Rows[0].Values.First());

    [Fact]
    public async Task Utf7Charsets_DeepNesting_UnknownStatus_TheCrawlGoesOnAndStoresEveryPage()
    {
        string deep = "<html><head><title>Deep</title></head><body>" + string.Concat(Enumerable.Repeat("<div>", 100_000)) + "deep text" +
                      string.Concat(Enumerable.Repeat("</div>", 100_000)) + "</body></html>";
        _web.Robots(Site, "User-agent: *\nAllow: /\n")
            .Html(Site, "/", Page("Home", "/utf7-header", "/utf7-meta", "/deep", "/status-999", "/good"))
            .Html(Site, "/utf7-header", Page("Seven"), "text/html; charset=utf-7")
            .Html(Site, "/utf7-meta", "<html><head><meta charset=\"csUnicode11UTF7\"><title>Meta seven</title></head><body><p>+AGEAYgBj-</p></body></html>", "text/html")
            .Html(Site, "/deep", deep)
            .Serve(Site, "/status-999", 999, "text/html", Encoding.UTF8.GetBytes("request denied"))
            .Html(Site, "/good", Page("Good"));

        var end = await CrawlAsync(_web.Options(Site), _web.Url(Site, "/"));

        Assert.Equal(CrawlEnd.Finished, end);
        foreach (var path in new[] { "/", "/utf7-header", "/utf7-meta", "/deep", "/good" })
        {
            var page = await StoredAsync(_web.Url(Site, path));
            Assert.NotNull(page);
            Assert.True(page.DownloadHttpCode == 200 && page.FailureReason is null, $"{path}: {page.DownloadHttpCode} {page.FailureReason}");
        }
        Assert.Equal("Seven", (await StoredAsync(_web.Url(Site, "/utf7-header")))!.MetaTitle);
        Assert.Contains("deep text", (await StoredAsync(_web.Url(Site, "/deep")))!.Markdown);
        // An unknown status code is its own reason and is not retried as a server error would be.
        var odd = await StoredAsync(_web.Url(Site, "/status-999"));
        Assert.Equal((999, FailureReason.HttpUnknown), (odd!.DownloadHttpCode, odd.FailureReason));
        Assert.Equal(1, _web.HitsOf(Site, "/status-999"));
        Assert.Equal(0, await CountAsync("SELECT COUNT(*) FROM frontier WHERE state <> 2"));
    }

    [Fact]
    public async Task PageOverTheProcessingBudget_IsStoredAsTimedOut_AndTheCrawlGoesOn()
    {
        string big = Page("Big", "/after") + string.Concat(Enumerable.Repeat("<p>filler words for the extractors to chew on</p>", 60_000));
        _web.Robots(Site, "").Html(Site, "/", big).Html(Site, "/after", Page("After"));
        var options = _web.Options(Site);
        var tight = new CrawlOptions
        {
            Delay = options.Delay, Concurrency = 1, Fetch = options.Fetch, ProcessingBudget = TimeSpan.FromMilliseconds(1),
        };

        Assert.Equal(CrawlEnd.Finished, await CrawlAsync(tight, _web.Url(Site, "/")));

        var page = await StoredAsync(_web.Url(Site, "/"));
        Assert.Equal(FailureReason.ProcessingTimeout, page!.FailureReason);
        Assert.Equal(0, await CountAsync("SELECT COUNT(*) FROM frontier WHERE state <> 2"));
    }

    /// <summary>Two pages of a million unclosed paragraphs among ordinary ones: before, each held a CPU slot for
    /// minutes after its budget (the walks did not stop), so the crawl stalled at 0 pages/s; now each costs at most its
    /// budget of one slot and the crawl ends in time.</summary>
    [Fact]
    public async Task HostilePages_CostAtMostTheirBudget_AndTheCrawlEnds()
    {
        string hostile = Extraction.HostileInputTests.HostilePage("million-p");
        var links = new[] { "/flat-1", "/flat-2" }.Concat(Enumerable.Range(0, 20).Select(i => $"/ordinary-{i}")).ToArray();
        _web.Robots(Site, "").Html(Site, "/", Page("Home", links)).Html(Site, "/flat-1", hostile).Html(Site, "/flat-2", hostile);
        for (int i = 0; i < 20; i++) _web.Html(Site, $"/ordinary-{i}", Page($"Ordinary {i}"));
        var options = _web.Options(Site) with { Concurrency = 4, ProcessingBudget = TimeSpan.FromSeconds(1) };

        Assert.Equal(CrawlEnd.Finished, await CrawlAsync(options, _web.Url(Site, "/")));

        for (int i = 0; i < 20; i++)
        {
            var page = await StoredAsync(_web.Url(Site, $"/ordinary-{i}"));
            Assert.True(page is { DownloadHttpCode: 200, FailureReason: null }, $"/ordinary-{i}: {page?.FailureReason}");
        }
        foreach (var path in new[] { "/flat-1", "/flat-2" })
            Assert.NotNull(await StoredAsync(_web.Url(Site, path)));
        Assert.Equal(0, await CountAsync("SELECT COUNT(*) FROM frontier WHERE state <> 2"));
    }

    [Fact]
    public async Task RedirectsAndSitemaps_PassTheScopeGate_AndSitemapsTheirHostsRobotsTxt()
    {
        const string Private = "admin.private.test", Other = "other-site.test", Sister = "www2.hostile.test";
        _web.Robots(Site, $"User-agent: *\nAllow: /\nSitemap: {_web.Url(Private, "/internal-admin?action=delete-everything")}\n" +
                          $"Sitemap: {_web.Url(Site, "/excluded/sitemap.xml")}\nSitemap: {_web.Url(Sister, "/blocked/sitemap.xml")}\n")
            .Robots(Sister, "User-agent: *\nDisallow: /blocked/\n")
            .Html(Site, "/", Page("Home", "/go-away", "/go-excluded"))
            .Serve(Site, "/go-away", 302, null, [], ("Location", _web.Url(Other, "/landing")))
            .Serve(Site, "/go-excluded", 301, null, [], ("Location", "/excluded/page"))
            .Html(Other, "/landing", Page("Elsewhere"))
            .Html(Site, "/excluded/page", Page("Excluded"))
            .Html(Private, "/internal-admin?action=delete-everything", "deleted")
            .Html(Site, "/excluded/sitemap.xml", "<urlset><url><loc>/x</loc></url></urlset>")
            .Html(Sister, "/blocked/sitemap.xml", "<urlset><url><loc>/y</loc></url></urlset>");
        var options = _web.Options(Site, Private, Other, Sister);
        var scoped = new CrawlOptions
        {
            Delay = options.Delay, Concurrency = 4, Fetch = options.Fetch,
            Exclude = [new System.Text.RegularExpressions.Regex("/excluded/")],
        };

        Assert.Equal(CrawlEnd.Finished, await CrawlAsync(scoped, _web.Url(Site, "/")));

        Assert.Equal(0, _web.HitsOf(Private, "/internal-admin?action=delete-everything"));
        Assert.Equal(0, _web.HitsOf(Other, "/landing"));
        Assert.Equal(0, _web.HitsOf(Site, "/excluded/page"));
        Assert.Equal(0, _web.HitsOf(Site, "/excluded/sitemap.xml"));
        Assert.Equal(0, _web.HitsOf(Sister, "/blocked/sitemap.xml"));
        Assert.Equal(1, _web.HitsOf(Sister, "/robots.txt"));
        // The redirect is recorded with the gate that refused its target.
        var away = await _db.Store.InspectAsync("SELECT failure_reason FROM fetches WHERE url LIKE '%/go-away'", []);
        Assert.Equal("redirected: target not followed: out_of_scope", away.Rows.Single()["failure_reason"]);
        var excluded = await _db.Store.InspectAsync("SELECT failure_reason FROM fetches WHERE url LIKE '%/go-excluded'", []);
        Assert.Equal("redirected: target not followed: excluded", excluded.Rows.Single()["failure_reason"]);
    }

    [Fact]
    public async Task LinksLongerThanTheUrlLimit_AreNeitherStoredNorQueued()
    {
        string longPath = "/long?" + new string('a', UrlKeyer.MaxUrlLength);
        _web.Robots(Site, "").Html(Site, "/", Page("Home", longPath, "/short"))
            .Html(Site, longPath, Page("Long")).Html(Site, "/short", Page("Short"));

        Assert.Equal(CrawlEnd.Finished, await CrawlAsync(_web.Options(Site), _web.Url(Site, "/")));

        Assert.Equal(0, _web.HitsOf(Site, longPath));
        Assert.Equal(1, _web.HitsOf(Site, "/short"));
        Assert.Equal(0, await CountAsync($"SELECT COUNT(*) FROM links WHERE length(target) > {UrlKeyer.MaxUrlLength}"));
        Assert.False(_keyer.TryIdentify(_web.Url(Site, longPath), out _, out var error));
        Assert.Contains("URL too long", error);
    }

    [Fact]
    public async Task RobotsTxtOverTheParseLimit_IsStoredOnceAndOnlyAsFarAsItIsParsed()
    {
        string robots = "User-agent: *\nDisallow: /private/\n" + string.Concat(Enumerable.Repeat("# padding line of a huge robots.txt\n", 100_000));
        _web.Robots(Site, robots).Html(Site, "/", Page("Home"));

        Assert.Equal(CrawlEnd.Finished, await CrawlAsync(_web.Options(Site), _web.Url(Site, "/")));

        var row = (await _db.Store.InspectAsync("SELECT length(body) AS body, last_good_body FROM robots", [])).Rows.Single();
        Assert.Equal((long)Crawlscope.Robots.RobotsParser.MaxBytes, Convert.ToInt64(row["body"]));
        Assert.Null(row["last_good_body"]);
    }
}
