using System.Text.Json;
using Crawlscope.Inspection;
using Crawlscope.Model;
using Crawlscope.SampleWeb;
using Crawlscope.Tests.Cli;
using Crawlscope.Tests.Crawling;
using Crawlscope.Urls;
using Crawlscope.Vocabulary;

namespace Crawlscope.Tests.Inspection;

[Collection(CrawlCollection.Name)]
public class UrlInspectorTests(SampleWebCrawlFixture f) : IClassFixture<SampleWebCrawlFixture>
{
    private UrlInspector Inspector => new(f.Store, f.Keyer);

    private Task<InspectionReport> InspectAsync(string host, string path) => Inspector.InspectAsync(f.Identify(f.Url(host, path)));

    [Fact]
    public async Task SeedLikePage_IsIndexable_WithFiveChecksAndTheSeedsFilters()
    {
        var r = await InspectAsync("www.pickl.test", SampleSites.SeedArticlePath);
        Assert.Equal(["Shard Calculation", "Crawled Status Check", "Robots.txt Check", "Spam/Ban Check", "Seen Status Check"], r.Checks.Select(c => c.Name));
        Assert.Contains($"Calculated Shard: {r.Shard} (from local)", r.Checks[0].Response);
        Assert.Contains("FROM pages WHERE shard = $shard AND src_unparsed = $key", r.Checks[1].Query);
        Assert.Contains("\"download_http_code\":200", r.Checks[1].Response);
        Assert.True(r.Checks[4].Skipped);
        Assert.Equal("Skipped - page is already crawled", r.Checks[4].Result);
        Assert.Equal(new[] { "INDEXABLE", "CRAWLED", "ALLOWED" }, new[] { r.Badges.IndexableLabel, r.Badges.CrawledLabel, r.Badges.RobotsLabel });
        Assert.Equal((true, true, (bool?)true), (r.Badges.Indexable, r.Badges.Crawled, r.Badges.RobotsAllowed));
        Assert.Equal(["HTTP status", "Age cutoff", "History drop", "Spam/ban", "Canonical"], r.Filters.Take(5).Select(x => x.Name));
        Assert.Equal("download_http_code = 200", r.Filters[0].Condition);
        Assert.Equal("fh_dont_index != 1 AND ml_spam_score = 0", r.Filters[3].Condition);
        Assert.All(r.Filters, x => Assert.Equal("PASS", x.Label));
        Assert.Equal("Understanding Python Global Interpreter Lock (GIL) - Pickl.AI", r.Page!.MetaTitle);
        Assert.Equal(r.Key, r.Page.UnparsedUrl);
    }

    [Fact]
    public async Task SitemapListedPage_ShowsItsSitemap()
    {
        var r = await InspectAsync("www.alpha-news.test", "/sitemap-only");
        Assert.Contains(r.Page!.Sitemaps, s => s.EndsWith("/sitemap-1.xml.gz", StringComparison.Ordinal));
    }

