using Crawlscope.Tests.Crawling;
using Crawlscope.Web;
using Microsoft.AspNetCore.Builder;

namespace Crawlscope.Tests.Web;

/// <summary>The sample web crawled into a store, and the inspector site serving that store on 127.0.0.1.</summary>
public sealed class InspectorSiteFixture : IAsyncLifetime
{
    public SampleWebCrawlFixture Crawl { get; } = new();
    public WebApplication Site { get; private set; } = null!;
    public string BaseUrl { get; private set; } = "";
    public HttpClient Http { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        await Crawl.InitializeAsync();
        Site = InspectorSite.Build(new InspectorSiteOptions { Store = Crawl.Store, Keyer = Crawl.Keyer, Urls = "http://127.0.0.1:0" });
        await Site.StartAsync();
        BaseUrl = Site.Urls.First();
        Http = new HttpClient { BaseAddress = new Uri(BaseUrl) };
    }

    public string InspectPath(string host, string path) => "/inspect?url=" + Uri.EscapeDataString(Crawl.Url(host, path));

    public async Task DisposeAsync()
    {
        Http.Dispose();
        await Site.DisposeAsync();
        await Crawl.DisposeAsync();
    }
}
