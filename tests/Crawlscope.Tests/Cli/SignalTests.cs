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

    /// <summary>A stop waits for work in flight a few seconds at most: a page that never answers, a crawl-delay of 30 s
    /// between a host's requests (its sitemaps are read politely after its robots.txt) and a 1,000 s delay between pages
    /// all end in a clean exit within 10 s, and what was abandoned is crawled on the next start.</summary>
    [Theory]
    [InlineData("never-answers")]
    [InlineData("crawl-delay-30")]
    [InlineData("delay-1000")]
    public async Task Crawl_StopsWithin10s_WhateverItWaitsFor(string waitingFor)
    {
        await using var web = await Support.HostileWeb.StartAsync();
        using var silent = new SilentServer();
        string links = string.Concat(Enumerable.Range(1, 5).Select(i => $"<a href=\"/p{i}\">page {i}</a> "));
        web.Robots("slow.test", waitingFor == "crawl-delay-30" ? "User-agent: *\nCrawl-delay: 30\n" : "User-agent: *\nAllow: /\n")
            .Html("slow.test", "/", $"<html><body><p>home</p>{links}</body></html>");
        for (int i = 1; i <= 5; i++) web.Html("slow.test", $"/p{i}", $"<html><body><p>page {i}</p></body></html>");
        int port = waitingFor == "never-answers" ? silent.Port : web.Port;
        string db = Path.Combine(_dir, waitingFor + ".db");
        CliRunner.RunScript("--version");
        string[] args = ["crawl", $"http://slow.test:{port}/", "--db", db, "--resolve", "slow.test=127.0.0.1", "--trust-resolve",
            "--delay", waitingFor == "delay-1000" ? "1000" : "0"];
        using (var crawl = RunningProcess.Start(args))
        {
            // Waiting: the fetch hangs, or the first page is stored and the next waits its turn.
            await Task.Delay(waitingFor == "never-answers" ? 2000 : 3000);
            await AssertStopsAsync(crawl, 130);
        }
        silent.Dispose();
        // Nothing was lost: the next start crawls the rest (with no delay now; a crawl-delay of 30 s would take minutes).
        if (waitingFor != "delay-1000") return;
        var resumed = CliRunner.Run([.. args[..^2], "--delay", "0", "--max-pages", "6"]);
        Assert.True(resumed.ExitCode == 0, resumed.Stderr);
        Assert.Contains("pages 6", CliRunner.Run("stats", "--db", db).Stdout);
    }

    /// <summary>While the service finishes its pages in flight after SIGTERM, /readyz says it is stopping (503), so a load
    /// balancer sends it nothing new; /healthz still answers.</summary>
    [Theory]
    [InlineData("crawl")]
    [InlineData("run")]
    [InlineData("bench")]
    public void SignalBeforeTheCommandStarts_IsAnInterruption_NotAnInternalError(string command)
    {
        // Under load a signal can come while a command is still starting, before it has anything to stop cleanly.
        string db = Path.Combine(_dir, command + "-early.db");
        string[] args = command switch
        {
            "crawl" => ["crawl", "http://127.0.0.1:9/", "--db", db, "--allow-private-networks"],
            "run" => ["run", "--db", db, "--urls", "http://127.0.0.1:0"],
            _ => ["bench", "--pages", "10", "--hosts", "2"],
        };
        using var stop = new CancellationTokenSource();
        stop.Cancel();
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        int code = Crawlscope.Cli.CrawlscopeCli.Run(args, stdout, stderr, TextReader.Null, stop.Token);
        Assert.DoesNotContain("internal error", stderr.ToString());
        Assert.True(code is 0 or 130, $"exit {code}: {stderr}");
        // Nothing it started is left running: bench's sample web is a child process.
        Assert.Empty(ChildrenRunning("sample-web"));
    }

    /// <summary>This process's live children whose command line holds <paramref name="word"/>.</summary>
    private static List<int> ChildrenRunning(string word)
    {
        var found = new List<int>();
        int self = Environment.ProcessId;
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out int pid)) continue;
            try
            {
                string stat = File.ReadAllText(Path.Combine(dir, "stat"));
                int parent = int.Parse(stat[(stat.LastIndexOf(')') + 2)..].Split(' ')[1], System.Globalization.CultureInfo.InvariantCulture);
                if (parent == self && File.ReadAllText(Path.Combine(dir, "cmdline")).Contains(word, StringComparison.Ordinal)) found.Add(pid);
            }
            catch (IOException) { } // it exited meanwhile
        }
        return found;
    }

    [Fact]
    public async Task Service_IsNotReadyWhileItStops()
    {
        using var silent = new SilentServer();
        int port = Operating.ServiceFixture.FreePort();
        CliRunner.RunScript("--version");
        using var service = RunningProcess.Start("run", $"http://slow.test:{silent.Port}/", "--db", Path.Combine(_dir, "ready.db"),
            "--urls", $"http://127.0.0.1:{port}", "--resolve", "slow.test=127.0.0.1", "--trust-resolve");
        await service.WaitUntilAsync(p => p.Stdout.Contains("Crawler Inspector on", StringComparison.Ordinal), "the listening line");
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(5) };
        Assert.Equal(System.Net.HttpStatusCode.OK, (await http.GetAsync("/readyz")).StatusCode);
        await Task.Delay(1000); // its robots.txt request hangs: a page in flight
        var clock = System.Diagnostics.Stopwatch.StartNew();
        service.SendTerm();
        await Task.Delay(500);
        var ready = await http.GetAsync("/readyz");
        Assert.Equal(System.Net.HttpStatusCode.ServiceUnavailable, ready.StatusCode);
        Assert.Contains("stopping", await ready.Content.ReadAsStringAsync());
        Assert.Equal(System.Net.HttpStatusCode.OK, (await http.GetAsync("/healthz")).StatusCode);
        var took = await service.WaitForExitAsync(TimeSpan.FromSeconds(10), clock);
        Assert.True(took is not null, service.Stderr);
        Assert.Equal(0, service.ExitCode);
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

/// <summary>A server on loopback that accepts every connection and never answers: a page that never comes.</summary>
public sealed class SilentServer : IDisposable
{
    private readonly System.Net.Sockets.TcpListener _listener = new(System.Net.IPAddress.Loopback, 0);
    private readonly List<System.Net.Sockets.TcpClient> _held = [];

    public SilentServer()
    {
        _listener.Start();
        _ = HoldAsync();
    }

    public int Port => ((System.Net.IPEndPoint)_listener.LocalEndpoint).Port;

    private async Task HoldAsync()
    {
        try
        {
            while (true)
            {
                var client = await _listener.AcceptTcpClientAsync();
                lock (_held) _held.Add(client);
            }
        }
        catch (Exception ex) when (ex is ObjectDisposedException or System.Net.Sockets.SocketException)
        {
        }
    }

    public void Dispose()
    {
        _listener.Stop();
        lock (_held) _held.ForEach(c => c.Dispose());
    }
}
