using Crawlscope.Crawling;
using Crawlscope.Frontier;
using Crawlscope.Model;
using Crawlscope.SampleWeb;
using Crawlscope.Tests.Support;
using Crawlscope.Urls;
using Crawlscope.Vocabulary;
using Microsoft.Data.Sqlite;

namespace Crawlscope.Tests.Crawling;

[Collection(CrawlCollection.Name)]
public class RecrawlTests
{
    /// <summary>One sample host crawled from its home page into a fresh store.</summary>
    private sealed record Crawled(SampleWebServer Web, TempCrawlStore Temp, UrlKeyer Keyer, UrlIdentity Seed) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            await Temp.DisposeAsync();
            await Web.DisposeAsync();
        }
    }

    private static async Task<Crawled> CrawledAsync(string name)
    {
        var web = await SampleWebServer.StartAsync(new SampleWebOptions { PagesPerHost = 2, Hosts = 1 });
        var temp = await TempCrawlStore.OpenAsync(name);
        var keyer = new UrlKeyer(PublicSuffixList.Default, UrlNormalizer.Default);
        keyer.TryIdentify($"http://www.alpha-news.test:{web.Port}/", out var seed, out _);
        await CrawlAsync(temp.Store, keyer, seed!);
        return new Crawled(web, temp, keyer, seed!);
    }

    /// <summary>A crawl of the seeds' own pages and their links, without delays; with no seed, of what is queued.</summary>
    private static async Task CrawlAsync(Crawlscope.Storage.SqliteCrawlStore store, UrlKeyer keyer, params UrlIdentity[] seeds)
    {
        using var engine = new CrawlEngine(new CrawlOptions { Delay = TimeSpan.Zero, MaxDepth = 1, Scope = CrawlScopeKind.Seeds, Fetch = CrawlTestOptions.Fast().Fetch }, store, keyer);
        await engine.RunAsync(seeds, CancellationToken.None);
    }

    /// <summary>Pages stored under other recrawl bounds follow the crawl's bounds from its first recrawl check: a shorter
    /// longest interval makes them due sooner, a longer shortest one later.</summary>
    [Fact]
    public async Task ChangedRecrawlBounds_ApplyToPagesStoredBefore()
    {
        await using var crawled = await CrawledAsync("recrawl-bounds");
        var (store, keyer, seed) = (crawled.Temp.Store, crawled.Keyer, crawled.Seed);
        var page = (await store.GetPageAsync(seed!.Key.Value))!;
        Assert.Equal(RecrawlPolicy.Default.First, page.NextFetch - page.DownloadStamp); // 7 days, under the default bounds

        var now = DateTimeOffset.UtcNow;
        Assert.Equal(0, await store.RequeueDueAsync(now.AddHours(3), now));
        // Raised shortest interval: due no sooner than 10 days after the download.
        Assert.Equal(0, await store.RequeueDueAsync(now.AddDays(9), now, new RecrawlBounds(TimeSpan.FromDays(10), TimeSpan.FromDays(30))));
        Assert.Equal(TimeSpan.FromDays(10), (await store.GetPageAsync(seed.Key.Value))!.NextFetch - page.DownloadStamp);
        // Lowered longest interval: due two hours after the download.
        int due = await store.RequeueDueAsync(now.AddHours(3), now, new RecrawlBounds(TimeSpan.FromHours(1), TimeSpan.FromHours(2)));
        Assert.True(due >= 3, $"{due} pages due");
        Assert.Equal(TimeSpan.FromHours(2), (await store.GetPageAsync(seed.Key.Value))!.NextFetch - page.DownloadStamp);
    }

    [Fact]
    public async Task Recrawl_DuePages_UseConditionalGet_And304KeepsThePage()
    {
        await using var crawled = await CrawledAsync("recrawl");
        var (web, store, keyer, seed) = (crawled.Web, crawled.Temp.Store, crawled.Keyer, crawled.Seed);

        keyer.TryIdentify($"http://www.alpha-news.test:{web.Port}/articles/1", out var article, out _);
        var before = await store.GetPageAsync(article!.Key.Value);
        Assert.NotNull(before!.Etag);
        Assert.True(before.NextFetch > DateTimeOffset.UtcNow.AddHours(23));

        // Nothing is due yet.
        Assert.Equal(0, await store.RequeueDueAsync(DateTimeOffset.UtcNow, DateTimeOffset.UtcNow));
        int due = await store.RequeueDueAsync(DateTimeOffset.UtcNow.AddDays(40), DateTimeOffset.UtcNow);
        Assert.True(due >= 3, $"{due} pages due");

        await CrawlAsync(store, keyer);

        var after = await store.GetPageAsync(article.Key.Value);
        Assert.Equal(before.MetaTitle, after!.MetaTitle);
        Assert.True(after.DownloadStamp > before.DownloadStamp);
        var history = await store.InspectAsync("SELECT http_code FROM fetches WHERE src_unparsed = $k ORDER BY id", [("$k", article.Key.Value)]);
        Assert.Equal([200L, 304L], history.Rows.Select(r => (long)r["http_code"]!));
        // No change: the next fetch moves further away (interval doubles, at most 30 days).
        Assert.True(after.NextFetch - after.DownloadStamp > before.NextFetch - before.DownloadStamp);
    }

    /// <summary>URLs that gave no page (gone, redirected, disallowed) are checked again too: a week after the first
    /// answer, as a new page, and a fortnight after the same answer again.</summary>
    [Fact]
    public async Task UrlsThatGaveNoPage_AreCheckedAgain_LessOftenWhileTheyKeepFailing()
    {
        await using var crawled = await CrawledAsync("recheck-failures");
        var (web, store, keyer) = (crawled.Web, crawled.Temp.Store, crawled.Keyer);
        keyer.TryIdentify($"http://www.alpha-news.test:{web.Port}/gone-soon", out var gone, out _);
        keyer.TryIdentify($"http://www.alpha-news.test:{web.Port}/old/2", out var moved, out _);
        keyer.TryIdentify($"http://www.alpha-news.test:{web.Port}/private/report", out var disallowed, out _);
        var first = (await store.GetPageAsync(gone!.Key.Value))!;
        Assert.Equal(410, first.DownloadHttpCode);
        Assert.Equal(RecrawlPolicy.Default.First, first.NextFetch - first.DownloadStamp);
        var redirect = (await store.GetPageAsync(moved!.Key.Value))!;
        Assert.Equal(301, redirect.DownloadHttpCode);
        Assert.Equal(RecrawlPolicy.Default.First, redirect.NextFetch - redirect.DownloadStamp);
        var refused = (await store.GetPageAsync(disallowed!.Key.Value))!;
        Assert.Equal(FailureReason.RobotsDisallowed, refused.FailureReason);
        Assert.NotNull(refused.NextFetch);

        Assert.True(await store.RequeueDueAsync(DateTimeOffset.UtcNow.AddDays(8), DateTimeOffset.UtcNow) >= 3);
        await CrawlAsync(store, keyer);

        var again = (await store.GetPageAsync(gone.Key.Value))!;
        Assert.Equal(410, again.DownloadHttpCode);
        Assert.True(again.DownloadStamp > first.DownloadStamp);
        Assert.Equal(2 * RecrawlPolicy.Default.First, again.NextFetch - again.DownloadStamp);
        Assert.Equal(2, web.Hits["www.alpha-news.test/gone-soon"]);
    }
}
