using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using Crawlscope.Tests.Cli;
using Crawlscope.Tests.Crawling;
using static Crawlscope.Tests.Operating.ServiceFixture;

namespace Crawlscope.Tests.Operating;

/// <summary><c>crawlscope run</c> as its users drive it: through the JSON API, with and without the token, from another site.</summary>
[Collection(CrawlCollection.Name)]
public class ServiceTests(ServiceFixture f) : IClassFixture<ServiceFixture>
{
    private async Task<JsonElement> ReportAsync(string url) => await f.JsonAsync(HttpMethod.Get, "/api/inspect?url=" + Uri.EscapeDataString(url));

    private async Task<bool> CrawledAsync(string url) => (await ReportAsync(url)).GetProperty("badges").GetProperty("crawled").GetBoolean();

    [Fact]
    public async Task SubmittedUrls_AreAnsweredOneByOne_AndAQueuedOneIsCrawledWithinSeconds()
    {
        string unreached = f.Url(Host, "/articles/33");
        Assert.False(await CrawledAsync(unreached));
        var answers = await f.JsonAsync(HttpMethod.Post, "/api/urls", new
        {
            urls = new[] { unreached, f.Url(Host, "/"), "http://elsewhere.example/page", "not a url", f.Url(Host, "/private/report") },
        });
        string Status(int i) => answers[i].GetProperty("status").GetString()!;
        string Reason(int i) => answers[i].GetProperty("reason").GetString()!;
        Assert.Equal(["queued", "known", "refused", "refused", "refused"], Enumerable.Range(0, 5).Select(Status));
        Assert.Equal("done", answers[1].GetProperty("state").GetString());
        Assert.StartsWith("scope: out_of_scope", Reason(2));
        Assert.StartsWith("invalid:", Reason(3));
        Assert.StartsWith("robots.txt: line", Reason(4));
        await EventuallyAsync(() => CrawledAsync(unreached), "the submitted URL crawled", TimeSpan.FromSeconds(15));

        var actions = await f.JsonAsync(HttpMethod.Get, "/api/actions");
        var mine = actions.EnumerateArray().First(a => a.GetProperty("target").GetString()!.EndsWith("/articles/33", StringComparison.Ordinal));
        Assert.Equal(("crawl_now", "token (api)"), (mine.GetProperty("action").GetString(), mine.GetProperty("actor").GetString()));
    }

    /// <summary>The live test over the API uses the running crawl's fetch settings (the sample web is reachable only
    /// through its resolve map and the private-network rule, so nothing else could fetch it) and answers the stored
    /// report with its live part.</summary>
    [Fact]
    public async Task LiveTest_FetchesNowWithTheServicesSettings_AndAnswersStoredBesideLive()
    {
        string url = f.Url("gamma-blog.test", "/articles/1");
        var report = await f.JsonAsync(HttpMethod.Post, "/api/inspect/live", new { url });
        var live = report.GetProperty("live");
        Assert.Equal(JsonValueKind.Object, live.ValueKind);
        Assert.StartsWith("live test: ", live.GetProperty("summary").GetString());
        Assert.Equal(200, live.GetProperty("page").GetProperty("http_status").GetInt32());
        Assert.Equal("indexed", live.GetProperty("verdict").GetProperty("reason").GetString());
        Assert.Contains(live.GetProperty("filters").EnumerateArray(), x => x.GetProperty("details").GetString() == "not evaluated live: needs the whole crawl");
        var actions = await f.JsonAsync(HttpMethod.Get, "/api/actions");
        Assert.Contains(actions.EnumerateArray(), a => a.GetProperty("action").GetString() == "live_test" && a.GetProperty("target").GetString() == url);
        var (status, body) = await f.SendAsync(HttpMethod.Post, "/api/inspect/live", new { url = "not a url" });
        Assert.Equal(System.Net.HttpStatusCode.BadRequest, status);
        Assert.Contains("invalid", body);
    }

