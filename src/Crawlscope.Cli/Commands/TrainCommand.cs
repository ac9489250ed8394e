using System.CommandLine;
using System.Diagnostics;
using Crawlscope.Evaluation;

namespace Crawlscope.Cli.Commands;

/// <summary><c>crawlscope train extraction [--output FILE]</c>: trains the block scorer of readable Markdown from the
/// shared datasets' training hosts and writes the model file the crawler embeds.</summary>
internal static class TrainCommand
{
    /// <summary>Where the committed model lives in a source checkout; the build embeds it.</summary>
    internal const string ModelPath = "src/Crawlscope/Extraction/MainContent/block-scorer.json";

    internal static Command Create(TextWriter stdout, TextWriter stderr)
    {
        var defaults = new BlockScorerTrainingOptions();
        var datasets = CommonOptions.Datasets();
        var output = new Option<FileInfo?>("--output")
        {
            Description = $"Model file to write (default: {ModelPath} of the checkout, which the next build embeds).",
        };
        var seed = new Option<int>("--seed") { Description = "Random seed of the trainer.", DefaultValueFactory = _ => defaults.Seed };
        var bags = new Option<int>("--bags") { Description = "Models averaged, each trained without one of this many groups of the training hosts.", DefaultValueFactory = _ => defaults.Bags };
        var trees = new Option<int>("--trees") { Description = "Boosted trees of each model.", DefaultValueFactory = _ => defaults.Trees };
        var leaves = new Option<int>("--leaves") { Description = "Leaves per tree.", DefaultValueFactory = _ => defaults.Leaves };
        var minLeaf = new Option<int>("--min-blocks-per-leaf") { Description = "Training blocks a leaf needs at least.", DefaultValueFactory = _ => defaults.MinimumBlocksPerLeaf };
        var rate = new Option<double>("--learning-rate") { Description = "Shrinkage of each tree.", DefaultValueFactory = _ => defaults.LearningRate };
        var tuning = new Option<bool>("--tuning") { Description = "Leave the tuning hosts out as well, to compare settings on them (eval --per-page gives each page's host bucket)." };
        CommonOptions.AtLeast(bags, 1);
        CommonOptions.AtLeast(trees, 1);
        CommonOptions.AtLeast(leaves, 2);
        CommonOptions.AtLeast(minLeaf, 1);
        var extraction = new Command("extraction", "Train the block scorer of readable Markdown on the datasets' training hosts (WCXB dev, trafilatura's set).")
        {
            datasets, output, seed, bags, trees, leaves, minLeaf, rate, tuning,
        };
        extraction.SetAction(parse =>
        {
            double learningRate = parse.GetValue(rate);
            if (learningRate is <= 0 or > 1) throw new CommandException($"--learning-rate must be in (0, 1], not {learningRate}", CrawlscopeCli.BadUsage);
            string root = CommonOptions.DatasetsRoot(parse.GetValue(datasets));
            var options = new BlockScorerTrainingOptions
            {
                Seed = parse.GetValue(seed), Bags = parse.GetValue(bags), Trees = parse.GetValue(trees), Leaves = parse.GetValue(leaves),
                MinimumBlocksPerLeaf = parse.GetValue(minLeaf), LearningRate = learningRate, Tuning = parse.GetValue(tuning),
            };
            string path = parse.GetValue(output)?.FullName
                ?? Path.Combine(Environment.GetEnvironmentVariable("CRAWLSCOPE_HOME") ?? Directory.GetCurrentDirectory(), ModelPath);
            if (Path.GetDirectoryName(path) is { Length: > 0 } folder && !Directory.Exists(folder))
                throw new CommandException($"folder not found: {folder} (give --output FILE)");
            var sw = Stopwatch.StartNew();
            var result = BlockScorerTraining.Train(root, options, m => stderr.WriteLine(m));
            File.WriteAllText(path, result.ModelJson + "\n");
            stdout.WriteLine($"trained on {result.Blocks:N0} blocks ({result.ContentBlocks:N0} content) of {result.Pages} pages in {sw.Elapsed.TotalSeconds:F0} s; "
                + $"training accuracy {result.TrainingAccuracy:P1}; exported trees agree with ML.NET within {result.LargestScoreDifference:G2}");
            stdout.WriteLine($"wrote {path} ({new FileInfo(path).Length:N0} bytes); `crawlscope eval extraction` scores it on the validation hosts");
            return CrawlscopeCli.Success;
        });
        return new Command("train", "Train the learned parts of extraction.") { extraction };
    }
}