    /// <summary>The verdict comes first and names one reason, the first cause in the data flow, with what shows it:
    /// the robots.txt line, the redirect's target URL, the canonical URL, the status, the content type.</summary>
    [Theory]
    [InlineData("www.pickl.test", SampleSites.SeedArticlePath, IndexingReason.Indexed, "every indexability filter passes")]
    [InlineData("www.alpha-news.test", "/private/report", IndexingReason.BlockedByRobots, "line 2: Disallow: /private/")]
    [InlineData("www.alpha-news.test", "/old/2", IndexingReason.Redirect, "HTTP 301 to {www.alpha-news.test}/moved/2")]
    [InlineData("nu-errors.test", "/missing", IndexingReason.NotFound, "HTTP 404")]
    [InlineData("nu-errors.test", "/gone", IndexingReason.NotFound, "HTTP 410")]
    [InlineData("nu-errors.test", "/broken", IndexingReason.ServerError, "HTTP 500")]
    [InlineData("nu-errors.test", "/slow-timeout", IndexingReason.FetchFailed, "timeout")]
    [InlineData("nu-errors.test", "/soft-missing", IndexingReason.Soft404, "title says \"Page not found\"")]
    [InlineData("nu-errors.test", "/produkt-entfernt", IndexingReason.Soft404, "title says \"Seite nicht gefunden\"")]
    [InlineData("xi-files.test", "/files/report.pdf", IndexingReason.NotHtml, "Content-Type: application/pdf")]
    [InlineData("www.alpha-news.test", "/noindex-meta", IndexingReason.Noindex, "noindex from")]
    [InlineData("www.alpha-news.test", "/print/2", IndexingReason.CanonicalElsewhere, "rel=canonical points to {www.alpha-news.test}/articles/2")]
    [InlineData("kappa-deals.test", "/spam/KeywordStuffing/1", IndexingReason.Spam, "ml_spam_score = ")]
    [InlineData("www.alpha-news.test", "/never-linked", IndexingReason.Unknown, "the crawler has not seen this URL")]
    public async Task Verdict_NamesThePrimaryReason_WithItsEvidence(string host, string path, IndexingReason reason, string evidence)
    {
        var r = await InspectAsync(host, path);
        string expected = evidence.Replace("{www.alpha-news.test}", f.Url("www.alpha-news.test", "").TrimEnd('/'), StringComparison.Ordinal);
        Assert.Equal(reason, r.Verdict.Reason);
        Assert.Contains(expected, r.Verdict.Evidence);
        Assert.Equal(reason == IndexingReason.Indexed, r.Verdict.Indexable);
        Assert.Equal(r.Verdict.Indexable, r.Badges.Indexable);
        Assert.StartsWith(r.Verdict.Indexable ? "indexable: " : "not indexable: ", r.Summary);
        Assert.Contains(IndexingReasons.Label(reason), r.Summary);
        // The JSON begins with the verdict, its reason in snake_case.
        string json = JsonSerializer.Serialize(r, ReportJson.Options);
        Assert.StartsWith("{\n  \"verdict\": {\n    \"indexable\": ", json.Replace("\r", "", StringComparison.Ordinal));
        Assert.Contains($"\"reason\": \"{StoreNames.Of(reason)}\"", json);
    }

    /// <summary>Soft 404s on the sample web: both "not found" pages answered 200 are found, and no other page of
    /// the crawl is called one (an article about 404 errors among them): precision and recall 1 here.</summary>
    [Fact]
    public async Task Soft404s_AreFound_AndNoOrdinaryPageIsCalledOne()
    {
        var flagged = (await f.Store.InspectAsync("SELECT url FROM pages WHERE soft_404 IS NOT NULL ORDER BY url", [])).Rows.Select(r => (string)r["url"]!).ToList();
        Assert.Equal([f.Url("nu-errors.test", "/produkt-entfernt"), f.Url("nu-errors.test", "/soft-missing")], flagged);
        var guide = await f.PageAsync("nu-errors.test", "/guides/fixing-404-pages");
        Assert.True(guide is { DownloadHttpCode: 200, Soft404: null });
        Assert.Equal(IndexingReason.Indexed, (await InspectAsync("nu-errors.test", "/guides/fixing-404-pages")).Verdict.Reason);
    }

    /// <summary>A duplicate names the page it duplicates, as a URL (which page of a pair is first depends on the crawl's order).</summary>
    [Fact]
    public async Task Duplicate_NamesTheOriginal_AsAUrl()
    {
        var row = (await f.Store.InspectAsync("SELECT url, duplicate_of FROM pages WHERE duplicate_of IS NOT NULL AND download_http_code = 200 " +
            "AND failure_reason IS NULL AND robots_noindex = 0 AND (meta_canonical IS NULL OR meta_canonical = '' OR meta_canonical = src_unparsed) ORDER BY url LIMIT 1", [])).Rows.Single();
        var r = await Inspector.InspectAsync(f.Identify((string)row["url"]!));
        Assert.Equal(IndexingReason.Duplicate, r.Verdict.Reason);
        string original = UrlInspector.UrlOf((string)row["duplicate_of"]!);
        Assert.StartsWith("http://", original);
        Assert.Equal($"same content as {original}", r.Verdict.Evidence);
        Assert.Equal(original, r.Page!.DuplicateOfUrl);
    }

    /// <summary>A URL refused by robots.txt was never fetched: its badge says so, not CRAWLED.</summary>
    [Fact]
    public async Task RobotsRefusedUrl_IsNotFetched_AndOneReasonLeads()
    {
        var r = await InspectAsync("www.alpha-news.test", "/private/report");
        Assert.False(r.Badges.Crawled);
        Assert.Equal("NOT FETCHED", r.Badges.CrawledLabel);
        Assert.Null(r.Badges.CrawledAt);
        Assert.Equal(IndexingReason.BlockedByRobots, r.Verdict.Reason);
        Assert.Equal("failure_reason = 'robots_disallowed'", r.Verdict.Condition);
        Assert.DoesNotContain(r.Verdict.OtherReasons, o => o.Reason is IndexingReason.FetchFailed or IndexingReason.TooOld);
    }

