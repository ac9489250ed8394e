using System.Net;
using System.Text.RegularExpressions;
using Crawlscope.Tests.Crawling;

namespace Crawlscope.Tests.Cli;

/// <summary><c>demo --serve</c>: after the crawl, the inspector opens on a link the demo prints, until SIGTERM.</summary>
[Collection(CrawlCollection.Name)]
public sealed class DemoCommandTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("crawlscope-demo").FullName;

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_dir, recursive: true);
    }

    [Fact]
    public async Task DemoServe_PrintsALinkToTheInspectorsReport_ThatOpens_AndStopsOnSigterm()
    {
        CliRunner.RunScript("--version");
        using var demo = RunningProcess.Start("demo", "--serve", "--db", Path.Combine(_dir, "demo.db"), "--pages", "2", "--port", "0");
        await demo.WaitUntilAsync(p => p.Stdout.Contains("Inspector: "), "the inspector's link");
        string link = Regex.Match(demo.Stdout, @"Inspector: (http://127\.0\.0\.1:5080/inspect\?url=\S+)").Groups[1].Value;
        Assert.NotEmpty(link);

        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        var page = await http.GetAsync(link);
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        string html = await page.Content.ReadAsStringAsync();
        Assert.Contains("python-global-interpreter-lock", html, StringComparison.Ordinal);
        Assert.Contains("CRAWLED", html, StringComparison.Ordinal);

        var took = await demo.TerminateAsync(TimeSpan.FromSeconds(10));
        Assert.True(took is not null && demo.ExitCode == 0, $"exit {demo.ExitCode}:\n{demo.Stdout}\n{demo.Stderr}");
    }
}
