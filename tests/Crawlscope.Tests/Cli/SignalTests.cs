using Crawlscope.Tests.Crawling;
using Xunit.Abstractions;

namespace Crawlscope.Tests.Cli;

/// <summary>Every long-running command stops cleanly on SIGTERM (what systemd, Docker and Kubernetes send) within
/// 10 s, with its documented exit code. The crawl's own case, with resume, is in KillAndResumeTests.</summary>
[Collection(CrawlCollection.Name)]
public sealed class SignalTests(ITestOutputHelper output) : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("crawlscope-signal").FullName;

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_dir, recursive: true);
    }

    private async Task AssertStopsAsync(RunningProcess process, int expectedCode)
    {
        var took = await process.TerminateAsync(TimeSpan.FromSeconds(10));
        Assert.True(took is not null, $"no exit within 10 s of SIGTERM:\n{process.Stdout}\n{process.Stderr}");
        Assert.True(process.ExitCode == expectedCode, $"exit code {process.ExitCode}:\n{process.Stdout}\n{process.Stderr}");
        output.WriteLine($"exited {took!.Value.TotalSeconds:F2} s after SIGTERM");
    }

    [Fact]
    public async Task Serve_StopsOnSigterm()
    {
        string db = Path.Combine(_dir, "serve.db");
        Assert.Equal(0, CliRunner.Run("ban", "add", "example.com", "--db", db).ExitCode);
        CliRunner.RunScript("--version");
        using var serve = RunningProcess.Start("serve", "--db", db, "--urls", "http://127.0.0.1:0");
        await serve.WaitUntilAsync(p => p.Stdout.Contains("Ctrl+C stops"), "the serving line");
        await AssertStopsAsync(serve, 0);
    }

    [Fact]
    public async Task SampleWeb_StopsOnSigterm()
    {
        CliRunner.RunScript("--version");
        using var web = RunningProcess.Start("sample-web", "--hosts", "2", "--port", "0");
        await web.WaitUntilAsync(p => p.Stdout.Contains("resolve file:"), "the seeds");
        await AssertStopsAsync(web, 0);
    }

    [Fact]
    public async Task Demo_StopsOnSigterm_WithItsSummary()
    {
        CliRunner.RunScript("--version");
        using var demo = RunningProcess.Start("demo", "--db", Path.Combine(_dir, "demo.db"));
        await demo.WaitUntilAsync(p => p.Stderr.Contains("crawl: "), "a progress line");
        await AssertStopsAsync(demo, 130);
        Assert.Contains("crawl interrupted:", demo.Stdout);
    }
}
