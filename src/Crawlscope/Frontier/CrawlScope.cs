using System.Collections.Concurrent;
using System.Text.RegularExpressions;
using Crawlscope.Urls;

namespace Crawlscope.Frontier;

/// <summary>Which URLs a crawl may visit.</summary>
public enum CrawlScopeKind
{
    /// <summary>The seeds' registrable domains (default).</summary>
    Site,
    /// <summary>The seeds' hosts only.</summary>
    Seeds,
    /// <summary>Anything reachable.</summary>
    Any,
}

/// <summary>What the scope gate said of a URL (snake_case where it is recorded).</summary>
public enum ScopeVerdict { Allowed, TooDeep, OutOfScope, NotIncluded, Excluded }

/// <summary>The scope rules: kind, depth, include and exclude patterns.</summary>
public sealed record ScopeOptions(CrawlScopeKind Kind, int? MaxDepth, IReadOnlyList<Regex> Include, IReadOnlyList<Regex> Exclude);

/// <summary>
/// Decides whether a URL belongs to the crawl: scope kind, depth, include and exclude patterns. Every URL the
/// crawler fetches passes it, however it was found: seed, link, redirect, sitemap or sitemap file.
/// </summary>
public sealed class CrawlScope
{
    private readonly ScopeOptions options;
    // Read by every worker, extended by an operator adding seeds while the crawl runs.
    private readonly ConcurrentDictionary<string, bool> _sites = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, bool> _hosts = new(StringComparer.Ordinal);

    public CrawlScope(ScopeOptions options, IEnumerable<UrlIdentity> seeds)
    {
        this.options = options;
        foreach (var seed in seeds) Add(seed);
    }

    public ScopeOptions Options => options;

    /// <summary>A new seed: its site (or host, by the scope kind) is in scope from now on.</summary>
    public void Add(UrlIdentity seed)
    {
        _sites.TryAdd(seed.Site, true);
        _hosts.TryAdd(seed.Host, true);
    }

    public bool Allows(UrlIdentity url, int depth) => Check(url, depth) == ScopeVerdict.Allowed;

    public ScopeVerdict Check(UrlIdentity url, int depth)
    {
        if (options.MaxDepth is { } max && depth > max) return ScopeVerdict.TooDeep;
        bool inScope = options.Kind switch
        {
            CrawlScopeKind.Site => _sites.ContainsKey(url.Site),
            CrawlScopeKind.Seeds => _hosts.ContainsKey(url.Host),
            _ => true,
        };
        if (!inScope) return ScopeVerdict.OutOfScope;
        return Patterns(options, url.Normalized.Href);
    }

    /// <summary>The include and exclude patterns alone (seeds are in scope by definition, but not past the patterns).</summary>
    public static ScopeVerdict Patterns(ScopeOptions options, string href)
    {
        if (options.Include.Count > 0 && !options.Include.Any(r => r.IsMatch(href))) return ScopeVerdict.NotIncluded;
        return options.Exclude.Any(r => r.IsMatch(href)) ? ScopeVerdict.Excluded : ScopeVerdict.Allowed;
    }
}
