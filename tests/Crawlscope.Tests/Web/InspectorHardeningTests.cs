using System.Net;
using Crawlscope.Model;
using Crawlscope.Tests.Support;
using Crawlscope.Urls;
using Crawlscope.Web;
using Microsoft.AspNetCore.Builder;

namespace Crawlscope.Tests.Web;

/// <summary>What a hostile sweep found in the web server: Host headers, token and redirect handling, bad shards,
/// Markdown too deep or too long to render whole.</summary>
public sealed class InspectorHardeningTests : IAsyncLifetime
{
    private TempCrawlStore _store = null!;
    private WebApplication _site = null!;
    private HttpClient _http = null!;
    private static readonly UrlKeyer Keyer = UrlKeyer.Default;
    private const string DeepUrl = "https://deep.example/page", LongUrl = "https://long.example/page";

    public async Task InitializeAsync()
    {
        _store = await TempCrawlStore.OpenAsync("hardening");
        // Markdown nested far beyond Markdig's limit, and 3 MB of Markdown.
        await SaveAsync(DeepUrl, string.Concat(Enumerable.Repeat("> ", 5000)) + "deep quote\n\nA normal paragraph after it.");
        await SaveAsync(LongUrl, string.Join("\n\n", Enumerable.Range(0, 60_000).Select(i => $"Paragraph {i} with **some** words.")));
        _site = InspectorSite.Build(new InspectorSiteOptions { Store = _store.Store, Keyer = Keyer, Urls = "http://127.0.0.1:0" });
        await _site.StartAsync();
        _http = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = new Uri(_site.Urls.First()) };
    }

    private async Task SaveAsync(string url, string markdown)
    {
        Keyer.TryIdentify(url, out var id, out _);
        var page = new PageRecord
        {
            SrcUnparsed = id!.Key.Value, Url = id.Normalized.Href, Shard = id.Shard, RootHash = id.RootHash, Host = id.Host, Site = id.Site,
            DownloadHttpCode = 200, DownloadStamp = DateTimeOffset.UtcNow, ContentType = "text/html", MlSpamScore = 0, MetaTitle = "t",
            Markdown = markdown, ReadableMarkdown = markdown, BoilerpipeText = markdown,
        };
        await _store.Store.SaveAsync(page, new FetchRecord(page.SrcUnparsed, page.Url, DateTimeOffset.UtcNow, 200, null, 1, 1, "text/html", null), [], []);
    }

    public async Task DisposeAsync()
    {
        _http.Dispose();
        await _site.DisposeAsync();
        await _store.DisposeAsync();
    }

    [Theory]
    [InlineData("evil.example")]
    [InlineData("rebind.attacker.test:5080")]
    public async Task ForeignHostHeader_IsRefused(string host)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/stats") { Headers = { Host = host } };
        Assert.Equal(HttpStatusCode.BadRequest, (await _http.SendAsync(request)).StatusCode);
        using var loopback = new HttpRequestMessage(HttpMethod.Get, "/api/stats") { Headers = { Host = "localhost" } };
        Assert.Equal(HttpStatusCode.OK, (await _http.SendAsync(loopback)).StatusCode);
    }

    [Fact]
    public void AllowedHosts_AreTheListenAddressesAndTheConfiguredNames()
    {
        Assert.Equal(["localhost", "127.0.0.1", "[::1]"], InspectorSite.AllowedHosts(Options("http://127.0.0.1:5080")));
        Assert.Equal(["inspector.example", "10.1.2.3"], InspectorSite.AllowedHosts(Options("http://10.1.2.3:80", "inspector.example")));
        Assert.Equal(["*"], InspectorSite.AllowedHosts(Options("http://0.0.0.0:80")));
        Assert.Equal(["inspector.example"], InspectorSite.AllowedHosts(Options("http://[::]:80", "inspector.example")));
    }

    private InspectorSiteOptions Options(string urls, params string[] names) => new() { Store = _store.Store, Keyer = Keyer, Urls = urls, AllowedHosts = names };

    [Theory]
    [InlineData("/overview?TOKEN=s3cret-token", "/overview")]
    [InlineData("/overview?Token=s3cret-token&x=1", "/overview?x=1")]
    [InlineData("//evil.example/x?token=s3cret-token", "/evil.example/x")]
    [InlineData("/\\evil.example/x?token=s3cret-token", "/evil.example/x")]
    public async Task TokenInTheQuery_RedirectsToALocalPathWithoutIt(string path, string expected)
    {
        await using var site = InspectorSite.Build(new InspectorSiteOptions { Store = _store.Store, Keyer = Keyer, Urls = "http://127.0.0.1:0", Token = "s3cret-token" });
        await site.StartAsync();
        using var client = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false, UseCookies = false });
        var response = await client.GetAsync(site.Urls.First() + path);
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal(expected, response.Headers.Location!.OriginalString);
    }

    [Theory]
    [InlineData("/api/inspect?shard=abc&key=x")]
    [InlineData("/inspect?shard=abc&key=x")]
    [InlineData("/inspect?shard=99999999999&key=x")]
    public async Task ShardThatIsNotANumber_Is400WithAMessage(string path)
    {
        var response = await _http.GetAsync(path);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("shard must be a whole number", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task MarkdownDeeperThanMarkdigsLimit_RendersTheRest()
    {
        var response = await _http.GetAsync("/inspect?url=" + Uri.EscapeDataString(DeepUrl));
        string html = await response.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("<p>A normal paragraph after it.</p>", html);
        Assert.Contains("<pre>&gt; &gt; &gt; ", html);
    }

    [Fact]
    public async Task ThreeMegabytesOfMarkdown_AreCut_WithTheWholeTextALinkAway()
    {
        var response = await _http.GetAsync("/inspect?url=" + Uri.EscapeDataString(LongUrl));
        string html = await response.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.True(html.Length < 2_000_000, $"{html.Length:N0} characters of HTML");
        Assert.Contains("Showing the first 200,000 of", html);
        Keyer.TryIdentify(LongUrl, out var id, out _);
        string whole = await _http.GetStringAsync($"/inspect/text?shard={id!.Shard}&key={Uri.EscapeDataString(id.Key.Value)}&field=markdown");
        Assert.EndsWith("Paragraph 59999 with **some** words.", whole);
        Assert.Contains($"/inspect/text?shard={id.Shard}&amp;key=", html);
    }
}