    /// <summary>One set of counters, one meaning each: requests in progress apart from URLs leased ahead, and
    /// redirects counted apart from failures.</summary>
    [Fact]
    public async Task LiveFigures_SayInProgressApartFromLeased_AndRedirectsApartFromErrors()
    {
        var figures = (await f.Figures())!.Value;
        Assert.False(figures.GetProperty("errors_by_reason").TryGetProperty("redirected", out _));
        Assert.Equal(JsonValueKind.Number, figures.GetProperty("leased").ValueKind);
        Assert.Equal(JsonValueKind.Number, figures.GetProperty("redirects").ValueKind);
        // A redirect is counted as such, not as an error.
        var progress = new Crawlscope.Crawling.CrawlProgress();
        progress.Record(new Crawlscope.Crawling.ProcessOutcome(Crawlscope.Crawling.Disposition.Stored, Crawlscope.Vocabulary.FailureReason.Redirected, 301, 0, 1));
        progress.Record(new Crawlscope.Crawling.ProcessOutcome(Crawlscope.Crawling.Disposition.Stored, Crawlscope.Vocabulary.FailureReason.Http4xx, 404, 0, 0));
        Assert.Equal((1L, 1L), (progress.Redirects, progress.Errors));
        Assert.False(progress.Failures.ContainsKey("redirected"));
        var (_, overview) = await f.SendAsync(HttpMethod.Get, "/overview");
        Assert.Contains("Requests in progress", overview);
        Assert.Contains("URLs leased (in progress or ahead)", overview);
        Assert.DoesNotContain("<dt>In flight</dt>", overview);
    }

