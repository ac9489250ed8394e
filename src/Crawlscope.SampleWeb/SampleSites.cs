namespace Crawlscope.SampleWeb;

/// <summary>What a sample host is for: each kind serves the pages that exercise one part of the crawler.</summary>
public enum SiteKind { News, Shop, Blog, Docs, Travel, Recipes, Forum, Spam, Mirror, Slow, Errors, Files, SeedArticle, ClientRendered, HostileScripts }

public sealed record SampleHost(string Name, SiteKind Kind);

/// <summary>The hosts of the sample web: 23 hosts over 18 registrable domains, some under multi-label suffixes; the last
/// two build their pages with scripts (<see cref="ScriptedPages"/>).</summary>
public static class SampleSites
{
    public static readonly IReadOnlyList<SampleHost> Hosts =
    [
        new("www.alpha-news.test", SiteKind.News),
        new("blog.alpha-news.test", SiteKind.Blog),
        new("m.alpha-news.test", SiteKind.News),
        new("www.beta-shop.co.uk", SiteKind.Shop),
        new("help.beta-shop.co.uk", SiteKind.Docs),
        new("gamma-blog.test", SiteKind.Blog),
        new("www.delta-science.org.uk", SiteKind.News),
        new("epsilon.com.au", SiteKind.Travel),
        new("www.epsilon.com.au", SiteKind.Travel),
        new("zeta-travel.test", SiteKind.Travel),
        new("eta-recipes.test", SiteKind.Recipes),
        new("www.eta-recipes.test", SiteKind.Recipes),
        new("theta-forum.test", SiteKind.Forum),
        new("iota-docs.test", SiteKind.Docs),
        new("kappa-deals.test", SiteKind.Spam),
        new("lambda-mirror.test", SiteKind.Mirror),
        new("mu-slow.test", SiteKind.Slow),
        new("nu-errors.test", SiteKind.Errors),
        new("xi-files.test", SiteKind.Files),
        new("www.pickl.test", SiteKind.SeedArticle),
        new("omicron.net.test", SiteKind.Blog),
        new("rho-app.test", SiteKind.ClientRendered),
        new("sigma-scripts.test", SiteKind.HostileScripts),
    ];

    /// <summary>The hosts whose pages the server renders whole (the first 21): what the crawl benchmarks crawl by
    /// default, so that their figures compare with builds before the scripted hosts.</summary>
    public static int ServerRenderedCount => Hosts.Count(h => h.Kind is not (SiteKind.ClientRendered or SiteKind.HostileScripts));

    public const string SeedArticlePath = "/blog/python-global-interpreter-lock/";

    public static SampleHost? Find(string host) => Hosts.FirstOrDefault(h => h.Name.Equals(host, StringComparison.OrdinalIgnoreCase));

    // A broad sample web (more hosts than the 21 above, for the many-host benchmark) is made of generated blog
    // hosts, each its own site: site0.test, site1.test, ... Host i's home links hosts 10i+1 to 10i+10, so a crawl
    // seeded with site0.test reaches 100,000 hosts within five levels.
    public const int GeneratedFanOut = 10;

    public static string GeneratedName(int i) => $"site{i}.test";

    /// <summary>The first <paramref name="count"/> generated hosts' names.</summary>
    public static IEnumerable<string> GeneratedNames(int count) => Enumerable.Range(0, count).Select(GeneratedName);

    /// <summary>The index of a generated host's name below <paramref name="count"/>, or null.</summary>
    public static int? GeneratedIndex(string host, int count) =>
        host.StartsWith("site", StringComparison.Ordinal) && host.EndsWith(".test", StringComparison.Ordinal)
        && int.TryParse(host.AsSpan(4, host.Length - 9), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out int i)
        && i < count && GeneratedName(i) == host ? i : null;
}
