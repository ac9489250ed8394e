using AngleSharp.Dom;

namespace Crawlscope.Extraction.MainContent;

/// <summary>What an element's own tag, class, id and role say about it.</summary>
[Flags]
internal enum BlockRole
{
    None = 0,
    /// <summary>Site chrome: navigation, header, footer, sidebars, sharing, ads, cookie banners.</summary>
    Chrome = 1,
    /// <summary>Comments and replies: content on a forum, boilerplate on an article.</summary>
    Comments = 2,
    /// <summary>Named as the content (article, main, entry-content, post-body, itemprop=articleBody).</summary>
    Content = 4,
    /// <summary>A table of contents or a documentation sidebar.</summary>
    Contents = 8,
    /// <summary>Inline: a, span, em, strong ... never pruned on its own.</summary>
    Inline = 16,
    /// <summary>A paragraph-like block: p, pre, blockquote, li, td, headings.</summary>
    Paragraph = 32,
    /// <summary>Code: pre, or code outside a paragraph.</summary>
    Code = 64,
    /// <summary>Shop markup: price, cart, basket, buy, add-to-cart, sku.</summary>
    Shop = 128,
    /// <summary>A post of a thread: post, message, reply, answer.</summary>
    Post = 256,
    /// <summary>Never content whatever its size: cookie and consent dialogs, pop-ups, newsletter sign-ups, ads, sharing.</summary>
    Overlay = 512,
    /// <summary>A price (class price, itemprop=price): one on a product page, one per card on a collection.</summary>
    Price = 1024,
}

/// <summary>
/// One walk over the body that numbers every rendered element in document order and counts, for each, the visible
/// characters of its subtree, how many of them are link text, its paragraphs and code blocks, and what its class,
/// id, tag and role name it. Everything the page-type classifier and the content chooser need, without touching the
/// DOM again; the DOM is only read.
/// </summary>
internal sealed class DomBlocks
{
    public List<IElement> Elements { get; } = new(1024);
    public List<int> Parent { get; } = new(1024);
    public List<BlockRole> Roles { get; } = new(1024);
    /// <summary>Whether the element is inside a link (or is one).</summary>
    public List<bool> InLink { get; } = new(1024);
    public int[] Text = [], LinkText = [], Links = [], OwnText = [], OwnLinkText = [], Paragraphs = [], CodeBlocks = [], Depth = [], End = [];
    private readonly Dictionary<IElement, int> _index = new(ReferenceEqualityComparer.Instance);

    public int Count => Elements.Count;

    /// <summary>The element's children, as indexes.</summary>
    public IEnumerable<int> Children(int index)
    {
        for (int c = index + 1; c < End[index]; c = End[c]) yield return c;
    }
    public bool TryIndex(IElement e, out int index) => _index.TryGetValue(e, out index);

