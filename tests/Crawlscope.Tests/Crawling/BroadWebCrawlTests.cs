using System.Net;
using Crawlscope.Crawling;
using Crawlscope.Fetching;
using Crawlscope.Frontier;
using Crawlscope.SampleWeb;
using Crawlscope.Tests.Support;
using Crawlscope.Urls;

namespace Crawlscope.Tests.Crawling;

/// <summary>
/// Many hosts, each with few pages: the ready-queue of hosts is how the loop finds work, and new hosts reach it
/// only through the store's feed of newly queued hosts (there is no scan of the frontier while the crawl runs).
/// </summary>
[Collection(CrawlCollection.Name)]
public class BroadWebCrawlTests
{
    /// <param name="hostsHeld">Hosts with work held in memory at most: the default (all 400 fit), or 16, so most
    /// hosts wait in the store's queue and are read back from it as the window empties.</param>
    [Theory]
    [InlineData(CrawlLoop.DefaultMaxHostsHeld)]
    [InlineData(16)]
    public async Task AGeneratedBroadWeb_IsCrawledWhole_FromOneSeed_EachPageOnce_PoliteToEachHost_WithFewHostsLeasedAtOnce(int hostsHeld)
    {
        const int hosts = 400, articles = 2;
        await using var web = await SampleWebServer.StartAsync(new SampleWebOptions { Hosts = hosts, PagesPerHost = articles, Fast = true });
        await using var db = await TempCrawlStore.OpenAsync("broad");
        var keyer = UrlKeyer.Default;
        var gap = TimeSpan.FromMilliseconds(150);
        var options = CrawlTestOptions.Fast(gap) with
        {
            Scope = CrawlScopeKind.Any,
            MaxDepth = 8,
            Concurrency = 4,
            MaxHostsHeld = hostsHeld,
            Fetch = new FetchOptions
            {
                AllowPrivateNetworks = true,
                Resolve = SampleSites.GeneratedNames(hosts).ToDictionary(h => h, _ => IPAddress.Loopback),
                TotalTimeout = TimeSpan.FromSeconds(4),
            },
        };
        using var engine = new CrawlEngine(options, db.Store, keyer);
        var crawl = engine.RunAsync([keyer.Identify(WebUrl.Parse(web.Seeds.Single()))], CancellationToken.None);
        // Hundreds of hosts are ready at once, but only a few per fetch slot hold leased URLs (each host has at most
        // three): the rest wait in the frontier, not in memory.
        long mostLeased = 0, mostHeld = 0;
        while (!crawl.IsCompleted)
        {
            mostLeased = Math.Max(mostLeased, (await db.Store.FrontierCountsAsync()).Leased);
            mostHeld = Math.Max(mostHeld, engine.Progress.ActiveHosts);
            await Task.Delay(10);
        }
        var end = await crawl;
        Assert.InRange(mostLeased, 1, CrawlLoop.LeasedHostsPerSlot * options.Concurrency * (articles + 1));
        // Beyond the window only hosts whose lease is on its way are held (at most the leasing hosts).
        if (hostsHeld < hosts) Assert.InRange(mostHeld, 1, hostsHeld + CrawlLoop.LeasedHostsPerSlot * options.Concurrency);

        Assert.Equal(CrawlEnd.Finished, end);
        // Every host reached from one seed through the home pages' links: its robots.txt, the sitemap probe, home
        // and articles, once each.
        var hits = web.Hits;
        foreach (var host in SampleSites.GeneratedNames(hosts))
        {
            Assert.Equal(1, hits.GetValueOrDefault($"{host}/robots.txt"));
            Assert.Equal(1, hits.GetValueOrDefault($"{host}/sitemap.xml"));
            Assert.Equal(1, hits.GetValueOrDefault($"{host}/"));
            for (int a = 0; a < articles; a++) Assert.Equal(1, hits.GetValueOrDefault($"{host}/articles/{a}"));
        }
        Assert.Equal(hosts * (articles + 3), hits.Values.Sum());
        Assert.Equal(hosts * (articles + 1), engine.Progress.Pages);
        // Politeness held for every host's pages, however many hosts were ready at once (robots.txt and the sitemap
        // are read within the turn of the host's first page).
        var fetches = await db.Store.InspectAsync("SELECT url, stamp FROM fetches", []);
        foreach (var host in fetches.Rows.GroupBy(r => WebUrl.Parse((string)r["url"]!).Host))
        {
            var stamps = host.Select(r => DateTimeOffset.Parse((string)r["stamp"]!, System.Globalization.CultureInfo.InvariantCulture)).Order().ToList();
            Assert.Equal(articles + 1, stamps.Count);
            for (int i = 1; i < stamps.Count; i++)
                Assert.True(stamps[i] - stamps[i - 1] >= gap - TimeSpan.FromMilliseconds(5), $"{host.Key}: pages fetched {(stamps[i] - stamps[i - 1]).TotalMilliseconds:F0} ms apart");
        }
        Assert.Equal(0, (await db.Store.FrontierCountsAsync()).Queued);
    }
}
