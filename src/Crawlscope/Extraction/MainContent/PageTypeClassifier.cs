using System.Text.Json;
using AngleSharp.Dom;
using AngleSharp.Html.Dom;
using Crawlscope.Urls;

namespace Crawlscope.Extraction.MainContent;

/// <summary>What the page says about itself in structured data: schema.org types (JSON-LD and microdata),
/// Open Graph type, and a product's name and description when JSON-LD carries them.</summary>
internal sealed record StructuredData(IReadOnlySet<string> Types, string? OpenGraphType, string? ProductDescription, int Products, int Articles = 0,
    string? ProductName = null)
{
    /// <summary>Reads the JSON-LD and microdata the body walk met, and the head's JSON-LD and og:type.</summary>
    public static StructuredData Read(IHtmlDocument document, DomBlocks blocks)
    {
        var types = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        var tally = new Tally();
        string? og = null;
        var scripts = new List<string>(blocks.JsonLd);
        foreach (var node in document.Head?.ChildNodes ?? (IEnumerable<INode>)[])
        {
            if (node is not IElement e) continue;
            if (e.LocalName == "script" && string.Equals(e.GetAttribute("type")?.Trim(), "application/ld+json", StringComparison.OrdinalIgnoreCase))
                scripts.Add(e.TextContent);
            else if (e.LocalName == "meta" && og is null && string.Equals(e.GetAttribute("property"), "og:type", StringComparison.OrdinalIgnoreCase))
                og = e.GetAttribute("content")?.Trim();
        }
        foreach (string json in scripts)
        {
            if (json.Length > 1_000_000) continue;
            try
            {
                using var doc = JsonDocument.Parse(json, new JsonDocumentOptions { AllowTrailingCommas = true, CommentHandling = JsonCommentHandling.Skip, MaxDepth = 64 });
                Walk(doc.RootElement, types, tally, 0);
            }
            catch (JsonException)
            {
                // Broken JSON-LD is common; the page's other signals still count.
            }
        }
        foreach (string itemType in blocks.ItemTypes)
        {
            foreach (var t in itemType.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            {
                string name = t[(t.LastIndexOf('/') + 1)..];
                types.Add(name);
                if (name.Equals("Product", StringComparison.OrdinalIgnoreCase)) tally.Products++;
            }
        }
        return new StructuredData(types, og, tally.ProductDescription, tally.Products, tally.Articles, tally.ProductName);
    }

    /// <summary>How many products and articles the structured data describes, and the first product's name and description.</summary>
    private sealed class Tally
    {
        public int Products, Articles;
        public string? ProductName, ProductDescription;
    }

    private static void Walk(JsonElement e, HashSet<string> types, Tally tally, int depth)
    {
        if (depth > 12) return;
        switch (e.ValueKind)
        {
            case JsonValueKind.Array:
                foreach (var item in e.EnumerateArray()) Walk(item, types, tally, depth + 1);
                break;
            case JsonValueKind.Object:
                bool product = false, article = false;
                if (e.TryGetProperty("@type", out var type))
                {
                    foreach (var name in type.ValueKind == JsonValueKind.Array ? type.EnumerateArray() : Enumerable.Repeat(type, 1))
                        if (name.ValueKind == JsonValueKind.String && name.GetString() is { } s)
                        {
                            types.Add(s[(s.LastIndexOf('/') + 1)..]);
                            product |= s.EndsWith("Product", StringComparison.OrdinalIgnoreCase) || s.EndsWith("ProductGroup", StringComparison.OrdinalIgnoreCase);
                            article |= s.EndsWith("Article", StringComparison.OrdinalIgnoreCase) || s.EndsWith("BlogPosting", StringComparison.OrdinalIgnoreCase);
                        }
                }
                if (product) tally.Products++;
                if (article) tally.Articles++;
                if (product && tally.ProductDescription is null && e.TryGetProperty("description", out var d) && d.ValueKind == JsonValueKind.String)
                {
                    tally.ProductDescription = d.GetString();
                    if (e.TryGetProperty("name", out var n) && n.ValueKind == JsonValueKind.String) tally.ProductName = n.GetString();
                }
                foreach (var property in e.EnumerateObject())
                    if (property.Value.ValueKind is JsonValueKind.Object or JsonValueKind.Array)
                        Walk(property.Value, types, tally, depth + 1);
                break;
        }
    }
}

/// <summary>
/// Decides a page's type from what it says about itself (schema.org types, og:type), the shape of its URL, and the
/// shape of its DOM (code blocks, shop markup, repeated cards, a sequence of posts). Each signal adds weight to a
/// type; the heaviest wins, and the confidence is its share of all the weight. Article is the default when nothing
/// speaks. No rule names a site. The weights are the tables and constants below.
/// </summary>
internal static class PageTypeClassifier
{
    // A page needs more than a faint signal to leave the default profile: Article starts with this much.
    private const double ArticlePrior = 1.0;
    private const double NoSignalConfidence = 0.3;

    // Structured data that describes several items is an index of them.
    private const int ItemsForAnIndex = 3;
    private const double ItemIndexWeight = 4;

    // The DOM: code blocks, prices, shop markup, repeated cards and posts.
    private const int CodeBlocksForDocs = 2;
    private const double WeightPerCodeBlock = 0.5, MaxCodeWeight = 3;
    private const int PricesForACollection = 12;
    private const double PricesWeight = 2.5;
    private const int ShopElementsForAProduct = 3;
    private const double WeightPerShopElement = 0.2, MaxShopWeight = 2;
    private const int CardsForAnIndex = 6;
    private const double CardTextShare = 0.3;
    private const double ProductCardsWeight = 3, CardsWeight = 2.5, HomePageCardsWeight = 2;
    private const int PostLikeSiblings = 3, LongPosts = 4, PostUnlinkedChars = 150;
    private const double PostsWeight = 2;

    // The URL: a site root, an index word at the end, an article's slug.
    private const double SiteRootWeight = 1.5, IndexWordWeight = 2.5, SlugWeight = 1;
    private const int SlugHyphens = 3;
    // Path parts longer than this are also looked for in the query ("viewtopic", "showthread").
    private const int QueryPartMinLength = 7;

    /// <summary>schema.org types (lower case) and what each says. Question and Answer count only off an FAQ page,
    /// whose questions and answers are the site's own, not a thread.</summary>
    private static readonly Dictionary<string, (PageType Type, double Weight)> SchemaTypes = new(StringComparer.Ordinal)
    {
        ["product"] = (PageType.Product, 3), ["productgroup"] = (PageType.Product, 3), ["offer"] = (PageType.Product, 3),
        ["aggregateoffer"] = (PageType.Product, 3), ["individualproduct"] = (PageType.Product, 3),
        ["discussionforumposting"] = (PageType.Forum, 4), ["qapage"] = (PageType.Forum, 4), ["socialmediaposting"] = (PageType.Forum, 4),
        ["comment"] = (PageType.Forum, 4), ["question"] = (PageType.Forum, 1.5), ["answer"] = (PageType.Forum, 1.5),
        ["techarticle"] = (PageType.Documentation, 3), ["apireference"] = (PageType.Documentation, 3), ["softwaresourcecode"] = (PageType.Documentation, 3),
        ["newsarticle"] = (PageType.Article, 2), ["blogposting"] = (PageType.Article, 2), ["article"] = (PageType.Article, 2),
        ["reportagenewsarticle"] = (PageType.Article, 2), ["opinionnewsarticle"] = (PageType.Article, 2), ["reviewnewsarticle"] = (PageType.Article, 2),
        ["recipe"] = (PageType.Article, 2), ["review"] = (PageType.Article, 2),
        ["collectionpage"] = (PageType.Listing, 1.5), ["searchresultspage"] = (PageType.Listing, 1.5), ["offercatalog"] = (PageType.Listing, 1.5),
        ["itemlist"] = (PageType.Listing, 1),
        ["service"] = (PageType.Service, 1.5), ["professionalservice"] = (PageType.Service, 1.5), ["softwareapplication"] = (PageType.Service, 1.5),
        ["webapplication"] = (PageType.Service, 1.5), ["faqpage"] = (PageType.Service, 1.5),
    };

    private static readonly Dictionary<string, (PageType Type, double Weight)> OpenGraphTypes = new(StringComparer.Ordinal)
    {
        ["article"] = (PageType.Article, 1), ["blog"] = (PageType.Article, 1), ["blogposting"] = (PageType.Article, 1),
        ["product"] = (PageType.Product, 2), ["product.item"] = (PageType.Product, 2), ["og:product"] = (PageType.Product, 2),
    };

    private static readonly (string Prefix, PageType Type, double Weight)[] HostPrefixes =
    [
        ("forum.", PageType.Forum, 2), ("forums.", PageType.Forum, 2), ("community.", PageType.Forum, 2), ("discuss.", PageType.Forum, 2),
        ("docs.", PageType.Documentation, 2), ("doc.", PageType.Documentation, 2), ("developer.", PageType.Documentation, 2), ("wiki.", PageType.Documentation, 2),
        ("shop.", PageType.Product, 1), ("store.", PageType.Product, 1),
    ];

    private static readonly (string Part, PageType Type, double Weight)[] PathParts =
    [
        ("/forum", PageType.Forum, 3), ("/forums/", PageType.Forum, 3), ("/thread", PageType.Forum, 3), ("/threads/", PageType.Forum, 3),
        ("/topic/", PageType.Forum, 2.5), ("/topics/", PageType.Forum, 1.5), ("/t/", PageType.Forum, 2), ("/questions/", PageType.Forum, 3),
        ("/question/", PageType.Forum, 2), ("/discussion", PageType.Forum, 2.5), ("/community/", PageType.Forum, 1.5),
        ("viewtopic", PageType.Forum, 3), ("showthread", PageType.Forum, 3), ("/comments/", PageType.Forum, 2),
        ("/docs/", PageType.Documentation, 3), ("/doc/", PageType.Documentation, 2.5), ("/documentation/", PageType.Documentation, 3),
        ("/reference/", PageType.Documentation, 2), ("/api/", PageType.Documentation, 2), ("/manual/", PageType.Documentation, 2.5),
        ("/guide/", PageType.Documentation, 1.5), ("/guides/", PageType.Documentation, 1.5), ("/wiki/", PageType.Documentation, 1.5),
        ("/tutorial", PageType.Documentation, 1), ("/man/", PageType.Documentation, 2), ("/library/", PageType.Documentation, 1),
        ("/product/", PageType.Product, 2.5), ("/products/", PageType.Product, 2), ("/p/", PageType.Product, 1), ("/dp/", PageType.Product, 2.5),
        ("/item/", PageType.Product, 1.5), ("/shop/", PageType.Collection, 1),
        ("/collections/", PageType.Collection, 2.5), ("/collection/", PageType.Collection, 2), ("/category/", PageType.Collection, 1.5),
        ("/categories/", PageType.Collection, 1.5), ("/c/", PageType.Collection, 1), ("/browse/", PageType.Collection, 1.5),
        ("/services/", PageType.Service, 2), ("/service/", PageType.Service, 2), ("/solutions/", PageType.Service, 2),
        ("/features", PageType.Service, 1.5), ("/pricing", PageType.Service, 2), ("/platform", PageType.Service, 1),
        ("/about", PageType.Service, 1), ("/contact", PageType.Service, 1),
        ("/tag/", PageType.Listing, 2), ("/tags/", PageType.Listing, 2), ("/author/", PageType.Listing, 2), ("/page/", PageType.Listing, 1.5),
        ("/archive", PageType.Listing, 2), ("/events", PageType.Listing, 1),
    ];

    /// <summary>Last path segments that name an index of stories.</summary>
    private static readonly HashSet<string> IndexWords = new(StringComparer.Ordinal)
        { "blog", "news", "articles", "posts", "stories", "press", "insights", "resources" };

    public static PageTypeGuess Classify(WebUrl url, StructuredData data, DomBlocks blocks)
    {
        var signals = new List<PageTypeSignal>();
        StructuredSignals(data, signals);
        bool siteRoot = UrlSignals(url, signals);
        DomSignals(blocks, siteRoot, signals);

        var weights = new double[Enum.GetValues<PageType>().Length];
        foreach (var signal in signals) weights[(int)signal.Type] += signal.Weight;
        int best = 0;
        for (int i = 1; i < weights.Length; i++)
            if (weights[i] > weights[best]) best = i;
        double total = weights.Sum();
        if (weights[best] <= 0) return new PageTypeGuess(PageType.Article, NoSignalConfidence, []);
        int article = (int)PageType.Article;
        if (best != article && weights[best] < ArticlePrior + weights[article])
            return new PageTypeGuess(PageType.Article, Math.Round((ArticlePrior + weights[article]) / (total + ArticlePrior), 2), signals);
        return new PageTypeGuess((PageType)best, Math.Round(weights[best] / (total + (best == article ? 0 : ArticlePrior)), 2), signals);
    }

    private static void StructuredSignals(StructuredData data, List<PageTypeSignal> signals)
    {
        if (data.Products >= ItemsForAnIndex) signals.Add(new(PageType.Collection, ItemIndexWeight, PageTypeEvidence.StructuredItems, $"{data.Products} schema:Product items"));
        if (data.Articles >= ItemsForAnIndex) signals.Add(new(PageType.Listing, ItemIndexWeight, PageTypeEvidence.StructuredItems, $"{data.Articles} schema:Article items"));
        bool faq = data.Types.Contains("FAQPage");
        foreach (var t in data.Types)
        {
            string name = t.ToLowerInvariant();
            if (faq && name is "question" or "answer") continue;
            if (SchemaTypes.TryGetValue(name, out var said)) signals.Add(new(said.Type, said.Weight, PageTypeEvidence.SchemaType, "schema:" + t));
        }
        if (data.OpenGraphType?.ToLowerInvariant() is { } og && OpenGraphTypes.TryGetValue(og, out var ogSaid))
            signals.Add(new(ogSaid.Type, ogSaid.Weight, PageTypeEvidence.OpenGraphType, "og:type"));
    }

    /// <summary>Adds what the URL says; true when it is a site's root.</summary>
    private static bool UrlSignals(WebUrl url, List<PageTypeSignal> signals)
    {
        string host = url.Host;
        foreach (var (prefix, type, weight) in HostPrefixes)
            if (host.StartsWith(prefix, StringComparison.Ordinal) && !signals.Exists(s => s.Evidence == PageTypeEvidence.Host && s.Type == type))
                signals.Add(new(type, weight, PageTypeEvidence.Host, "host"));

        string path = url.Path.ToLowerInvariant() + (url.Path.EndsWith('/') ? "" : "/");
        string pathAndQuery = url.PathAndQuery;
        foreach (var (part, type, weight) in PathParts)
            if (path.Contains(part, StringComparison.Ordinal) || part.Length >= QueryPartMinLength && pathAndQuery.Contains(part, StringComparison.OrdinalIgnoreCase))
                signals.Add(new(type, weight, PageTypeEvidence.UrlPart, "url " + part));
        var segments = url.Path.Split('/', StringSplitOptions.RemoveEmptyEntries);
        if (segments.Length == 0) signals.Add(new(PageType.Service, SiteRootWeight, PageTypeEvidence.SiteRoot, "site root"));
        else if (IndexWords.Contains(segments[^1])) signals.Add(new(PageType.Listing, IndexWordWeight, PageTypeEvidence.IndexWord, "url ends in an index word"));
        // A long hyphenated last segment is the slug of an article.
        else if (segments[^1].Count(c => c == '-') >= SlugHyphens) signals.Add(new(PageType.Article, SlugWeight, PageTypeEvidence.Slug, "slug"));
        return segments.Length == 0;
    }

    private static void DomSignals(DomBlocks blocks, bool siteRoot, List<PageTypeSignal> signals)
    {
        if (blocks.Count == 0) return;
        int text = Math.Max(1, blocks.Text[0]);
        int code = blocks.CodeBlocks[0];
        if (code >= CodeBlocksForDocs)
            signals.Add(new(PageType.Documentation, Math.Min(MaxCodeWeight, code * WeightPerCodeBlock), PageTypeEvidence.CodeBlocks, $"{code} code blocks"));

        int shop = 0, posts = 0, prices = 0;
        for (int i = 0; i < blocks.Count; i++)
        {
            var role = blocks.Roles[i];
            if ((role & BlockRole.Shop) != 0) shop++;
            // Nested price elements (a price inside a "price" wrapper) count once.
            if ((role & BlockRole.Price) != 0 && (blocks.Parent[i] < 0 || (blocks.Roles[blocks.Parent[i]] & BlockRole.Price) == 0)) prices++;
            if ((role & BlockRole.Post) != 0 && blocks.Text[i] - blocks.LinkText[i] >= PostUnlinkedChars) posts++;
        }
        if (prices >= PricesForACollection) signals.Add(new(PageType.Collection, PricesWeight, PageTypeEvidence.Prices, $"{prices} prices"));
        else if (shop >= ShopElementsForAProduct)
            signals.Add(new(PageType.Product, Math.Min(MaxShopWeight, shop * WeightPerShopElement), PageTypeEvidence.ShopMarkup, $"{shop} shop elements"));

        var (cards, cardsWithShop, cardText, postLike) = RepeatedCards(blocks);
        if (cards >= CardsForAnIndex && cardText >= CardTextShare * text)
        {
            if (cardsWithShop >= cards / 2) signals.Add(new(PageType.Collection, ProductCardsWeight, PageTypeEvidence.Cards, $"{cards} product cards"));
            else signals.Add(new(PageType.Listing, CardsWeight, PageTypeEvidence.Cards, $"{cards} repeated cards"));
        }
        // A site's home page made of cards is its front page of stories (a company's home is sections, not cards).
        else if (siteRoot && cards >= CardsForAnIndex && cardsWithShop < cards / 2)
            signals.Add(new(PageType.Listing, HomePageCardsWeight, PageTypeEvidence.HomePageCards, $"{cards} cards on the home page"));
        if (postLike >= PostLikeSiblings || posts >= LongPosts)
            signals.Add(new(PageType.Forum, PostsWeight, PageTypeEvidence.Posts, $"{Math.Max(postLike, posts)} posts"));
    }

    /// <summary>
    /// The largest group of sibling elements with the same tag and class that each hold a link and some text (cards
    /// of a listing), how many of them carry shop markup, their share of the text, and the largest group of siblings
    /// with long, mostly unlinked text (posts of a thread).
    /// </summary>
    internal static (int Cards, int WithShop, int Text, int Posts) RepeatedCards(DomBlocks blocks)
    {
        int bestCards = 0, bestShop = 0, bestText = 0, bestPosts = 0;
        var groups = new Dictionary<ulong, (int Count, int Shop, int Text, int Posts)>();
        for (int parent = 0; parent < blocks.Count; parent++)
        {
            if (!blocks.HasChildren(parent, 3)) continue;
            groups.Clear();
            for (int k = parent + 1; k < blocks.End[parent]; k = blocks.End[k])
            {
                if ((blocks.Roles[k] & BlockRole.Inline) != 0 || blocks.Text[k] < 20) continue;
                groups.TryGetValue(blocks.TagAndClass[k], out var g);
                bool card = blocks.LinkText[k] > 0 && blocks.Text[k] < 1500;
                bool post = (blocks.Roles[k] & (BlockRole.Post | BlockRole.Comments)) != 0 && (blocks.Roles[k] & BlockRole.Paragraph) == 0
                    && blocks.Text[k] - blocks.LinkText[k] >= 100 && blocks.LinkText[k] < 0.5 * blocks.Text[k];
                groups[blocks.TagAndClass[k]] = (g.Count + (card ? 1 : 0), g.Shop + (card && HasShop(blocks, k) ? 1 : 0), g.Text + (card ? blocks.Text[k] : 0), g.Posts + (post ? 1 : 0));
            }
            foreach (var (_, g) in groups)
            {
                if (g.Count > bestCards) (bestCards, bestShop, bestText) = (g.Count, g.Shop, g.Text);
                if (g.Posts > bestPosts) bestPosts = g.Posts;
            }
        }
        return (bestCards, bestShop, bestText, bestPosts);
    }

    private static bool HasShop(DomBlocks blocks, int index)
    {
        int end = blocks.End[index];
        for (int i = index; i < end; i++)
            if ((blocks.Roles[i] & BlockRole.Shop) != 0) return true;
        return false;
    }
}
