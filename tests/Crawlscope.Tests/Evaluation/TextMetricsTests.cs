using Crawlscope.Evaluation;
using Crawlscope.Extraction;
using Crawlscope.Tests.Support;
using Xunit.Abstractions;

namespace Crawlscope.Tests.Evaluation;

public class TextMetricsTests(ITestOutputHelper output)
{
    // Upstream tests.py vectors (EXTRACTION.md §3.1), with n = 3.
    [SkippableTheory]
    [InlineData("a b c", "a b c", 1, 0, 0)]
    [InlineData("a b c d", "a b c", 0.5, 0, 0.5)]
    [InlineData("a b c", "a b c d", 0.5, 0.5, 0)]
    [InlineData("", "", 0, 0, 0)]
    [InlineData("a", "", 0, 0, 1)]
    [InlineData("", "a", 0, 1, 0)]
    [InlineData("a b c a b c", "a b c", 0.25, 0, 0.75)]
    [InlineData("a b c", "a b c a b c", 0.25, 0.75, 0)]
    public void ShingleCounts_UpstreamVectors(string truth, string prediction, double tp, double fp, double fn)
    {
        var t = TextMetrics.Shingles(truth, 3);
        var p = TextMetrics.Shingles(prediction, 3);
        double ctp = 0, cfp = 0, cfn = 0;
        foreach (var k in t.Keys.Union(p.Keys))
        {
            ctp += Math.Min(t.GetValueOrDefault(k), p.GetValueOrDefault(k));
            cfp += Math.Max(0, p.GetValueOrDefault(k) - t.GetValueOrDefault(k));
            cfn += Math.Max(0, t.GetValueOrDefault(k) - p.GetValueOrDefault(k));
        }
        double sum = ctp + cfp + cfn;
        if (sum > 0) (ctp, cfp, cfn) = (ctp / sum, cfp / sum, cfn / sum);
        Assert.Equal(tp, ctp, 6);
        Assert.Equal(fp, cfp, 6);
        Assert.Equal(fn, cfn, 6);
    }

    [SkippableFact]
    public void Tokenizer_UpstreamVector() =>
        Assert.Equal(["a", "b", "cd", "e", "foo", "bar"], TextMetrics.PythonWordTokens("a b,cd:e(foo,bar) "));

    [SkippableTheory]
    [InlineData("!", 4, 0)]
    [InlineData("a,b c ", 5, 1)]
    [InlineData("aa 11 c 22", 3, 2)]
    public void Ngrams_UpstreamVectors(string text, int n, int count) => Assert.Equal(count, TextMetrics.Shingles(text, n).Values.Sum());

    [SkippableFact]
    public void ScorerSelfCheck_ReproducesReferenceScores()
    {
        string root = SharedData.Find("datasets");
        var result = ScorerSelfCheck.Run(root);
        output.WriteLine(result.Detail);
        Assert.True(result.Passed, result.Detail);
    }

    [SkippableFact]
    public void WordScore_And_SnippetScore()
    {
        Assert.Equal((1.0, 1.0, 1.0), TextMetrics.WordScore("", ""));
        var (p, r, _) = TextMetrics.WordScore("The cat sat", "the cat");
        Assert.Equal(1.0, p);
        Assert.Equal(2 / 3.0, r, 6);
        var counts = TextMetrics.SnippetCounts("Hello   big world", ["big world", "missing"], ["Hello"]);
        Assert.Equal((1, 1, 1, 0), counts);
    }

    /// <summary>Regression guard on the Scrapinghub figures (the full table comes from `crawlscope eval extraction`).</summary>
    [SkippableFact]
    public void Scrapinghub_ExtractionScores_HoldTheirLevel()
    {
        string root = SharedData.Find("datasets");
        var rows = new ExtractionEvaluator().Evaluate(root, [ExtractionDatasets.Scrapinghub]);
        foreach (var row in rows) output.WriteLine($"{row.Output}: {row.Detail}");
        Assert.InRange(rows.Single(r => r.Output == "boilerpipe text").Value, 0.84, 0.88);
        Assert.True(rows.Single(r => r.Output == "Markdown (whole page)").Value >= 0.98);
        Assert.True(rows.Single(r => r.Output == "readable Markdown").Value >= 0.94);
        Assert.True(rows.Single(r => r.Output == "readable Markdown, learned block scorer").Value >= 0.94);
    }
}
