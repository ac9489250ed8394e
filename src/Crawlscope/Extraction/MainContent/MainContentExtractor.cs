using AngleSharp.Dom;
using AngleSharp.Html.Dom;
using Crawlscope.Urls;

namespace Crawlscope.Extraction.MainContent;

/// <summary>The main content of a page as Markdown and as plain text, the page type that shaped it, and which
/// method produced it.</summary>
/// <summary>Where the readable content came from.</summary>
public enum ReadableOrigin { MainContent, Boilerpipe, BoilerpipeNoBody, BoilerpipePageTooLarge }

/// <summary>How the readable content was found: the main-content chooser (with the page type's profile, the site's
/// template blocks it left out, whether it fell back to the whole body, whether the JSON-LD description was added) or
/// the boilerpipe text standing in.</summary>
public sealed record ReadableProvenance(ReadableOrigin Origin, PageType Type, int TemplateBlocksLeftOut = 0, bool FromWholeBody = false,
    bool WithStructuredDescription = false)
{
    /// <summary>Text blocks the learned scorer judged, and of them those it kept; 0 when the rules decided alone.</summary>
    public int ScoredBlocks { get; init; }
    public int KeptBlocks { get; init; }

    /// <summary>In words, as <c>extract</c> and <c>eval</c> show it: "main content (article) without 3 template blocks".</summary>
    public override string ToString() => Origin switch
    {
        ReadableOrigin.MainContent => $"main content ({Type.Name()})"
            + (ScoredBlocks > 0 ? $", {KeptBlocks} of {ScoredBlocks} blocks kept by the block scorer" : "")
            + (TemplateBlocksLeftOut > 0 ? $" without {TemplateBlocksLeftOut} template block{(TemplateBlocksLeftOut == 1 ? "" : "s")}" : "")
            + (FromWholeBody ? " from the whole body" : "") + (WithStructuredDescription ? " with the JSON-LD description" : ""),
        ReadableOrigin.BoilerpipeNoBody => "boilerpipe (no body)",
        ReadableOrigin.BoilerpipePageTooLarge => "boilerpipe (page too large)",
        _ => "boilerpipe",
    };
}

internal sealed record ReadableContent(string Markdown, string Text, ReadableProvenance Source, PageTypeGuess PageType)
{
    /// <summary>The text the content hash and SimHash are taken from: the readable text as it would be without the
    /// site's learnt template, so learning a template does not change the hash of a page that did not change.</summary>
    public string HashText { get; init; } = "";

    /// <summary>Text the page gives only in its structured data (a JSON-LD product description, capped), whether or not
    /// it was added: no reader sees it, so the spam statistics count it as hidden text.</summary>
    public string StructuredText { get; init; } = "";

    /// <summary>The page's block fingerprints (0 where a block has none), for <see cref="SiteTemplate.Learn"/>.</summary>
    public IReadOnlyCollection<ulong> BlockFingerprints { get; init; } = [];
}

/// <summary>
/// Readable Markdown from the DOM the page was parsed into, read-only and without a copy. One walk counts every
/// element's text and link text and reads its tag, class, id and role (<see cref="DomBlocks"/>); the page type is
/// classified from those counts, the page's structured data and its URL; the type's profile then steers the rest:
/// starting at the body, the chooser moves down into the child that holds most of the content text while that child
/// holds at least the profile's share of it; inside the chosen element, chrome (navigation, sidebars, sharing,
/// comments on an article), link lists and the site's template blocks are left out as the Markdown is written.
/// When that leaves almost nothing, the boilerpipe text stands in.
/// </summary>
internal static partial class MainContentExtractor
{
    // Hostile or machine-made pages (50,000 list items, thousands of nested divs) bound the work: past this many
    // elements the boilerpipe text stands in.
    private const int MaxElements = 60_000;
    private const int MinimumTextChars = 120;
    // Short repeats ("Read more", "Add to cart", a price) are legitimately many; only longer blocks count as copies.
    private const int MinimumRepeatChars = 40;
    private const int MinimumCards = 4, CardAnchorChars = 20, CardOwnTextChars = 20;
    // Menu entries and tags are a word or two; a card's link carries a headline.
    private const int ShortLinkChars = 16;
    private const double ParagraphLinkDensityLimit = 0.8;
    // A JSON-LD description is added only up to this length (a real one is a few paragraphs; 972,565 characters of
    // one repeated phrase were once), and only when the product it describes is the one the page shows.
    private const int MaxStructuredDescriptionChars = 5_000;
    private const int MaxStructuredTextForSpamChars = 100_000;

