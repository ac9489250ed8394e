using System.Net;
using Crawlscope.Crawling;
using Crawlscope.Frontier;
using Crawlscope.Fetching;
using Crawlscope.SampleWeb;
using Crawlscope.Model;
using Crawlscope.Storage;
using Crawlscope.Tests.Support;
using Crawlscope.Urls;
using Microsoft.Data.Sqlite;
using Crawlscope.Vocabulary;

namespace Crawlscope.Tests.Crawling;

/// <summary>One crawl of the whole sample web (3 pages per host, no delay), then checks of what was stored.</summary>
public sealed class SampleWebCrawlFixture : IAsyncLifetime
{
    private TempCrawlStore _db = null!;
    public SampleWebServer Web { get; private set; } = null!;
    public SqliteCrawlStore Store => _db.Store;
    public string DbPath => _db.Path;
    public UrlKeyer Keyer { get; } = new(PublicSuffixList.Default, UrlNormalizer.Default);
    public CrawlEnd End { get; private set; }
    public CrawlProgress Progress { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Web = await SampleWebServer.StartAsync(new SampleWebOptions { PagesPerHost = 3, Fast = true });
        _db = await TempCrawlStore.OpenAsync("test");
        using var engine = new CrawlEngine(CrawlTestOptions.Fast(), Store, Keyer);
        End = await engine.RunAsync(Web.Seeds.Select(s => Identify(s)).ToList(), CancellationToken.None);
        Progress = engine.Progress;
    }

    public UrlIdentity Identify(string url) => Keyer.TryIdentify(url, out var id, out var e) ? id : throw new ArgumentException(e);

    public string Url(string host, string path) => $"http://{host}:{Web.Port}{path}";

    public Task<PageRecord?> PageAsync(string host, string path) => Store.GetPageAsync(Identify(Url(host, path)).Key.Value);

    public async Task DisposeAsync()
    {
        await _db.DisposeAsync();
        await Web.DisposeAsync();
    }
}

/// <summary>
/// Crawl tests measure timeouts and request gaps: they run after the other tests, one class at a time, so CPU-heavy
/// tests (dataset scoring) cannot stretch a 4 s timeout.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class CrawlCollection
{
    public const string Name = "crawl";
}

internal static class CrawlTestOptions
{
    public static CrawlOptions Fast(TimeSpan? delay = null, bool allowPrivate = true) => new()
    {
        Delay = delay ?? TimeSpan.Zero,
        Concurrency = 16,
        MaxDepth = 4,
        RetryBase = TimeSpan.FromMilliseconds(100),
        MaxAttempts = 2,
        Fetch = new FetchOptions
        {
            AllowPrivateNetworks = allowPrivate,
            Resolve = SampleSites.Hosts.ToDictionary(h => h.Name, _ => IPAddress.Loopback),
            TotalTimeout = TimeSpan.FromSeconds(4),
            MaxBodyBytes = 1024 * 1024,
        },
    };
}

[Collection(CrawlCollection.Name)]
public class SampleWebCrawlTests(SampleWebCrawlFixture f) : IClassFixture<SampleWebCrawlFixture>
{
    private const string Alpha = "www.alpha-news.test", Errors = "nu-errors.test", Files = "xi-files.test";

    [Fact]
    public void Crawl_Finishes_AndVisitsEveryHost()
    {
        Assert.Equal(CrawlEnd.Finished, f.End);
        foreach (var host in SampleSites.Hosts)
            Assert.True(f.Web.Hits.ContainsKey($"{host.Name}/robots.txt"), $"robots.txt of {host.Name} was not fetched");
    }

    [Fact]
    public async Task Robots_DisallowedUrls_RecordedAndNeverFetched()
    {
        // iota-docs.test has no robots.txt (404): everything is allowed there.
        Assert.DoesNotContain(f.Web.Hits.Keys, k => k.Contains("/private/") && !k.StartsWith("iota-docs.test", StringComparison.Ordinal));
        Assert.Contains("iota-docs.test/private/report", f.Web.Hits.Keys);
        var page = await f.PageAsync(Alpha, "/private/report");
        Assert.NotNull(page);
        Assert.Equal(FailureReason.RobotsDisallowed, page.FailureReason);
        Assert.Null(page.DownloadHttpCode);
        Assert.Contains("line 2: Disallow: /private/", page.RobotsSources);
    }

