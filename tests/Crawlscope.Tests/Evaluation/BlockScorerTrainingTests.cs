using Crawlscope.Extraction.MainContent;
using Crawlscope.Evaluation;
using Crawlscope.Tests.Support;
using Xunit.Abstractions;

namespace Crawlscope.Tests.Evaluation;

/// <summary>Training the block scorer: labels from the gold, the host split, and a retrain that gives the committed
/// model byte for byte (the file is reproducible from the command and the shared datasets).</summary>
public sealed class BlockScorerTrainingTests(ITestOutputHelper output)
{
    [Fact]
    public void Labels_FromMainContent_FollowWordTriplesAndShortRunsInOrder()
    {
        var labeller = BlockScorerTraining.Labeller.FromMainContent("The council voted to rebuild the old bridge over the river by spring.\n\nWork starts in May.");
        bool? Label(string text) => labeller.Label(text, TextMetrics.PythonWordTokens(text.ToLowerInvariant()));
        Assert.True(Label("The council voted to rebuild the old bridge"));
        Assert.True(Label("Work starts"));
        Assert.False(Label("Starts work"));
        Assert.False(Label("Subscribe to our newsletter for more"));
        // Half of the triples is enough: a paragraph with a trailing link label is still content.
        Assert.True(Label("rebuild the old bridge over the river Read more here"));
        Assert.False(Label("Home"));
    }

    [Fact]
    public void Labels_FromSnippets_LeaveTheRestUnlabelled()
    {
        var labeller = BlockScorerTraining.Labeller.FromSnippets(["the old  bridge"], ["Share this"]);
        bool? Label(string text) => labeller.Label(text, TextMetrics.PythonWordTokens(text.ToLowerInvariant()));
        Assert.True(Label("They will rebuild the old bridge soon."));
        Assert.False(Label("Share this story"));
        Assert.Null(Label("A paragraph the snippets say nothing about."));
    }

    [SkippableFact]
    public void HostSplit_KeepsValidationAndTuningApart_AndSplitsBySite()
    {
        var pages = ExtractionDatasets.Load(SharedData.Find("datasets"), ExtractionDatasets.Wcxb);
        Assert.DoesNotContain(pages, p => ExtractionDatasets.IsValidation(p) && ExtractionDatasets.IsTuning(p));
        double validation = pages.Count(ExtractionDatasets.IsValidation) / (double)pages.Count;
        Assert.InRange(validation, 0.2, 0.4);
        foreach (var site in pages.Where(p => Uri.TryCreate(p.Url, UriKind.Absolute, out _)).GroupBy(p => new Uri(p.Url).Host.ToLowerInvariant()))
            Assert.Single(site.Select(ExtractionDatasets.IsValidation).Distinct());
    }

    [SkippableFact]
    public void Bags_AverageModelsFittedOnDifferentHosts()
    {
        string root = SharedData.Find("datasets");
        var options = new BlockScorerTrainingOptions { Limit = 60, Trees = 3, MinimumBlocksPerLeaf = 20 };
        var single = BlockScorerModel.FromJson(BlockScorerTraining.Train(root, options).ModelJson);
        var bagged = BlockScorerModel.FromJson(BlockScorerTraining.Train(root, options with { Bags = 3 }).ModelJson);
        Assert.Equal(3, single.Trees.Length);
        Assert.Equal(9, bagged.Trees.Length);
        Assert.Contains("--bags 3 ", bagged.TrainedBy);
        // Each model counts a third: its trees' weights are a third of a single fit's.
        Assert.All(bagged.Trees, t => Assert.Equal(single.Trees[0].Weight / 3, t.Weight, 12));
        // Fitted on different pages, the three models differ from each other.
        Assert.Equal(3, bagged.Trees.Chunk(3).Select(m => string.Join(",", m.SelectMany(t => t.Threshold))).Distinct().Count());
    }

    [SkippableFact]
    public void Retraining_GivesTheCommittedModel_ByteForByte()
    {
        string root = SharedData.Find("datasets");
        var result = BlockScorerTraining.Train(root, new BlockScorerTrainingOptions(), m => output.WriteLine(m));
        output.WriteLine($"{result.Blocks} blocks of {result.Pages} pages, training accuracy {result.TrainingAccuracy:P1}, export within {result.LargestScoreDifference:G2}");
        string committed = File.ReadAllText(Path.Combine(SharedData.RepoRoot, "src", "Crawlscope", "Extraction", "MainContent", "block-scorer.json")).TrimEnd('\n');
        Assert.True(committed == result.ModelJson, "retraining gave another model than the committed one: run `./crawlscope train extraction` and commit the file");
        Assert.InRange(result.LargestScoreDifference, 0, 1e-3);
    }
}