    internal static ReadableContent Extract(IHtmlDocument document, WebUrl baseUrl, string boilerpipeFallback, PageType? pageType = null,
        IReadOnlySet<ulong>? template = null, CancellationToken cancellation = default, ReadableScorer scorer = ReadableScorer.Rules)
    {
        var body = document.Body;
        if (body is null) return Fallback(boilerpipeFallback, ReadableOrigin.BoilerpipeNoBody, PageTypeGuess.Default);
        var blocks = DomBlocks.Build(body, cancellation, MaxElements);
        if (blocks.Count > MaxElements) return Fallback(boilerpipeFallback, ReadableOrigin.BoilerpipePageTooLarge, PageTypeGuess.Default);
        var data = StructuredData.Read(document, blocks);
        var guess = pageType is { } given ? PageTypeGuess.Given(given) : PageTypeClassifier.Classify(baseUrl, data, blocks);
        var profile = ExtractionProfile.For(guess.Type);

        var rules = ChooseRoot(blocks, profile, template);
        var source = new ReadableProvenance(ReadableOrigin.MainContent, guess.Type,
            TemplateBlocksLeftOut: template is { Count: > 0 } ? CountTopLevelTemplate(blocks, rules.Chosen, template) : 0, FromWholeBody: rules.Root != rules.Chosen);
        int root = rules.Root;
        Func<IElement, bool> leave = rules.LeftOut.Contains;
        if (scorer == ReadableScorer.Learned)
        {
            var learned = Score(blocks, guess, rules, template, cancellation);
            if (learned.KeptChars >= MinimumTextChars)
            {
                root = learned.Root;
                leave = learned.LeftOut.Contains;
                source = source with { FromWholeBody = false, ScoredBlocks = learned.Blocks.Count, KeptBlocks = learned.Kept };
            }
        }
        string text = PlainText(blocks.Elements[root], leave, cancellation);
        string markdown = MarkdownConverter.Convert(blocks.Elements[root], baseUrl, leave, cancellation);
        string structured = data.ProductDescription is { Length: > 0 } raw
            ? TextNormalization.CollapseWhitespace(System.Net.WebUtility.HtmlDecode(raw.Length > MaxStructuredTextForSpamChars ? raw[..MaxStructuredTextForSpamChars] : raw))
            : "";
        if (profile.AddsProductDescription && structured is { Length: > 0 and <= MaxStructuredDescriptionChars } collapsed && ShowsTheProduct(document, data))
        {
            if (!Mentions(text, collapsed))
            {
                markdown = (markdown + "\n\n" + MarkdownConverter.Escape.LineStart(MarkdownConverter.Escape.Text(collapsed))).Trim();
                text = (text + " " + collapsed).Trim();
                source = source with { WithStructuredDescription = true };
            }
        }
        var fingerprints = blocks.Fingerprints;
        string hashText = template is { Count: > 0 } ? UntemplatedText(blocks, guess, profile, scorer, source.WithStructuredDescription ? structured : null, cancellation) : text;
        if (BoilerpipeIsBetter(hashText, boilerpipeFallback)) hashText = TextNormalization.CollapseWhitespace(boilerpipeFallback.Trim());
        if (BoilerpipeIsBetter(text, boilerpipeFallback))
            return Fallback(boilerpipeFallback, ReadableOrigin.Boilerpipe, guess) with { BlockFingerprints = fingerprints, StructuredText = structured, HashText = hashText };
        return new ReadableContent(markdown.Trim(), text, source, guess) { BlockFingerprints = fingerprints, StructuredText = structured, HashText = hashText };
    }

    /// <summary>The plain text the chooser finds when no template is known (the same steps, its own left-out set), plus
    /// the structured description when it was added: what a page's hash is taken from once its site's template is
    /// learnt. Costs one more plain-text walk, on templated sites only.</summary>
    private static string UntemplatedText(DomBlocks blocks, PageTypeGuess guess, ExtractionProfile profile, ReadableScorer scorer, string? description,
        CancellationToken cancellation)
    {
        var rules = ChooseRoot(blocks, profile, null);
        string text = scorer == ReadableScorer.Learned && Score(blocks, guess, rules, null, cancellation) is { KeptChars: >= MinimumTextChars } learned
            ? PlainText(blocks.Elements[learned.Root], learned.LeftOut.Contains, cancellation)
            : PlainText(blocks.Elements[rules.Root], rules.LeftOut.Contains, cancellation);
        return description is null || Mentions(text, description) ? text : (text + " " + description).Trim();
    }