    [Fact]
    public async Task NoIndexPage_FailsTheNoindexFilter()
    {
        var r = await InspectAsync("www.alpha-news.test", "/noindex-meta");
        Assert.Equal("NOT INDEXABLE", r.Badges.IndexableLabel);
        Assert.False(r.Badges.Indexable);
        Assert.Equal("FAIL", r.Filters.Single(x => x.Name == "Robots noindex").Label);
        Assert.Equal(IndexingReason.Noindex, r.Verdict.Reason);
        Assert.Contains("Excluded by noindex", r.Summary);
    }

    [Fact]
    public async Task DisallowedPage_RobotsBadgeNamesTheRule()
    {
        var r = await InspectAsync("www.alpha-news.test", "/private/report");
        Assert.Equal("DISALLOWED", r.Badges.RobotsLabel);
        Assert.False(r.Badges.RobotsAllowed);
        Assert.Contains("line 2: Disallow: /private/", r.Checks[2].Result);
        Assert.Equal("FAIL", r.Filters.Single(x => x.Name == "robots.txt allowed").Label);
        Assert.Equal("FAIL", r.Filters.Single(x => x.Name == "HTTP status").Label);
    }

    [Fact]
    public async Task CanonicalElsewhere_FailsCanonical_AndShowsTarget()
    {
        var r = await InspectAsync("www.alpha-news.test", "/print/2");
        var canonical = r.Filters.Single(x => x.Name == "Canonical");
        Assert.Equal("FAIL", canonical.Label);
        Assert.Contains("/articles/2", canonical.Details);
    }

    [Fact]
    public async Task Ban_MakesThePageNotIndexable()
    {
        await f.Store.BanAsync("gamma-blog.test", "test ban");
        try
        {
            var r = await InspectAsync("gamma-blog.test", "/articles/0");
            Assert.Equal("FAIL", r.Filters.Single(x => x.Name == "Spam/ban").Label);
            Assert.Contains("gamma-blog.test: test ban", r.Checks[3].Result);
        }
        finally
        {
            await f.Store.UnbanAsync("gamma-blog.test");
        }
    }

    [Fact]
    public async Task UnknownUrl_SaysSo_WithShardAndRobots()
    {
        var r = await InspectAsync("www.alpha-news.test", "/never-linked");
        Assert.False(r.Known);
        Assert.Equal("NOT FETCHED", r.Badges.CrawledLabel);
        Assert.Equal(IndexingReason.Unknown, r.Verdict.Reason);
        Assert.False(r.Badges.Crawled);
        Assert.Equal("ALLOWED", r.Badges.RobotsLabel);
        Assert.Contains($"shard {r.Shard}", r.Summary);
        Assert.Empty(r.Filters);
        Assert.Null(r.Page);
    }

    [Fact]
    public async Task DirectParameterLookup_EqualsUrlLookup()
    {
        var byUrl = await InspectAsync("www.alpha-news.test", "/articles/1");
        var byKey = await Inspector.InspectAsync(byUrl.Shard, UrlKey.Parse(byUrl.Key));
        Assert.Equal(byUrl.Badges, byKey.Badges);
        Assert.Equal(byUrl.Filters, byKey.Filters);
        Assert.Equal(byUrl.Checks.Select(c => c.Query), byKey.Checks.Select(c => c.Query));
    }

    [Theory]
    [InlineData("com,example!/x' OR '1'='1 h80")]
    [InlineData("com,example!/\"; DROP TABLE pages; -- h80")]
    public async Task HostileKeys_AreParameters_NotSql(string key)
    {
        Assert.True(UrlKey.TryParse(key, out var parsed));
        var r = await Inspector.InspectAsync(1, parsed);
        Assert.False(r.Known);
        Assert.True(await f.Store.PageCountAsync() > 0); // pages table still there
    }

