using System.Text.Json;

namespace Crawlscope.Tests.Cli;

public class UrlCommandTests
{
    private const string SeedUrl = "https://www.pickl.ai/blog/python-global-interpreter-lock/";

    [Fact]
    public void Url_Json_HasFieldsAndSeedKey()
    {
        var r = CliRunner.Run("url", SeedUrl, "--json");
        Assert.Equal(0, r.ExitCode);
        using var doc = JsonDocument.Parse(r.Stdout);
        var root = doc.RootElement;
        Assert.Equal(SeedUrl, root.GetProperty("url").GetString());
        Assert.Equal(SeedUrl, root.GetProperty("normalized_url").GetString());
        Assert.Equal("www.pickl.ai", root.GetProperty("host").GetString());
        Assert.Equal("pickl.ai", root.GetProperty("registrable_domain").GetString());
        Assert.Equal("ai,pickl!www,/blog/python-global-interpreter-lock/ s443", root.GetProperty("key").GetString());
        Assert.InRange(root.GetProperty("shard").GetInt32(), 0, 99);
        Assert.Equal(root.GetProperty("root_hash").GetInt64() % 100, root.GetProperty("shard").GetInt32());
    }

    [Fact]
    public void Url_Text_ShowsKeyAndShard()
    {
        var r = CliRunner.Run("url", "http://pickl.ai/", "--shards", "7");
        Assert.Equal(0, r.ExitCode);
        Assert.Contains("ai,pickl!/ h80", r.Stdout);
        Assert.Contains("(of 7)", r.Stdout);
    }

    [Theory]
    [InlineData("http://[::1")]
    [InlineData("not a url")]
    [InlineData("mailto:someone@example.com")]
    public void Url_Malformed_ExitsOneWithOneLine(string url)
    {
        var r = CliRunner.Run("url", url);
        Assert.Equal(1, r.ExitCode);
        Assert.StartsWith("crawlscope: not a valid http(s) URL", r.Stderr);
        Assert.Single(r.Stderr.TrimEnd().Split('\n'));
        Assert.DoesNotContain("   at ", r.Stderr);
    }

    [Theory]
    [InlineData("url")]
    [InlineData("url", "http://x.com/", "--shards", "0")]
    [InlineData("url", "http://x.com/", "--unknown")]
    [InlineData("frobnicate")]
    [InlineData()]
    public void BadUsage_ExitsTwo(params string[] args)
    {
        var r = CliRunner.Run(args);
        Assert.Equal(2, r.ExitCode);
        Assert.Single(r.Stderr.TrimEnd().Split('\n'));
    }

    [Theory]
    [InlineData("--help")]
    [InlineData("url", "--help")]
    [InlineData("robots", "--help")]
    public void Help_ExitsZero(params string[] args)
    {
        var r = CliRunner.Run(args);
        Assert.Equal(0, r.ExitCode);
        Assert.Contains("Usage:", r.Stdout);
    }

    [Fact]
    public void Url_PslOption_MissingFile_ExitsOne()
    {
        var r = CliRunner.Run("url", "http://x.com/", "--psl", "/nonexistent.dat");
        Assert.Equal(1, r.ExitCode);
        Assert.Contains("/nonexistent.dat", r.Stderr);
    }

    [Fact]
    public void Url_PslOption_IsUsed()
    {
        string psl = Path.GetTempFileName();
        File.WriteAllText(psl, "// test list\ncom\nblog.example.com\n");
        try
        {
            var r = CliRunner.Run("url", "https://me.blog.example.com/", "--psl", psl, "--json");
            Assert.Equal(0, r.ExitCode);
            Assert.Contains("\"registrable_domain\": \"me.blog.example.com\"", r.Stdout);
        }
        finally
        {
            File.Delete(psl);
        }
    }
}

/// <summary>The README's commands, through the real ./crawlscope script.</summary>
public class CrawlscopeScriptTests
{
    [Fact]
    public void Script_UrlJson_GivesSeedKey()
    {
        var r = CliRunner.RunScript("url", "https://www.pickl.ai/blog/python-global-interpreter-lock/", "--json");
        Assert.True(r.ExitCode == 0, r.Stderr);
        using var doc = JsonDocument.Parse(r.Stdout);
        Assert.Equal("ai,pickl!www,/blog/python-global-interpreter-lock/ s443", doc.RootElement.GetProperty("key").GetString());
    }

    [Fact]
    public void Script_Malformed_ExitCodeOne()
    {
        var r = CliRunner.RunScript("url", "http://exa mple.com/");
        Assert.Equal(1, r.ExitCode);
        Assert.Contains("not a valid http(s) URL", r.Stderr);
    }
}
