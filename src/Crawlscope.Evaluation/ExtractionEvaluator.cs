using System.Collections.Concurrent;
using Crawlscope.Extraction;
using Crawlscope.Extraction.MainContent;
using Crawlscope.Urls;

namespace Crawlscope.Evaluation;

/// <summary>One line of the results table: our output on a dataset, the score, our goal and the best published number.</summary>
public sealed record EvaluationRow(string Output, string Dataset, string Metric, double Value, double Goal, string BestPublished, string Detail)
{
    public bool MeetsGoal => Value >= Goal;
}

/// <summary>One page's readable-text score and the page type we gave it.</summary>
public sealed record PageScore(string Dataset, string Id, string? LabelledType, string DetectedType, double F1, string Source, string Signals)
{
    /// <summary>Word precision and recall (WCXB pages).</summary>
    public double? P { get; init; }
    public double? R { get; init; }
    /// <summary>The learned block scorer's F1 on the same page (<see cref="F1"/> is the default, the rules').</summary>
    public double ScorerF1 { get; init; }
    /// <summary>"training", "validation" (hosts the block scorer never saw) or "held out" (a dataset it was not trained on).</summary>
    public string Split { get; init; } = "";
    /// <summary>The tenth of the hosts the page's host is in (<see cref="ExtractionDatasets.HostBucket"/>).</summary>
    public int HostBucket { get; init; }
    /// <summary>The block scorer's decision on each text block (with <c>--per-page</c>).</summary>
    public IReadOnlyList<BlockDecision>? Blocks { get; init; }
}

/// <summary>One text block of a page: its tag, size and first words, what the rules and the block scorer decided.</summary>
public sealed record BlockDecision(string Tag, int Chars, string Text, bool Rules, double Score, bool Kept);

/// <summary>Runs the extractor over the labelled datasets and scores every output with the published metrics: readable
/// Markdown as the hand-written rules decide it (the default) beside the learned block scorer, on each whole dataset
/// and on the validation hosts the scorer was not trained on.</summary>
public sealed class ExtractionEvaluator(bool useLabelledPageTypes = false, bool explainBlocks = false)
{
    // With labelled page types (WCXB), each page is extracted with its label's profile: the score the extractor would
    // reach with a perfect classifier, which separates classification errors from extraction errors.
    private static PageExtractor ExtractorFor(ReadableScorer scorer, PageType? type) => new(new PageExtractorOptions { Scorer = scorer, PageType = type });

    private readonly Dictionary<(ReadableScorer, string), PageExtractor> _byLabel = Enum.GetValues<ReadableScorer>()
        .SelectMany(s => Enum.GetValues<PageType>().Select(t => (s, t)))
        .ToDictionary(x => (x.s, x.t.Name()), x => ExtractorFor(x.s, x.t));

    private readonly Dictionary<ReadableScorer, PageExtractor> _extractors = Enum.GetValues<ReadableScorer>().ToDictionary(s => s, s => ExtractorFor(s, null));

    private sealed record PageOutput(LabelledPage Page, string Readable, string ScorerReadable, string Boilerpipe, string Markdown, string? Title, string? Headline,
        string? Description, string PageType, string Source, string Signals, IReadOnlyList<BlockDecision>? Blocks)
    {
        public string Split { get; } = Page.Dataset == ExtractionDatasets.Scrapinghub ? "held out" : ExtractionDatasets.IsValidation(Page) ? "validation" : "training";
        /// <summary>The block scorer never saw the page (a validation host, or a dataset it was not trained on).</summary>
        public bool Validation => Split != "training";
    }

    /// <summary>rs-trafilatura's WCXB dev F1 by page type (WCXB README @ c039d5ee): our goal for each type.</summary>
    private static readonly (string Type, double Best)[] WcxbTypeGoals =
    [
        ("article", 0.932), ("documentation", 0.932), ("service", 0.844), ("forum", 0.808), ("collection", 0.716),
        ("listing", 0.707), ("product", 0.641),
    ];

    /// <summary>Every scored page of the last run: its dataset, id, labelled and detected page type, readable F1
    /// (WCXB word F1, Scrapinghub shingle F1, trafilatura snippet F1) and how the readable text was found.</summary>
    public List<PageScore> PerPage { get; } = [];