    /// <summary>The element the readable content is taken from, and the elements left out inside it (the profile's
    /// chrome, link lists, the template's blocks, the headline repeated above it).</summary>
    private static RuleDecision ChooseRoot(DomBlocks blocks, ExtractionProfile profile, IReadOnlySet<ulong>? template)
    {
        var (left, overlay, cards) = LeftOut(blocks, profile, template);
        int chosen = Choose(blocks, ContentText(blocks, left, profile.LinksAreContent), left, profile);
        LeaveOutHeadline(blocks, chosen, left);
        // Too little text left in the chosen element: the content is taken from the whole body, with the same elements left out.
        int root = KeptChars(blocks, chosen, left) < MinimumTextChars ? 0 : chosen;
        return new RuleDecision(chosen, root, left, overlay, cards, TopLevel(blocks, left, chosen));
    }

    /// <summary>What the rules decided: the chosen element, the element the content is written from (the chosen one or
    /// the body), every element they leave out, the overlays among them (cookie dialogs, pop-ups, sharing, ads: never
    /// content, <see cref="BlockRole.Overlay"/>), the elements inside cards when the profile looked for them (null
    /// otherwise), and of the left-out ones those not inside another (what the Markdown writer is told to skip).</summary>
    private sealed record RuleDecision(int Chosen, int Root, bool[] Left, bool[] Overlay, bool[]? Cards, HashSet<IElement> LeftOut);

    /// <summary>Visible characters of the element's subtree outside what is left out inside it.</summary>
    private static int KeptChars(DomBlocks blocks, int element, bool[] left)
    {
        int count = 0;
        for (int i = element; i < blocks.End[element]; i++)
        {
            if (i != element && left[i])
            {
                i = blocks.End[i] - 1;
                continue;
            }
            count += blocks.OwnText[i];
        }
        return count;
    }

    /// <summary>The text already holds the description (its first 60 characters are enough to tell).</summary>
    private static bool Mentions(string text, string description) => text.Contains(description[..Math.Min(60, description.Length)], StringComparison.Ordinal);

    /// <summary>Too little text was found, and the boilerpipe text has more.</summary>
    private static bool BoilerpipeIsBetter(string text, string boilerpipe) =>
        DomBlocks.VisibleChars(text) < MinimumTextChars && DomBlocks.VisibleChars(boilerpipe) > DomBlocks.VisibleChars(text);

    /// <summary>The structured data agrees with the visible page: its product's name is the page's title or headline
    /// (or appears in it), so the description is this page's and not stuffing.</summary>
    private static bool ShowsTheProduct(IHtmlDocument document, StructuredData data)
    {
        if (data.ProductName is not { } raw) return false;
        string name = TextNormalization.CollapseWhitespace(System.Net.WebUtility.HtmlDecode(raw));
        if (name.Length is 0 or > 300) return false;
        string title = document.Title ?? "";
        string headline = document.QuerySelector("h1")?.TextContent ?? "";
        return title.Contains(name, StringComparison.OrdinalIgnoreCase) || TextNormalization.CollapseWhitespace(headline).Contains(name, StringComparison.OrdinalIgnoreCase)
            || name.Contains(TextNormalization.CollapseWhitespace(headline), StringComparison.OrdinalIgnoreCase) && headline.Trim().Length >= 3;
    }

    /// <summary>Template blocks inside the chosen element that were left out, not counting those inside another.</summary>
    private static int CountTopLevelTemplate(DomBlocks blocks, int chosen, IReadOnlySet<ulong> template)
    {
        int count = 0;
        for (int i = chosen + 1; i < blocks.End[chosen]; i++)
        {
            if (!template.Contains(blocks.Fingerprints[i])) continue;
            count++;
            i = blocks.End[i] - 1;
        }
        return count;
    }