    public static DomBlocks Build(IElement root)
    {
        var blocks = new DomBlocks();
        var ownText = new List<int>(1024);
        var ownLink = new List<int>(1024);
        var ownHash = new List<ulong>(1024);
        var stack = new Stack<(IElement Element, int Parent, bool InLink)>();
        stack.Push((root, -1, false));
        var depth = new List<int>(1024);
        while (stack.Count > 0)
        {
            var (e, parent, inLink) = stack.Pop();
            if (MarkdownConverter.IsSkippedBesidesNoscript(e) || HiddenByClass(e.GetAttribute("class"))) continue;
            int index = blocks.Elements.Count;
            blocks.Elements.Add(e);
            blocks.Parent.Add(parent);
            blocks._index[e] = index;
            depth.Add(parent < 0 ? 0 : depth[parent] + 1);
            blocks.Roles.Add(RoleOf(e));
            bool link = inLink || e.LocalName == "a";
            blocks.InLink.Add(link);
            int text = 0;
            ulong textHash = FingerprintHash.Seed;
            for (var child = e.FirstChild; child is not null; child = child.NextSibling)
                if (child is IText t) text += FingerprintHash.AddVisible(ref textHash, t.Data);
            ownText.Add(text);
            ownHash.Add(textHash);
            ownLink.Add(link ? text : 0);
            // Children pushed in reverse so they pop in document order.
            for (var child = e.LastElementChild; child is not null; child = child.PreviousElementSibling)
                stack.Push((child, index, link));
        }

        int n = blocks.Elements.Count;
        blocks.Text = new int[n];
        blocks.LinkText = new int[n];
        blocks.Paragraphs = new int[n];
        blocks.Links = new int[n];
        blocks.CodeBlocks = new int[n];
        blocks.Depth = depth.ToArray();
        blocks.OwnText = ownText.ToArray();
        blocks.OwnLinkText = ownLink.ToArray();
        blocks.End = new int[n];
        blocks.Fingerprints = new ulong[n];
        var content = ownHash.ToArray();
        for (int i = n - 1; i >= 0; i--)
        {
            if (blocks.End[i] < i + 1) blocks.End[i] = i + 1;
            blocks.Text[i] += ownText[i];
            blocks.LinkText[i] += ownLink[i];
            var role = blocks.Roles[i];
            if ((role & BlockRole.Paragraph) != 0 && blocks.Text[i] - blocks.LinkText[i] >= 60) blocks.Paragraphs[i]++;
            if ((role & BlockRole.Code) != 0 && blocks.Text[i] > 0) blocks.CodeBlocks[i]++;
            if (blocks.Elements[i].LocalName == "a") blocks.Links[i]++;
            int p = blocks.Parent[i];
            if (p < 0) continue;
            // Children are folded into the parent's content hash in reverse document order, which is as good an
            // order as any for telling blocks apart.
            content[p] = FingerprintHash.Combine(content[p], content[i]);
            if (blocks.End[p] < blocks.End[i]) blocks.End[p] = blocks.End[i];
            blocks.Text[p] += blocks.Text[i];
            blocks.LinkText[p] += blocks.LinkText[i];
            blocks.Paragraphs[p] += blocks.Paragraphs[i];
            blocks.CodeBlocks[p] += blocks.CodeBlocks[i];
            blocks.Links[p] += blocks.Links[i];
        }
        blocks.SetFingerprints(content);
        return blocks;
    }

    /// <summary>
    /// Each block's fingerprint: its DOM path (tags and classes from the root) and a hash of its subtree's text
    /// without white space, case-folded. The same block on two pages of a site has the same fingerprint; inline
    /// elements and blocks with fewer than <see cref="MinFingerprintChars"/> characters have none (0).
    /// </summary>
    public ulong[] Fingerprints { get; private set; } = [];

    internal const int MinFingerprintChars = 20;

    private void SetFingerprints(ulong[] content)
    {
        int n = Count;
        var path = new ulong[n];
        for (int i = 0; i < n; i++)
        {
            var e = Elements[i];
            ulong h = Parent[i] < 0 ? FingerprintHash.Seed : path[Parent[i]];
            FingerprintHash.AddVisible(ref h, e.LocalName);
            FingerprintHash.AddVisible(ref h, e.GetAttribute("class") ?? "");
            path[i] = FingerprintHash.Combine(h, 0x2F);
            if ((Roles[i] & BlockRole.Inline) == 0 && Text[i] >= MinFingerprintChars)
                Fingerprints[i] = FingerprintHash.Combine(path[i], FingerprintHash.Combine(content[i], (ulong)Text[i])) | 1;
        }
    }

    private static readonly HashSet<string> HiddenClasses = new(StringComparer.OrdinalIgnoreCase)
    {
        "hide", "hidden", "d-none", "invisible", "is-hidden", "u-hidden", "sr-only", "visually-hidden", "visuallyhidden",
        "screen-reader-text", "screen-reader-only", "element-invisible", "offscreen",
    };

