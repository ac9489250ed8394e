using System.Collections.Concurrent;
using Crawlscope.Extraction;
using Crawlscope.Extraction.MainContent;
using Crawlscope.Urls;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Trainers.FastTree;

namespace Crawlscope.Evaluation;

/// <summary>How the block scorer is trained; the defaults made the committed model.</summary>
public sealed record BlockScorerTrainingOptions
{
    public int Seed { get; init; } = 1;
    public int Trees { get; init; } = 50;
    public int Leaves { get; init; } = 32;
    public int MinimumBlocksPerLeaf { get; init; } = 800;
    public double LearningRate { get; init; } = 0.3;
    /// <summary>Models averaged, each fitted without one of this many groups of the training hosts, against a single
    /// fit's sensitivity to which pages it sees. Four moved the tuning hosts' means by −0.004 to +0.006 against one fit,
    /// at four times the scoring cost, so the committed model is one fit (docs/extraction.md).</summary>
    public int Bags { get; init; } = 1;
    /// <summary>Leave the tuning hosts out too, so settings can be compared on them (never the validation hosts).</summary>
    public bool Tuning { get; init; }
    /// <summary>Train on the first N training pages of each dataset only (tests).</summary>
    public int? Limit { get; init; }
}

/// <summary>What training produced: the model and the figures that go with it.</summary>
public sealed record BlockScorerTrainingResult(string ModelJson, int Pages, int Blocks, int ContentBlocks, double TrainingAccuracy, double LargestScoreDifference);

/// <summary>
/// Trains the block scorer (<c>crawlscope train extraction</c>): every text block of the training pages (WCXB dev and
/// trafilatura's evaluation set, validation hosts left out, <see cref="ExtractionDatasets.IsValidation"/>) becomes
/// one example with the features the crawler computes. A boosted tree ensemble (ML.NET FastTree, one thread, fixed
/// seed: the same data gives the same model) learns content from boilerplate; the trees are written in the small
/// format the crawler reads, after checking that it scores the training blocks as ML.NET does.
/// </summary>
public static class BlockScorerTraining
{
    private sealed class Example
    {
        public bool Label { get; set; }
        public float Weight { get; set; }
        public float[] Features { get; set; } = [];
    }

    /// <summary>A page's examples weigh 100 in all, shared by its blocks in proportion to their words: each page
    /// counts alike, as in the per-page averaged F1 the datasets report, and a block counts as its words do.</summary>
    private const float PageWeight = 100;

    /// <summary>Seeds the host hash that groups the training hosts for <see cref="BlockScorerTrainingOptions.Bags"/>,
    /// so the groups are not the validation and tuning split's tenths.</summary>
    private const long BagSeed = 29;

    public static BlockScorerTrainingResult Train(string datasetsRoot, BlockScorerTrainingOptions options, Action<string>? progress = null)
    {
        var pages = new List<LabelledPage>();
        foreach (var name in new[] { ExtractionDatasets.Wcxb, ExtractionDatasets.Trafilatura })
        {
            var training = ExtractionDatasets.Load(datasetsRoot, name).Where(p => !ExtractionDatasets.IsValidation(p) && !(options.Tuning && ExtractionDatasets.IsTuning(p)));
            pages.AddRange(options.Limit is { } limit ? training.Take(limit) : training);
        }
        var perPage = new ConcurrentDictionary<int, List<Example>>();
        int done = 0;
        Parallel.For(0, pages.Count, new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount }, i =>
        {
            perPage[i] = Read(pages[i]);
            int n = Interlocked.Increment(ref done);
            if (n % 250 == 0 || n == pages.Count) progress?.Invoke($"features: {n}/{pages.Count} pages");
        });
        int pagesWithLabels = perPage.Values.Count(p => p.Count > 0);
        var examples = Enumerable.Range(0, pages.Count).SelectMany(i => perPage[i]).ToList();
        if (examples.Count == 0) throw new InvalidOperationException("no labelled blocks in the training pages");
        progress?.Invoke($"training on {examples.Count:N0} blocks of {pagesWithLabels} pages");
        var trees = new List<ScorerTree>();
        double bias = 0, difference = 0;
        for (int bag = 0; bag < options.Bags; bag++)
        {
            var fitted = options.Bags == 1 ? examples
                : Enumerable.Range(0, pages.Count).Where(i => (int)(ExtractionDatasets.HostHash(pages[i], BagSeed) % (ulong)options.Bags) != bag).SelectMany(i => perPage[i]).ToList();
            var (bagTrees, bagBias, bagDifference) = Fit(new MLContext(seed: options.Seed), options, fitted);
            trees.AddRange(bagTrees.Select(t => t with { Weight = t.Weight / options.Bags }));
            bias += bagBias / options.Bags;
            difference = Math.Max(difference, bagDifference);
            if (options.Bags > 1) progress?.Invoke($"model {bag + 1} of {options.Bags}: {fitted.Count:N0} blocks");
        }

