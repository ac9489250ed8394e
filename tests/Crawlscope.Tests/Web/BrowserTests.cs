using Crawlscope.SampleWeb;
using Crawlscope.Tests.Crawling;
using Crawlscope.Tests.Support;
using Microsoft.Playwright;

namespace Crawlscope.Tests.Web;

/// <summary>Debian's Chromium, driven by Playwright, headless. Missing Chromium fails under CI and says so locally.</summary>
public sealed class ChromiumFixture : IAsyncLifetime
{
    public const string ExecutablePath = "/usr/bin/chromium";
    public IPlaywright? Playwright { get; private set; }
    public IBrowser? Browser { get; private set; }
    private string? MissingReason { get; set; }

    /// <summary>The browser, or the test is skipped (locally) when Chromium is not installed.</summary>
    public IBrowser Require()
    {
        if (Browser is null) SharedData.Missing("browser tests: " + MissingReason);
        return Browser!;
    }

    public async Task InitializeAsync()
    {
        if (!File.Exists(ExecutablePath))
        {
            string message = $"{ExecutablePath} not found (./test.sh installs Debian's chromium)";
            MissingReason = message;
            if (SharedData.IsCi) throw new FileNotFoundException(message);
            return;
        }
        Playwright = await Microsoft.Playwright.Playwright.CreateAsync();
        Browser = await Playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions { ExecutablePath = ExecutablePath, Headless = true, Args = ["--no-sandbox"] });
    }

    public async Task DisposeAsync()
    {
        if (Browser is not null) await Browser.DisposeAsync();
        Playwright?.Dispose();
    }
}

/// <summary>The inspector in a real browser: lookups, badges, filters, details, a hostile page kept inert.</summary>
[Collection(CrawlCollection.Name)]
public class BrowserTests(InspectorSiteFixture site, ChromiumFixture chromium) : IClassFixture<InspectorSiteFixture>, IClassFixture<ChromiumFixture>
{
    /// <summary>Screenshots are kept here as test artifacts (artifacts/ is ignored by git).</summary>
    public static string ScreenshotDir => Path.Combine(SharedData.RepoRoot, "artifacts", "screenshots");