    public IReadOnlyList<EvaluationRow> Evaluate(string datasetsRoot, IEnumerable<string> datasets, Action<string>? progress = null, int? limit = null)
    {
        var rows = new List<EvaluationRow>();
        foreach (var name in datasets)
        {
            var pages = ExtractionDatasets.Load(datasetsRoot, name);
            if (limit is { } l) pages = pages.Take(l).ToList();
            var outputs = Run(pages, progress);
            rows.AddRange(name switch
            {
                ExtractionDatasets.Scrapinghub => ScoreScrapinghub(outputs),
                ExtractionDatasets.Wcxb => ScoreWcxb(outputs),
                _ => ScoreTrafilatura(outputs),
            });
        }
        return rows;
    }

    private PageExtractor Extractor(ReadableScorer scorer, LabelledPage page) =>
        useLabelledPageTypes && page.PageType is { } label && _byLabel.TryGetValue((scorer, label), out var e) ? e : _extractors[scorer];

    private List<PageOutput> Run(IReadOnlyList<LabelledPage> pages, Action<string>? progress)
    {
        var results = new ConcurrentBag<(int Index, PageOutput Output)>();
        int done = 0;
        Parallel.For(0, pages.Count, new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount }, i =>
        {
            var page = pages[i];
            WebUrl url = WebUrl.TryParse(page.Url, null, out var u, out _) ? u : WebUrl.Parse("http://invalid.example/");
            var html = page.ReadHtml();
            var extracted = Extractor(ReadableScorer.Rules, page).Extract(html, url);
            var learned = Extractor(ReadableScorer.Learned, page).Extract(html, url);
            results.Add((i, new PageOutput(page, TextMetrics.MarkdownToText(extracted.ReadableMarkdown), TextMetrics.MarkdownToText(learned.ReadableMarkdown),
                extracted.BoilerpipeText, TextMetrics.MarkdownToText(extracted.Markdown), extracted.Title, extracted.Headline, extracted.Description,
                extracted.PageType?.Name ?? "none", extracted.ReadableSource, extracted.PageType?.SignalText ?? "",
                explainBlocks ? Explain(page, html, url) : null)));
            int n = Interlocked.Increment(ref done);
            if (n % 100 == 0 || n == pages.Count) progress?.Invoke($"{pages[0].Dataset}: {n}/{pages.Count} pages");
        });
        return results.OrderBy(r => r.Index).Select(r => r.Output).ToList();
    }

    private IReadOnlyList<BlockDecision> Explain(LabelledPage page, byte[] html, WebUrl url)
    {
        PageType? type = useLabelledPageTypes && page.PageType is { } label ? Enum.GetValues<PageType>().FirstOrDefault(t => t.Name() == label) : null;
        var (document, baseUrl) = PageExtractor.Default.Parse(html, url);
        if (MainContentExtractor.Explain(document, baseUrl, type) is not var (decision, stood)) return [];
        var blocks = decision.Blocks;
        return Enumerable.Range(0, blocks.Count).Select(b => new BlockDecision(
            blocks.Tag[b], blocks.Chars[b], blocks.Text[b].Length > 80 ? blocks.Text[b][..80] + "…" : blocks.Text[b],
            decision.RuleKept[blocks.Element[b]], Math.Round(decision.Scores[b], 3), stood ? decision.IsKept[b] : decision.RuleKept[blocks.Element[b]])).ToList();
    }

    /// <summary>The name of the learned scorer's rows.</summary>
    private const string Learned = "readable Markdown, learned block scorer";

    private IEnumerable<EvaluationRow> ScoreScrapinghub(List<PageOutput> outputs)
    {
        foreach (var o in outputs)
        {
            var one = TextMetrics.ShingleScore([TextMetrics.ShingleCounts(o.Page.MainContent, o.Readable)]);
            var learned = TextMetrics.ShingleScore([TextMetrics.ShingleCounts(o.Page.MainContent, o.ScorerReadable)]);
            PerPage.Add(new PageScore(o.Page.Dataset, o.Page.Id, o.Page.PageType, o.PageType, one.F1, o.Source, o.Signals)
                { ScorerF1 = learned.F1, Split = o.Split, Blocks = o.Blocks, HostBucket = ExtractionDatasets.HostBucket(o.Page) });
        }
        var readable = TextMetrics.ShingleScore(outputs.Select(o => TextMetrics.ShingleCounts(o.Page.MainContent, o.Readable)));
        var byScorer = TextMetrics.ShingleScore(outputs.Select(o => TextMetrics.ShingleCounts(o.Page.MainContent, o.ScorerReadable)));
        var boilerpipe = TextMetrics.ShingleScore(outputs.Select(o => TextMetrics.ShingleCounts(o.Page.MainContent, o.Boilerpipe)));
        var markdown = TextMetrics.ShingleScore(outputs.Select(o => TextMetrics.ShingleCounts(o.Page.MainContent, o.Markdown)));
        yield return new("readable Markdown", "Scrapinghub", "F1", readable.F1, 0.96, "trafilatura 0.958, Readability.js 0.947", readable.ToString());
        yield return new(Learned, "Scrapinghub", "F1", byScorer.F1, 0.96, "trafilatura 0.958",
            $"{byScorer} (held out: the block scorer was trained on no Scrapinghub page)");
        yield return new("boilerpipe text", "Scrapinghub", "F1", boilerpipe.F1, 0.84, "boilerpipe 0.860 (goal: within ±0.02)", boilerpipe.ToString());
        yield return new("Markdown (whole page)", "Scrapinghub", "recall", markdown.Recall, 0.98, "html2text 0.983", markdown.ToString());
    }

    private IEnumerable<EvaluationRow> ScoreWcxb(List<PageOutput> outputs)
    {
        var scores = outputs.Select(o => (Type: o.Page.PageType ?? "unknown", Score: TextMetrics.WordScore(o.Page.MainContent, o.Readable),
            Learned: TextMetrics.WordScore(o.Page.MainContent, o.ScorerReadable), Output: o)).ToList();
        foreach (var (type, score, learned, o) in scores)
            PerPage.Add(new PageScore(o.Page.Dataset, o.Page.Id, type, o.PageType, score.F1, o.Source, o.Signals)
                { P = score.P, R = score.R, ScorerF1 = learned.F1, Split = o.Split, Blocks = o.Blocks, HostBucket = ExtractionDatasets.HostBucket(o.Page) });
        int typed = scores.Count(s => s.Type == s.Output.PageType);
        foreach (var (part, selected) in new[] { ("", scores), (", validation hosts", scores.Where(s => s.Output.Validation).ToList()) })
        {
            if (selected.Count == 0) continue;
            double f1 = selected.Average(s => s.Score.F1), learnedF1 = selected.Average(s => s.Learned.F1);
            yield return new($"readable Markdown{part}", "WCXB dev", "F1", f1, 0.87, "rs-trafilatura 0.859, trafilatura 0.791",
                $"F1 {f1:F3} (P {selected.Average(s => s.Score.P):F3}, R {selected.Average(s => s.Score.R):F3}, n={selected.Count})"
                + (part == "" ? $"; page type as labelled on {typed}/{scores.Count} pages" : ""));
            // Pages that say little of an extractor: the gold text is empty (only an empty output scores), or the body
            // has no text at all (a script's shell; the gold was taken from the rendered page).
            var emptyGold = selected.Where(s => TextMetrics.PythonWordTokens(s.Output.Page.MainContent).Count == 0).ToList();
            var shells = selected.Except(emptyGold).Where(s => TextMetrics.PythonWordTokens(s.Output.Markdown).Count == 0).ToList();
            var rest = selected.Except(emptyGold).Except(shells).ToList();
            yield return new($"{Learned}{part}", "WCXB dev", "F1", learnedF1, 0.87, "rs-trafilatura 0.859",
                $"F1 {learnedF1:F3} (P {selected.Average(s => s.Learned.P):F3}, R {selected.Average(s => s.Learned.R):F3}, n={selected.Count})"
                + (rest.Count > 0 && rest.Count < selected.Count
                    ? $"; {emptyGold.Count} pages with an empty gold text ({emptyGold.Count(s => s.Learned.F1 > 0)} scored), {shells.Count} whose body has no text: without them {rest.Average(s => s.Learned.F1):F3} (rules {rest.Average(s => s.Score.F1):F3})"
                    : ""));
        }
        foreach (var (type, best) in WcxbTypeGoals)
        {
            var ofType = scores.Where(s => s.Type == type).ToList();
            if (ofType.Count == 0) continue;
            int detected = ofType.Count(s => s.Output.PageType == type);
            var validation = ofType.Where(s => s.Output.Validation).ToList();
            yield return new($"readable Markdown: {type}", "WCXB dev", "F1", ofType.Average(s => s.Score.F1), best, $"rs-trafilatura {best:F3}",
                $"n={ofType.Count}, P {ofType.Average(s => s.Score.P):F3}, R {ofType.Average(s => s.Score.R):F3}; classified {type}: {detected}/{ofType.Count}; "
                + "classified as " + string.Join(", ", ofType.GroupBy(s => s.Output.PageType).OrderByDescending(g => g.Count()).Select(g => $"{g.Key} {g.Count()}")));
            yield return new($"{Learned}: {type}", "WCXB dev", "F1", ofType.Average(s => s.Learned.F1), best, $"rs-trafilatura {best:F3}",
                $"n={ofType.Count}, P {ofType.Average(s => s.Learned.P):F3}, R {ofType.Average(s => s.Learned.R):F3}"
                + (validation.Count > 0 ? $"; validation hosts (n={validation.Count}): {validation.Average(s => s.Learned.F1):F3}, rules {validation.Average(s => s.Score.F1):F3}" : ""));
        }
    }

    private IEnumerable<EvaluationRow> ScoreTrafilatura(List<PageOutput> outputs)
    {
        foreach (var o in outputs)
        {
            var one = TextMetrics.SnippetScore([TextMetrics.SnippetCounts(o.Readable, o.Page.With, o.Page.Without)]);
            var learned = TextMetrics.SnippetScore([TextMetrics.SnippetCounts(o.ScorerReadable, o.Page.With, o.Page.Without)]);
            PerPage.Add(new PageScore(o.Page.Dataset, o.Page.Id, o.Page.PageType, o.PageType, one.F1, o.Source, o.Signals)
                { ScorerF1 = learned.F1, Split = o.Split, Blocks = o.Blocks, HostBucket = ExtractionDatasets.HostBucket(o.Page) });
        }
        foreach (var (part, selected) in new[] { ("", outputs), (", validation hosts", outputs.Where(o => o.Validation).ToList()) })
        {
            if (selected.Count == 0) continue;
            var readable = TextMetrics.SnippetScore(selected.Select(o => TextMetrics.SnippetCounts(o.Readable, o.Page.With, o.Page.Without)));
            var byScorer = TextMetrics.SnippetScore(selected.Select(o => TextMetrics.SnippetCounts(o.ScorerReadable, o.Page.With, o.Page.Without)));
            yield return new($"readable Markdown{part}", "trafilatura eval", "F1", readable.F1, 0.92, "trafilatura 0.924", readable.ToString());
            yield return new($"{Learned}{part}", "trafilatura eval", "F1", byScorer.F1, 0.93, "trafilatura 0.924", byScorer.ToString());
        }

        // The labels are headlines (no site name); our Meta Title keeps the <title> as written, so both are reported.
        var titled = outputs.Where(o => !string.IsNullOrWhiteSpace(o.Page.Title)).ToList();
        int headlines = titled.Count(o => Same(o.Headline, o.Page.Title)), titles = titled.Count(o => Same(o.Title, o.Page.Title));
        yield return new("title (headline)", "trafilatura eval", "exact match", titled.Count == 0 ? 0 : headlines / (double)titled.Count, 0.95, "",
            $"{headlines}/{titled.Count} labelled titles equal our headline; {titles} equal the raw <title>");

        var described = outputs.Where(o => !string.IsNullOrWhiteSpace(o.Page.Description)).ToList();
        double descriptionMatch = described.Count == 0 ? 0 : described.Count(o => Same(o.Description, o.Page.Description)) / (double)described.Count;
        yield return new("description", "trafilatura eval", "exact match", descriptionMatch, 0.95, "",
            $"{described.Count(o => Same(o.Description, o.Page.Description))}/{described.Count} labelled descriptions");
    }

    // Some labels keep HTML entities undecoded ("&#8220;"); compare decoded text with collapsed whitespace.
    private static bool Same(string? a, string? b) =>
        string.Equals(TextNormalization.CollapseWhitespace(System.Net.WebUtility.HtmlDecode(a)),
            TextNormalization.CollapseWhitespace(System.Net.WebUtility.HtmlDecode(b)), StringComparison.Ordinal);
}
