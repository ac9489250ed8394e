using System.Text.Json;
using AngleSharp.Dom;
using AngleSharp.Html.Dom;

namespace Crawlscope.Extraction.MainContent;

/// <summary>What the page says about itself in structured data: schema.org types (JSON-LD and microdata),
/// Open Graph type, and a product's description when JSON-LD carries one.</summary>
internal sealed record StructuredData(IReadOnlySet<string> Types, string? OpenGraphType, string? ProductDescription, int Products, int Articles = 0)
{
    /// <summary>Reads the JSON-LD and microdata the body walk met, and the head's JSON-LD and og:type.</summary>
    public static StructuredData Read(IHtmlDocument document, DomBlocks blocks)
    {
        var types = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        string? productDescription = null;
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
                Walk(doc.RootElement, types, ref productDescription, tally, 0);
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
        return new StructuredData(types, og, productDescription, tally.Products, tally.Articles);
    }

    /// <summary>How many products and articles the structured data describes.</summary>
    private sealed class Tally
    {
        public int Products, Articles;
    }

    private static void Walk(JsonElement e, HashSet<string> types, ref string? productDescription, Tally tally, int depth)
    {
        if (depth > 12) return;
        switch (e.ValueKind)
        {
            case JsonValueKind.Array:
                foreach (var item in e.EnumerateArray()) Walk(item, types, ref productDescription, tally, depth + 1);
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
                if (product && productDescription is null && e.TryGetProperty("description", out var d) && d.ValueKind == JsonValueKind.String)
                    productDescription = d.GetString();
                foreach (var property in e.EnumerateObject())
                    if (property.Value.ValueKind is JsonValueKind.Object or JsonValueKind.Array)
                        Walk(property.Value, types, ref productDescription, tally, depth + 1);
                break;
        }
    }
}

/// <summary>
/// Decides a page's type from what it says about itself (schema.org types, og:type), the shape of its URL, and the
/// shape of its DOM (code blocks, shop markup, repeated cards, a sequence of posts). Each signal adds weight to a
/// type; the heaviest wins, and the confidence is its share of all the weight. Article is the default when nothing
/// speaks. No rule names a site.
/// </summary>
internal static class PageTypeClassifier
{
    public static PageTypeGuess Classify(string url, StructuredData data, DomBlocks blocks)
    {
        var weights = new double[Enum.GetValues<PageType>().Length];
        var signals = new List<string>();
        void Add(PageType type, double weight, string signal)
        {
            weights[(int)type] += weight;
            signals.Add($"{type.Name()}+{weight:0.#} {signal}");
        }

        StructuredSignals(data, Add);
        bool siteRoot = UrlSignals(url, Add);
        DomSignals(blocks, siteRoot, Add);

        int best = 0;
        for (int i = 1; i < weights.Length; i++)
            if (weights[i] > weights[best]) best = i;
        double total = weights.Sum();
        if (weights[best] <= 0) return new PageTypeGuess(PageType.Article, 0.3, "no signal");
        // Article keeps a prior: a page needs more than a faint signal to leave the default profile.
        double prior = 1.0;
        if (best != (int)PageType.Article && weights[best] < prior + weights[(int)PageType.Article])
            return new PageTypeGuess(PageType.Article, Math.Round((prior + weights[0]) / (total + prior), 2), string.Join("; ", signals));
        return new PageTypeGuess((PageType)best, Math.Round(weights[best] / (total + (best == 0 ? 0 : prior)), 2), string.Join("; ", signals));
    }

    private static void StructuredSignals(StructuredData data, Action<PageType, double, string> add)
    {
        if (data.Products >= 3) add(PageType.Collection, 4, $"{data.Products} schema:Product items");
        if (data.Articles >= 3) add(PageType.Listing, 4, $"{data.Articles} schema:Article items");
        bool faq = data.Types.Contains("FAQPage");
        foreach (var t in data.Types)
        {
            switch (t.ToLowerInvariant())
            {
                case "product" or "productgroup" or "offer" or "aggregateoffer" or "individualproduct":
                    add(PageType.Product, 3, "schema:" + t); break;
                case "discussionforumposting" or "qapage" or "socialmediaposting" or "comment":
                    add(PageType.Forum, 4, "schema:" + t); break;
                // An FAQ's questions and answers are the site's own, not a thread.
                case "question" or "answer" when !faq:
                    add(PageType.Forum, 1.5, "schema:" + t); break;
                case "techarticle" or "apireference" or "softwaresourcecode":
                    add(PageType.Documentation, 3, "schema:" + t); break;
                case "newsarticle" or "blogposting" or "article" or "reportagenewsarticle" or "opinionnewsarticle" or "reviewnewsarticle" or "recipe" or "review":
                    add(PageType.Article, 2, "schema:" + t); break;
                case "collectionpage" or "searchresultspage" or "offercatalog":
                    add(PageType.Listing, 1.5, "schema:" + t); break;
                case "itemlist":
                    add(PageType.Listing, 1, "schema:" + t); break;
                case "service" or "professionalservice" or "softwareapplication" or "webapplication" or "faqpage":
                    add(PageType.Service, 1.5, "schema:" + t); break;
            }
        }
        switch (data.OpenGraphType?.ToLowerInvariant())
        {
            case "article" or "blog" or "blogposting": add(PageType.Article, 1, "og:type"); break;
            case "product" or "product.item" or "og:product": add(PageType.Product, 2, "og:type"); break;
        }
    }

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

