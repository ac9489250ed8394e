using Crawlscope.Fetching;
using Crawlscope.Frontier;
using Crawlscope.Robots;
using Crawlscope.Sitemaps;
using Crawlscope.Model;
using Crawlscope.Urls;

namespace Crawlscope.Sitemaps;

/// <summary>
/// When a host's robots.txt is first fetched, its sitemaps are read (the <c>Sitemap:</c> lines, else
/// <c>/sitemap.xml</c>), indexes followed two levels deep, and the listed URLs queued ahead of link-discovered
/// ones (sitemap presence raises priority). Their robots.txt verdict is applied when they come up, like any URL's.
/// A sitemap file is fetched only when it passes the scope gate and its own host's robots.txt, like any other
/// fetch: a <c>Sitemap:</c> line cannot point the crawler at another site or at a private address.
/// </summary>
internal sealed class SitemapDiscovery(IFrontier frontier, IPageStore pages, Fetcher fetcher, UrlKeyer keyer, CrawlScope scope, RobotsGate robots, string agentToken,
    TimeProvider time, Archiving.WarcArchive? archive = null)
{
    private const int MaxSitemapsPerHost = 50;

    /// <summary>Reads the host's sitemaps and queues their URLs; returns how many were new.</summary>
    /// <param name="gap">The host's politeness gap, kept before every sitemap request.</param>
    public async Task<int> DiscoverAsync(WebUrl hostUrl, RobotsRules rules, TimeSpan gap, CancellationToken ct)
    {
        var pending = new Queue<(string Url, int Level)>((rules.Sitemaps.Count > 0 ? rules.Sitemaps : [HostOrigin.Of(hostUrl).Url("/sitemap.xml")]).Select(u => (u, 0)));
        var visited = new HashSet<string>(StringComparer.Ordinal);
        int added = 0;
        while (pending.Count > 0 && visited.Count < MaxSitemapsPerHost)
        {
            var (sitemapUrl, level) = pending.Dequeue();
            if (!visited.Add(sitemapUrl) || !WebUrl.TryParse(sitemapUrl, hostUrl, out var parsed, out _) || parsed.Scheme is not ("http" or "https")) continue;
            if (!await MayFetchAsync(parsed, ct)) continue;
            if (gap > TimeSpan.Zero) await Task.Delay(gap, time, ct);
            var result = await fetcher.FetchAsync(parsed.Href, null, ct);
            if (archive is not null && result.Raw is not null) await archive.WriteAsync(result, time.GetUtcNow(), [], null, ct, Archiving.FetchPurpose.Sitemap);
            if (!result.IsSuccess || result.StatusCode is not (>= 200 and < 300)) continue;
            var content = SitemapParser.Parse(result.Body);
            if (content.IsIndex)
            {
                if (level < 2) foreach (var child in content.Urls) pending.Enqueue((child, level + 1));
                continue;
            }
            var now = time.GetUtcNow();
            var entries = new List<FrontierEntry>();
            var keys = new List<string>();
            foreach (var url in content.Urls)
            {
                if (!keyer.TryIdentify(url, out var id, out _)) continue;
                keys.Add(id.Key.Value);
                // robots.txt is applied when the URL comes up, so a disallowed sitemap URL is recorded as such.
                if (!scope.Allows(id, 1)) continue;
                entries.Add(FrontierEntry.Sitemap(id, url, parsed.Href, now));
            }
            await pages.AddSitemapEntriesAsync(parsed.Href, keys, ct);
            added += await frontier.EnqueueAsync(entries, ct);
        }
        return added;
    }

    /// <summary>The scope gate (as a seed would pass it) and the robots.txt of the sitemap's own host.</summary>
    private async Task<bool> MayFetchAsync(WebUrl sitemap, CancellationToken ct)
    {
        if (!keyer.TryIdentify(sitemap.Href, out var id, out _) || !scope.Allows(id, 0)) return false;
        var (rules, _) = await robots.RulesAsync(id.Normalized, ct);
        return rules.Check(agentToken, id.Normalized.PathAndQuery).Allowed;
    }
}