    [Fact]
    public async Task TrackingVariants_FetchedOnce_AndRedirectTargetsOnce()
    {
        Assert.Equal(1, f.Web.Hits[$"{Alpha}/articles/1"]);
        Assert.DoesNotContain(f.Web.Hits.Keys, k => k.Contains("utm_source") || k.Contains("fbclid"));
        Assert.Equal(1, f.Web.Hits[$"{Alpha}/articles/2"]);
        var old = await f.PageAsync(Alpha, "/old/2");
        Assert.Equal(301, old!.DownloadHttpCode);
        Assert.Equal(FailureReason.Redirected, old.FailureReason);
        Assert.Equal(f.Identify(f.Url(Alpha, "/moved/2")).Key.Value, old.RedirectTarget);
    }

    [Theory]
    [InlineData(Errors, "/missing", 404, "http_4xx")]
    [InlineData(Errors, "/gone", 410, "http_4xx")]
    [InlineData(Errors, "/broken", 500, "http_5xx")]
    [InlineData(Errors, "/loop/b", 302, "redirect_loop")]
    [InlineData(Errors, "/chain/6", 301, "too_many_redirects")]
    [InlineData(Errors, "/slow-timeout", null, "timeout")]
    [InlineData(Files, "/files/report.pdf", 200, "unsupported_type")]
    [InlineData(Files, "/image.png", 200, "unsupported_type")]
    public async Task Failures_HaveTheirReason(string host, string path, int? status, string reason)
    {
        var page = await f.PageAsync(host, path);
        Assert.NotNull(page);
        Assert.Equal(status, page.DownloadHttpCode);
        Assert.Equal(reason, PageColumns.Text(page.FailureReason));
    }

    [Fact]
    public async Task RetryAfter_503And429_RetriedUntilServed()
    {
        // Tests allow two attempts: the second 503 is recorded; the crawler's default (three) gets the page.
        var busy = await f.PageAsync(Errors, "/busy");
        Assert.Equal(503, busy!.DownloadHttpCode);
        Assert.Equal(2, f.Web.Hits[$"{Errors}/busy"]);
        Assert.Equal(200, (await f.PageAsync(Errors, "/rate-limited"))!.DownloadHttpCode);
    }

    [Fact]
    public async Task Pages_KeepExtractedFields()
    {
        var page = await f.PageAsync("www.pickl.test", SampleSites.SeedArticlePath);
        Assert.NotNull(page);
        Assert.Equal(200, page.DownloadHttpCode);
        Assert.Equal("Understanding Python Global Interpreter Lock (GIL) - Pickl.AI", page.MetaTitle);
        Assert.Contains("Global Interpreter Lock", page.BoilerpipeText);
        Assert.Contains("## What is the GIL?", page.ReadableMarkdown);
        Assert.Equal(0, page.MlSpamScore);
        Assert.NotNull(page.FirstIndexed);
        Assert.Equal(f.Identify(f.Url("www.pickl.test", SampleSites.SeedArticlePath)).Shard, page.Shard);
    }

    [Fact]
    public async Task NoIndex_Canonical_Charsets_Truncation()
    {
        Assert.True((await f.PageAsync(Alpha, "/noindex-meta"))!.RobotsNoIndex);
        Assert.True((await f.PageAsync(Alpha, "/noindex-header"))!.RobotsNoIndex);
        var print = await f.PageAsync(Alpha, "/print/2");
        Assert.Equal(f.Identify(f.Url(Alpha, "/articles/2")).Key.Value, print!.MetaCanonical);
        Assert.Equal("Café crème", (await f.PageAsync(Files, "/latin1"))!.MetaTitle);
        var wrongCharset = await f.PageAsync(Files, "/wrong-charset");
        Assert.Equal("Naïve résumé", wrongCharset!.MetaTitle);
        // Its meta says UTF-8 over windows-1252 bytes: the text is read as the bytes are, not as U+FFFD.
        Assert.Contains("Naïve résumé with façade.", wrongCharset.Markdown, StringComparison.Ordinal);
        Assert.Equal("Compressed page", (await f.PageAsync(Files, "/gzip-page"))!.MetaTitle);
        var huge = await f.PageAsync(Files, "/huge");
        Assert.True(huge!.Truncated);
        Assert.Equal(1024 * 1024, huge.BodyBytes);
    }

