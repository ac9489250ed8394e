using AngleSharp.Dom;
using AngleSharp.Html.Dom;
using Crawlscope.Urls;

namespace Crawlscope.Extraction.MainContent;

/// <summary>Who decides which blocks are the main content: the hand-written rules (the default), or the block scorer
/// trained on labelled pages, which takes the rules' decision as one of its features and falls back to it when it
/// keeps too little (docs/extraction.md compares the two).</summary>
public enum ReadableScorer { Rules, Learned }

/// <summary>The learned block scorer's side of the extractor (<see cref="ReadableScorer.Learned"/>): features of the
/// text blocks, the scorer's decision and how it is written, and what training and <c>eval --per-page</c> read.</summary>
internal static partial class MainContentExtractor
{
    // A block the rules keep is dropped by the block scorer only below this score (above 0 is content): where the two
    // disagree narrowly the rules stand. Chosen on the tuning hosts (docs/extraction.md), never on the validation ones.
    private const double RuleKeptMargin = 1;

    private static (TextBlocks Text, bool[] RuleKept, float[] Rows) Features(DomBlocks blocks, PageTypeGuess guess, RuleDecision rules,
        bool withText, CancellationToken cancellation)
    {
        var text = TextBlocks.Build(blocks, withText, cancellation);
        var ruleKept = BlockFeatures.RuleKept(blocks, rules.Root, rules.Left);
        // Listings' rules found the cards already; on other profiles they are looked for here.
        return (text, ruleKept, BlockFeatures.Compute(blocks, text, guess, rules.Root, ruleKept, rules.Cards ?? Cards(blocks)));
    }

    /// <summary>A page's text blocks (with their text) and features, as the block scorer sees them: what
    /// <c>crawlscope train extraction</c> learns from. Null for a page without a body or too large to walk.</summary>
    internal sealed record BlockAnalysis(TextBlocks Blocks, float[] Rows);

    internal static BlockAnalysis? Analyse(IHtmlDocument document, WebUrl baseUrl, PageType? pageType = null)
    {
        if (RulesOf(document, baseUrl, pageType) is not var (blocks, guess, rules)) return null;
        var (text, _, rows) = Features(blocks, guess, rules, withText: true, default);
        return new BlockAnalysis(text, rows);
    }

    /// <summary>The block scorer's decision on a page, block by block (<c>eval extraction --per-page</c>); whether it
    /// stood is <see cref="LearnedDecision.KeptChars"/> against <see cref="MinimumTextChars"/>.</summary>
    internal static (LearnedDecision Decision, bool Stood)? Explain(IHtmlDocument document, WebUrl baseUrl, PageType? pageType = null)
    {
        if (RulesOf(document, baseUrl, pageType) is not var (blocks, guess, rules)) return null;
        var decision = Score(blocks, guess, rules, null, default, withText: true);
        return (decision, decision.KeptChars >= MinimumTextChars);
    }

    /// <summary>The walk, the page type and the rules' decision (root and left-out elements), as Extract makes them for a
    /// page without a site template.</summary>
    private static (DomBlocks Blocks, PageTypeGuess Guess, RuleDecision Rules)? RulesOf(IHtmlDocument document, WebUrl baseUrl, PageType? pageType)
    {
        if (document.Body is not { } body) return null;
        var blocks = DomBlocks.Build(body, default, MaxElements);
        if (blocks.Count > MaxElements) return null;
        var guess = pageType is { } given ? PageTypeGuess.Given(given) : PageTypeClassifier.Classify(baseUrl, StructuredData.Read(document, blocks), blocks);
        return (blocks, guess, ChooseRoot(blocks, ExtractionProfile.For(guess.Type), null));
    }

    /// <summary>The block scorer's decision: the blocks and their features, which it kept, the element the content is
    /// written from (the smallest one holding every kept block), what is left out inside it, and the kept text's size.</summary>
    internal sealed record LearnedDecision(TextBlocks Blocks, float[] Rows, bool[] RuleKept, double[] Scores, bool[] IsKept, int Kept, int KeptChars,
        int Root, HashSet<IElement> LeftOut);

    /// <summary>Elements never kept whatever their score, with everything inside them: hidden ones, the site's template
    /// blocks, and overlays (a page cannot make its cookie dialog or its ads read as content by filling them with prose).</summary>
    private static bool[] Never(DomBlocks blocks, RuleDecision rules, IReadOnlySet<ulong>? template)
    {
        var never = (bool[])rules.Overlay.Clone();
        foreach (int i in blocks.HiddenNearTop)
            if (!blocks.IsCurtain(i)) never[i] = true;
        for (int i = 1; i < blocks.Count; i++)
            never[i] |= never[blocks.Parent[i]] || template is { Count: > 0 } && template.Contains(blocks.Fingerprints[i]);
        return never;
    }

    /// <summary>Scores every text block; a block is kept when the scorer says content (or, when the rules keep it, does not
    /// say the opposite firmly), unless it is never kept (<see cref="Never"/>). Repeats of a kept block are written once.</summary>
    private static LearnedDecision Score(DomBlocks blocks, PageTypeGuess guess, RuleDecision rules, IReadOnlySet<ulong>? template,
        CancellationToken cancellation, bool withText = false)
    {
        var scorer = BlockScorer.Default;
        var ruleLeft = rules.Left;
        var (text, ruleKept, rows) = Features(blocks, guess, rules, withText, cancellation);
        int n = blocks.Count;
        var never = Never(blocks, rules, template);
        var keptBelow = new int[n];
        var scores = new double[text.Count];
        var isKept = new bool[text.Count];
        var keptTexts = new HashSet<ulong>();
        int kept = 0, keptChars = 0, width = BlockFeatures.Count;
        for (int b = 0; b < text.Count; b++)
        {
            cancellation.ThrowIfCancellationRequested();
            scores[b] = scorer.Score(rows.AsSpan(b * width, width));
            int i = text.Element[b];
            if (never[i] || !(scores[b] > (ruleKept[i] ? -RuleKeptMargin : 0))) continue;
            // A block repeating an earlier kept one word for word (a section's mobile and desktop copies) is written once.
            if (text.Chars[b] >= MinimumRepeatChars && !keptTexts.Add(text.Hash[b])) continue;
            isKept[b] = true;
            kept++;
            keptChars += text.Chars[b];
            keptBelow[i]++;
        }
        for (int i = n - 1; i > 0; i--) keptBelow[blocks.Parent[i]] += keptBelow[i];

        // The root: from the body down, while one child holds every kept block and the element's own text is not kept.
        int root = 0;
        while (keptBelow[root] > 0)
        {
            int only = -1;
            for (int c = root + 1; c < blocks.End[root]; c = blocks.End[c])
                if (keptBelow[c] == keptBelow[root]) { only = c; break; }
            if (only < 0) break;
            root = only;
        }
        var leftOut = new HashSet<IElement>(blocks.Unread, ReferenceEqualityComparer.Instance);
        for (int i = root + 1; i < blocks.End[root]; i++)
        {
            // Inline elements are part of their block's text, kept or dropped with it; but images the rules take for
            // thumbnails and icons (linked, or outside a figure) are not the content's, as their alt text is not.
            if (keptBelow[i] > 0 || (blocks.Roles[i] & BlockRole.Inline) != 0 && !(ruleLeft[i] && blocks.Elements[i].LocalName == "img")) continue;
            leftOut.Add(blocks.Elements[i]);
            i = blocks.End[i] - 1;
        }
        return new LearnedDecision(text, rows, ruleKept, scores, isKept, kept, keptChars, root, leftOut);
    }
}
