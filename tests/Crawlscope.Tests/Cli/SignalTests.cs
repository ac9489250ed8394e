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

    /// <summary>Processes (any, children of children included) whose environment holds <paramref name="marker"/>.</summary>
    private static List<string> ProcessesMarked(string marker)
    {
        var found = new List<string>();
        foreach (string dir in Directory.GetDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out _)) continue;
            try
            {
                if (!File.ReadAllText(Path.Combine(dir, "environ")).Contains(marker, StringComparison.Ordinal)) continue;
                found.Add(File.ReadAllText(Path.Combine(dir, "cmdline")).Replace('\0', ' ').Trim());
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                // The process ended while it was read.
            }
        }
        return found;
    }

    [Fact]
    public async Task Crawl_StopsOnSigtermWhileRendering_AndLeavesNoBrowserProcess()
    {
        Rendering.RenderingBrowser.Require();
        await using var web = await SampleWeb.SampleWebServer.StartAsync(new SampleWeb.SampleWebOptions { PagesPerHost = 2 });
        string marker = "CRAWLSCOPE_SIGNAL_TEST=" + Guid.NewGuid().ToString("N");
        CliRunner.RunScript("--version");
        using var crawl = RunningProcess.Start(new Dictionary<string, string> { [marker.Split('=')[0]] = marker.Split('=')[1] },
            "crawl", $"http://sigma-scripts.test:{web.Port}/busy", "--db", Path.Combine(_dir, "render.db"), "--render", "always",
            "--trust-resolve", "--resolve", "sigma-scripts.test=127.0.0.1", "--delay", "0");
        // The busy page holds the browser: wait until it runs, then stop the crawl in the middle of its render.
        await crawl.WaitUntilAsync(_ => ProcessesMarked(marker).Any(c => c.Contains("chromium", StringComparison.Ordinal)), "a browser process");
        await Task.Delay(1500);
        await AssertStopsAsync(crawl, 130);
        List<string> left = [];
        for (int i = 0; i < 20 && (left = ProcessesMarked(marker)).Count > 0; i++) await Task.Delay(100);
        Assert.True(left.Count == 0, "left running: " + string.Join("\n", left));
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
