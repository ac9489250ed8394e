using System.Text.Json;

namespace Crawlscope.Tests.Cli;

public sealed class RobotsCommandTests : IDisposable
{
    private readonly string _file = Path.GetTempFileName();

    public RobotsCommandTests() => File.WriteAllText(_file, """
        User-agent: *
        Disallow: /private/
        Allow: /private/public.html

        User-agent: Googlebot
        Disallow: /

        Crawl-delay: 3
        Sitemap: https://example.com/sitemap.xml
        """);

    public void Dispose() => File.Delete(_file);

    [Fact]
    public void Robots_Urls_PrintVerdictAndRule()
    {
        var r = CliRunner.Run("robots", "--file", _file, "--agent", "Crawlscope/0.1 (+https://example.com/bot)",
            "https://example.com/private/secret", "https://example.com/private/public.html", "https://example.com/");
        Assert.Equal(0, r.ExitCode);
        string[] lines = r.Stdout.TrimEnd().Split('\n');
        Assert.Equal(3, lines.Length);
        Assert.StartsWith("disallowed", lines[0]);
        Assert.EndsWith("line 2: Disallow: /private/", lines[0]);
        Assert.StartsWith("allowed", lines[1]);
        Assert.EndsWith("line 3: Allow: /private/public.html", lines[1]);
        Assert.EndsWith("no matching rule", lines[2]);
    }

    [Fact]
    public void Robots_Json_HasFields()
    {
        var r = CliRunner.Run("robots", "--file", _file, "--agent", "googlebot", "/anything", "--json");
        Assert.Equal(0, r.ExitCode);
        using var doc = JsonDocument.Parse(r.Stdout);
        var v = doc.RootElement[0];
        Assert.Equal("/anything", v.GetProperty("url").GetString());
        Assert.False(v.GetProperty("allowed").GetBoolean());
        Assert.Equal(6, v.GetProperty("rule_line").GetInt32());
        Assert.Equal("Disallow: /", v.GetProperty("rule").GetString());
    }

    [Fact]
    public void Robots_NoUrls_PrintsGroup()
    {
        var r = CliRunner.Run("robots", "--file", _file, "--agent", "Googlebot");
        Assert.Equal(0, r.ExitCode);
        Assert.Contains("line 6: Disallow: /", r.Stdout);
        Assert.Contains("crawl-delay: 3 s", r.Stdout);
        Assert.Contains("https://example.com/sitemap.xml", r.Stdout);
    }

    [Fact]
    public void Robots_MissingFile_ExitsOne()
    {
        var r = CliRunner.Run("robots", "--file", "/no/such/robots.txt", "--agent", "x", "/");
        Assert.Equal(1, r.ExitCode);
        Assert.Contains("not found", r.Stderr);
    }

    [Fact]
    public void Robots_BadAgent_ExitsTwo() =>
        Assert.Equal(2, CliRunner.Run("robots", "--file", _file, "--agent", "42bot", "/").ExitCode);

    [Fact]
    public void Robots_MissingRequiredOption_ExitsTwo() =>
        Assert.Equal(2, CliRunner.Run("robots", "--agent", "x", "/").ExitCode);
}
