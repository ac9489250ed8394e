using System.Text.Json;

namespace Crawlscope.Extraction.MainContent;

/// <summary>One regression tree: internal node j sends a row left when feature <c>Feature[j]</c> is at most
/// <c>Threshold[j]</c>, else right; a child below zero is the leaf <c>~child</c>.</summary>
internal sealed record ScorerTree(double Weight, int[] Feature, float[] Threshold, int[] Left, int[] Right, double[] Leaf);

/// <summary>The block scorer's file: boosted trees over <see cref="BlockFeatures.Names"/>, with how they were made.</summary>
internal sealed record BlockScorerModel(string Format, string TrainedBy, string Data, string Licence, string Validation, string[] Features,
    double Bias, ScorerTree[] Trees)
{
    public const string CurrentFormat = "crawlscope block scorer 1";

    private static readonly JsonSerializerOptions Json = new() { WriteIndented = false, PropertyNamingPolicy = JsonNamingPolicy.CamelCase };

    public string ToJson() => JsonSerializer.Serialize(this, Json);

    public static BlockScorerModel FromJson(string json) =>
        JsonSerializer.Deserialize<BlockScorerModel>(json, Json) ?? throw new InvalidDataException("the block scorer file is empty");
}

/// <summary>
/// Scores text blocks as main content or not with a tree ensemble trained by <c>crawlscope train extraction</c> (the
/// file is committed with the command, data and licence it came from). Evaluated here with a few lines rather than
/// through ML.NET, so the crawler carries no training library and a block costs a few hundred comparisons. A score
/// above 0 is content.
/// </summary>
internal sealed class BlockScorer
{
    public const string ResourceName = "Crawlscope.block-scorer.json";

    private readonly BlockScorerModel _model;

    /// <summary>A tree's internal node packed in 16 bytes, so a step reads one place in memory.</summary>
    private readonly record struct Node(int Feature, float Threshold, int Left, int Right);

    private readonly Node[][] _nodes;
    /// <summary>Each tree's leaves, multiplied by its weight.</summary>
    private readonly double[][] _leaves;

    public BlockScorer(BlockScorerModel model)
    {
        if (model.Format != BlockScorerModel.CurrentFormat)
            throw new InvalidDataException($"block scorer file format '{model.Format}', this build reads '{BlockScorerModel.CurrentFormat}'");
        if (!model.Features.SequenceEqual(BlockFeatures.Names))
            throw new InvalidDataException($"the block scorer was trained on {model.Features.Length} features that differ from the {BlockFeatures.Count} this build computes; run `crawlscope train extraction`");
        foreach (var tree in model.Trees)
        {
            int nodes = tree.Feature.Length;
            if (tree.Threshold.Length != nodes || tree.Left.Length != nodes || tree.Right.Length != nodes || tree.Leaf.Length != nodes + 1
                || tree.Feature.Any(f => f < 0 || f >= BlockFeatures.Count)
                || tree.Left.Concat(tree.Right).Any(c => c >= nodes || c < -tree.Leaf.Length))
                throw new InvalidDataException("a tree of the block scorer file is malformed");
        }
        _model = model;
        _nodes = model.Trees.Select(t => t.Feature.Select((f, j) => new Node(f, t.Threshold[j], t.Left[j], t.Right[j])).ToArray()).ToArray();
        _leaves = model.Trees.Select(t => t.Leaf.Select(v => t.Weight * v).ToArray()).ToArray();
    }

    public BlockScorerModel Model => _model;

    private static readonly Lazy<BlockScorer> Embedded = new(() =>
    {
        using var stream = typeof(BlockScorer).Assembly.GetManifestResourceStream(ResourceName)
            ?? throw new InvalidDataException($"the block scorer ({ResourceName}) is not embedded in this build");
        using var reader = new StreamReader(stream);
        return new BlockScorer(BlockScorerModel.FromJson(reader.ReadToEnd()));
    });

    /// <summary>The committed model, read once.</summary>
    public static BlockScorer Default => Embedded.Value;

    /// <summary>The ensemble's score of a block's row.</summary>
    public double Score(ReadOnlySpan<float> row)
    {
        if (row.Length != BlockFeatures.Count) throw new ArgumentException($"a row has {BlockFeatures.Count} features, not {row.Length}", nameof(row));
        double sum = _model.Bias;
        for (int t = 0; t < _nodes.Length; t++)
        {
            var nodes = _nodes[t];
            int node = nodes.Length == 0 ? -1 : 0;
            while (node >= 0)
            {
                ref readonly var n = ref nodes[node];
                node = row[n.Feature] <= n.Threshold ? n.Left : n.Right;
            }
            sum += _leaves[t][~node];
        }
        return sum;
    }

    public static bool IsContent(double score) => score > 0;

    /// <summary>The trees' score as written in the file: the export's check against ML.NET.</summary>
    internal static double Sum(ScorerTree[] trees, double bias, ReadOnlySpan<float> row)
    {
        double sum = bias;
        foreach (var tree in trees)
        {
            int node = tree.Feature.Length == 0 ? -1 : 0;
            while (node >= 0)
                node = row[tree.Feature[node]] <= tree.Threshold[node] ? tree.Left[node] : tree.Right[node];
            sum += tree.Weight * tree.Leaf[~node];
        }
        return sum;
    }
}