        int wcxb = pages.Count(p => p.Dataset == ExtractionDatasets.Wcxb), trafilatura = pages.Count - wcxb;
        var model = new BlockScorerModel(
            BlockScorerModel.CurrentFormat,
            $"crawlscope train extraction --seed {options.Seed} --bags {options.Bags} --trees {options.Trees} --leaves {options.Leaves} --min-blocks-per-leaf {options.MinimumBlocksPerLeaf} "
            + $"--learning-rate {options.LearningRate}{(options.Tuning ? " --tuning" : "")} (Microsoft.ML.FastTree 6.0.0, one thread)",
            $"{wcxb} WCXB dev pages (Murrough-Foley/web-content-extraction-benchmark @ c039d5ee) and {trafilatura} pages of trafilatura's evaluation set "
            + "(adbar/trafilatura @ e90b0ef5, tests/evaldata.json): a block is content when its words are in the page's labelled main content "
            + "(WCXB) or it holds a 'with' snippet and not a 'without' one (trafilatura)",
            "Trained on WCXB, CC-BY-4.0, (c) 2026 Murrough Foley: \"WCXB: A Multi-Type Web Content Extraction Benchmark\", M. Foley, 2026 "
            + "(arXiv:2605.21097); and on trafilatura's evaluation data, Apache-2.0, (c) Adrien Barbaresi. The trees are derived data; no page text is in this file.",
            "hosts whose XxHash3(lower-case host) % 10 is 7, 8 or 9 are left out for validation" + (options.Tuning ? ", and 5 or 6 for tuning" : "")
            + "; Scrapinghub's pages are all left out",
            BlockFeatures.Names, bias, trees.ToArray());
        var scorer = new BlockScorer(model);
        int correct = examples.Count(e => BlockScorer.IsContent(scorer.Score(e.Features)) == e.Label);
        return new BlockScorerTrainingResult(model.ToJson(), pagesWithLabels, examples.Count, examples.Count(e => e.Label), correct / (double)examples.Count, difference);
    }

    /// <summary>Trains the ensemble and exports its trees; they must score the examples as ML.NET does (the largest
    /// difference is returned), or the crawler would run a different model than the one trained.</summary>
    private static (ScorerTree[] Trees, double Bias, double LargestDifference) Fit(MLContext ml, BlockScorerTrainingOptions options, List<Example> examples)
    {
        var schema = SchemaDefinition.Create(typeof(Example));
        schema[nameof(Example.Features)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, BlockFeatures.Count);
        var data = ml.Data.LoadFromEnumerable(examples, schema);
        var trainer = ml.BinaryClassification.Trainers.FastTree(new FastTreeBinaryTrainer.Options
        {
            LabelColumnName = nameof(Example.Label),
            FeatureColumnName = nameof(Example.Features),
            ExampleWeightColumnName = nameof(Example.Weight),
            NumberOfTrees = options.Trees,
            NumberOfLeaves = options.Leaves,
            MinimumExampleCountPerLeaf = options.MinimumBlocksPerLeaf,
            LearningRate = options.LearningRate,
            NumberOfThreads = 1,
            Seed = options.Seed,
        });
        var fitted = trainer.Fit(data);
        var ensemble = fitted.Model.SubModel.TrainedTreeEnsemble;
        if (ensemble.Trees.Any(t => t.CategoricalSplitFlags.Any(c => c)))
            throw new InvalidOperationException("the trained trees use categorical splits, which the crawler's scorer does not read");
        var trees = ensemble.Trees.Select((tree, t) => new ScorerTree(
            ensemble.TreeWeights[t],
            tree.NumericalSplitFeatureIndexes.ToArray(),
            tree.NumericalSplitThresholds.ToArray(),
            tree.LeftChild.ToArray(),
            tree.RightChild.ToArray(),
            tree.LeafValues.ToArray())).ToArray();
        var scored = ml.Data.CreateEnumerable<ScoredExample>(fitted.Transform(data), reuseRowObject: false).ToList();
        double largest = 0;
        for (int i = 0; i < examples.Count; i++)
            largest = Math.Max(largest, Math.Abs(BlockScorer.Sum(trees, ensemble.Bias, examples[i].Features) - scored[i].Score));
        if (largest > 1e-3)
            throw new InvalidOperationException($"the exported trees score up to {largest:G3} away from ML.NET's: the export is wrong, the model is not written");
        return (trees, ensemble.Bias, largest);
    }

    private sealed class ScoredExample
    {
        public float Score { get; set; }
    }

    private static readonly PageExtractor Parser = PageExtractor.Default;

    /// <summary>A page's labelled blocks, weighted (blocks the labels say nothing about are left out).</summary>
    private static List<Example> Read(LabelledPage page)
    {
        WebUrl url = WebUrl.TryParse(page.Url, null, out var u, out _) ? u : WebUrl.Parse("http://invalid.example/");
        var (document, baseUrl) = Parser.Parse(page.ReadHtml(), url);
        var analysis = MainContentExtractor.Analyse(document, baseUrl);
        if (analysis is null) return [];
        var labeller = page.MainContent is { Length: > 0 } gold ? Labeller.FromMainContent(gold) : Labeller.FromSnippets(page.With, page.Without);
        var labelled = new List<(int Block, bool Content, int Words)>();
        for (int b = 0; b < analysis.Blocks.Count; b++)
        {
            var words = TextMetrics.PythonWordTokens(analysis.Blocks.Text[b].ToLowerInvariant());
            if (words.Count == 0 || labeller.Label(analysis.Blocks.Text[b], words) is not { } content) continue;
            labelled.Add((b, content, words.Count));
        }
        double total = labelled.Sum(l => l.Words);
        return labelled.Select(l => new Example
        {
            Label = l.Content,
            Weight = (float)(PageWeight * l.Words / total),
            Features = analysis.Rows.AsSpan(l.Block * BlockFeatures.Count, BlockFeatures.Count).ToArray(),
        }).ToList();
    }

    /// <summary>Labels a block from a page's gold: with the labelled main content, a block of three words or fewer is
    /// content when its words occur in that order in it, a longer one when at least half of its word triples do; with
    /// snippets only, a block holding a "with" snippet is content, one holding a "without" snippet is not, and the
    /// others are not labelled.</summary>
    internal sealed class Labeller
    {
        private readonly HashSet<string>? _grams;
        private readonly string[] _with = [], _without = [];

        private Labeller(HashSet<string>? grams, string[] with, string[] without)
        {
            _grams = grams;
            _with = with;
            _without = without;
        }

        public static Labeller FromMainContent(string gold)
        {
            var words = TextMetrics.PythonWordTokens(gold.ToLowerInvariant());
            var grams = new HashSet<string>(StringComparer.Ordinal);
            for (int n = 1; n <= 3; n++)
                for (int i = 0; i + n <= words.Count; i++)
                    grams.Add(Gram(words, i, n));
            return new Labeller(grams, [], []);
        }

        public static Labeller FromSnippets(IReadOnlyList<string> with, IReadOnlyList<string> without) =>
            new(null, with.Select(TextNormalization.CollapseWhitespace).Where(s => s.Length > 0).ToArray(),
                without.Select(TextNormalization.CollapseWhitespace).Where(s => s.Length > 0).ToArray());

        /// <summary>Words i to i+n-1, space-separated.</summary>
        private static string Gram(List<string> words, int i, int n) => string.Join(' ', words.GetRange(i, n));

        public bool? Label(string text, List<string> words)
        {
            if (_grams is { } grams)
            {
                if (words.Count <= 3) return grams.Contains(Gram(words, 0, words.Count));
                int hits = 0, triples = words.Count - 2;
                for (int i = 0; i < triples; i++)
                    if (grams.Contains(Gram(words, i, 3))) hits++;
                return hits >= 0.5 * triples;
            }
            string collapsed = TextNormalization.CollapseWhitespace(text);
            if (_without.Any(s => collapsed.Contains(s, StringComparison.Ordinal))) return false;
            if (_with.Any(s => collapsed.Contains(s, StringComparison.Ordinal))) return true;
            return null;
        }
    }
}
