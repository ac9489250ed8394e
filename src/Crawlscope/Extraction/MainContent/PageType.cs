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

/// <summary>Where a page-type signal was read.</summary>
public enum PageTypeEvidence { Given, SchemaType, StructuredItems, OpenGraphType, Host, UrlPart, SiteRoot, IndexWord, Slug, CodeBlocks, Prices, ShopMarkup, Cards, HomePageCards, Posts }

/// <summary>One piece of evidence for a page type: its weight, where it was read and what it was.</summary>
public sealed record PageTypeSignal(PageType Type, double Weight, PageTypeEvidence Evidence, string Detail)
{
    public override string ToString() => $"{Type.Name()}+{Weight:0.#} {Detail}";
}

/// <summary>The page type chosen, how sure the classifier is (0–1), and the signals that decided it.</summary>
public sealed record PageTypeGuess(PageType Type, double Confidence, IReadOnlyList<PageTypeSignal> Signals)
{
    public static PageTypeGuess Default { get; } = new(PageType.Article, 0, []);

    /// <summary>The type given by the caller, not classified.</summary>
    public static PageTypeGuess Given(PageType type) => new(type, 1, [new PageTypeSignal(type, 0, PageTypeEvidence.Given, "given")]);

    /// <summary>The lower-case name used in the store, the API and exports.</summary>
    public string Name => Type.Name();

    /// <summary>The signals as one line, for people (<c>extract</c>, <c>eval</c>).</summary>
    public string SignalText => Signals.Count == 0 ? "no signal"
        : Signals is [{ Evidence: PageTypeEvidence.Given }] ? "given" : string.Join("; ", Signals);
}

internal static class PageTypeNames
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