    [Fact]
    public void Cli_InspectJson_HasTheDocumentedFields()
    {
        var result = CliRunner.Run("inspect", f.Url("www.pickl.test", SampleSites.SeedArticlePath), "--db", f.DbPath, "--json");
        Assert.True(result.ExitCode == 0, result.Stderr);
        using var doc = JsonDocument.Parse(result.Stdout);
        var root = doc.RootElement;
        foreach (var field in new[] { "url", "key", "shard", "shard_node", "root_hash", "checks", "badges", "filters", "page" })
            Assert.True(root.TryGetProperty(field, out _), field);
        foreach (var field in new[] { "name", "query", "response", "elapsed_ms", "skipped", "result" })
            Assert.True(root.GetProperty("checks")[0].TryGetProperty(field, out _), field);
        foreach (var field in new[] { "indexable", "crawled", "crawled_at", "robots_allowed", "indexable_label", "crawled_label", "robots_label" })
            Assert.True(root.GetProperty("badges").TryGetProperty(field, out _), field);
        foreach (var field in new[] { "url", "last_crawled", "first_indexed", "http_status", "meta_title", "meta_description", "meta_canonical",
                     "boilerpipe_text", "markdown", "readable_markdown", "shard", "root_hash", "unparsed_url" })
            Assert.True(root.GetProperty("page").TryGetProperty(field, out _), field);
    }

    [Fact]
    public void Cli_InspectText_AndDirectLookup()
    {
        var byUrl = CliRunner.Run("inspect", f.Url("www.alpha-news.test", "/articles/0"), "--db", f.DbPath);
        Assert.Equal(0, byUrl.ExitCode);
        Assert.Contains("Raw Queries and Responses", byUrl.Stdout);
        Assert.Contains("Page Info Filters", byUrl.Stdout);
        var key = f.Identify(f.Url("www.alpha-news.test", "/articles/0"));
        var byKey = CliRunner.Run("inspect", "--shard", key.Shard.ToString(), "--key", key.Key.Value, "--db", f.DbPath);
        Assert.Equal(0, byKey.ExitCode);
        Assert.Contains(key.Key.Value, byKey.Stdout);
        Assert.Equal(2, CliRunner.Run("inspect", "--key", key.Key.Value, "--db", f.DbPath).ExitCode);
        Assert.Equal(1, CliRunner.Run("inspect", "http://x.test/", "--db", "/no/such.db").ExitCode);
    }

    [Fact]
    public void Live_RendersAnEmptyShell_WithItsRequests_AndWritesAScreenshot()
    {
        Rendering.RenderingBrowser.Require();
        string png = Path.Combine(Path.GetTempPath(), $"crawlscope-live-{Guid.NewGuid():N}.png");
        try
        {
            var result = CliRunner.Run(LiveArgs("rho-app.test", "/articles/1", "--trust-resolve", "--screenshot", png));
            Assert.True(result.ExitCode == 0, result.Stderr);
            var live = JsonDocument.Parse(result.Stdout).RootElement.GetProperty("live");
            var page = live.GetProperty("page");
            Assert.True(page.GetProperty("rendered").GetBoolean(), page.GetProperty("render").ToString());
            var render = page.GetProperty("render");
            Assert.Equal(0, render.GetProperty("raw").GetProperty("words").GetInt32());
            Assert.True(render.GetProperty("rendered_page").GetProperty("words").GetInt32() > 200);
            Assert.Contains(render.GetProperty("resources").EnumerateArray(),
                r => r.GetProperty("url").GetString()!.EndsWith("/api/articles/1", StringComparison.Ordinal) && r.GetProperty("status").GetInt32() == 200);
            Assert.Equal(SampleWeb.ScriptedPages.ArticleTitle(1), page.GetProperty("meta_title").GetString());
            byte[] shot = File.ReadAllBytes(png);
            Assert.True(shot.Length > 2_000 && shot.AsSpan(0, 4).SequenceEqual(new byte[] { 0x89, 0x50, 0x4E, 0x47 }), $"{shot.Length} bytes");
            Assert.Equal(Convert.ToBase64String(shot), live.GetProperty("screenshot_png").GetString());
        }
        finally
        {
            File.Delete(png);
        }
    }

    private string[] LiveArgs(string host, string path, params string[] extra) =>
        ["inspect", f.Url(host, path), "--db", f.DbPath, "--live", "--json", "--resolve", $"{host}=127.0.0.1", .. extra];

    private async Task<(long Pages, long Fetches)> StoreCountsAsync()
    {
        var stats = await f.Store.StatsAsync();
        return (stats.Pages, stats.Fetches);
    }

