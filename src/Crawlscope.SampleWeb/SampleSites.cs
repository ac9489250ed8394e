namespace Crawlscope.SampleWeb;

/// <summary>What a sample host is for: each kind serves the pages that exercise one part of the crawler.</summary>
public enum SiteKind { News, Shop, Blog, Docs, Travel, Recipes, Forum, Spam, Mirror, Slow, Errors, Files, SeedArticle }

public sealed record SampleHost(string Name, SiteKind Kind);

/// <summary>The hosts of the sample web: 21 hosts over 16 registrable domains, some under multi-label suffixes.</summary>
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
    ];

    public const string SeedArticlePath = "/blog/python-global-interpreter-lock/";

    public static SampleHost? Find(string host) => Hosts.FirstOrDefault(h => h.Name.Equals(host, StringComparison.OrdinalIgnoreCase));
}
