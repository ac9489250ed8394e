using System.Globalization;
using Crawlscope.Tests.Crawling;
using Crawlscope.Tests.Web;
using Microsoft.Playwright;
using static Crawlscope.Tests.Operating.ServiceFixture;

namespace Crawlscope.Tests.Operating;

/// <summary>A service whose daily quota leaves room for the browser tests' many requests.</summary>
public sealed class BrowserServiceFixture : ServiceFixture
{
    protected override int Quota => 100_000;
}

/// <summary>The operator's actions in Debian's Chromium against a running <c>crawlscope run</c>, as a person uses them.</summary>
[Collection(CrawlCollection.Name)]
public class ServiceBrowserTests(BrowserServiceFixture f, ChromiumFixture chromium) : IClassFixture<BrowserServiceFixture>, IClassFixture<ChromiumFixture>
{
    /// <summary>A page signed in with the token (opened once with ?token=, as the README says), watched for any complaint.</summary>
    private async Task<(IPage Page, List<string> Problems)> OpenAsync(bool signedIn = true)
    {
        var context = await chromium.Require().NewContextAsync(new BrowserNewContextOptions { BaseURL = f.BaseUrl });
        var page = await context.NewPageAsync();
        var problems = new List<string>();
        page.Console += (_, m) => { if (m.Type is "error" or "warning") problems.Add($"console {m.Type}: {m.Text}"); };
        page.PageError += (_, e) => problems.Add("page error: " + e);
        if (signedIn) await page.GotoAsync("/?token=" + Token);
        return (page, problems);
    }

    private static async Task ReloadUntilAsync(IPage page, Func<Task<bool>> condition, string what)
    {
        await EventuallyAsync(async () =>
        {
            await page.ReloadAsync();
            return await condition();
        }, what, TimeSpan.FromSeconds(20));
    }

    [SkippableFact]
    public async Task CrawlNow_FromTheReport_ShowsTheUrlCrawledWithinSeconds()
    {
        var (page, problems) = await OpenAsync();
        string url = f.Url(Host, "/articles/20");
        await page.GotoAsync("/inspect?url=" + Uri.EscapeDataString(url));
        Assert.DoesNotContain("CRAWLED", (await page.InnerTextAsync("#badge-crawled")).Replace("NOT FETCHED", "", StringComparison.Ordinal));
        Assert.Equal("Crawl now", await page.InnerTextAsync("#crawl-now-button"));
        await page.ClickAsync("#crawl-now-button");
        await page.WaitForSelectorAsync("#notice");
        Assert.StartsWith("queued", await page.InnerTextAsync("#notice"));
        await ReloadUntilAsync(page, async () => (await page.InnerTextAsync("#badge-crawled")).StartsWith("✅ CRAWLED", StringComparison.Ordinal), "the report showing the URL crawled");
        Assert.Equal("Recrawl now", await page.InnerTextAsync("#crawl-now-button"));
        Assert.Empty(problems);
    }

