using System.Text;
using System.Text.Json;
using Crawlscope.Robots;
using Crawlscope.Tests.Support;
using Xunit.Abstractions;

namespace Crawlscope.Tests.Robots;

/// <summary>Google's robots.txt test suites (robots_test.cc and robotstxt-spec-test), converted to JSON in ../shared.</summary>
public class GoogleConformanceTests(ITestOutputHelper output)
{
    [Fact]
    public void RobotsTestCc_All145Cases_Pass() => RunAllowCases("google-robotstxt-cases.json", expectedCount: 145);

    [Fact]
    public void SpecTestCorrectnessAndStress_AllCasesPass() => RunAllowCases("google-robotstxt-spec-test-cases.json", expectedCount: 400);

    private void RunAllowCases(string file, int expectedCount)
    {
        using var doc = Load(file);
        var failures = new List<string>();
        int total = 0, google = 0;
        foreach (var c in doc.RootElement.EnumerateArray())
        {
            total++;
            if ((c.TryGetProperty("test_type", out var t) && t.GetString() == "GOOGLE_SPECIFIC") ||
                c.GetProperty("name").GetString()!.StartsWith("GoogleOnly_", StringComparison.Ordinal)) google++;
            byte[] body = Body(c);
            string agent = c.GetProperty("user_agent").GetString() ?? "";
            string url = c.GetProperty("url").GetString()!;
            bool expected = c.GetProperty("expected_allowed").GetBoolean();
            bool actual = RobotsParser.Parse(body).Check(agent, url).Allowed;
            if (actual != expected) failures.Add($"{c.GetProperty("name").GetString()}: expected {(expected ? "allowed" : "disallowed")}");
        }
        string summary = $"robots {file}: {total - failures.Count}/{total} passed ({google} Google-specific)";
        output.WriteLine(summary);
        Console.WriteLine(summary);
        Assert.Equal(expectedCount, total);
        Assert.True(failures.Count == 0, summary + "\n" + string.Join("\n", failures));
    }

    [Fact]
    public void UserAgentValidity_AllCasesPass()
    {
        using var doc = Load("google-robotstxt-useragent-validity.json");
        foreach (var c in doc.RootElement.EnumerateArray())
        {
            string? ua = c.GetProperty("user_agent").GetString();
            Assert.True(c.GetProperty("expected_valid").GetBoolean() == RobotsAgent.IsValidProductToken(ua), $"user agent {ua}");
        }
    }

    [Fact]
    public void PathExtraction_AllCasesPass()
    {
        using var doc = Load("google-robotstxt-path-extraction.json");
        foreach (var c in doc.RootElement.EnumerateArray())
            Assert.Equal(c.GetProperty("expected_path").GetString(), RobotsPath.Extract(c.GetProperty("url").GetString()!));
    }

    [Fact]
    public void PatternEscaping_AllCasesPass()
    {
        using var doc = Load("google-robotstxt-pattern-escaping.json");
        foreach (var c in doc.RootElement.EnumerateArray())
        {
            // Patterns are bytes; the JSON holds them as UTF-8 text.
            string bytes = Encoding.Latin1.GetString(Encoding.UTF8.GetBytes(c.GetProperty("pattern").GetString()!));
            Assert.Equal(c.GetProperty("expected_escaped").GetString(), RobotsParser.EscapePattern(bytes));
        }
    }

    [Fact]
    public void ParseStats_AllCasesPass()
    {
        using var doc = Load("google-robotstxt-parse-stats.json");
        int total = 0;
        foreach (var c in doc.RootElement.EnumerateArray())
        {
            total++;
            string name = c.GetProperty("name").GetString()!;
            var rules = RobotsParser.Parse(Body(c));
            if (c.TryGetProperty("expected_valid_directives", out var valid)) Assert.True(valid.GetInt32() == rules.ValidDirectives, $"{name}: valid directives {rules.ValidDirectives}");
            if (c.TryGetProperty("expected_unknown_directives", out var unknown)) Assert.True(unknown.GetInt32() == rules.UnknownDirectives, $"{name}: unknown {rules.UnknownDirectives}");
            if (c.TryGetProperty("expected_last_line_seen", out var last)) Assert.True(last.GetInt32() == rules.LastDirectiveLine, $"{name}: last line {rules.LastDirectiveLine}");
            if (c.TryGetProperty("expected_sitemap", out var sitemap)) Assert.Equal([sitemap.GetString()!], rules.Sitemaps);
        }
        Assert.Equal(12, total);
    }

    private static byte[] Body(JsonElement c) =>
        c.TryGetProperty("robots_txt_base64", out var b64) && b64.ValueKind == JsonValueKind.String
            ? Convert.FromBase64String(b64.GetString()!)
            : Encoding.UTF8.GetBytes(c.GetProperty("robots_txt").GetString()!);

    private static JsonDocument Load(string name)
    {
        return JsonDocument.Parse(File.ReadAllBytes(SharedData.Conformance("robots/" + name)));
    }
}
