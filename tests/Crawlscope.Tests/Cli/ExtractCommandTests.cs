using System.Text.Json;

namespace Crawlscope.Tests.Cli;

public sealed class ExtractCommandTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("extract").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string Write(string name, byte[] bytes)
    {
        string path = Path.Combine(_dir, name);
        File.WriteAllBytes(path, bytes);
        return path;
    }

    [Fact]
    public void Extract_Json_HasEveryField()
    {
        string file = Write("p.html", System.Text.Encoding.UTF8.GetBytes(
            "<html><head><title>T</title><meta name=description content=D></head><body><p>Hello <a href='/a'>a</a></p></body></html>"));
        var r = CliRunner.Run("extract", file, "--url", "https://example.com/x", "--json");
        Assert.True(r.ExitCode == 0, r.Stderr);
        using var doc = JsonDocument.Parse(r.Stdout);
        var root = doc.RootElement;
        foreach (var field in new[] { "title", "description", "canonical", "robots", "lang", "links", "boilerpipe_text", "markdown",
                     "readable_markdown", "content_hash", "simhash", "ml_spam_score", "spam_signals" })
            Assert.True(root.TryGetProperty(field, out _), field);
        Assert.Equal("T", root.GetProperty("title").GetString());
        Assert.Equal(1, root.GetProperty("links").GetProperty("count").GetInt32());
        Assert.False(root.GetProperty("robots").GetProperty("noindex").GetBoolean());
    }

    [Fact]
    public void Extract_Stdin()
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        int code = Crawlscope.Cli.CrawlscopeCli.Run(["extract", "-", "--url", "https://example.com/"], stdout, stderr, new StringReader("<title>From stdin</title>"));
        Assert.Equal(0, code);
        Assert.Contains("From stdin", stdout.ToString());
    }

    [Fact]
    public void Extract_Binary_ClearError() =>
        Assert.Equal(1, CliRunner.Run("extract", Write("b.bin", [0x89, 0x50, 0x4E, 0x47, 0, 0, 0, 13]), "--url", "https://example.com/").ExitCode);

    [Fact]
    public void Extract_Empty_GivesEmptyResult()
    {
        var r = CliRunner.Run("extract", Write("e.html", []), "--url", "https://example.com/", "--json");
        Assert.Equal(0, r.ExitCode);
        Assert.Equal(JsonValueKind.Null, JsonDocument.Parse(r.Stdout).RootElement.GetProperty("title").ValueKind);
    }

    [Fact]
    public void Extract_FiftyMegabytes_IsCutNotCrashed()
    {
        var big = new byte[50 * 1024 * 1024];
        Array.Fill(big, (byte)'a');
        System.Text.Encoding.ASCII.GetBytes("<html><head><title>Big</title></head><body><p>").CopyTo(big, 0);
        var r = CliRunner.Run("extract", Write("big.html", big), "--url", "https://example.com/", "--json");
        Assert.True(r.ExitCode == 0, r.Stderr);
        using var doc = JsonDocument.Parse(r.Stdout);
        Assert.True(doc.RootElement.GetProperty("truncated").GetBoolean());
        Assert.Equal("Big", doc.RootElement.GetProperty("title").GetString());
    }

    [Fact]
    public void Extract_MissingFile_And_BadUrl()
    {
        Assert.Equal(1, CliRunner.Run("extract", "/no/such.html", "--url", "https://example.com/").ExitCode);
        Assert.Equal(2, CliRunner.Run("extract", Write("x.html", [60]), "--url", "ftp://example.com/").ExitCode);
    }
}
