using System.Text;
using System.Text.RegularExpressions;
using Markdig;

namespace Crawlscope.Evaluation;

/// <summary>Precision, recall and F1 of one system on one dataset.</summary>
public sealed record Score(double Precision, double Recall, double F1, int Documents)
{
    public override string ToString() => $"F1 {F1:F3} (P {Precision:F3}, R {Recall:F3}, n={Documents})";
}

/// <summary>
/// The three published extraction metrics, re-implemented exactly as ../shared/datasets/EXTRACTION.md §3
/// defines them, so our numbers compare with the published ones.
/// </summary>
public static partial class TextMetrics
{
    /// <summary>Python's \w on str: letters, numbers and '_', per code point.</summary>
    public static List<string> PythonWordTokens(string? s)
    {
        var tokens = new List<string>();
        if (string.IsNullOrEmpty(s)) return tokens;
        var sb = new StringBuilder();
        foreach (var rune in s.EnumerateRunes())
        {
            if (Rune.IsLetter(rune) || Rune.IsNumber(rune) || rune.Value == '_') sb.Append(rune.ToString());
            else if (sb.Length > 0)
            {
                tokens.Add(sb.ToString());
                sb.Clear();
            }
        }
        if (sb.Length > 0) tokens.Add(sb.ToString());
        return tokens;
    }

    /// <summary>Scrapinghub shingles: 4-grams of tokens; fewer than 4 tokens give one shorter shingle.</summary>
    public static Dictionary<string, int> Shingles(string? s, int n = 4)
    {
        var t = PythonWordTokens(s);
        var result = new Dictionary<string, int>(StringComparer.Ordinal);
        int count = Math.Max(1, t.Count - n + 1);
        for (int i = 0; i < count; i++)
        {
            int take = Math.Min(n, t.Count - i);
            if (take <= 0) continue;
            string key = string.Join('\u0000', t.Skip(i).Take(take));
            result[key] = result.GetValueOrDefault(key) + 1;
        }
        return result;
    }

    /// <summary>Per-document normalised (tp, fp, fn) of the Scrapinghub metric.</summary>
    public static (double Tp, double Fp, double Fn) ShingleCounts(string? truth, string? prediction)
    {
        var t = Shingles(truth);
        var p = Shingles(prediction);
        double tp = 0, fp = 0, fn = 0;
        foreach (var k in t.Keys.Union(p.Keys))
        {
            int tc = t.GetValueOrDefault(k), pc = p.GetValueOrDefault(k);
            tp += Math.Min(tc, pc);
            fp += Math.Max(0, pc - tc);
            fn += Math.Max(0, tc - pc);
        }
        double sum = tp + fp + fn;
        return sum > 0 ? (tp / sum, fp / sum, fn / sum) : (0, 0, 0);
    }

    /// <summary>Macro precision and recall over documents, F1 as their harmonic mean.</summary>
    public static Score ShingleScore(IEnumerable<(double Tp, double Fp, double Fn)> documents)
    {
        var precisions = new List<double>();
        var recalls = new List<double>();
        int n = 0;
        foreach (var (tp, fp, fn) in documents)
        {
            n++;
            if (tp + fp > 0) precisions.Add(fp == 0 && fn == 0 ? 1 : tp / (tp + fp));
            if (tp + fn > 0) recalls.Add(fp == 0 && fn == 0 ? 1 : tp / (tp + fn));
        }
        double p = precisions.Count == 0 ? 0 : precisions.Average();
        double r = recalls.Count == 0 ? 0 : recalls.Average();
        return new Score(p, r, p + r == 0 ? 0 : 2 * p * r / (p + r), n);
    }

    /// <summary>WCXB word-level (P, R, F1) of one page.</summary>
    public static (double P, double R, double F1) WordScore(string? reference, string? prediction)
    {
        var refTokens = PythonWordTokens((reference ?? "").ToLowerInvariant());
        var predTokens = PythonWordTokens((prediction ?? "").ToLowerInvariant());
        if (refTokens.Count == 0) return predTokens.Count == 0 ? (1, 1, 1) : (0, 0, 0);
        if (predTokens.Count == 0) return (0, 0, 0);
        var refCounts = refTokens.GroupBy(w => w).ToDictionary(g => g.Key, g => g.Count());
        int overlap = predTokens.GroupBy(w => w).Sum(g => Math.Min(g.Count(), refCounts.GetValueOrDefault(g.Key)));
        double p = overlap / (double)predTokens.Count, r = overlap / (double)refTokens.Count;
        return (p, r, p + r == 0 ? 0 : 2 * p * r / (p + r));
    }

    /// <summary>trafilatura's snippet test: how many "with" snippets are in the result, and "without" snippets.</summary>
    public static (int Tp, int Fp, int Fn, int Tn) SnippetCounts(string? result, IReadOnlyList<string> with, IReadOnlyList<string> without)
    {
        if (result is null) return (0, 0, with.Count, without.Count);
        string text = Normalize(result);
        int tp = with.Count(w => text.Contains(Normalize(w), StringComparison.Ordinal));
        int fp = without.Count(w => text.Contains(Normalize(w), StringComparison.Ordinal));
        return (tp, fp, with.Count - tp, without.Count - fp);
    }

    public static Score SnippetScore(IEnumerable<(int Tp, int Fp, int Fn, int Tn)> pages)
    {
        int tp = 0, fp = 0, fn = 0, n = 0;
        foreach (var c in pages)
        {
            tp += c.Tp;
            fp += c.Fp;
            fn += c.Fn;
            n++;
        }
        double p = tp + fp == 0 ? 0 : tp / (double)(tp + fp);
        double r = tp + fn == 0 ? 0 : tp / (double)(tp + fn);
        double f1 = 2 * tp + fp + fn == 0 ? 0 : 2.0 * tp / (2 * tp + fp + fn);
        return new Score(p, r, f1, n);
    }

    private static string Normalize(string s) => Whitespace().Replace(s, " ").Trim();

    private static readonly MarkdownPipeline PlainPipeline = new MarkdownPipelineBuilder().UsePipeTables().UseEmphasisExtras().Build();

    /// <summary>Markdown to plain text (scores compare text, not markup).</summary>
    public static string MarkdownToText(string markdown) => Markdown.ToPlainText(markdown, PlainPipeline);

    [GeneratedRegex(@"\s+")]
    private static partial Regex Whitespace();
}