    [SkippableFact]
    public async Task Ban_FromTheReport_FailsTheSpamBanFilter_AndTheCrawlStopsFollowingTheHostsLinks()
    {
        var (page, problems) = await OpenAsync();
        string seed = f.Url(Host, "/");
        await page.GotoAsync("/inspect?url=" + Uri.EscapeDataString(seed));
        Assert.Equal("PASS", await page.InnerTextAsync("tr[data-filter='Spam/ban'] td.status"));
        await page.FillAsync("#ban-reason", "link farm <script>alert(1)</script>");
        await page.ClickAsync("#ban-domain");
        await page.WaitForSelectorAsync("#notice");
        Assert.Equal("banned alpha-news.test", await page.InnerTextAsync("#notice"));
        Assert.Equal("FAIL", await page.InnerTextAsync("tr[data-filter='Spam/ban'] td.status"));
        Assert.Equal("banned", await page.GetAttributeAsync("#verdict", "data-reason"));
        // The report offers only what applies: the banned domain can be unbanned, not banned again.
        Assert.Equal(0, await page.Locator("#ban-domain").CountAsync());
        Assert.Equal("Unban domain alpha-news.test", await page.InnerTextAsync("#unban-domain"));
        var ban = (await f.JsonAsync(HttpMethod.Get, "/api/bans")).EnumerateArray().Single(b => b.GetProperty("name").GetString() == "alpha-news.test");
        Assert.Equal("domain", ban.GetProperty("kind").GetString());
        Assert.Equal("link farm <script>alert(1)</script>", ban.GetProperty("reason").GetString());
        Assert.False(string.IsNullOrEmpty(ban.GetProperty("by").GetString()));
        await page.ClickAsync("#checks > summary");
        Assert.Contains("\"fh_dont_index\":1", await page.InnerTextAsync("article[data-check*='Spam'] .response"));

        // A page of the banned site crawled now: none of its links is followed, each counted as from a banned source.
        long Banned(System.Text.Json.JsonElement figures) =>
            figures.GetProperty("links_not_followed").TryGetProperty("banned_source", out var n) ? n.GetInt64() : 0;
        long before = Banned((await f.Figures())!.Value);
        await f.JsonAsync(HttpMethod.Post, "/api/urls", new { urls = new[] { f.Url(Host, "/articles/3") } });
        await EventuallyAsync(async () => Banned((await f.Figures())!.Value) > before, "links of the banned site refused");
        // The refusal is counted as the page is processed; the page itself leaves the queue when its save commits.
        string submitted = f.Url(Host, "/articles/3");
        await EventuallyAsync(async () => !(await f.JsonAsync(HttpMethod.Get, $"/api/queue?host={Host}")).EnumerateArray()
            .Any(e => e.GetProperty("url").GetString() == submitted), "the submitted page stored");
        var queue = await f.JsonAsync(HttpMethod.Get, $"/api/queue?host={Host}");
        Assert.Empty(queue.EnumerateArray());

        await page.ClickAsync("#unban-domain");
        await page.WaitForSelectorAsync("#notice");
        Assert.Equal("unbanned alpha-news.test", await page.InnerTextAsync("#notice"));
        Assert.Equal("Ban domain alpha-news.test", await page.InnerTextAsync("#ban-domain"));
        Assert.Equal(0, await page.Locator("#unban-domain").CountAsync());
        await page.GotoAsync("/overview");
        Assert.Contains("link farm <script>alert(1)</script>", await page.InnerTextAsync("#operator-actions"));
        Assert.Empty(problems);
    }

    [SkippableFact]
    public async Task Pause_DropsTheLiveRateToZero_Resume_RaisesItAgain()
    {
        var (page, problems) = await OpenAsync();
        // Work for the crawl: enough pages at its pace to keep it busy through the test.
        var urls = Enumerable.Range(100, 300).Select(i => f.Url(Host, $"/articles/{i % 40}?page={i}")).ToArray();
        await f.JsonAsync(HttpMethod.Post, "/api/urls", new { urls });
        await page.GotoAsync("/overview");
        double Rate(string text) => double.Parse(text.Replace(",", "", StringComparison.Ordinal), CultureInfo.InvariantCulture);
        var rate = page.Locator("[data-live=pagesPerSecond]");
        await EventuallyAsync(async () => Rate(await rate.InnerTextAsync()) > 0, "pages/s above 0 while crawling");
        await page.ClickAsync("#pause-crawl-button");
        await page.WaitForSelectorAsync("#notice");
        Assert.Equal("Resume crawl", await page.InnerTextAsync("#pause-crawl-button"));
        await EventuallyAsync(async () => Rate(await rate.InnerTextAsync()) == 0 && await page.InnerTextAsync("[data-live=state]") == "paused",
            "pages/s at 0 while paused");
        await page.ClickAsync("#pause-crawl-button");
        await page.WaitForSelectorAsync("#notice");
        await EventuallyAsync(async () => Rate(await rate.InnerTextAsync()) > 0, "pages/s above 0 after resume");
        Assert.Equal("running", await page.InnerTextAsync("[data-live=state]"));
        Assert.Empty(problems);
    }

