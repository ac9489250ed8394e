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
    /// <summary>An &lt;a&gt; element.</summary>
    Link = 2048,
}

/// <summary>
/// One walk over the body that numbers every rendered element in document order and counts, for each, the visible
/// characters of its subtree, how many of them are link text, its paragraphs and code blocks, and what its class,
/// id, tag and role name it. Everything the page-type classifier and the content chooser need, without touching the
/// DOM again; the DOM is only read.
/// </summary>
internal sealed partial class DomBlocks
{
    // A typical page's body has a few hundred elements; the lists grow for the rest.
    public List<IElement> Elements { get; } = new(InitialElements);
    public List<int> Parent { get; } = new(InitialElements);
    public List<BlockRole> Roles { get; } = new(InitialElements);
    /// <summary>Whether the element is inside a link (or is one).</summary>
    public List<bool> InLink { get; } = new(InitialElements);
    private const int InitialElements = 256;
    public int[] Text = [], LinkText = [], Links = [], OwnText = [], OwnLinkText = [], Paragraphs = [], CodeBlocks = [], Depth = [], End = [];
    /// <summary>A hash of the element's tag and class attribute: siblings built from one template share it.</summary>
    public ulong[] TagAndClass = [];
    /// <summary>The texts of the page's JSON-LD scripts and its microdata item types, met on the way.</summary>
    public List<string> JsonLd { get; } = [];
    public List<string> ItemTypes { get; } = [];
    /// <summary>Elements the walk skipped that the Markdown writer would render: hidden by a class, or a &lt;noscript&gt;
    /// whose markup stayed text (in the head, a parser keeps it so).</summary>
    public List<IElement> Unread { get; } = [];
    /// <summary>Hidden elements near the body, walked all the same: a page-wide curtain that a script lifts (it holds
    /// most of the page's text) is not hidden from a reader; the others are (<see cref="IsCurtain"/>).</summary>
    public List<int> HiddenNearTop { get; } = [];

    public bool IsCurtain(int index) => Text[index] >= HtmlVisibility.Curtains.MinShare * Text[0];

    public int Count => Elements.Count;

    /// <summary>Whether the element has at least <paramref name="count"/> element children (the next sibling of
    /// element i is End[i], so this walks only the first few children).</summary>
    public bool HasChildren(int index, int count)
    {
        for (int c = index + 1; c < End[index]; c = End[c])
            if (--count <= 0) return true;
        return count <= 0;
    }

    /// <summary>The attributes the walk reads, found in one pass over the element's attributes.</summary>
    private struct Attributes
    {
        public string? Class, Id, Role, ItemProp, ItemType, Type;
        public bool Hidden;

        public static Attributes Of(IElement e)
        {
            var a = new Attributes();
            var list = e.Attributes;
            for (int i = 0; i < list.Length; i++)
            {
                var attribute = list[i];
                if (attribute is null) continue;
                switch (attribute.Name)
                {
                    case "class": a.Class = attribute.Value; break;
                    case "id": a.Id = attribute.Value; break;
                    case "role": a.Role = attribute.Value; break;
                    case "itemprop": a.ItemProp = attribute.Value; break;
                    case "itemtype": a.ItemType = attribute.Value; break;
                    case "type": a.Type = attribute.Value; break;
                    case "hidden": a.Hidden = true; break;
                    case "aria-hidden": a.Hidden |= string.Equals(attribute.Value, "true", StringComparison.OrdinalIgnoreCase); break;
                    case "style": a.Hidden |= HtmlVisibility.IsHiddenStyle(e, attribute.Value); break;
                }
            }
            return a;
        }
    }

    /// <summary>Hidden wrappers this close to the body (its children and grandchildren) may be curtains.</summary>
    private const int CurtainDepth = HtmlVisibility.Curtains.Depth;

    private static bool IsUnparsedMarkup(IElement noscript) =>
        noscript.FirstElementChild is null && noscript.TextContent.AsSpan().TrimStart().StartsWith("<");

    /// <param name="maxElements">The walk stops once it has numbered more elements than this (the caller then falls
    /// back; <see cref="Count"/> says so), so a page of a hundred thousand elements is not walked to its end.</param>
    public static DomBlocks Build(IElement root, CancellationToken cancellation = default, int maxElements = int.MaxValue)
    {
        var scratch = Scratch.ForThisThread();
        try
        {
            return Build(root, cancellation, maxElements, scratch);
        }
        finally
        {
            scratch.Release();
        }
    }