    [Fact]
    public async Task Duplicates_ExactAndNear_PointAtTheOriginal()
    {
        var copy = await f.PageAsync("lambda-mirror.test", "/copy/1");
        Assert.Equal(f.Identify(f.Url(Alpha, "/articles/1")).Key.Value, copy!.MetaCanonical);
        var printRecipe = await f.PageAsync("eta-recipes.test", "/recipes/1/print");
        var recipe = await f.PageAsync("eta-recipes.test", "/recipes/1");
        // One group of near-duplicates: one page points at the other, or both at the same original (the site's
        // www host serves the same recipe, and whichever was processed first is the original).
        Assert.True(printRecipe!.DuplicateOf == recipe!.SrcUnparsed || recipe.DuplicateOf == printRecipe.SrcUnparsed
                    || (printRecipe.DuplicateOf is not null && printRecipe.DuplicateOf == recipe.DuplicateOf),
            $"near-duplicates not linked: {printRecipe.DuplicateOf} / {recipe.DuplicateOf}");
        // A duplicate points at an original, never at another duplicate.
        var original = await f.Store.GetPageAsync(printRecipe.DuplicateOf ?? recipe.DuplicateOf!);
        Assert.NotNull(original);
        Assert.Null(original.DuplicateOf);
    }

    [Fact]
    public async Task Sitemaps_FromRobotsTxt_IndexAndGzip_FindUnlinkedPages()
    {
        var page = await f.PageAsync(Alpha, "/sitemap-only");
        Assert.NotNull(page);
        Assert.Equal(200, page.DownloadHttpCode);
        Assert.Equal(1, f.Web.Hits[$"{Alpha}/sitemap_index.xml"]);
        Assert.Equal(1, f.Web.Hits[$"{Alpha}/sitemap-1.xml.gz"]);
    }

    [Fact]
    public async Task SpiderTrap_StopsAtMaxDepth()
    {
        Assert.True(f.Web.Hits.Keys.Count(k => k.Contains("/calendar/")) <= 4);
        Assert.Null(await f.PageAsync("theta-forum.test", "/calendar/2026/9"));
    }

    [Fact]
    public async Task Spam_PagesScored()
    {
        var stuffing = await f.PageAsync("kappa-deals.test", "/spam/KeywordStuffing/1");
        Assert.True(stuffing!.MlSpamScore > 0);
        Assert.Equal(0, (await f.PageAsync(Alpha, "/articles/0"))!.MlSpamScore);
    }

    [Fact]
    public async Task Stats_CountEveryReason()
    {
        var stats = await f.Store.StatsAsync();
        Assert.Equal(0, stats.Queued);
        Assert.Equal(0, stats.Leased);
        foreach (var reason in new[] { "robots_disallowed", "http_4xx", "http_5xx", "redirect_loop", "too_many_redirects", "unsupported_type", "timeout" })
            Assert.True(stats.ByFailureReason.ContainsKey(reason), reason);
    }
}

[Collection(CrawlCollection.Name)]
public class CrawlPolitenessTests
{
    [Fact]
    public async Task Delay_And_CrawlDelay_KeepRequestsApart()
    {
        await using var web = await SampleWebServer.StartAsync(new SampleWebOptions { PagesPerHost = 2, Hosts = 17 });
        await using var temp = await TempCrawlStore.OpenAsync("polite");
        var store = temp.Store;
        var keyer = new UrlKeyer(PublicSuffixList.Default, UrlNormalizer.Default);
        var options = CrawlTestOptions.Fast(TimeSpan.FromMilliseconds(300));
        var seeds = new[] { "www.alpha-news.test", "mu-slow.test" }.Select(h => keyer.TryIdentify($"http://{h}:{web.Port}/", out var id, out _) ? id! : null!).ToList();
        using var engine = new CrawlEngine(new CrawlOptions
        {
            Delay = options.Delay, Concurrency = 8, MaxDepth = 1, Scope = CrawlScopeKind.Seeds, Fetch = options.Fetch, RetryBase = options.RetryBase,
        }, store, keyer);
        await engine.RunAsync(seeds, CancellationToken.None);

        static TimeSpan MinGap(List<DateTimeOffset> times) =>
            times.Order().Zip(times.Order().Skip(1), (a, b) => b - a).DefaultIfEmpty(TimeSpan.MaxValue).Min();
        // robots.txt is fetched before the first page; page requests keep the gap.
        var alpha = web.Arrivals["www.alpha-news.test"];
        var slow = web.Arrivals["mu-slow.test"];
        Assert.True(alpha.Count >= 4 && slow.Count >= 4);
        Assert.True(MinGap(alpha.Skip(1).ToList()) >= TimeSpan.FromMilliseconds(280), $"alpha gap {MinGap(alpha.Skip(1).ToList())}");
        Assert.True(MinGap(slow.Skip(2).ToList()) >= TimeSpan.FromMilliseconds(1950), $"crawl-delay gap {MinGap(slow.Skip(2).ToList())}");
    }