    /// <summary>Which elements the profile leaves out wherever they are: chrome, comments (except on forums), tables
    /// of contents, link lists and template blocks. A container that holds most of the page's text is never left
    /// out for its name alone (ASP.NET wraps whole pages in a form; themes name wrappers "has-sidebar").</summary>
    private static (bool[] Left, bool[] Overlay, bool[]? Cards) LeftOut(DomBlocks blocks, ExtractionProfile profile, IReadOnlySet<ulong>? template)
    {
        int n = blocks.Count;
        var left = new bool[n];
        var overlay = new bool[n];
        // On other profiles cards are related stories and more-from-the-site lists.
        var cards = profile.LinksAreContent ? Cards(blocks) : null;
        int pageText = Math.Max(1, blocks.Text[0] - blocks.LinkText[0]);
        for (int i = 1; i < n; i++)
        {
            var role = blocks.Roles[i];
            int text = blocks.Text[i], unlinked = text - blocks.LinkText[i];
            bool wrapper = unlinked >= 0.5 * pageText && blocks.Paragraphs[i] >= 3;
            bool content = (role & BlockRole.Content) != 0;
            // "comment-content" and "comment-body" are comments, whatever their second word says.
            bool named = (role & BlockRole.Overlay) != 0 && !content
                || (role & BlockRole.Comments) != 0 && !profile.CommentsAreContent && !wrapper
                || !content && !wrapper && (role & (BlockRole.Chrome | BlockRole.Contents)) != 0;
            // A paragraph is dropped only when it is hardly more than its link ("Read the full survey online" stays).
            double limit = (role & BlockRole.Paragraph) != 0 && blocks.Elements[i].LocalName == "p" ? Math.Max(profile.LinkDensityLimit, ParagraphLinkDensityLimit) : profile.LinkDensityLimit;
            bool linkList = !(cards?[i] ?? false) && (role & BlockRole.Inline) == 0 && text > 0 && blocks.LinkText[i] > limit * text && unlinked < 300
                && (!profile.LinksAreContent || blocks.LinkText[i] < ShortLinkChars * Math.Max(1, blocks.Links[i]));
            // Pictures of the content are figures; other images are icons, avatars, logos and thumbnails of other pages.
            bool thumbnail = blocks.Elements[i].LocalName == "img" && (blocks.InLink[i] || !InFigure(blocks, i));
            left[i] = named || linkList || thumbnail || template is { Count: > 0 } && template.Contains(blocks.Fingerprints[i]);
            overlay[i] = (role & BlockRole.Overlay) != 0 && !content;
        }
        foreach (int i in blocks.HiddenNearTop)
            if (!blocks.IsCurtain(i)) left[i] = true;
        LeaveOutRepeats(blocks, left);
        return (left, overlay, cards);
    }

    /// <summary>The left-out elements that are not inside another left-out element (the Markdown writer skips their
    /// subtrees whole), never the chosen element itself, and the elements the walk did not read.</summary>
    private static HashSet<IElement> TopLevel(DomBlocks blocks, bool[] left, int chosen)
    {
        var set = new HashSet<IElement>(blocks.Unread, ReferenceEqualityComparer.Instance);
        for (int i = 1; i < blocks.Count; i++)
        {
            if (!left[i] || i == chosen) continue;
            set.Add(blocks.Elements[i]);
            // The chosen element is never inside a left-out one, so a left-out subtree can be skipped whole.
            i = blocks.End[i] - 1;
        }
        return set;
    }

    /// <summary>The page's headline, the first heading of the content when no text comes before it, is the title,
    /// which has its own field; the main text starts after it.</summary>
    private static void LeaveOutHeadline(DomBlocks blocks, int chosen, bool[] left)
    {
        for (int i = chosen; i < blocks.End[chosen]; i++)
        {
            if (left[i]) { i = blocks.End[i] - 1; continue; }
            string tag = blocks.Elements[i].LocalName;
            if (tag is "h1") { left[i] = true; return; }
            if (blocks.OwnText[i] > 0 && !blocks.InLink[i] && tag is not ("h2" or "h3")) return;
        }
    }

    private static bool InFigure(DomBlocks blocks, int i)
    {
        for (int p = blocks.Parent[i], steps = 0; p >= 0 && steps < 4; p = blocks.Parent[p], steps++)
            if (blocks.Elements[p].LocalName == "figure") return true;
        return false;
    }

    /// <summary>
    /// Elements inside cards: four or more siblings built alike (same tag and class) that each link somewhere with a
    /// headline-sized anchor and carry text of their own besides (a teaser, a date, a price). Listings are made of
    /// them, on any profile; menus (short anchors) and related-story lists (anchors alone) are not.
    /// </summary>
    private static bool[] Cards(DomBlocks blocks)
    {
        int n = blocks.Count;
        var inCard = new bool[n];
        var groups = new Dictionary<ulong, (int Members, int Cards)>();
        for (int parent = 0; parent < n; parent++)
        {
            if (!blocks.HasChildren(parent, MinimumCards)) continue;
            int first = parent + 1, end = blocks.End[parent];
            groups.Clear();
            for (int k = first; k < end; k = blocks.End[k])
            {
                groups.TryGetValue(blocks.TagAndClass[k], out var g);
                groups[blocks.TagAndClass[k]] = (g.Members + 1, g.Cards + (IsCard(blocks, k) ? 1 : 0));
            }
            foreach (var (key, g) in groups)
            {
                if (g.Cards < MinimumCards || g.Cards < 0.75 * g.Members) continue;
                for (int k = first; k < end; k = blocks.End[k])
                    if (blocks.TagAndClass[k] == key) Array.Fill(inCard, true, k, blocks.End[k] - k);
            }
        }
        return inCard;
    }

