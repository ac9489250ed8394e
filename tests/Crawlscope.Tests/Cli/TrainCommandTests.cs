using System.Text.Json;
using Crawlscope.Tests.Support;

namespace Crawlscope.Tests.Cli;

/// <summary>The learned scorer from the command line: training's usage errors, extract with it, eval's block decisions.</summary>
public sealed class TrainCommandTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("train").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Theory]
    [InlineData("--trees", "0")]
    [InlineData("--leaves", "1")]
    [InlineData("--learning-rate", "2")]
    public void Train_BadSettings_AreUsageErrors(string option, string value)
    {
        var r = CliRunner.Run("train", "extraction", option, value, "--output", Path.Combine(_dir, "m.json"));
        Assert.Equal(2, r.ExitCode);
        Assert.Contains(option, r.Stderr);
        Assert.False(File.Exists(Path.Combine(_dir, "m.json")));
    }

    [Fact]
    public void Train_UnknownWord_SuggestsTheCommand()
    {
        var r = CliRunner.Run("train", "extracton");
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("extraction", r.Stderr);
    }

    [Fact]
    public void Extract_WithTheLearnedScorer_SaysWhoDecided()
    {
        string file = Path.Combine(_dir, "p.html");
        string prose = string.Join(" ", Enumerable.Repeat("The council voted to rebuild the old bridge over the river before the spring floods arrive.", 4));
        File.WriteAllText(file, $"<html><head><title>Bridge</title></head><body><nav><a href='/'>Home</a> <a href='/news'>News</a></nav><main><article><p>{prose}</p><p>{prose}</p></article></main></body></html>");
        var learned = CliRunner.Run("extract", file, "--url", "https://news.example/2026/bridge", "--json", "--readable-scorer", "learned");
        Assert.True(learned.ExitCode == 0, learned.Stderr);
        using (var doc = JsonDocument.Parse(learned.Stdout))
        {
            Assert.Contains("kept by the block scorer", doc.RootElement.GetProperty("readable_source").GetString());
            Assert.Contains("rebuild the old bridge", doc.RootElement.GetProperty("readable_markdown").GetString());
        }
        var rules = CliRunner.Run("extract", file, "--url", "https://news.example/2026/bridge", "--json");
        using (var doc = JsonDocument.Parse(rules.Stdout))
            Assert.DoesNotContain("block scorer", doc.RootElement.GetProperty("readable_source").GetString());
        var wrong = CliRunner.Run("extract", file, "--url", "https://news.example/2026/bridge", "--readable-scorer", "learnt");
        Assert.Equal(2, wrong.ExitCode);
    }

    [SkippableFact]
    public void EvalPerPage_ShowsEachBlocksDecision_BesideTheRules()
    {
        string root = SharedData.Find("datasets");
        string perPage = Path.Combine(_dir, "pages.jsonl");
        var r = CliRunner.Run("eval", "extraction", "--dataset", "wcxb", "--limit", "4", "--per-page", perPage, "--datasets", root);
        Assert.True(r.ExitCode == 0, r.Stderr);
        Assert.Contains("| readable Markdown, learned block scorer | WCXB dev |", r.Stdout);
        Assert.Contains("| readable Markdown | WCXB dev |", r.Stdout);
        var pages = File.ReadAllLines(perPage).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        Assert.Equal(4, pages.Count);
        foreach (var page in pages)
        {
            Assert.InRange(page.GetProperty("HostBucket").GetInt32(), 0, 9);
            Assert.Contains(page.GetProperty("Split").GetString(), new[] { "training", "validation" });
            var blocks = page.GetProperty("Blocks").EnumerateArray().ToList();
            Assert.NotEmpty(blocks);
            Assert.All(blocks, b => Assert.True(b.GetProperty("Chars").GetInt32() > 0));
            Assert.Contains(blocks, b => b.GetProperty("Kept").GetBoolean());
        }
    }
}