    private async Task<(IPage Page, List<string> Problems)> OpenAsync()
    {
        var context = await chromium.Browser!.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = site.BaseUrl,
            Permissions = ["clipboard-read", "clipboard-write"],
            ViewportSize = new ViewportSize { Width = 1280, Height = 900 },
        });
        var page = await context.NewPageAsync();
        // Anything the browser complains about (a CSP violation, a script error, a dialog) is a failure.
        var problems = new List<string>();
        page.Console += (_, m) => { if (m.Type is "error" or "warning") problems.Add($"console {m.Type}: {m.Text} at {m.Location}"); };
        page.PageError += (_, e) => problems.Add("page error: " + e);
        page.Dialog += async (_, d) => { problems.Add("dialog: " + d.Message); await d.DismissAsync(); };
        return (page, problems);
    }

    [SkippableFact]
    public async Task UrlLookup_ShowsBadgesFiltersAndDetails_AndKeepsAScreenshot()
    {
        chromium.Require();
        var (page, problems) = await OpenAsync();
        await page.GotoAsync("/");
        string url = site.Crawl.Url("www.pickl.test", SampleSites.SeedArticlePath);
        await page.FillAsync("#url", url);
        await page.ClickAsync("#url-lookup button[type=submit]");
        await page.WaitForSelectorAsync("#badges");

        Assert.Equal("📄 INDEXABLE", await page.InnerTextAsync("#badge-indexable"));
        Assert.StartsWith("✅ CRAWLED", await page.InnerTextAsync("#badge-crawled"));
        Assert.Equal("🤖 ROBOTS ALLOWED", await page.InnerTextAsync("#badge-robots"));
        // The verdict leads; the raw queries are one click away.
        Assert.Equal("✅ Indexed", await page.InnerTextAsync("#verdict-label"));
        Assert.False(await page.IsVisibleAsync("#checks article"));
        await page.ClickAsync("#checks > summary");
        var checks = await page.Locator("#checks article h3").AllInnerTextsAsync();
        Assert.Equal(5, checks.Count);
        Assert.StartsWith("1. Shard Calculation", checks[0]);
        Assert.Contains("Skipped - page is already crawled", await page.InnerTextAsync("article[data-check='Seen Status Check']"));
        Assert.Equal(["HTTP status", "Age cutoff", "History drop", "Spam/ban", "Canonical"], (await page.Locator("#filters tbody tr td:first-child").AllInnerTextsAsync()).Take(5));
        Assert.All(await page.Locator("#filters td.status").AllInnerTextsAsync(), s => Assert.Equal("PASS", s));
        Assert.Equal("download_http_code = 200", await page.InnerTextAsync("#filters tr[data-filter='HTTP status'] code"));
        Assert.Equal("Understanding Python Global Interpreter Lock (GIL) - Pickl.AI", await page.InnerTextAsync("#details tr[data-property='Meta Title'] td"));
        Assert.Equal("200", await page.InnerTextAsync("#details tr[data-property='HTTP Status Code'] td"));
        Assert.Matches(@"^article \(\d+ % confident\)$", await page.InnerTextAsync("#details tr[data-property='Page Type'] td"));

        // Long fields open, and the Markdown shows rendered too.
        await page.ClickAsync("#readable > summary");
        Assert.True(await page.IsVisibleAsync("#readable-text"));
        await page.ClickAsync("#readable details.rendered > summary");
        Assert.True(await page.Locator("#readable-rendered h2").CountAsync() > 0);

        // A copy button copies the query text exactly.
        await page.ClickAsync("article[data-check='Crawled Status Check'] button.copy");
        string copied = await page.EvaluateAsync<string>("() => navigator.clipboard.readText()");
        Assert.Equal(await page.TextContentAsync("#q1"), copied);

        Directory.CreateDirectory(ScreenshotDir);
        string shot = Path.Combine(ScreenshotDir, "inspector-seed-page.png");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = shot, FullPage = true });
        Assert.True(new FileInfo(shot).Length > 10_000);
        Assert.True(problems.Count == 0, string.Join("\n", problems));
    }

    /// <summary>The page indexing report in a browser: its counters are the API's, an example opens its inspection,
    /// whose verdict names the reason it was listed under and shows a URL refused by robots.txt as not fetched.</summary>
    [SkippableFact]
    public async Task IndexingReport_ExampleOpensItsInspection_WithThatVerdict()
    {
        chromium.Require();
        var (page, problems) = await OpenAsync();
        var api = System.Text.Json.JsonDocument.Parse(await site.Http.GetStringAsync("/api/indexing")).RootElement;
        await page.GotoAsync("/indexing");
        Assert.Equal(api.GetProperty("total").GetInt64().ToString("N0", System.Globalization.CultureInfo.InvariantCulture), await page.InnerTextAsync("#count-total"));
        Assert.True(await page.Locator("#indexing-chart rect").CountAsync() > 0);
        Directory.CreateDirectory(ScreenshotDir);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(ScreenshotDir, "page-indexing.png"), FullPage = true });

        await page.ClickAsync("tr[data-reason='blocked_by_robots'] a.example >> nth=0");
        await page.WaitForSelectorAsync("#verdict");
        Assert.Equal("blocked_by_robots", await page.GetAttributeAsync("#verdict", "data-reason"));
        Assert.Equal("⛔ Blocked by robots.txt", await page.InnerTextAsync("#verdict-label"));
        Assert.Contains("Disallow: /private/", await page.InnerTextAsync("#verdict-evidence"));
        Assert.StartsWith("⏸ NOT FETCHED", await page.InnerTextAsync("#badge-crawled"));
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(ScreenshotDir, "verdict-blocked-by-robots.png"), FullPage = false });
        Assert.True(problems.Count == 0, string.Join("\n", problems));
    }

    [SkippableFact]
    public async Task DirectParameterLookup_FindsTheStoredKey()
    {
        chromium.Require();
        var (page, problems) = await OpenAsync();
        var id = site.Crawl.Identify(site.Crawl.Url("www.alpha-news.test", "/noindex-meta"));
        await page.GotoAsync("/");
        await page.FillAsync("#shard", id.Shard.ToString(System.Globalization.CultureInfo.InvariantCulture));
        await page.FillAsync("#key", id.Key.Value);
        await page.ClickAsync("#direct-lookup button[type=submit]");
        await page.WaitForSelectorAsync("#badges");
        Assert.Equal("📄 NOT INDEXABLE", await page.InnerTextAsync("#badge-indexable"));
        Assert.Equal("FAIL", await page.InnerTextAsync("#filters tr[data-filter='Robots noindex'] td.status"));
        Assert.Equal(id.Key.Value, await page.InnerTextAsync("#details tr[data-property='Unparsed URL'] td"));
        Assert.True(problems.Count == 0, string.Join("\n", problems));
    }

    [SkippableFact]
    public async Task HostilePage_RendersInert()
    {
        chromium.Require();
        var (page, problems) = await OpenAsync();
        await page.GotoAsync(site.InspectPath("xi-files.test", "/hostile"));
        await page.WaitForSelectorAsync("#details");
        // Open every disclosure, hover and click what the page shows, then look for any sign a script ran.
        foreach (var summary in await page.Locator("details > summary").AllAsync()) await summary.ClickAsync();
        await page.HoverAsync("#details");
        Assert.Null(await page.EvaluateAsync<string?>("() => window.__xss ?? null"));
        Assert.Equal(1, await page.Locator("script").CountAsync());
        Assert.Equal(0, await page.Locator("main img, main svg, main iframe, main object, main embed").CountAsync());
        Assert.Equal(0, await page.Locator("a[href^='javascript:' i], a[href^='data:' i]").CountAsync());
        Assert.Equal(0, await page.Locator("main [onerror], main [onclick], main [onmouseover], main [onload]").CountAsync());
        string title = await page.InnerTextAsync("#details tr[data-property='Meta Title'] td");
        Assert.Contains("<script>window.__xss='title'</script>", title); // shown as text, exactly
        Assert.Contains("onerror=", await page.InnerTextAsync("#details tr[data-property='Meta Description'] td"));
        string rendered = await page.InnerHTMLAsync("#markdown-rendered");
        Assert.DoesNotContain("href=\"javascript:", rendered, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("a javascript: link", rendered); // the link text stays, the link does not
        Directory.CreateDirectory(ScreenshotDir);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(ScreenshotDir, "inspector-hostile-page.png"), FullPage = true });
        Assert.Null(await page.EvaluateAsync<string?>("() => window.__xss ?? null"));
        Assert.True(problems.Count == 0, string.Join("\n", problems));
    }

    [SkippableFact]
    public async Task Overview_RendersWithoutProblems()
    {
        chromium.Require();
        var (page, problems) = await OpenAsync();
        await page.GotoAsync("/overview");
        Assert.True(await page.Locator("#throughput svg rect").CountAsync() > 0);
        Assert.True(await page.Locator("#top-hosts tr").CountAsync() > 5);
        await page.ClickAsync("#recent-failures a >> nth=0");
        await page.WaitForSelectorAsync("#badges");
        Assert.Equal("📄 NOT INDEXABLE", await page.InnerTextAsync("#badge-indexable"));
        Assert.True(problems.Count == 0, string.Join("\n", problems));
    }

    [SkippableFact]
    public async Task RenderedPage_ShowsWhyRawAgainstRendered_AndEveryRequestOfThePage()
    {
        chromium.Require();
        var (page, problems) = await OpenAsync();
        await page.GotoAsync(site.InspectPath("rho-app.test", "/articles/2"));
        await page.WaitForSelectorAsync("#render");
        Assert.Contains(await page.GetAttributeAsync("#render-summary", "data-reason"), new[] { "empty_shell", "site_renders" });
        Assert.StartsWith("Rendered in", await page.InnerTextAsync("#render-summary"));
        // Raw against rendered: the shell had no words, the rendered article hundreds.
        var words = await page.Locator("#render-compare tr[data-compare=Words] td").AllInnerTextsAsync();
        Assert.Equal("0", words[0]);
        Assert.True(int.Parse(words[1].Replace(",", ""), System.Globalization.CultureInfo.InvariantCulture) > 200, words[1]);
        // The page's requests: its script and its JSON, each fetched by the crawler with status 200.
        var fetched = await page.Locator("#render-resources tr.fetched td:first-child").AllInnerTextsAsync();
        Assert.Contains(fetched, u => u.EndsWith("/app.js", StringComparison.Ordinal));
        Assert.Contains(fetched, u => u.EndsWith("/api/articles/2", StringComparison.Ordinal));
        // The links only rendering found open their own inspection.
        await page.ClickAsync("#render-links a >> nth=0");
        await page.WaitForSelectorAsync("#badges");
        Directory.CreateDirectory(ScreenshotDir);
        await page.GoBackAsync();
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(ScreenshotDir, "inspector-rendered-page.png"), FullPage = true });
        Assert.True(problems.Count == 0, string.Join("\n", problems));
    }

    [SkippableFact]
    public async Task ApiReference_RendersTheOperationsByArea_UnderTheSitesContentSecurityPolicy()
    {
        chromium.Require();
        var (page, problems) = await OpenAsync();
        var response = await page.GotoAsync("/");
        await page.ClickAsync("nav >> text=API");
        Assert.EndsWith("/reference", page.Url.TrimEnd('/'), StringComparison.Ordinal);
        // Scalar builds the page from /openapi/v1.json; its sidebar shows the tags and the operations' summaries.
        await page.WaitForSelectorAsync("text=Inspection", new PageWaitForSelectorOptions { Timeout = 20_000 });
        await page.WaitForSelectorAsync("text=Reports");
        string text = await page.InnerTextAsync("body");
        Assert.Contains("Inspection", text, StringComparison.Ordinal);
        Assert.Contains("Inspect one URL", text, StringComparison.Ordinal);
        Assert.True(problems.Count == 0, string.Join("\n", problems));
    }
}
