using Crawlscope.Urls;

namespace Crawlscope.Crawling;

/// <summary>Decides whether a discovered URL belongs to the crawl: scope kind, depth, include and exclude patterns.</summary>
public sealed class CrawlScope(CrawlOptions options, IEnumerable<UrlIdentity> seeds)
{
    private readonly HashSet<string> _sites = seeds.Select(s => s.Site).ToHashSet(StringComparer.Ordinal);
    private readonly HashSet<string> _hosts = seeds.Select(s => s.Host).ToHashSet(StringComparer.Ordinal);

    public bool Allows(UrlIdentity url, int depth)
    {
        if (options.MaxDepth is { } max && depth > max) return false;
        bool inScope = options.Scope switch
        {
            CrawlScopeKind.Site => _sites.Contains(url.Site),
            CrawlScopeKind.Seeds => _hosts.Contains(url.Host),
            _ => true,
        };
        if (!inScope) return false;
        string href = url.Normalized.Href;
        if (options.Include.Count > 0 && !options.Include.Any(r => r.IsMatch(href))) return false;
        return !options.Exclude.Any(r => r.IsMatch(href));
    }
}
