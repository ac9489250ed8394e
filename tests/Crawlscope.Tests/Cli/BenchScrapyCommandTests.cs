using System.Diagnostics;
using System.Text.Json;
using Crawlscope.Cli.Benchmarks;
using Crawlscope.SampleWeb;
using Crawlscope.Tests.Support;

namespace Crawlscope.Tests.Cli;

/// <summary>`bench scrapy`: the server's record of requests is judged against each host's robots.txt, and a real
/// Scrapy (Debian's python3-scrapy) and Crawlscope crawl the same sample web one after the other.</summary>
[Collection(Crawlscope.Tests.Crawling.CrawlCollection.Name)]
public class BenchScrapyCommandTests
{
    [Fact]
    public async Task Judge_CountsRobotsViolationsPerAgent_RepeatsApart_FromTheErrorHostsRetries()
    {
        await using var web = await SampleWebServer.StartAsync();
        var hits = new Dictionary<string, int>
        {
            ["www.alpha-news.test/robots.txt"] = 1,
            ["www.alpha-news.test/private/report"] = 1, // Disallow: /private/ for every agent
            ["www.alpha-news.test/articles/1"] = 2,
            ["theta-forum.test/search?q=river"] = 1, // the forum also disallows /search
            ["theta-forum.test/articles/1"] = 1,
            ["iota-docs.test/private/notes"] = 1, // its robots.txt is a 404: everything allowed
            ["nu-errors.test/busy"] = 3,
        };

        var asScrapy = await ScrapyComparison.JudgeAsync(hits, web.Port, "Scrapy", CancellationToken.None);
        var asBadBot = await ScrapyComparison.JudgeAsync(hits, web.Port, "BadBot", CancellationToken.None);

        Assert.Equal((2, 1, 2), asScrapy);
        Assert.Equal(5, asBadBot.Violations); // BadBot may fetch nothing where a robots.txt is served
        // The robots.txt files it reads to judge are not the crawler's: judged again, the same verdict.
        Assert.Equal(asScrapy, await ScrapyComparison.JudgeAsync(hits, web.Port, "Scrapy", CancellationToken.None));
    }

    [Fact]
    public void BenchScrapy_CrawlsTheSameWebWithBoth_AndReportsNoViolationOrRepeatOfOurs()
    {
        RequireScrapy();
        string output = Path.Combine(Path.GetTempPath(), $"crawlscope-bench-scrapy-test-{Guid.NewGuid():N}.json");
        try
        {
            var result = CliRunner.RunScript("bench", "scrapy", "--pages", "5", "--without-error-host", "--json", "--out", output);
            Assert.True(result.ExitCode == 0, result.Stderr);
            var r = JsonDocument.Parse(result.Stdout).RootElement;
            Assert.False(r.GetProperty("error_host").GetBoolean());
            var crawls = r.GetProperty("crawls").EnumerateArray().ToDictionary(c => c.GetProperty("crawler").GetString()!);
            Assert.Equal(["Crawlscope", "Scrapy"], crawls.Keys.Order());
            foreach (var c in crawls.Values)
            {
                // 20 hosts (the error host left out) of a home page and five articles each, and more besides.
                Assert.InRange(c.GetProperty("urls").GetInt32(), 20 * 6, 2_000);
                Assert.Equal(0, c.GetProperty("robots_violations").GetInt32());
                Assert.Equal(0, c.GetProperty("error_host_repeats").GetInt32());
                Assert.True(c.GetProperty("seconds").GetDouble() > 0);
                Assert.True(c.GetProperty("cpu_seconds").GetDouble() > 0, "the child's CPU time was not counted");
                Assert.True(c.GetProperty("peak_rss_mb").GetDouble() > 10, "the child's peak RSS was not sampled");
            }
            Assert.Equal(0, crawls["Crawlscope"].GetProperty("duplicate_fetches").GetInt32());
            int both = r.GetProperty("urls_both").GetInt32();
            Assert.True(both >= 0.95 * crawls.Values.Min(c => c.GetProperty("urls").GetInt32()), $"the crawlers fetched different pages: {both} in common");
            double ratio = r.GetProperty("wall_ratio").GetDouble();
            Assert.True(ratio > 0);
            Assert.Equal(ratio, JsonDocument.Parse(File.ReadAllText(output)).RootElement.GetProperty("wall_ratio").GetDouble());
        }
        finally
        {
            File.Delete(output);
        }
    }

    private static void RequireScrapy()
    {
        try
        {
            using var python = Process.Start(new ProcessStartInfo("/usr/bin/python3", ["-c", "import scrapy"]) { RedirectStandardError = true })!;
            python.WaitForExit();
            if (python.ExitCode == 0) return;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            // No /usr/bin/python3: said below.
        }
        SharedData.Missing("bench scrapy: Debian's python3-scrapy is not installed (./test.sh installs it)");
    }
}