    private static DomBlocks Build(IElement root, CancellationToken cancellation, int maxElements, Scratch scratch)
    {
        var blocks = new DomBlocks();
        var (ownText, ownLink, ownHash, tagAndClass, depth, stack) = (scratch.OwnText, scratch.OwnLink, scratch.OwnHash, scratch.TagAndClass, scratch.Depth, scratch.Stack);
        stack.Push((root, -1, false));
        while (stack.Count > 0)
        {
            var (e, parent, inLink) = stack.Pop();
            cancellation.ThrowIfCancellationRequested();
            if (blocks.Elements.Count > maxElements) break;
            string tag = e.LocalName;
            var attributes = Attributes.Of(e);
            if (tag != "noscript" && HtmlVisibility.IsNeverText(tag))
            {
                if (tag == "script" && string.Equals(attributes.Type?.Trim(), "application/ld+json", StringComparison.OrdinalIgnoreCase)) blocks.JsonLd.Add(e.TextContent);
                continue;
            }
            int level = parent < 0 ? 0 : depth[parent] + 1;
            bool hidden = attributes.Hidden || HtmlVisibility.HiddenByClass(attributes.Class);
            if (hidden && level > CurtainDepth || tag == "noscript" && IsUnparsedMarkup(e))
            {
                blocks.Unread.Add(e);
                continue;
            }
            if (attributes.ItemType is { } itemType) blocks.ItemTypes.Add(itemType);
            int index = blocks.Elements.Count;
            if (hidden) blocks.HiddenNearTop.Add(index);
            blocks.Elements.Add(e);
            blocks.Parent.Add(parent);
            depth.Add(parent < 0 ? 0 : depth[parent] + 1);
            blocks.Roles.Add(RoleOf(tag, attributes));
            ulong tagClass = FingerprintHash.Seed;
            FingerprintHash.AddVisible(ref tagClass, tag);
            FingerprintHash.AddVisible(ref tagClass, attributes.Class ?? "");
            tagAndClass.Add(tagClass);
            bool link = inLink || tag == "a";
            blocks.InLink.Add(link);
            int text = 0;
            ulong textHash = FingerprintHash.Seed;
            // Children by index: AngleSharp's sibling properties look the node up in its parent, O(siblings) each.
            var children = e.ChildNodes;
            for (int c = 0; c < children.Length; c++)
                if (children[c] is IText t) text += FingerprintHash.AddVisible(ref textHash, t.Data);
            ownText.Add(text);
            ownHash.Add(textHash);
            ownLink.Add(link ? text : 0);
            // Children pushed in reverse so they pop in document order.
            for (int c = children.Length - 1; c >= 0; c--)
                if (children[c] is IElement child) stack.Push((child, index, link));
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
        blocks.TagAndClass = tagAndClass.ToArray();
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
            if ((role & BlockRole.Link) != 0) blocks.Links[i]++;
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
        blocks.Contents = content;
        return blocks;
    }

    /// <summary>
    /// Each block's fingerprint: its DOM path (tags and classes from the root) and a hash of its subtree's text
    /// without white space, case-folded. The same block on two pages of a site has the same fingerprint; inline
    /// elements and blocks with fewer than <see cref="MinFingerprintChars"/> characters have none (0).
    /// </summary>
    public ulong[] Fingerprints { get; private set; } = [];

    internal const int MinFingerprintChars = 20;

    /// <summary>A hash of each subtree's tags and text alone (no path): equal for a block repeated on the page.</summary>
    public ulong[] Contents { get; private set; } = [];

    private void SetFingerprints(ulong[] content)
    {
        int n = Count;
        var path = new ulong[n];
        for (int i = 0; i < n; i++)
        {
            path[i] = FingerprintHash.Combine(Parent[i] < 0 ? FingerprintHash.Seed : path[Parent[i]], TagAndClass[i]);
            if ((Roles[i] & BlockRole.Inline) == 0 && Text[i] >= MinFingerprintChars)
                Fingerprints[i] = FingerprintHash.Combine(path[i], FingerprintHash.Combine(content[i], (ulong)Text[i])) | 1;
        }
    }

    /// <summary>Characters that are not white space.</summary>
    internal static int VisibleChars(string s)
    {
        int count = 0;
        foreach (char c in s)
            if (!char.IsWhiteSpace(c)) count++;
        return count;
    }

    private static BlockRole RoleOf(string tag, in Attributes a)
    {
        var role = tag switch
        {
            "nav" or "footer" or "aside" or "header" or "menu" => BlockRole.Chrome,
            "article" or "main" => BlockRole.Content,
            "p" or "blockquote" or "li" or "td" or "dd" or "h1" or "h2" or "h3" or "h4" or "h5" or "h6" => BlockRole.Paragraph,
            "pre" => BlockRole.Paragraph | BlockRole.Code,
            "a" => BlockRole.Inline | BlockRole.Link,
            "span" or "em" or "strong" or "b" or "i" or "u" or "small" or "code" or "sup" or "sub" or "abbr" or "time"
                or "label" or "font" or "mark" or "cite" or "q" or "s" or "del" or "ins" or "kbd" or "var" or "img" or "br" => BlockRole.Inline,
            _ => BlockRole.None,
        };
        if (a.Role is { } roleAttribute)
        {
            switch (roleAttribute.Trim().ToLowerInvariant())
            {
                case "navigation" or "banner" or "contentinfo" or "complementary" or "menu" or "search": role |= BlockRole.Chrome; break;
                case "dialog" or "alertdialog": role |= BlockRole.Overlay; break;
                case "main" or "article": role |= BlockRole.Content; break;
            }
        }
        if (a.ItemProp is { } itemprop)
        {
            if (itemprop.Contains("articleBody", StringComparison.OrdinalIgnoreCase) || itemprop.Equals("text", StringComparison.OrdinalIgnoreCase))
                role |= BlockRole.Content;
            else if (itemprop.Equals("price", StringComparison.OrdinalIgnoreCase))
                role |= BlockRole.Shop | BlockRole.Price;
            else if (itemprop.Equals("offers", StringComparison.OrdinalIgnoreCase))
                role |= BlockRole.Shop;
        }
        return role | ClassRole(a.Class) | ClassRole(a.Id);
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
        "nav", "navbar", "navigation", "menu", "menubar", "submenu", "megamenu", "footer", "masthead", "sidebar",
        "widgets", "breadcrumb", "breadcrumbs", "related", "recommended", "recommendations", "promo", "promos",
        "pagination", "pager", "skip", "toolbar", "searchbar", "copyright", "trending", "popular",
        "offcanvas", "drawer", "topbar", "bottombar", "tags", "tagcloud", "byline", "postmeta", "sr", "filter", "filters", "facet",
        "facets", "refine", "sorting", "signature", "sig", "postprofile", "userinfo", "memberinfo", "usertitle", "avatar",
        "reactions", "likes", "votes", "badges",
    };

    private static readonly HashSet<string> OverlayWords = new(StringComparer.Ordinal)
    {
        "share", "sharing", "sharebar", "social", "socials", "advert", "adverts", "advertisement", "sponsor",
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
        "toc", "tableofcontents", "sidenav", "docsnav", "sidebar",
    };

    private static readonly HashSet<string> ShopWords = new(StringComparer.Ordinal)
    {
        "price", "prices", "cart", "basket", "buy", "addtocart", "sku", "checkout", "wishlist", "swatch", "swatches",
    };

    private static readonly HashSet<string> PostWords = new(StringComparer.Ordinal)
    {
        "post", "posts", "message", "messages", "reply", "replies", "answer", "answers", "comment", "thread", "topic",
    };

    /// <summary>Every known word with all it says, so each word of a class is one lookup.</summary>
    private static readonly Dictionary<string, BlockRole> WordRoles = BuildWordRoles();

    private static readonly Dictionary<string, BlockRole>.AlternateLookup<ReadOnlySpan<char>> WordLookup = WordRoles.GetAlternateLookup<ReadOnlySpan<char>>();

    private static Dictionary<string, BlockRole> BuildWordRoles()
    {
        var roles = new Dictionary<string, BlockRole>(StringComparer.Ordinal);
        void Add(IEnumerable<string> words, BlockRole role)
        {
            foreach (var w in words) roles[w] = roles.GetValueOrDefault(w) | role;
        }
        Add(ChromeWords, BlockRole.Chrome);
        Add(OverlayWords, BlockRole.Overlay);
        Add(CommentWords, BlockRole.Comments);
        Add(ContentWords, BlockRole.Content);
        Add(ContentsWords, BlockRole.Contents);
        Add(PostWords, BlockRole.Post);
        // Shop words say only that.
        foreach (var w in ShopWords) roles[w] = BlockRole.Shop;
        roles["price"] = roles["prices"] = BlockRole.Shop | BlockRole.Price;
        return roles;
    }

    private static BlockRole WordRole(ReadOnlySpan<char> word) => WordLookup.TryGetValue(word, out var role) ? role : BlockRole.None;
}