    /// <summary>The live test from the report: one click fetches the URL now and shows stored and live side by side.</summary>
    [SkippableFact]
    public async Task TestLiveUrl_FromTheReport_ShowsStoredBesideLive()
    {
        var (page, problems) = await OpenAsync();
        await page.GotoAsync("/inspect?url=" + Uri.EscapeDataString(f.Url("zeta-travel.test", "/")));
        await page.ClickAsync("#live-test-button");
        await page.WaitForSelectorAsync("#live-test");
        Assert.StartsWith("live test done", await page.InnerTextAsync("#notice"));
        Assert.Equal("200", await page.InnerTextAsync("#live-test tr[data-compare='HTTP status'] td.live"));
        // The stored column is the crawl's (this host is outside the service's scope: not known); the live one is now.
        var stored = System.Text.Json.JsonDocument.Parse((await f.SendAsync(HttpMethod.Get, "/api/inspect?url=" + Uri.EscapeDataString(f.Url("zeta-travel.test", "/")))).Body).RootElement;
        Assert.StartsWith(stored.GetProperty("verdict").GetProperty("label").GetString()!, await page.InnerTextAsync("#live-test tr[data-compare='Verdict'] td.stored"));
        Assert.False(string.IsNullOrWhiteSpace(await page.InnerTextAsync("#live-test tr[data-compare='Title'] td.live")));
        Assert.True(problems.Count == 0, string.Join("\n", problems));
    }

    /// <summary>A paused host is shown as such where it is acted on: the report offers Resume, the overview lists it with Resume.</summary>
    [SkippableFact]
    public async Task PausedHost_ShowsResume_OnTheReportAndTheOverview()
    {
        var (page, problems) = await OpenAsync();
        await page.GotoAsync("/inspect?url=" + Uri.EscapeDataString(f.Url(Host, "/articles/5")));
        Assert.Equal($"Pause host {Host}", await page.InnerTextAsync("#pause-host-button"));
        await page.ClickAsync("#pause-host-button");
        await page.WaitForSelectorAsync("#notice");
        Assert.Equal($"Resume host {Host}", await page.InnerTextAsync("#pause-host-button"));
        await page.GotoAsync("/overview");
        Assert.Contains(Host, await page.InnerTextAsync("#paused-hosts"));
        await page.ClickAsync($"#paused-hosts button:has-text('Resume {Host}')");
        await page.WaitForSelectorAsync("#notice");
        Assert.Equal(0, await page.Locator("#paused-hosts").CountAsync());
        Assert.Empty((await f.Figures())!.Value.GetProperty("paused_hosts").EnumerateArray());
        Assert.Empty(problems);
    }

    [SkippableFact]
    public async Task AFormPostedFromAnotherSite_IsRefused()
    {
        var (page, _) = await OpenAsync();
        // A page on another origin that posts a form to the service, as a hostile site would.
        await page.Context.RouteAsync("http://evil.test/**", route => route.FulfillAsync(new RouteFulfillOptions
        {
            ContentType = "text/html",
            Body = $"<form id=f method=post action='{f.BaseUrl}/actions/pause'><input name=host value='{Host}'></form><script>document.getElementById('f').submit()</script>",
        }));
        var response = await page.RunAndWaitForResponseAsync(() => page.GotoAsync("http://evil.test/"), r => r.Url.EndsWith("/actions/pause", StringComparison.Ordinal));
        Assert.True(response.Status is 401 or 403, $"status {response.Status}");
        Assert.Empty((await f.Figures())!.Value.GetProperty("paused_hosts").EnumerateArray());
    }

    [SkippableFact]
    public async Task WithoutTheToken_ThePageOffersNoAction_AndEveryActionIsRefused()
    {
        var (page, _) = await OpenAsync(signedIn: false);
        await page.GotoAsync("/inspect?url=" + Uri.EscapeDataString(f.Url(Host, "/")));
        Assert.Equal(0, await page.Locator("#actions").CountAsync());
        Assert.Equal(1, await page.Locator("#token-form").CountAsync());
        // The token page is styled: its stylesheet loads without the token (it holds no data).
        Assert.Equal("rgb(246, 247, 250)", await page.EvaluateAsync<string>("() => getComputedStyle(document.body).backgroundColor"));
        Assert.Equal(200, (await page.APIRequest.GetAsync("/assets/site.css")).Status);
        foreach (var path in new[] { "/actions/crawl", "/actions/ban", "/actions/unban", "/actions/pause", "/actions/resume", "/actions/seeds" })
        {
            var response = await page.APIRequest.PostAsync(path, new APIRequestContextOptions { Form = page.APIRequest.CreateFormData().Set("url", f.Url(Host, "/articles/1")) });
            Assert.Equal(401, response.Status);
        }
    }
}
