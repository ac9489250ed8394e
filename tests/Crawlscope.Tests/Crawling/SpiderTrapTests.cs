using Crawlscope.Crawling;
using Crawlscope.Frontier;
using Crawlscope.Inspection;
using Crawlscope.Vocabulary;
using Crawlscope.Model;
using Crawlscope.SampleWeb;
using Crawlscope.Tests.Support;
using Crawlscope.Urls;

namespace Crawlscope.Tests.Crawling;

/// <summary>The sample forum's endless calendar (every month links to the next, forever) crawled with no depth limit.</summary>
[Collection(CrawlCollection.Name)]
public class SpiderTrapTests
{
    [Fact]
    public async Task EndlessCalendar_WithoutADepthLimit_EndsAtItsSecondPage()
    {
        await using var web = await SampleWebServer.StartAsync(new SampleWebOptions { PagesPerHost = 2 });
        await using var temp = await TempCrawlStore.OpenAsync("spider-trap");
        var keyer = new UrlKeyer(PublicSuffixList.Default, UrlNormalizer.Default);
        keyer.TryIdentify($"http://theta-forum.test:{web.Port}/", out var seed, out _);
        var options = new CrawlOptions { Delay = TimeSpan.Zero, Scope = CrawlScopeKind.Seeds, Fetch = CrawlTestOptions.Fast().Fetch };
        Assert.Null(options.MaxDepth);
        using var engine = new CrawlEngine(options, temp.Store, keyer);

        Assert.Equal(CrawlEnd.Finished, await engine.RunAsync([seed!], CancellationToken.None));

        // The first month is new content; the second duplicates it, so its link to the third is not followed.
        Assert.Equal(2, web.Hits.Keys.Count(k => k.Contains("/calendar/", StringComparison.Ordinal)));
        var months = await temp.Store.InspectAsync(
            "SELECT src_unparsed, duplicate_of FROM pages WHERE src_unparsed LIKE '%/calendar/%' ORDER BY src_unparsed", []);
        Assert.Equal(2, months.Rows.Count);
        Assert.Null(months.Rows[0]["duplicate_of"]);
        Assert.Equal(months.Rows[0]["src_unparsed"], months.Rows[1]["duplicate_of"]);
        var refused = await temp.Store.InspectAsync("SELECT target, refusal FROM links WHERE source = $s", [("$s", months.Rows[1]["src_unparsed"])]);
        var next = Assert.Single(refused.Rows, r => ((string)r["target"]!).Contains("/calendar/", StringComparison.Ordinal));
        Assert.Equal("spider_trap", next["refusal"]);
        // The inspector tells why the third month was never queued: which page links it and why it did not follow.
        var third = keyer.Identify(WebUrl.Parse(UrlInspector.UrlOf((string)next["target"]!)));
        var report = await new UrlInspector(temp.Store, keyer).InspectAsync(third);
        Assert.Equal(IndexingReason.Unknown, report.Verdict.Reason);
        Assert.Contains("spider_trap", report.Verdict.Evidence);
        Assert.Contains(UrlInspector.UrlOf((string)months.Rows[1]["src_unparsed"]!), report.Verdict.Evidence);
        Assert.Contains("not followed: spider_trap", report.Checks.Single(c => c.Name == "Seen Status Check").Result);
        // The rest of the forum was crawled.
        Assert.True(await temp.Store.PageCountAsync() > 5, "the forum's other pages");
    }
}
