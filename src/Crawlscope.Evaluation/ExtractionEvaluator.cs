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
}

/// <summary>Runs the extractor over the labelled datasets and scores every output with the published metrics.</summary>
public sealed class ExtractionEvaluator(PageExtractor extractor, bool useLabelledPageTypes = false)
{
    // With labelled page types (WCXB), each page is extracted with its label's profile: the score the extractor would
    // reach with a perfect classifier, which separates classification errors from extraction errors.
    private readonly Dictionary<string, PageExtractor> _byLabel = Enum.GetValues<PageType>()
        .ToDictionary(t => t.Name(), t => new PageExtractor(new PageExtractorOptions { PageType = t }));

    private sealed record PageOutput(LabelledPage Page, string Readable, string Boilerpipe, string Markdown, string? Title, string? Headline,
        string? Description, string PageType, string Source, string Signals);

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

    private List<PageOutput> Run(IReadOnlyList<LabelledPage> pages, Action<string>? progress)
    {
        var results = new ConcurrentBag<(int Index, PageOutput Output)>();
        int done = 0;
        Parallel.For(0, pages.Count, new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount }, i =>
        {
            var page = pages[i];
            WebUrl url = WebUrl.TryParse(page.Url, null, out var u, out _) ? u : WebUrl.Parse("http://invalid.example/");
            var chosen = useLabelledPageTypes && page.PageType is { } label && _byLabel.TryGetValue(label, out var e) ? e : extractor;
            var extracted = chosen.Extract(page.ReadHtml(), url);
            results.Add((i, new PageOutput(page, TextMetrics.MarkdownToText(extracted.ReadableMarkdown), extracted.BoilerpipeText,
                TextMetrics.MarkdownToText(extracted.Markdown), extracted.Title, extracted.Headline, extracted.Description,
                extracted.PageType?.Name ?? "none", extracted.ReadableSource, extracted.PageType?.SignalText ?? "")));
            int n = Interlocked.Increment(ref done);
            if (n % 100 == 0 || n == pages.Count) progress?.Invoke($"{pages[0].Dataset}: {n}/{pages.Count} pages");
        });
        return results.OrderBy(r => r.Index).Select(r => r.Output).ToList();
    }

    private IEnumerable<EvaluationRow> ScoreScrapinghub(List<PageOutput> outputs)
    {
        foreach (var o in outputs)
        {
            var one = TextMetrics.ShingleScore([TextMetrics.ShingleCounts(o.Page.MainContent, o.Readable)]);
            PerPage.Add(new PageScore(o.Page.Dataset, o.Page.Id, o.Page.PageType, o.PageType, one.F1, o.Source, o.Signals));
        }
        var readable = TextMetrics.ShingleScore(outputs.Select(o => TextMetrics.ShingleCounts(o.Page.MainContent, o.Readable)));
        var boilerpipe = TextMetrics.ShingleScore(outputs.Select(o => TextMetrics.ShingleCounts(o.Page.MainContent, o.Boilerpipe)));
        var markdown = TextMetrics.ShingleScore(outputs.Select(o => TextMetrics.ShingleCounts(o.Page.MainContent, o.Markdown)));
        yield return new("readable Markdown", "Scrapinghub", "F1", readable.F1, 0.96, "trafilatura 0.958, Readability.js 0.947", readable.ToString());
        yield return new("boilerpipe text", "Scrapinghub", "F1", boilerpipe.F1, 0.84, "boilerpipe 0.860 (goal: within ±0.02)", boilerpipe.ToString());
        yield return new("Markdown (whole page)", "Scrapinghub", "recall", markdown.Recall, 0.98, "html2text 0.983", markdown.ToString());
    }

    private IEnumerable<EvaluationRow> ScoreWcxb(List<PageOutput> outputs)
    {
        var scores = outputs.Select(o => (Type: o.Page.PageType ?? "unknown", Score: TextMetrics.WordScore(o.Page.MainContent, o.Readable), Output: o)).ToList();
        foreach (var (type, score, o) in scores)
            PerPage.Add(new PageScore(o.Page.Dataset, o.Page.Id, type, o.PageType, score.F1, o.Source, o.Signals) { P = score.P, R = score.R });
        double f1 = scores.Average(s => s.Score.F1);
        int typed = scores.Count(s => s.Type == s.Output.PageType);
        yield return new("readable Markdown", "WCXB dev", "F1", f1, 0.87, "rs-trafilatura 0.859, trafilatura 0.791",
            $"F1 {f1:F3} (P {scores.Average(s => s.Score.P):F3}, R {scores.Average(s => s.Score.R):F3}, n={scores.Count}); page type as labelled on {typed}/{scores.Count} pages");
        foreach (var (type, best) in WcxbTypeGoals)
        {
            var ofType = scores.Where(s => s.Type == type).ToList();
            if (ofType.Count == 0) continue;
            int detected = ofType.Count(s => s.Output.PageType == type);
            yield return new($"readable Markdown: {type}", "WCXB dev", "F1", ofType.Average(s => s.Score.F1), best, $"rs-trafilatura {best:F3}",
                $"n={ofType.Count}, P {ofType.Average(s => s.Score.P):F3}, R {ofType.Average(s => s.Score.R):F3}; classified {type}: {detected}/{ofType.Count}; "
                + "classified as " + string.Join(", ", ofType.GroupBy(s => s.Output.PageType).OrderByDescending(g => g.Count()).Select(g => $"{g.Key} {g.Count()}")));
        }
    }

    private IEnumerable<EvaluationRow> ScoreTrafilatura(List<PageOutput> outputs)
    {
        foreach (var o in outputs)
        {
            var one = TextMetrics.SnippetScore([TextMetrics.SnippetCounts(o.Readable, o.Page.With, o.Page.Without)]);
            PerPage.Add(new PageScore(o.Page.Dataset, o.Page.Id, o.Page.PageType, o.PageType, one.F1, o.Source, o.Signals));
        }
        var readable = TextMetrics.SnippetScore(outputs.Select(o => TextMetrics.SnippetCounts(o.Readable, o.Page.With, o.Page.Without)));
        yield return new("readable Markdown", "trafilatura eval", "F1", readable.F1, 0.92, "trafilatura 0.924", readable.ToString());

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
