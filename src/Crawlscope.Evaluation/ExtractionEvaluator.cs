using System.Collections.Concurrent;
using Crawlscope.Extraction;
using Crawlscope.Urls;

namespace Crawlscope.Evaluation;

/// <summary>One line of the results table: our output on a dataset, the score, our goal and the best published number.</summary>
public sealed record EvaluationRow(string Output, string Dataset, string Metric, double Value, double Goal, string BestPublished, string Detail)
{
    public bool MeetsGoal => Value >= Goal;
}

/// <summary>Runs the extractor over the labelled datasets and scores every output with the published metrics.</summary>
public sealed class ExtractionEvaluator(PageExtractor extractor)
{
    private sealed record PageOutput(LabelledPage Page, string Readable, string Boilerpipe, string Markdown, string? Title, string? Headline, string? Description);

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
            var extracted = extractor.Extract(page.ReadHtml(), url);
            results.Add((i, new PageOutput(page, TextMetrics.MarkdownToText(extracted.ReadableMarkdown), extracted.BoilerpipeText,
                TextMetrics.MarkdownToText(extracted.Markdown), extracted.Title, extracted.Headline, extracted.Description)));
            int n = Interlocked.Increment(ref done);
            if (n % 100 == 0 || n == pages.Count) progress?.Invoke($"{pages[0].Dataset}: {n}/{pages.Count} pages");
        });
        return results.OrderBy(r => r.Index).Select(r => r.Output).ToList();
    }

    private static IEnumerable<EvaluationRow> ScoreScrapinghub(List<PageOutput> outputs)
    {
        var readable = TextMetrics.ShingleScore(outputs.Select(o => TextMetrics.ShingleCounts(o.Page.MainContent, o.Readable)));
        var boilerpipe = TextMetrics.ShingleScore(outputs.Select(o => TextMetrics.ShingleCounts(o.Page.MainContent, o.Boilerpipe)));
        var markdown = TextMetrics.ShingleScore(outputs.Select(o => TextMetrics.ShingleCounts(o.Page.MainContent, o.Markdown)));
        yield return new("readable Markdown", "Scrapinghub", "F1", readable.F1, 0.96, "trafilatura 0.958, Readability.js 0.947", readable.ToString());
        yield return new("boilerpipe text", "Scrapinghub", "F1", boilerpipe.F1, 0.84, "boilerpipe 0.860 (goal: within ±0.02)", boilerpipe.ToString());
        yield return new("Markdown (whole page)", "Scrapinghub", "recall", markdown.Recall, 0.98, "html2text 0.983", markdown.ToString());
    }

    private static IEnumerable<EvaluationRow> ScoreWcxb(List<PageOutput> outputs)
    {
        var scores = outputs.Select(o => (o.Page.PageType ?? "unknown", TextMetrics.WordScore(o.Page.MainContent, o.Readable))).ToList();
        double f1 = scores.Average(s => s.Item2.F1);
        string byType = string.Join(", ", scores.GroupBy(s => s.Item1).OrderBy(g => g.Key)
            .Select(g => $"{g.Key} {g.Average(s => s.Item2.F1):F3} (n={g.Count()})"));
        yield return new("readable Markdown", "WCXB dev", "F1", f1, 0.82, "trafilatura 0.791, Readability 0.675",
            $"F1 {f1:F3} (P {scores.Average(s => s.Item2.P):F3}, R {scores.Average(s => s.Item2.R):F3}, n={scores.Count}); by type: {byType}");
    }

    private static IEnumerable<EvaluationRow> ScoreTrafilatura(List<PageOutput> outputs)
    {
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
