using System.Text.Json;

namespace Crawlscope.Evaluation;

/// <summary>
/// Before any number is printed, the shingle scorer re-scores the stored outputs of ten published systems and
/// must reproduce article-extraction-benchmark/reference-scores.json (per document and in aggregate).
/// </summary>
public static class ScorerSelfCheck
{
    public sealed record Result(bool Passed, int Systems, int Documents, double MaxDifference, string Detail);

    public static Result Run(string datasetsRoot)
    {
        string dir = Path.Combine(datasetsRoot, "article-extraction-benchmark");
        using var reference = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(dir, "reference-scores.json")));
        using var truthDoc = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(dir, "ground-truth.json")));
        var truth = truthDoc.RootElement.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.TryGetProperty("articleBody", out var b) ? b.GetString() ?? "" : "");
        double maxDiff = 0;
        int systems = 0, documents = 0;
        foreach (var system in reference.RootElement.GetProperty("systems").EnumerateObject())
        {
            string outputFile = Path.Combine(dir, "output", system.Name + ".json");
            if (!File.Exists(outputFile)) return new(false, systems, documents, maxDiff, $"missing {outputFile}");
            var predictions = LoadPredictions(outputFile);
            var counts = new List<(double, double, double)>();
            foreach (var (id, body) in truth)
            {
                var c = TextMetrics.ShingleCounts(body, predictions.GetValueOrDefault(id, ""));
                counts.Add(c);
                if (system.Value.GetProperty("per_doc_tp_fp_fn").TryGetProperty(id, out var expected))
                {
                    var e = expected.EnumerateArray().Select(x => x.GetDouble()).ToArray();
                    maxDiff = Math.Max(maxDiff, Math.Max(Math.Abs(e[0] - c.Tp), Math.Max(Math.Abs(e[1] - c.Fp), Math.Abs(e[2] - c.Fn))));
                }
                documents++;
            }
            var score = TextMetrics.ShingleScore(counts);
            maxDiff = Math.Max(maxDiff, Math.Abs(score.F1 - system.Value.GetProperty("f1").GetDouble()));
            maxDiff = Math.Max(maxDiff, Math.Abs(score.Precision - system.Value.GetProperty("precision").GetDouble()));
            maxDiff = Math.Max(maxDiff, Math.Abs(score.Recall - system.Value.GetProperty("recall").GetDouble()));
            systems++;
        }
        bool passed = systems >= 10 && maxDiff < 1e-6;
        return new(passed, systems, documents, maxDiff, $"{systems} systems, {documents} document scores, max difference {maxDiff:E1}");
    }

    private static Dictionary<string, string> LoadPredictions(string file)
    {
        using var doc = JsonDocument.Parse(File.ReadAllBytes(file));
        var root = doc.RootElement.TryGetProperty("output", out var output) && output.ValueKind == JsonValueKind.Object ? output : doc.RootElement;
        var result = new Dictionary<string, string>();
        foreach (var p in root.EnumerateObject())
            if (p.Value.ValueKind == JsonValueKind.Object)
                result[p.Name] = p.Value.TryGetProperty("articleBody", out var b) && b.ValueKind == JsonValueKind.String ? b.GetString()! : "";
        return result;
    }
}