    [Fact]
    public async Task Live_FetchesNow_ShowsItNextToTheStoredResult_AndStoresNothing()
    {
        var before = await StoreCountsAsync();
        int hitsBefore = f.Web.Hits.GetValueOrDefault("www.pickl.test" + SampleSites.SeedArticlePath);
        var result = CliRunner.Run(LiveArgs("www.pickl.test", SampleSites.SeedArticlePath, "--allow-private-networks"));
        Assert.True(result.ExitCode == 0, result.Stderr);
        var root = JsonDocument.Parse(result.Stdout).RootElement;
        var live = root.GetProperty("live");
        Assert.StartsWith("live test: indexable", live.GetProperty("summary").GetString());
        Assert.Equal(200, live.GetProperty("page").GetProperty("http_status").GetInt32());
        Assert.Equal(root.GetProperty("page").GetProperty("meta_title").GetString(), live.GetProperty("page").GetProperty("meta_title").GetString());
        Assert.True(live.GetProperty("page").GetProperty("last_crawled").GetDateTimeOffset() > root.GetProperty("page").GetProperty("last_crawled").GetDateTimeOffset());
        Assert.Equal(hitsBefore + 1, f.Web.Hits["www.pickl.test" + SampleSites.SeedArticlePath]);
        Assert.Equal(before, await StoreCountsAsync());
    }

    [Fact]
    public async Task Live_ObeysRobotsAndTheSsrfGuard()
    {
        var before = await StoreCountsAsync();
        int hitsBefore = f.Web.Hits.GetValueOrDefault("www.alpha-news.test/private/report");
        var disallowed = JsonDocument.Parse(CliRunner.Run(LiveArgs("www.alpha-news.test", "/private/report", "--allow-private-networks")).Stdout).RootElement.GetProperty("live");
        Assert.Equal("DISALLOWED", disallowed.GetProperty("badges").GetProperty("robots_label").GetString());
        Assert.False(disallowed.GetProperty("badges").GetProperty("robots_allowed").GetBoolean());
        Assert.Equal("robots_disallowed", disallowed.GetProperty("page").GetProperty("failure_reason").GetString());
        Assert.Equal(hitsBefore, f.Web.Hits.GetValueOrDefault("www.alpha-news.test/private/report"));

        // Without --allow-private-networks a loopback address is refused, live as in a crawl.
        var blocked = CliRunner.Run(LiveArgs("www.pickl.test", SampleSites.SeedArticlePath));
        Assert.True(blocked.ExitCode == 0, blocked.Stderr);
        var live = JsonDocument.Parse(blocked.Stdout).RootElement.GetProperty("live");
        Assert.Equal("ssrf_blocked", live.GetProperty("page").GetProperty("failure_reason").GetString());
        Assert.False(live.GetProperty("badges").GetProperty("indexable").GetBoolean());
        Assert.Equal("NOT INDEXABLE", live.GetProperty("badges").GetProperty("indexable_label").GetString());
        Assert.Equal(before, await StoreCountsAsync());
    }

    [Fact]
    public void Live_Text_ListsWhatDiffers()
    {
        var result = CliRunner.Run(["inspect", f.Url("www.alpha-news.test", "/articles/2"), "--db", f.DbPath, "--live", "--allow-private-networks", "--resolve", "www.alpha-news.test=127.0.0.1"]);
        Assert.True(result.ExitCode == 0, result.Stderr);
        Assert.Contains("Live test (fetched now, not stored)", result.Stdout);
        Assert.Contains("Stored vs live", result.Stdout);
        Assert.Matches(@"Filter HTTP status\s+stored: PASS  \|  live: PASS", result.Stdout);
    }

    [Fact]
    public void Cli_InspectText_HostilePage_PrintsNoTerminalControlCharacters()
    {
        var result = CliRunner.Run("inspect", f.Url("xi-files.test", "/hostile"), "--db", f.DbPath);
        Assert.True(result.ExitCode == 0, result.Stderr);
        Assert.Contains("<script>window.__xss='title'</script>", result.Stdout); // shown as text
        Assert.Contains("\uFFFD[2J", result.Stdout); // the ESC of the page's description, neutralised
        Assert.DoesNotContain(result.Stdout, c => char.IsControl(c) && c is not '\n' and not '\r' and not '\t');
        var json = CliRunner.Run("inspect", f.Url("xi-files.test", "/hostile"), "--db", f.DbPath, "--json");
        Assert.Contains("\\u001B[2J", json.Stdout); // JSON keeps the exact text, escaped
    }
}