    /// <summary>The Bearer scheme is case-insensitive (RFC 9110); API answers are never cached.</summary>
    [Theory]
    [InlineData("bearer")]
    [InlineData("BEARER")]
    [InlineData("Bearer")]
    public async Task Token_AnySchemeCase_IsAccepted_AndApiAnswersAreNotCached(string scheme)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, f.BaseUrl + "/api/stats");
        request.Headers.TryAddWithoutValidation("Authorization", $"{scheme} {ServiceFixture.Token}");
        using var response = await f.Http.SendAsync(request);
        Assert.Equal(System.Net.HttpStatusCode.OK, response.StatusCode);
        Assert.True(response.Headers.CacheControl?.NoStore, "Cache-Control: no-store");
    }

    [Fact]
    public async Task AddedSeeds_WidenTheScope()
    {
        string elsewhere = f.Url("www.beta-shop.co.uk", "/articles/2");
        var before = (await f.JsonAsync(HttpMethod.Post, "/api/urls", new { urls = new[] { elsewhere } }))[0];
        Assert.StartsWith("scope: out_of_scope", before.GetProperty("reason").GetString());
        var seed = (await f.JsonAsync(HttpMethod.Post, "/api/seeds", new { urls = new[] { f.Url("www.beta-shop.co.uk", "/") } }))[0];
        Assert.Equal("queued", seed.GetProperty("status").GetString());
        var after = (await f.JsonAsync(HttpMethod.Post, "/api/urls", new { urls = new[] { elsewhere } }))[0];
        Assert.Equal("queued", after.GetProperty("status").GetString());
        await EventuallyAsync(() => CrawledAsync(elsewhere), "a URL of the new seed's site crawled", TimeSpan.FromSeconds(20));
    }

    [Fact]
    public async Task Recrawl_QueuesAKnownUrlAgain_AndTheQuotaIsPerSite()
    {
        string seed = f.Url(Host, "/");
        string before = (await ReportAsync(seed)).GetProperty("page").GetProperty("last_crawled").GetString()!;
        var answer = (await f.JsonAsync(HttpMethod.Post, "/api/recrawl", new { urls = new[] { seed } }))[0];
        Assert.Equal("queued", answer.GetProperty("status").GetString());
        await EventuallyAsync(async () => (await ReportAsync(seed)).GetProperty("page").GetProperty("last_crawled").GetString() != before, "the seed fetched again");

        var urls = Enumerable.Range(0, DailyQuota + 1).Select(i => f.Url(QuotaHost, $"/quota-{i}")).ToArray();
        var answers = await f.JsonAsync(HttpMethod.Post, "/api/urls", new { urls });
        Assert.Equal(DailyQuota, answers.EnumerateArray().Count(a => a.GetProperty("status").GetString() == "queued"));
        var last = answers[DailyQuota];
        Assert.Equal("refused", last.GetProperty("status").GetString());
        Assert.Contains($"quota: pickl.test has had its {DailyQuota} requested crawls of the last 24 hours", last.GetProperty("reason").GetString());
    }

    /// <summary>Bodies the framework cannot read are answered with an RFC 9457 problem document, never an empty 400 or a 500.</summary>
    [Theory]
    [InlineData("invalid-utf8")]
    [InlineData("utf-7")]
    [InlineData("deeply-nested")]
    [InlineData("lone-surrogate")]
    public async Task UnreadableBodies_AreProblemDetails(string kind)
    {
        HttpContent content = kind switch
        {
            "invalid-utf8" => new ByteArrayContent([(byte)'{', (byte)'"', (byte)'u', 0xC3, 0x28, (byte)'"', (byte)':', (byte)'1', (byte)'}']),
            "utf-7" => new StringContent("{\"urls\": [\"http://a.test/\"]}"),
            "deeply-nested" => new StringContent(new string('[', 5000) + new string(']', 5000)),
            _ => new StringContent("{\"urls\": [\"\\ud800\"]}"),
        };
        content.Headers.ContentType = System.Net.Http.Headers.MediaTypeHeaderValue.Parse(kind == "utf-7" ? "application/json; charset=utf-7" : "application/json");
        HttpResponseMessage? response = null;
        using var request = new HttpRequestMessage(HttpMethod.Post, f.BaseUrl + "/api/urls") { Content = content };
        request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", ServiceFixture.Token);
        response = await f.Http.SendAsync(request);
        string body = await response.Content.ReadAsStringAsync();
        Assert.True((int)response.StatusCode is >= 400 and < 500, $"{(int)response.StatusCode}: {body}");
        using var answer = JsonDocument.Parse(body);
        // The framework's own refusals are problem documents; a body it could read but that says nothing right gets the
        // route's error, which names the problem too.
        if (response.Content.Headers.ContentType?.MediaType == "application/problem+json")
            Assert.Equal((int)response.StatusCode, answer.RootElement.GetProperty("status").GetInt32());
        else Assert.False(string.IsNullOrWhiteSpace(answer.RootElement.GetProperty("error").GetString()));
    }

    /// <summary>A body past the API's limit is refused as it arrives (413), 16 at once, and the service answers after.</summary>
    [Fact]
    public async Task HugeBodies_AreRefusedAsTheyArrive()
    {
        string huge = "{\"urls\": [\"http://" + new string('a', 3 * 1024 * 1024) + ".test/\"]}";
        var statuses = await Task.WhenAll(Enumerable.Range(0, 16).Select(async _ =>
        {
            try
            {
                return (await f.SendAsync(HttpMethod.Post, "/api/urls", adjust: r => r.Content = new StringContent(huge, System.Text.Encoding.UTF8, "application/json"))).Status;
            }
            catch (HttpRequestException)
            {
                return System.Net.HttpStatusCode.RequestEntityTooLarge; // answered 413 and closed while the body was still being sent
            }
        }));
        Assert.All(statuses, s => Assert.Equal(System.Net.HttpStatusCode.RequestEntityTooLarge, s));
        var ok = await f.JsonAsync(HttpMethod.Post, "/api/urls", new { urls = new[] { f.Url(Host, "/after-huge-bodies") } });
        Assert.Equal("queued", ok[0].GetProperty("status").GetString());
    }

    /// <summary>Seeds count in the site's daily quota, and requests sent at once cannot all pass its check before any
    /// is recorded: 20 parallel requests queue exactly the quota.</summary>
    [Fact]
    public async Task DailyQuota_CountsSeeds_AndHoldsUnderParallelRequests()
    {
        var requests = Enumerable.Range(0, 20).Select(i => f.JsonAsync(HttpMethod.Post, i % 2 == 0 ? "/api/seeds" : "/api/urls",
            new { urls = new[] { f.Url("theta-forum.test", i % 2 == 0 ? $"/seeded-{i}" : $"/asked-{i}") } }));
        var answers = (await Task.WhenAll(requests)).Select(a => a[0]).ToList();
        // The first seed widens the scope; a /api/urls request before it is refused as out of scope, not counted.
        int queued = answers.Count(a => a.GetProperty("status").GetString() == "queued");
        Assert.Equal(DailyQuota, queued);
        Assert.All(answers.Where(a => a.GetProperty("status").GetString() == "refused"),
            a => Assert.Matches("^(quota: theta-forum.test has had its|scope: out_of_scope)", a.GetProperty("reason").GetString()));
    }

    [Fact]
    public async Task Pause_StopsNewFetches_Resume_StartsThemAgain_AndAHostCanBePausedAlone()
    {
        string url = f.Url(Host, "/articles/34");
        try
        {
            var paused = await f.JsonAsync(HttpMethod.Post, "/api/pause");
            Assert.True(paused.GetProperty("paused").GetBoolean());
            Assert.Equal("queued", (await f.JsonAsync(HttpMethod.Post, "/api/urls", new { urls = new[] { url } }))[0].GetProperty("status").GetString());
            await Task.Delay(2500);
            Assert.False(await CrawledAsync(url));
            var queue = await f.JsonAsync(HttpMethod.Get, $"/api/queue?host={Host}");
            Assert.Contains(queue.EnumerateArray(), q => q.GetProperty("url").GetString() == url && q.GetProperty("state").GetString() == "queued");
            Assert.True((await f.Figures())!.Value.GetProperty("paused").GetBoolean());
        }
        finally
        {
            Assert.False((await f.JsonAsync(HttpMethod.Post, "/api/resume")).GetProperty("paused").GetBoolean());
        }
        await EventuallyAsync(() => CrawledAsync(url), "the URL crawled after resume", TimeSpan.FromSeconds(15));

        string held = f.Url(Host, "/articles/35");
        try
        {
            await f.JsonAsync(HttpMethod.Post, "/api/pause", new { host = Host });
            await f.JsonAsync(HttpMethod.Post, "/api/urls", new { urls = new[] { held } });
            await Task.Delay(2000);
            Assert.False(await CrawledAsync(held));
        }
        finally
        {
            await f.JsonAsync(HttpMethod.Post, "/api/resume", new { host = Host });
        }
        await EventuallyAsync(() => CrawledAsync(held), "the host's URL crawled after its resume", TimeSpan.FromSeconds(15));
    }

    [Fact]
    public async Task Ban_MarksTheSite_AndUnbanLiftsIt()
    {
        string url = f.Url(QuotaHost, "/");
        var ban = await f.JsonAsync(HttpMethod.Post, "/api/bans", new { name = "PICKL.test", reason = "tests" });
        Assert.Equal("pickl.test", ban.GetProperty("name").GetString());
        var report = await ReportAsync(url);
        var spam = report.GetProperty("checks").EnumerateArray().First(c => c.GetProperty("name").GetString()!.Contains("Spam", StringComparison.Ordinal));
        Assert.Contains("\"fh_dont_index\":1", spam.GetProperty("response").GetString());
        Assert.False(report.GetProperty("badges").GetProperty("indexable").GetBoolean());
        Assert.Equal(HttpStatusCode.OK, (await f.SendAsync(HttpMethod.Delete, "/api/bans/pickl.test")).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await f.SendAsync(HttpMethod.Delete, "/api/bans/pickl.test")).Status);
        Assert.Equal(HttpStatusCode.BadRequest, (await f.SendAsync(HttpMethod.Post, "/api/bans", new { name = "not a host/path" })).Status);
    }

    [Fact]
    public async Task WithoutTheToken_EveryActionIsRefused_AndNothingChanges()
    {
        string url = f.Url(Host, "/articles/36");
        foreach (var (method, path, body) in new (HttpMethod, string, object?)[]
                 {
                     (HttpMethod.Post, "/api/urls", new { urls = new[] { url } }), (HttpMethod.Post, "/api/recrawl", new { urls = new[] { url } }),
                     (HttpMethod.Post, "/api/pause", null), (HttpMethod.Post, "/api/resume", null), (HttpMethod.Post, "/api/bans", new { name = "alpha-news.test" }),
                     (HttpMethod.Delete, "/api/bans/alpha-news.test", null), (HttpMethod.Get, "/api/queue?host=" + Host, null), (HttpMethod.Get, "/api/events", null),
                     (HttpMethod.Post, "/actions/crawl", null), (HttpMethod.Post, "/actions/pause", null), (HttpMethod.Get, "/metrics", null),
                 })
            Assert.Equal(HttpStatusCode.Unauthorized, (await f.SendAsync(method, path, body, token: false)).Status);
        Assert.Equal(HttpStatusCode.OK, (await f.SendAsync(HttpMethod.Get, "/healthz", token: false)).Status);
        Assert.Equal(HttpStatusCode.OK, (await f.SendAsync(HttpMethod.Get, "/readyz", token: false)).Status);
        var queue = await f.JsonAsync(HttpMethod.Get, $"/api/queue?host={Host}");
        Assert.DoesNotContain(queue.EnumerateArray(), q => q.GetProperty("url").GetString() == url);
        Assert.False((await f.Figures())!.Value.GetProperty("paused").GetBoolean());
    }

    [Fact]
    public async Task RequestsFromAnotherSite_OrFormsWithoutTheAntiForgeryToken_AreRefused()
    {
        var crossSite = await f.SendAsync(HttpMethod.Post, "/api/pause", adjust: r => r.Headers.Add("Origin", "http://evil.example"));
        Assert.Equal(HttpStatusCode.Forbidden, crossSite.Status);
        var fetchMetadata = await f.SendAsync(HttpMethod.Post, "/api/pause", adjust: r => r.Headers.Add("Sec-Fetch-Site", "cross-site"));
        Assert.Equal(HttpStatusCode.Forbidden, fetchMetadata.Status);
        var form = await f.SendAsync(HttpMethod.Post, "/actions/pause", adjust: r => r.Content = new FormUrlEncodedContent([new("host", Host)]));
        Assert.Equal(HttpStatusCode.BadRequest, form.Status);
        Assert.False((await f.Figures())!.Value.GetProperty("paused_hosts").EnumerateArray().Any());
    }

    [Fact]
    public async Task TheOpenApiDocument_DescribesEveryRouteOfTheService_WithItsErrors()
    {
        var doc = await f.JsonAsync(HttpMethod.Get, "/openapi/v1.json");
        var paths = doc.GetProperty("paths");
        foreach (var (path, method) in new[]
                 {
                     ("/api/urls", "post"), ("/api/recrawl", "post"), ("/api/queue", "get"), ("/api/pause", "post"), ("/api/resume", "post"),
                     ("/api/bans", "post"), ("/api/bans/{name}", "delete"), ("/api/actions", "get"), ("/api/events", "get"), ("/api/seeds", "post"),
                 })
        {
            var responses = paths.GetProperty(path).GetProperty(method).GetProperty("responses");
            Assert.True(responses.TryGetProperty("401", out _) && responses.TryGetProperty("403", out _), $"{method} {path}: no 401/403");
        }
        Assert.True(paths.GetProperty("/api/urls").GetProperty("post").GetProperty("responses").TryGetProperty("400", out _));
    }

    [Fact]
    public async Task Metrics_CountWhatTheStoreHolds()
    {
        // Fetch rows in the store and stored outcomes counted by the metrics come from the same saves; compared when quiet.
        await EventuallyAsync(async () =>
        {
            var (status, text) = await f.SendAsync(HttpMethod.Get, "/metrics");
            Assert.Equal(HttpStatusCode.OK, status);
            var stats = await f.JsonAsync(HttpMethod.Get, "/api/stats");
            var byStatus = Regex.Matches(text, @"^crawlscope_pages_stored_total\{status=""([^""]+)"",reason=""[^""]+""\} (\d+)$", RegexOptions.Multiline)
                .GroupBy(m => m.Groups[1].Value).ToDictionary(g => g.Key, g => g.Sum(m => long.Parse(m.Groups[2].Value, System.Globalization.CultureInfo.InvariantCulture)));
            long stored = byStatus.Values.Sum();
            return stored > 0 && stored == stats.GetProperty("fetches").GetInt64()
                && text.Contains("crawlscope_fetch_duration_seconds_count", StringComparison.Ordinal)
                && text.Contains("crawlscope_store_commit_duration_seconds_bucket", StringComparison.Ordinal)
                && text.Contains("crawlscope_robots_lookups_total{source=\"memory\"}", StringComparison.Ordinal)
                && Regex.IsMatch(text, @"^crawlscope_queue_depth \d+$", RegexOptions.Multiline);
        }, "metrics equal to the store's counts");
    }

    [Fact]
    public async Task Metrics_SayWhereTheMemoryIs()
    {
        var (status, text) = await f.SendAsync(HttpMethod.Get, "/metrics");
        Assert.Equal(HttpStatusCode.OK, status);
        double Gauge(string name) => double.Parse(Regex.Match(text, $@"^{name} ([0-9.eE+-]+)$", RegexOptions.Multiline) is { Success: true } m
            ? m.Groups[1].Value : throw new Xunit.Sdk.XunitException($"no {name} in /metrics"), System.Globalization.CultureInfo.InvariantCulture);
        double heap = Gauge("crawlscope_managed_heap_bytes"), committed = Gauge("crawlscope_gc_committed_bytes");
        Assert.InRange(heap, 1, committed);
        // The service's store is a SQLite file: its page cache is SQLite's own memory, not the managed heap's.
        Assert.True(Gauge("crawlscope_sqlite_memory_bytes") > 0, "SQLite's memory reported");
    }
}
