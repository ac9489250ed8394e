using System.Net;
using System.Text.Json;
using Crawlscope.SampleWeb;
using Crawlscope.Tests.Crawling;
using Crawlscope.Web;
using Microsoft.AspNetCore.Builder;

namespace Crawlscope.Tests.Web;

/// <summary>The inspector's web site and JSON API over HTTP, on a crawl of the sample web.</summary>
[Collection(CrawlCollection.Name)]
public class InspectorSiteTests(InspectorSiteFixture f) : IClassFixture<InspectorSiteFixture>
{
    private async Task<JsonElement> ApiAsync(string query)
    {
        var response = await f.Http.GetAsync("/api/inspect?" + query);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType!.MediaType);
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
    }

    [Fact]
    public async Task ApiInspect_CarriesEveryFieldOfTheIssue()
    {
        var url = f.Crawl.Url("www.pickl.test", SampleSites.SeedArticlePath);
        var r = await ApiAsync("url=" + Uri.EscapeDataString(url));
        foreach (var name in new[] { "url", "key", "shard", "shard_node", "root_hash", "checks", "badges", "filters", "page" })
            Assert.True(r.TryGetProperty(name, out _), $"missing {name}");
        Assert.Equal(url, r.GetProperty("url").GetString());
        Assert.Equal("local", r.GetProperty("shard_node").GetString());
        var checks = r.GetProperty("checks").EnumerateArray().ToList();
        Assert.Equal(5, checks.Count);
        foreach (var c in checks)
            foreach (var name in new[] { "name", "query", "response", "elapsed_ms", "skipped", "result" })
                Assert.True(c.TryGetProperty(name, out _), $"check lacks {name}");
        Assert.Contains("src_unparsed = $key", checks[1].GetProperty("query").GetString());
        var badges = r.GetProperty("badges");
        // Booleans for programs (a string "NOT INDEXABLE" would test true), labels for people.
        Assert.Equal(JsonValueKind.True, badges.GetProperty("indexable").ValueKind);
        Assert.Equal(JsonValueKind.True, badges.GetProperty("crawled").ValueKind);
        Assert.Equal(JsonValueKind.True, badges.GetProperty("robots_allowed").ValueKind);
        Assert.Equal("INDEXABLE", badges.GetProperty("indexable_label").GetString());
        Assert.Equal("CRAWLED", badges.GetProperty("crawled_label").GetString());
        Assert.Equal("ALLOWED", badges.GetProperty("robots_label").GetString());
        Assert.NotEqual(JsonValueKind.Null, badges.GetProperty("crawled_at").ValueKind);
        var filters = r.GetProperty("filters").EnumerateArray().ToList();
        Assert.Equal("download_http_code = 200", filters[0].GetProperty("condition").GetString());
        Assert.All(filters, x => Assert.Equal("PASS", x.GetProperty("status").GetString()));
        var page = r.GetProperty("page");
        foreach (var name in new[] { "url", "last_crawled", "first_indexed", "http_status", "meta_title", "meta_description", "meta_canonical",
                     "boilerpipe_text", "markdown", "readable_markdown", "shard", "root_hash", "unparsed_url" })
            Assert.True(page.TryGetProperty(name, out _), $"page lacks {name}");
        Assert.Equal(200, page.GetProperty("http_status").GetInt32());
        Assert.Equal(r.GetProperty("key").GetString(), page.GetProperty("unparsed_url").GetString());
        Assert.Equal("article", page.GetProperty("page_type").GetString());
        Assert.InRange(page.GetProperty("page_type_confidence").GetInt32(), 1, 100);
    }

    /// <summary>The page indexing report over the sample web: its counts are the store's, they add up, and every
    /// example's own inspection gives the reason it is listed under.</summary>
    [Fact]
    public async Task ApiIndexing_CountsAreTheStores_AndEachExampleIsInspectedAsItsReason()
    {
        var response = await f.Http.GetAsync("/api/indexing");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var r = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        long pages = await f.Crawl.Store.PageCountAsync();
        long queued = Convert.ToInt64((await f.Crawl.Store.InspectAsync("SELECT COUNT(*) AS n FROM frontier WHERE state IN (0, 1)", [])).Rows[0]["n"]);
        Assert.Equal(pages + queued, r.GetProperty("total").GetInt64());
        var reasons = r.GetProperty("reasons").EnumerateArray().ToList();
        Assert.Equal(r.GetProperty("total").GetInt64(), reasons.Sum(x => x.GetProperty("count").GetInt64()));
        Assert.Equal(r.GetProperty("indexed").GetInt64(), reasons.Where(x => x.GetProperty("reason").GetString() == "indexed").Sum(x => x.GetProperty("count").GetInt64()));
        var names = reasons.Select(x => x.GetProperty("reason").GetString()).ToList();
        foreach (var expected in new[] { "indexed", "blocked_by_robots", "redirect", "not_found", "server_error", "not_html", "noindex", "canonical_elsewhere", "spam" })
            Assert.Contains(expected, names);
        foreach (var reason in reasons)
            foreach (var example in reason.GetProperty("examples").EnumerateArray())
                Assert.Equal(reason.GetProperty("reason").GetString(), (await ApiAsync("url=" + Uri.EscapeDataString(example.GetString()!))).GetProperty("verdict").GetProperty("reason").GetString());
        Assert.Contains(r.GetProperty("queries").EnumerateArray(), q => q.GetProperty("sql").GetString()!.Contains("GROUP BY reason", StringComparison.Ordinal));

        var listed = JsonDocument.Parse(await f.Http.GetStringAsync("/api/indexing?reason=blocked_by_robots&host=www.alpha-news.test&limit=5")).RootElement;
        Assert.Equal("blocked_by_robots", listed.GetProperty("reason").GetString());
        Assert.Contains(listed.GetProperty("urls").EnumerateArray(), u => u.GetString() == f.Crawl.Url("www.alpha-news.test", "/private/report"));
        Assert.All(listed.GetProperty("reasons").EnumerateArray().SelectMany(x => x.GetProperty("examples").EnumerateArray()),
            u => Assert.StartsWith("http://www.alpha-news.test:", u.GetString()));

        var bad = await f.Http.GetAsync("/api/indexing?reason=blocked");
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Contains("blocked_by_robots", await bad.Content.ReadAsStringAsync());
    }

    /// <summary>A page's links with their anchors, rel, whether the crawl followed each and why not, and the page
    /// at the other end; the pages linking to it with their anchors.</summary>
    [Fact]
    public async Task ApiLinks_SayWhichLinksWereFollowed_AndWhyNot()
    {
        string home = f.Crawl.Url("www.alpha-news.test", "/");
        var outlinks = JsonDocument.Parse(await f.Http.GetStringAsync($"/api/links?url={Uri.EscapeDataString(home)}&direction=out&limit=1000")).RootElement.EnumerateArray().ToList();
        Assert.NotEmpty(outlinks);
        var article = outlinks.First(l => l.GetProperty("url").GetString() == f.Crawl.Url("www.alpha-news.test", "/articles/0"));
        Assert.True(article.GetProperty("followed").GetBoolean());
        Assert.Equal(JsonValueKind.Null, article.GetProperty("reason").ValueKind);
        Assert.Equal("http_200", article.GetProperty("target_state").GetString());
        Assert.False(string.IsNullOrEmpty(article.GetProperty("anchor").GetString()));
        // The home page links other sites, which the crawl's scope keeps out.
        var refused = outlinks.Where(l => !l.GetProperty("followed").GetBoolean()).ToList();
        Assert.All(refused, l => Assert.False(string.IsNullOrEmpty(l.GetProperty("reason").GetString())));
        var robots = outlinks.FirstOrDefault(l => l.GetProperty("url").GetString()!.EndsWith("/private/report", StringComparison.Ordinal));
        if (robots.ValueKind != JsonValueKind.Undefined) Assert.Equal("robots_disallowed", robots.GetProperty("target_state").GetString());

        string target = f.Crawl.Url("www.alpha-news.test", "/articles/0");
        var inlinks = JsonDocument.Parse(await f.Http.GetStringAsync($"/api/links?url={Uri.EscapeDataString(target)}&direction=in")).RootElement.EnumerateArray().ToList();
        Assert.Contains(inlinks, l => l.GetProperty("url").GetString() == home);
        var paged = JsonDocument.Parse(await f.Http.GetStringAsync($"/api/links?url={Uri.EscapeDataString(home)}&limit=2&offset=1")).RootElement.EnumerateArray()
            .Select(l => l.GetProperty("url").GetString()).ToList();
        Assert.Equal(outlinks.Skip(1).Take(2).Select(l => l.GetProperty("url").GetString()), paged);
        Assert.Equal(HttpStatusCode.BadRequest, (await f.Http.GetAsync($"/api/links?url={Uri.EscapeDataString(home)}&direction=sideways")).StatusCode);

        var page = await f.Http.GetStringAsync("/inspect?url=" + Uri.EscapeDataString(home));
        Assert.Contains("id=\"outlinks\"", page);
    }

    /// <summary>The home page is a place to start: pages by reason, each with an example to open, and the URLs fetched last.</summary>
    [Fact]
    public async Task HomePage_ListsReasonsWithExamples_AndRecentFetches()
    {
        string page = await f.Http.GetStringAsync("/");
        Assert.Contains("id=\"url-lookup\"", page);
        Assert.Contains("data-reason=\"blocked_by_robots\"", page);
        Assert.Contains("href=\"/indexing?reason=noindex\"", page);
        Assert.Matches("<a href=\"/inspect\\?url=http%3A%2F%2F[^\"]+\" class=\"example\">", page);
        Assert.Contains("id=\"recent\"", page);
        Assert.Matches("<li><a href=\"/inspect\\?url=[^\"]+\">http://[^<]+</a> — (HTTP \\d+|no answer)", page);
    }

    /// <summary>The crawl stats of the sample web's crawl: its counts are the fetch history's, by day and response,
    /// content type, host and failure, and each host's robots.txt is listed; the page renders them with a chart.</summary>
    [Fact]
    public async Task ApiCrawlStats_CountTheFetchHistory()
    {
        var r = JsonDocument.Parse(await f.Http.GetStringAsync("/api/crawl-stats")).RootElement;
        long fetches = Convert.ToInt64((await f.Crawl.Store.InspectAsync("SELECT COUNT(*) AS n FROM fetches", [])).Rows[0]["n"]);
        long urls = Convert.ToInt64((await f.Crawl.Store.InspectAsync("SELECT COUNT(DISTINCT src_unparsed) AS n FROM fetches", [])).Rows[0]["n"]);
        Assert.Equal(fetches, r.GetProperty("requests").GetInt64());
        Assert.Equal(urls, r.GetProperty("discovery").GetInt64());
        Assert.Equal(fetches - urls, r.GetProperty("recrawl").GetInt64());
        Assert.Equal(fetches, r.GetProperty("daily").EnumerateArray().Sum(d => d.GetProperty("requests").GetInt64()));
        var classes = r.GetProperty("daily").EnumerateArray().Select(d => d.GetProperty("response_class").GetString()).ToHashSet();
        foreach (var expected in new[] { "2xx", "3xx", "4xx", "5xx", "no_answer" }) Assert.Contains(expected, classes);
        Assert.Contains(r.GetProperty("content_types").EnumerateArray(), c => c.GetProperty("name").GetString() == "text/html");
        Assert.Contains(r.GetProperty("failures").EnumerateArray(), c => c.GetProperty("name").GetString() == "timeout");
        Assert.Contains(r.GetProperty("robots").EnumerateArray(), c => c.GetProperty("host_key").GetString()!.Contains("//www.alpha-news.test", StringComparison.Ordinal));
        Assert.True(r.GetProperty("mean_response_ms").GetDouble() > 0);

        var host = JsonDocument.Parse(await f.Http.GetStringAsync("/api/crawl-stats?host=nu-errors.test")).RootElement;
        Assert.Equal(["nu-errors.test"], host.GetProperty("hosts").EnumerateArray().Select(h => h.GetProperty("host").GetString()));
        string page = await f.Http.GetStringAsync("/crawl-stats");
        Assert.Contains("id=\"crawl-chart\"", page);
        Assert.Contains("id=\"by-host\"", page);
    }

    [Fact]
    public async Task Cli_InspectLinks_ListsFollowedAndNotFollowed()
    {
        string home = f.Crawl.Url("www.alpha-news.test", "/");
        var r = await Task.Run(() => Cli.CliRunner.Run("inspect", home, "--links", "out", "--limit", "1000", "--db", f.Crawl.DbPath));
        Assert.True(r.ExitCode == 0, r.Stderr);
        Assert.StartsWith($"links of {home}: ", r.Stdout);
        Assert.Contains($"followed                     http_200           {f.Crawl.Url("www.alpha-news.test", "/articles/0")}", r.Stdout);
        var wrong = Cli.CliRunner.Run("inspect", home, "--links", "sideways", "--db", f.Crawl.DbPath);
        Assert.Equal(2, wrong.ExitCode);
    }

    [Fact]
    public async Task Cli_StatsIndexing_PrintsTheReport_AndRefusesAnUnknownReason()
    {
        var r = await Task.Run(() => Cli.CliRunner.Run("stats", "--indexing", "--db", f.Crawl.DbPath));
        Assert.True(r.ExitCode == 0, r.Stderr);
        Assert.Matches(@"^page indexing: \d+ URLs known, \d+ indexed, \d+ not indexed", r.Stdout);
        Assert.Contains("Blocked by robots.txt [blocked_by_robots]", r.Stdout);
        var listed = Cli.CliRunner.Run("stats", "--indexing", "--host", "www.alpha-news.test", "--reason", "blocked_by_robots", "--db", f.Crawl.DbPath);
        Assert.True(listed.ExitCode == 0, listed.Stderr);
        Assert.Contains(f.Crawl.Url("www.alpha-news.test", "/private/report"), listed.Stdout);
        var wrong = Cli.CliRunner.Run("stats", "--indexing", "--reason", "blocked", "--db", f.Crawl.DbPath);
        Assert.Equal(2, wrong.ExitCode);
        Assert.Contains("--reason must be one of", wrong.Stderr);
    }

    [Fact]
    public async Task ApiDirectLookup_EqualsUrlLookup()
    {
        var byUrl = await ApiAsync("url=" + Uri.EscapeDataString(f.Crawl.Url("www.alpha-news.test", "/articles/1")));
        var byKey = await ApiAsync($"shard={byUrl.GetProperty("shard").GetInt32()}&key={Uri.EscapeDataString(byUrl.GetProperty("key").GetString()!)}");
        Assert.Equal(byUrl.GetProperty("key").GetString(), byKey.GetProperty("key").GetString());
        Assert.Equal(byUrl.GetProperty("page").GetProperty("meta_title").GetString(), byKey.GetProperty("page").GetProperty("meta_title").GetString());
    }

    [Theory]
    [InlineData("url=")]
    [InlineData("url=javascript%3Aalert(1)")]
    [InlineData("key=test%2Cpickl!www%2C%2F%20h80")]
    [InlineData("shard=1&key=x'%20OR%201%3D1--")]
    [InlineData("shard=-4&key=test%2Cpickl!www%2C%2F%20h80")]
    public async Task ApiBadInput_Is400WithAnError(string query)
    {
        var response = await f.Http.GetAsync("/api/inspect?" + query);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.False(string.IsNullOrEmpty(body.GetProperty("error").GetString()));
    }

    [Theory]
    [InlineData("http://www.pickl.test/'; DROP TABLE pages; --")]
    [InlineData("http://www.pickl.test/\" OR \"1\"=\"1")]
    [InlineData("http://www.pickl.test/?q=1' UNION SELECT * FROM bans --")]
    public async Task SqlInUrls_IsData_TheStoreIsIntact(string url)
    {
        long before = await f.Crawl.Store.PageCountAsync();
        var r = await ApiAsync("url=" + Uri.EscapeDataString(url));
        Assert.False(r.GetProperty("known").GetBoolean());
        Assert.Equal("NOT FETCHED", r.GetProperty("badges").GetProperty("crawled_label").GetString());
        Assert.False(r.GetProperty("badges").GetProperty("crawled").GetBoolean());
        Assert.Equal(before, await f.Crawl.Store.PageCountAsync());
        // The key travels as a bound parameter: the query text is the same as for any other URL.
        Assert.DoesNotContain("DROP TABLE", r.GetProperty("checks")[1].GetProperty("query").GetString()!.Split("\n-- ")[0]);
    }

    [Theory]
    [InlineData("/")]
    [InlineData("/overview")]
    [InlineData("/api/stats")]
    [InlineData("/inspect?url=http%3A%2F%2Fwww.pickl.test%2F")]
    public async Task EveryResponse_SendsAStrictContentSecurityPolicy(string path)
    {
        var response = await f.Http.GetAsync(path);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        string csp = string.Join(";", response.Headers.GetValues("Content-Security-Policy"));
        Assert.Contains("default-src 'none'", csp);
        Assert.Contains("script-src 'self'", csp);
        Assert.DoesNotContain("unsafe-inline", csp);
        Assert.Equal("nosniff", response.Headers.GetValues("X-Content-Type-Options").Single());
        Assert.Equal("DENY", response.Headers.GetValues("X-Frame-Options").Single());
    }

    [Fact]
    public async Task HostilePage_IsEncodedInTheHtml()
    {
        var response = await f.Http.GetAsync(f.InspectPath("xi-files.test", "/hostile"));
        string html = await response.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("window.__xss", html); // the hostile text is shown ...
        Assert.DoesNotContain("<script>window.__xss", html); // ... but never as markup
        Assert.DoesNotContain("<img src=x", html, StringComparison.OrdinalIgnoreCase);
        // No tag carries an event handler (the handlers appear only as encoded text).
        Assert.DoesNotMatch(new System.Text.RegularExpressions.Regex(@"<[a-z][^<>]*\son[a-z]+\s*=", System.Text.RegularExpressions.RegexOptions.IgnoreCase), html);
        Assert.DoesNotContain("href=\"javascript:", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("href=\"data:", html, StringComparison.OrdinalIgnoreCase);
        Assert.Equal(1, System.Text.RegularExpressions.Regex.Count(html, "<script", System.Text.RegularExpressions.RegexOptions.IgnoreCase));
    }

    [Fact]
    public async Task Overview_ShowsCountsHostsFailuresAndAChart()
    {
        string html = await f.Http.GetStringAsync("/overview");
        var stats = await f.Crawl.Store.StatsAsync();
        Assert.Contains(stats.Pages.ToString("N0", System.Globalization.CultureInfo.InvariantCulture), html);
        Assert.Contains("www.alpha-news.test", html);
        Assert.Contains(stats.ByFailureReason.Keys.First(), html);
        Assert.Contains("<svg", html);
        Assert.Contains("<rect", html);
        Assert.Contains("/inspect?url=", html);
    }

    [Fact]
    public async Task OpenApi_DescribesTheApi_InSnakeCase()
    {
        var doc = JsonDocument.Parse(await f.Http.GetStringAsync("/openapi/v1.json")).RootElement;
        var paths = doc.GetProperty("paths");
        Assert.True(paths.TryGetProperty("/api/inspect", out var inspect));
        Assert.True(paths.TryGetProperty("/api/stats", out _));
        var parameters = inspect.GetProperty("get").GetProperty("parameters").EnumerateArray().Select(p => p.GetProperty("name").GetString()).ToList();
        Assert.Equal(["url", "shard", "key"], parameters);
        var shard = inspect.GetProperty("get").GetProperty("parameters").EnumerateArray().Single(p => p.GetProperty("name").GetString() == "shard");
        Assert.Equal("integer", shard.GetProperty("schema").GetProperty("type").GetString());
        // Operations are grouped by area, not by the assembly's name.
        var tags = paths.EnumerateObject().SelectMany(p => p.Value.EnumerateObject()).SelectMany(o => o.Value.GetProperty("tags").EnumerateArray()).Select(t => t.GetString()).ToHashSet();
        Assert.Contains("Inspection", tags);
        Assert.Contains("Reports", tags);
        Assert.DoesNotContain("Crawlscope.Web", tags);
        string text = doc.GetRawText();
        Assert.Contains("\"readable_markdown\"", text);
        Assert.Contains("\"shard_node\"", text);
        Assert.DoesNotContain("\"ReadableMarkdown\"", text);
    }

    [Fact]
    public void Site_ListensOnLoopbackByDefault()
    {
        var options = new InspectorSiteOptions { Store = f.Crawl.Store, Keyer = f.Crawl.Keyer };
        Assert.StartsWith("http://127.0.0.1:", options.Urls);
        Assert.All(f.Site.Urls, u => Assert.True(IPAddress.IsLoopback(IPAddress.Parse(new Uri(u).Host))));
    }

    [Fact]
    public async Task Token_ProtectsEveryRoute()
    {
        await using var site = InspectorSite.Build(new InspectorSiteOptions { Store = f.Crawl.Store, Keyer = f.Crawl.Keyer, Urls = "http://127.0.0.1:0", Token = "s3cret-token" });
        await site.StartAsync();
        var baseUri = new Uri(site.Urls.First());
        using var anonymous = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false, UseCookies = false }) { BaseAddress = baseUri };
        foreach (var path in new[] { "/", "/overview", "/inspect?url=http%3A%2F%2Fx.test%2F", "/api/inspect?url=http%3A%2F%2Fx.test%2F", "/api/stats", "/openapi/v1.json" })
        {
            Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync(path)).StatusCode);
            using var wrong = new HttpRequestMessage(HttpMethod.Get, path) { Headers = { { "Authorization", "Bearer s3cret-tokeX" } } };
            Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.SendAsync(wrong)).StatusCode);
            using var right = new HttpRequestMessage(HttpMethod.Get, path) { Headers = { { "Authorization", "Bearer s3cret-token" } } };
            Assert.Equal(HttpStatusCode.OK, (await anonymous.SendAsync(right)).StatusCode);
        }

        // The stylesheet, script and icon hold no data: the token page needs them, so they are served to anyone.
        Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync("/assets/site.css")).StatusCode);

        // A person opens a page once with ?token=: a cookie is set and the token leaves the address.
        var first = await anonymous.GetAsync("/overview?token=s3cret-token");
        Assert.Equal(HttpStatusCode.Redirect, first.StatusCode);
        Assert.Equal("/overview", first.Headers.Location!.OriginalString);
        string cookie = first.Headers.GetValues("Set-Cookie").Single();
        Assert.Contains("httponly", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("samesite=strict", cookie, StringComparison.OrdinalIgnoreCase);
        using var withCookie = new HttpRequestMessage(HttpMethod.Get, "/overview") { Headers = { { "Cookie", cookie.Split(';')[0] } } };
        Assert.Equal(HttpStatusCode.OK, (await anonymous.SendAsync(withCookie)).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync("/overview?token=nope")).StatusCode);
    }
}
