namespace Crawlscope.Extraction.MainContent;

/// <summary>What kind of page this is, in the taxonomy of the WCXB benchmark: each kind keeps different parts as
/// its main content.</summary>
public enum PageType
{
    /// <summary>News, blog posts, guides, reviews: one body of prose. The default.</summary>
    Article,
    /// <summary>Threads and Q&amp;A: several people's posts in sequence, all of them content.</summary>
    Forum,
    /// <summary>One product: description, specifications, price.</summary>
    Product,
    /// <summary>A grid of products (a shop's category page).</summary>
    Collection,
    /// <summary>An index of content items: news feeds, blog indexes, course catalogues.</summary>
    Listing,
    /// <summary>Technical documentation: prose with code, tables and a navigation sidebar that is not content.</summary>
    Documentation,
    /// <summary>Marketing and service pages: many independent sections, all content.</summary>
    Service,
}

/// <summary>The page type chosen, how sure the classifier is (0–1), and the signals that decided it.</summary>
public sealed record PageTypeGuess(PageType Type, double Confidence, string Signals)
{
    public static PageTypeGuess Default { get; } = new(PageType.Article, 0, "no signal");

    /// <summary>The lower-case name used in the store, the API and exports.</summary>
    public string Name => Type.Name();
}

public static class PageTypeNames
{
    public static string Name(this PageType type) => type switch
    {
        PageType.Article => "article",
        PageType.Forum => "forum",
        PageType.Product => "product",
        PageType.Collection => "collection",
        PageType.Listing => "listing",
        PageType.Documentation => "documentation",
        _ => "service",
    };
}