    private static bool IsCard(DomBlocks blocks, int k) =>
        blocks.Links[k] > 0 && blocks.LinkText[k] >= CardAnchorChars * Math.Min(blocks.Links[k], 3) / 3 && blocks.LinkText[k] >= CardAnchorChars
        && blocks.Text[k] - blocks.LinkText[k] >= CardOwnTextChars && blocks.Text[k] < 2000;

    /// <summary>A block whose tags and text repeat an earlier block of the page (the mobile and desktop copies of one
    /// section, a carousel's cloned slides) is written once.</summary>
    private static void LeaveOutRepeats(DomBlocks blocks, bool[] left)
    {
        var seen = new HashSet<ulong>();
        for (int i = 1; i < blocks.Count; i++)
        {
            if (left[i])
            {
                i = blocks.End[i] - 1;
                continue;
            }
            if ((blocks.Roles[i] & BlockRole.Inline) != 0 || blocks.Text[i] < MinimumRepeatChars) continue;
            if (!seen.Add(blocks.Contents[i]))
            {
                left[i] = true;
                i = blocks.End[i] - 1;
            }
        }
    }

    /// <summary>Unlinked text of each subtree (all text when links are content), not counting what is left out.</summary>
    private static int[] ContentText(DomBlocks blocks, bool[] left, bool linksAreContent)
    {
        int n = blocks.Count;
        var good = new int[n];
        for (int i = n - 1; i >= 0; i--)
        {
            good[i] += blocks.OwnText[i] - (linksAreContent ? 0 : blocks.OwnLinkText[i]);
            int p = blocks.Parent[i];
            if (p >= 0 && !left[i]) good[p] += good[i];
        }
        return good;
    }

    private static int Choose(DomBlocks blocks, int[] good, bool[] left, ExtractionProfile profile)
    {
        int current = 0;
        while (true)
        {
            int best = -1;
            for (int c = current + 1; c < blocks.End[current]; c = blocks.End[c])
                if (!left[c] && (best < 0 || good[c] > good[best])) best = c;
            // A paragraph is content, not a container of it: the blocks beside it (a list, code) would be lost.
            if (best >= 0 && (blocks.Roles[best] & BlockRole.Paragraph) != 0 && blocks.Elements[best].LocalName is not ("li" or "td" or "dd")) return current;
            if (best < 0 || good[best] == 0 || good[best] < profile.DescendShare * good[current]) return current;
            current = best;
        }
    }

    private static readonly HashSet<string> Blocks = new(StringComparer.Ordinal)
    {
        "p", "div", "section", "article", "li", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6", "pre", "blockquote", "table",
        "tr", "td", "th", "dd", "dt", "dl", "br", "main", "header", "footer", "aside", "figure", "figcaption", "hr",
    };

    /// <summary>The text of the kept elements, one line per block, white space collapsed.</summary>
    private static string PlainText(IElement root, Func<IElement, bool> leave, CancellationToken cancellation)
    {
        // Collapsed as it is gathered, in a rented buffer: one string made, not a builder's, its copy and a collapsed copy.
        using var text = new CollapsedText();
        var stack = new Stack<INode>();
        stack.Push(root);
        while (stack.Count > 0)
        {
            var node = stack.Pop();
            cancellation.ThrowIfCancellationRequested();
            if (node is IText t)
            {
                text.Append(t.Data);
                continue;
            }
            if (node is not IElement e || HtmlVisibility.IsNeverTextKind(e) || e != root && leave(e)) continue;
            if (Blocks.Contains(e.LocalName)) text.Append(" ");
            var children = e.ChildNodes;
            for (int c = children.Length - 1; c >= 0; c--) stack.Push(children[c]);
        }
        return text.ToString();
    }

    private static ReadableContent Fallback(string boilerpipeText, ReadableOrigin origin, PageTypeGuess guess)
    {
        string text = boilerpipeText.Trim();
        string markdown = string.Join("\n\n", text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(p => MarkdownConverter.Escape.LineStart(MarkdownConverter.Escape.Text(p))));
        string collapsed = TextNormalization.CollapseWhitespace(text);
        return new ReadableContent(markdown, collapsed, new ReadableProvenance(origin, guess.Type), guess) { HashText = collapsed };
    }
}
