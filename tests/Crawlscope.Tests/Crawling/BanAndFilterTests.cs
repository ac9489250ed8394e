using Crawlscope.Crawling;
using Crawlscope.Frontier;
using Crawlscope.SampleWeb;
using Crawlscope.Tests.Cli;
using Crawlscope.Tests.Support;
using Crawlscope.Urls;
using Crawlscope.Vocabulary;

namespace Crawlscope.Tests.Crawling;

/// <summary>Bans (fh_dont_index) in crawl decisions, and the CLI's --include/--exclude patterns.</summary>
[Collection(CrawlCollection.Name)]
public class BanAndFilterTests
{
    private static readonly UrlKeyer Keyer = new(PublicSuffixList.Default, UrlNormalizer.Default);

    private static UrlIdentity Id(string url) => Keyer.TryIdentify(url, out var id, out var e) ? id : throw new ArgumentException(e);

    [Fact]
    public async Task BannedDomain_IsNeverIndexable_ItsLinksAreNotFollowed_AndARecrawlRecordsTheDrop()
    {
        await using var web = await SampleWebServer.StartAsync(new SampleWebOptions { PagesPerHost = 3, Hosts = 3, Fast = true });
        await using var temp = await TempCrawlStore.OpenAsync("ban");
        var store = temp.Store;
        var fast = CrawlTestOptions.Fast();
        var options = new CrawlOptions { Scope = CrawlScopeKind.Seeds, Delay = TimeSpan.Zero, MaxDepth = 2, Fetch = fast.Fetch };
        var alpha = Id($"http://www.alpha-news.test:{web.Port}/");
        var blog = Id($"http://blog.alpha-news.test:{web.Port}/");
        using (var engine = new CrawlEngine(options, store, Keyer))
            await engine.RunAsync([alpha], CancellationToken.None);
        var home = await store.GetPageAsync(alpha.Key.Value);
        Assert.Null(home!.HistoryDropReason);
        Assert.NotNull(home.FirstIndexed);

        // The domain is banned; the home page is fetched again (200, no ETag): it drops out with the reason.
        await store.BanAsync("alpha-news.test", "test ban");
        await store.RequeueDueAsync(DateTimeOffset.UtcNow.AddDays(40), DateTimeOffset.UtcNow);
        using (var engine = new CrawlEngine(options, store, Keyer))
            await engine.RunAsync([], CancellationToken.None);
        Assert.Equal(DropReason.Banned, (await store.GetPageAsync(alpha.Key.Value))!.HistoryDropReason);

        // A host of the banned domain crawled for the first time: stored, never indexable, links not followed.
        using (var engine = new CrawlEngine(options, store, Keyer))
            await engine.RunAsync([blog], CancellationToken.None);
        var blogHome = await store.GetPageAsync(blog.Key.Value);
        Assert.Equal(200, blogHome!.DownloadHttpCode);
        Assert.Null(blogHome.FirstIndexed);
        Assert.True(blogHome.Outlinks > 0);
        var linked = await store.InspectAsync("SELECT COUNT(*) AS n FROM frontier f JOIN frontier_sources s ON s.id = f.source_id WHERE s.source = $k", [("$k", blog.Key.Value)]);
        Assert.Equal(0L, linked.Rows[0]["n"]);
    }

    [Fact]
    public async Task Cli_IncludeAndExclude_DecideWhichUrlsAreQueued()
    {
        await using var web = await SampleWebServer.StartAsync(new SampleWebOptions { PagesPerHost = 6, Hosts = 1, Fast = true });
        string db = Path.Combine(Path.GetTempPath(), $"crawlscope-include-{Guid.NewGuid():N}.db");
        try
        {
            var result = CliRunner.Run("crawl", $"http://www.alpha-news.test:{web.Port}/", "--db", db, "--delay", "0", "--allow-private-networks",
                "--resolve", "www.alpha-news.test=127.0.0.1", "--include", "^http://www\\.alpha-news\\.test:\\d+/(articles/.*)?$", "--exclude", "/articles/[35]$",
                "--max-depth", "2");
            Assert.True(result.ExitCode == 0, result.Stderr);
            await using var store = await Crawlscope.Storage.SqliteCrawlStore.OpenAsync(db);
            var urls = (await store.InspectAsync("SELECT url FROM pages ORDER BY url", [])).Rows.Select(r => (string)r["url"]!).ToList();
            Assert.Contains(urls, u => u.EndsWith("/articles/0", StringComparison.Ordinal));
            Assert.Contains(urls, u => u.EndsWith("/articles/4", StringComparison.Ordinal));
            Assert.DoesNotContain(urls, u => u.EndsWith("/articles/3", StringComparison.Ordinal) || u.EndsWith("/articles/5", StringComparison.Ordinal));
            Assert.All(urls, u => Assert.Matches(@"^http://www\.alpha-news\.test:\d+/(articles/\d+)?$", u));
            Assert.Equal(0, web.Hits.GetValueOrDefault("www.alpha-news.test/articles/3"));
        }
        finally
        {
            Crawlscope.Storage.SqliteCrawlStore.DeleteFiles(db);
        }
    }
}