    /// <summary>Classes that frameworks use to hide an element from sight; not when a responsive class shows it
    /// again on some screens ("hidden lg:block", "d-none d-md-block").</summary>
    internal static bool HiddenByClass(string? classes)
    {
        if (string.IsNullOrEmpty(classes) || classes.Length > 1000) return false;
        bool hidden = false;
        foreach (var range in classes.AsSpan().Split(' '))
        {
            var token = classes.AsSpan()[range];
            if (token.IsEmpty) continue;
            if (token.Contains(':') || token.StartsWith("d-") && !token.Equals("d-none", StringComparison.OrdinalIgnoreCase)) return false;
            if (HiddenClasses.GetAlternateLookup<ReadOnlySpan<char>>().Contains(token)) hidden = true;
        }
        return hidden;
    }

    /// <summary>Characters that are not white space.</summary>
    internal static int VisibleChars(string s)
    {
        int count = 0;
        foreach (char c in s)
            if (!char.IsWhiteSpace(c)) count++;
        return count;
    }

    private static BlockRole RoleOf(IElement e)
    {
        var role = e.LocalName switch
        {
            "nav" or "footer" or "aside" or "header" or "menu" => BlockRole.Chrome,
            "dialog" => BlockRole.Overlay,
            "article" or "main" => BlockRole.Content,
            "p" or "blockquote" or "li" or "td" or "dd" or "h1" or "h2" or "h3" or "h4" or "h5" or "h6" => BlockRole.Paragraph,
            "pre" => BlockRole.Paragraph | BlockRole.Code,
            "a" or "span" or "em" or "strong" or "b" or "i" or "u" or "small" or "code" or "sup" or "sub" or "abbr" or "time"
                or "label" or "font" or "mark" or "cite" or "q" or "s" or "del" or "ins" or "kbd" or "var" or "img" or "br" => BlockRole.Inline,
            _ => BlockRole.None,
        };
        string? roleAttribute = e.GetAttribute("role");
        if (roleAttribute is not null)
        {
            if (roleAttribute.Equals("navigation", StringComparison.OrdinalIgnoreCase) || roleAttribute.Equals("banner", StringComparison.OrdinalIgnoreCase)
                || roleAttribute.Equals("contentinfo", StringComparison.OrdinalIgnoreCase) || roleAttribute.Equals("complementary", StringComparison.OrdinalIgnoreCase)
                || roleAttribute.Equals("menu", StringComparison.OrdinalIgnoreCase) || roleAttribute.Equals("search", StringComparison.OrdinalIgnoreCase)
                )
                role |= BlockRole.Chrome;
            else if (roleAttribute.Equals("dialog", StringComparison.OrdinalIgnoreCase) || roleAttribute.Equals("alertdialog", StringComparison.OrdinalIgnoreCase))
                role |= BlockRole.Overlay;
            else if (roleAttribute.Equals("main", StringComparison.OrdinalIgnoreCase) || roleAttribute.Equals("article", StringComparison.OrdinalIgnoreCase))
                role |= BlockRole.Content;
        }
        string? itemprop = e.GetAttribute("itemprop");
        if (itemprop is not null)
        {
            if (itemprop.Contains("articleBody", StringComparison.OrdinalIgnoreCase) || itemprop.Equals("text", StringComparison.OrdinalIgnoreCase))
                role |= BlockRole.Content;
            else if (itemprop.Equals("price", StringComparison.OrdinalIgnoreCase))
                role |= BlockRole.Shop | BlockRole.Price;
            else if (itemprop.Equals("offers", StringComparison.OrdinalIgnoreCase))
                role |= BlockRole.Shop;
        }
        return role | ClassRole(e.GetAttribute("class")) | ClassRole(e.GetAttribute("id"));
    }