    [Fact]
    public async Task SsrfGuard_RefusesLoopback_UnlessAllowed()
    {
        await using var web = await SampleWebServer.StartAsync(new SampleWebOptions { PagesPerHost = 1, Hosts = 1 });
        await using var temp = await TempCrawlStore.OpenAsync("ssrf");
        var store = temp.Store;
        var keyer = new UrlKeyer(PublicSuffixList.Default, UrlNormalizer.Default);
        keyer.TryIdentify($"http://www.alpha-news.test:{web.Port}/", out var seed, out _);
        using var engine = new CrawlEngine(CrawlTestOptions.Fast(allowPrivate: false), store, keyer);
        await engine.RunAsync([seed!], CancellationToken.None);
        var page = await store.GetPageAsync(seed!.Key.Value);
        Assert.Equal(FailureReason.SsrfBlocked, page!.FailureReason);
        Assert.DoesNotContain(web.Hits, h => !h.Key.EndsWith("/robots.txt", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("127.0.0.1", false)]
    [InlineData("10.1.2.3", false)]
    [InlineData("172.20.0.1", false)]
    [InlineData("192.168.1.1", false)]
    [InlineData("169.254.169.254", false)]
    [InlineData("100.64.0.1", false)]
    [InlineData("0.0.0.0", false)]
    [InlineData("224.0.0.1", false)]
    [InlineData("::1", false)]
    [InlineData("fe80::1", false)]
    [InlineData("fd00::1", false)]
    [InlineData("::ffff:127.0.0.1", false)]
    [InlineData("::127.0.0.1", false)]
    [InlineData("::10.0.0.1", false)]
    [InlineData("::8.8.8.8", true)]
    [InlineData("64:ff9b::127.0.0.1", false)]
    [InlineData("64:ff9b::192.168.0.1", false)]
    [InlineData("64:ff9b::8.8.8.8", true)]
    [InlineData("64:ff9b:1::8.8.8.8", false)]
    [InlineData("2002:7f00:1::1", false)]
    [InlineData("2002:808:808::1", true)]
    [InlineData("93.184.216.34", true)]
    [InlineData("2606:4700::1111", true)]
    public void SsrfGuard_Ranges(string address, bool isPublic) => Assert.Equal(isPublic, SsrfGuard.IsPublic(IPAddress.Parse(address)));

    /// <summary>An operator's submission of a URL the guard would refuse is refused at once with the SSRF reason
    /// (it was answered "queued", or refused with a false robots.txt reason): literals, loopback names and
    /// resolve-map entries; names DNS alone can answer are left to connect time; nothing when private networks are allowed.</summary>
    [Theory]
    [InlineData("127.0.0.1", "127.0.0.1 is not a public address")]
    [InlineData("[::1]", "::1 is not a public address")]
    [InlineData("10.1.2.3", "10.1.2.3 is not a public address")]
    [InlineData("localhost", "localhost is a loopback name")]
    [InlineData("admin.localhost", "admin.localhost is a loopback name")]
    [InlineData("intranet.test", "192.168.1.5 is not a public address")]
    [InlineData("93.184.216.34", null)]
    [InlineData("www.example.com", null)]
    public void SsrfGuard_RefusesBeforeTheFetch_WhatItWouldRefuseAtConnect(string host, string? reason)
    {
        var resolve = new Dictionary<string, IPAddress> { ["intranet.test"] = IPAddress.Parse("192.168.1.5") };
        Assert.Equal(reason, SsrfGuard.RefusalBeforeFetch(host, new FetchOptions { Resolve = resolve }));
        Assert.Null(SsrfGuard.RefusalBeforeFetch(host, new FetchOptions { Resolve = resolve, AllowPrivateNetworks = true }));
    }
}
