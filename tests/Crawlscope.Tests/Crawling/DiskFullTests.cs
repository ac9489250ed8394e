using Crawlscope.Crawling;
using Crawlscope.Inspection;
using Crawlscope.Operating;
using Crawlscope.SampleWeb;
using Crawlscope.Tests.Support;
using Crawlscope.Urls;
using Crawlscope.Model;
using Crawlscope.Web;

namespace Crawlscope.Tests.Crawling;

/// <summary>
/// Attack 10 of the third hardening round: a full disk took the service down, and it died again on restart. Now a
/// crawl service whose store cannot grow (SQLite's own "database or disk is full", error 13, made by capping the
/// file's pages) pauses: /readyz and the overview say "disk full", /healthz and the inspector stay up, and when room
/// returns the crawl goes on and every URL it had taken is crawled, none lost.
/// </summary>
[Collection(CrawlCollection.Name)]
public sealed class DiskFullTests
{
    [Fact]
    public async Task FullStore_PausesTheService_SaysSo_AndResumesWhenRoomReturns_LosingNothing()
    {
        await using var web = await SampleWebServer.StartAsync(new SampleWebOptions { PagesPerHost = 30, Hosts = 2, Fast = true });
        await using var temp = await TempCrawlStore.OpenAsync("disk-full");
        var keyer = UrlKeyer.Default;
        var options = CrawlTestOptions.Fast() with { Continuous = true, Concurrency = 4 };
        var seed = keyer.TryIdentify($"http://www.alpha-news.test:{web.Port}/", out var id, out _) ? id : throw new InvalidOperationException();
        using var engine = new CrawlEngine(options, temp.Store, keyer) { RoomProbeInterval = TimeSpan.FromMilliseconds(200) };
        var op = new CrawlOperator(temp.Store, keyer, engine, options.Fetch.UserAgent);
        await using var site = InspectorSite.Build(new InspectorSiteOptions { Store = temp.Store, Keyer = keyer, Urls = "http://127.0.0.1:0", Operator = op });
        await site.StartAsync();
        using var http = new HttpClient { BaseAddress = new Uri(site.Urls.First()) };
        using var stop = new CancellationTokenSource();
        try
        {
            await temp.Store.SetMaxPagesAsync(40);
            var run = engine.RunAsync([seed], stop.Token);

            await Until(() => engine.Control.StoreProblem is not null, "the store to fill");
            Assert.False(run.IsCompleted, "the service ended instead of pausing");
            Assert.Contains("disk full", engine.Control.StoreProblem);
            var ready = await http.GetAsync("/readyz");
            Assert.Equal(503, (int)ready.StatusCode);
            Assert.Contains("disk full", await ready.Content.ReadAsStringAsync());
            Assert.Equal(200, (int)(await http.GetAsync("/healthz")).StatusCode);
            Assert.Contains("disk full", await http.GetStringAsync("/overview"));
            Assert.Equal(200, (int)(await http.GetAsync("/inspect?url=" + Uri.EscapeDataString(seed.Normalized.Href))).StatusCode);
            long pagesWhenFull = await temp.Store.PageCountAsync();

            await temp.Store.SetMaxPagesAsync(null);
            await Until(() => engine.Control.StoreProblem is null, "the crawl to resume");
            Assert.Equal(200, (int)(await http.GetAsync("/readyz")).StatusCode);
            await Until(() => QueueEmpty(temp), "the crawl to finish its queue");
            Assert.True(await temp.Store.PageCountAsync() > pagesWhenFull);
            // Nothing lost: every URL the crawl found was stored, none left taken or waiting.
            var left = await temp.Store.InspectAsync($"SELECT COUNT(*) AS n FROM frontier WHERE state <> {(int)FrontierState.Done} AND state <> {(int)FrontierState.Elsewhere}", []);
            Assert.Equal(0L, left.Rows[0]["n"]);
        }
        finally
        {
            stop.Cancel();
            await site.StopAsync();
        }
    }

    private static bool QueueEmpty(TempCrawlStore temp) => temp.Store.QueueCountsAsync(DateTimeOffset.UtcNow).Result is { Queued: 0, InFlight: 0 };

    private static async Task Until(Func<bool> condition, string what)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (!condition())
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"waited 60 s for {what}");
            await Task.Delay(100);
        }
    }
}