    /// <summary>What the words of a class or id attribute say: each word (split at anything but letters and digits)
    /// is looked up, so "post-comments" is comments and "commentary-text" is not.</summary>
    internal static BlockRole ClassRole(string? value)
    {
        if (string.IsNullOrEmpty(value) || value.Length > 400) return BlockRole.None;
        var role = BlockRole.None;
        var span = value.AsSpan();
        int i = 0;
        Span<char> lower = stackalloc char[32];
        while (i < span.Length)
        {
            while (i < span.Length && !char.IsAsciiLetterOrDigit(span[i])) i++;
            int start = i;
            while (i < span.Length && char.IsAsciiLetterOrDigit(span[i])) i++;
            int length = i - start;
            if (length == 0 || length > lower.Length) continue;
            var word = lower[..length];
            span.Slice(start, length).ToLowerInvariant(word);
            role |= WordRole(word);
        }
        return role;
    }

    private static readonly HashSet<string> ChromeWords = new(StringComparer.Ordinal)
    {
        "nav", "navbar", "navigation", "menu", "menubar", "submenu", "megamenu", "footer", "header", "masthead", "sidebar",
        "widget", "widgets", "breadcrumb", "breadcrumbs", "related", "recommended", "recommendations", "promo", "promos",
        "banner", "pagination", "pager", "skip", "toolbar", "search", "searchbar", "copyright", "trending", "popular",
        "offcanvas", "drawer", "topbar", "bottombar", "tags", "tagcloud", "byline", "postmeta", "sr", "filter", "filters", "facet",
        "facets", "refine", "sorting",
    };

    private static readonly HashSet<string> OverlayWords = new(StringComparer.Ordinal)
    {
        "share", "sharing", "sharebar", "social", "socials", "ad", "ads", "advert", "adverts", "advertisement", "sponsor",
        "sponsored", "cookie", "cookies", "consent", "gdpr", "onetrust", "newsletter", "subscribe", "subscription", "signup",
        "popup", "modal", "overlay", "login", "signin", "outbrain", "taboola",
    };

    private static readonly HashSet<string> CommentWords = new(StringComparer.Ordinal)
    {
        "comment", "comments", "commentlist", "disqus", "respond", "replies", "reply",
    };

    private static readonly HashSet<string> ContentWords = new(StringComparer.Ordinal)
    {
        "article", "content", "entry", "post", "main", "story", "body", "text", "prose", "markdown", "richtext", "blog",
    };

    private static readonly HashSet<string> ContentsWords = new(StringComparer.Ordinal)
    {
        "toc", "contents", "tableofcontents", "sidenav", "docs-nav", "docsnav", "sidebar",
    };

    private static readonly HashSet<string> ShopWords = new(StringComparer.Ordinal)
    {
        "price", "prices", "cart", "basket", "buy", "addtocart", "sku", "checkout", "wishlist", "swatch", "swatches",
    };

    private static readonly HashSet<string> PostWords = new(StringComparer.Ordinal)
    {
        "post", "posts", "message", "messages", "reply", "replies", "answer", "answers", "comment", "thread", "topic",
    };

    private static BlockRole WordRole(ReadOnlySpan<char> word)
    {
        if (word is "price" or "prices") return BlockRole.Shop | BlockRole.Price;
        if (ShopWords.GetAlternateLookup<ReadOnlySpan<char>>().Contains(word)) return BlockRole.Shop;
        var lookup = ChromeWords.GetAlternateLookup<ReadOnlySpan<char>>();
        var role = BlockRole.None;
        if (lookup.Contains(word)) role |= BlockRole.Chrome;
        if (OverlayWords.GetAlternateLookup<ReadOnlySpan<char>>().Contains(word)) role |= BlockRole.Overlay;
        if (CommentWords.GetAlternateLookup<ReadOnlySpan<char>>().Contains(word)) role |= BlockRole.Comments;
        if (ContentWords.GetAlternateLookup<ReadOnlySpan<char>>().Contains(word)) role |= BlockRole.Content;
        if (ContentsWords.GetAlternateLookup<ReadOnlySpan<char>>().Contains(word)) role |= BlockRole.Contents;
        if (PostWords.GetAlternateLookup<ReadOnlySpan<char>>().Contains(word)) role |= BlockRole.Post;
        return role;
    }
}