    /// <summary>Adds what the URL says; true when it is a site's root.</summary>
    private static bool UrlSignals(string url, Action<PageType, double, string> add)
    {
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri)) return false;
        string host = uri.Host.ToLowerInvariant();
        if (host.StartsWith("forum.", StringComparison.Ordinal) || host.StartsWith("forums.", StringComparison.Ordinal)
            || host.StartsWith("community.", StringComparison.Ordinal) || host.StartsWith("discuss.", StringComparison.Ordinal))
            add(PageType.Forum, 2, "host");
        if (host.StartsWith("docs.", StringComparison.Ordinal) || host.StartsWith("doc.", StringComparison.Ordinal)
            || host.StartsWith("developer.", StringComparison.Ordinal) || host.StartsWith("wiki.", StringComparison.Ordinal))
            add(PageType.Documentation, 2, "host");
        if (host.StartsWith("shop.", StringComparison.Ordinal) || host.StartsWith("store.", StringComparison.Ordinal))
            add(PageType.Product, 1, "host");

        string path = uri.AbsolutePath.ToLowerInvariant() + (uri.AbsolutePath.EndsWith('/') ? "" : "/");
        string pathAndQuery = uri.PathAndQuery;
        foreach (var (part, type, weight) in PathParts)
            if (path.Contains(part, StringComparison.Ordinal) || part.Length > 6 && pathAndQuery.Contains(part, StringComparison.OrdinalIgnoreCase))
                add(type, weight, "url " + part);
        var segments = uri.AbsolutePath.Split('/', StringSplitOptions.RemoveEmptyEntries);
        if (segments.Length == 0) add(PageType.Service, 1.5, "site root");
        else if (segments[^1] is "blog" or "news" or "articles" or "posts" or "stories" or "press" or "insights" or "resources")
            add(PageType.Listing, 2.5, "url ends in an index word");
        // A long hyphenated last segment is the slug of an article.
        else if (segments[^1].Count(c => c == '-') >= 3) add(PageType.Article, 1, "slug");
        return segments.Length == 0;
    }

    private static void DomSignals(DomBlocks blocks, bool siteRoot, Action<PageType, double, string> add)
    {
        if (blocks.Count == 0) return;
        int text = Math.Max(1, blocks.Text[0]);
        int code = blocks.CodeBlocks[0];
        if (code >= 2) add(PageType.Documentation, Math.Min(3, code * 0.5), $"{code} code blocks");

        int shop = 0, posts = 0, prices = 0;
        for (int i = 0; i < blocks.Count; i++)
        {
            var role = blocks.Roles[i];
            if ((role & BlockRole.Shop) != 0) shop++;
            // Nested price elements (a price inside a "price" wrapper) count once.
            if ((role & BlockRole.Price) != 0 && (blocks.Parent[i] < 0 || (blocks.Roles[blocks.Parent[i]] & BlockRole.Price) == 0)) prices++;
            if ((role & BlockRole.Post) != 0 && blocks.Text[i] - blocks.LinkText[i] >= 150) posts++;
        }
        if (prices >= 12) add(PageType.Collection, 2.5, $"{prices} prices");
        else if (shop >= 3) add(PageType.Product, Math.Min(2, shop * 0.2), $"{shop} shop elements");

        var (cards, cardsWithShop, cardText, postLike) = RepeatedCards(blocks);
        if (cards >= 6 && cardText >= 0.3 * text)
        {
            if (cardsWithShop >= cards / 2) add(PageType.Collection, 3, $"{cards} product cards");
            else add(PageType.Listing, 2.5, $"{cards} repeated cards");
        }
        // A site's home page made of cards is its front page of stories (a company's home is sections, not cards).
        else if (siteRoot && cards >= 6 && cardsWithShop < cards / 2) add(PageType.Listing, 2, $"{cards} cards on the home page");
        if (postLike >= 3 || posts >= 4) add(PageType.Forum, 2, $"{Math.Max(postLike, posts)} posts");
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
