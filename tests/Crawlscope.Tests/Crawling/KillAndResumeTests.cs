using System.Diagnostics;
using System.Net;
using Crawlscope.Crawling;
using Crawlscope.Fetching;
using Crawlscope.SampleWeb;
using Crawlscope.Storage;
using Crawlscope.Tests.Cli;
using Crawlscope.Tests.Support;
using Crawlscope.Urls;
using Microsoft.Data.Sqlite;
using Xunit.Abstractions;

namespace Crawlscope.Tests.Crawling;

/// <summary>
/// The real ./crawlscope is killed with SIGKILL three times during one crawl, or stopped with SIGTERM, and started
/// again; the result must equal an uninterrupted crawl of an identical sample web: the same pages, each stored
/// once, with the same statuses, and nothing left in flight.
/// </summary>
[Collection(CrawlCollection.Name)]
public sealed class KillAndResumeTests(ITestOutputHelper output) : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("crawlscope-kill").FullName;

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(_dir, recursive: true);
    }

    private static readonly SampleWebOptions WebOptions = new() { PagesPerHost = 3, Fast = true };

    /// <summary>Reference: one uninterrupted crawl, in-process, with the CLI's defaults but no delay.</summary>
    private async Task<string> ReferenceCrawlAsync()
    {
        string referenceDb = Path.Combine(_dir, "reference.db");
        await using var web = await SampleWebServer.StartAsync(WebOptions);
        await using var store = await SqliteCrawlStore.OpenAsync(referenceDb);
        var keyer = new UrlKeyer(PublicSuffixList.Default, UrlNormalizer.Default);
        var options = new CrawlOptions
        {
            Delay = TimeSpan.Zero,
            Concurrency = 8,
            MaxDepth = 4,
            Fetch = new FetchOptions { AllowPrivateNetworks = true, Resolve = SampleSites.Hosts.ToDictionary(h => h.Name, _ => IPAddress.Loopback), TotalTimeout = TimeSpan.FromSeconds(5) },
        };
        using var engine = new CrawlEngine(options, store, keyer);
        await engine.RunAsync(web.Seeds.Select(s => keyer.TryIdentify(s, out var id, out _) ? id! : null!).ToList(), CancellationToken.None);
        return referenceDb;
    }

    /// <summary>The same crawl through ./crawlscope: its arguments.</summary>
    private async Task<string[]> CliCrawlAsync(SampleWebServer web, string db, string delay = "0")
    {
        string resolve = Path.Combine(_dir, "hosts");
        await File.WriteAllTextAsync(resolve, web.ResolveFile);
        return ["crawl", .. web.Seeds, "--db", db, "--resolve-file", resolve, "--allow-private-networks", "--delay", delay,
            "--concurrency", "8", "--max-depth", "4", "--timeout", "5"];
    }

    private void AssertSamePages(string referenceDb, string db)
    {
        var expected = Pages(referenceDb);
        var actual = Pages(db);
        output.WriteLine($"reference {expected.Count} pages, interrupted-and-resumed {actual.Count} pages");
        Assert.Equal(expected.Keys.Order(), actual.Keys.Order());
        foreach (var (key, status) in expected) Assert.True(status == actual[key], $"{key}: {status} vs {actual[key]}");
        Assert.Equal(0L, Scalar(db, "SELECT COUNT(*) FROM frontier WHERE state <> 2"));
    }

    /// <summary>SIGTERM, as systemd or Docker send it: the pages in flight are finished, the rest handed back, the
    /// summary printed, exit code 130 within 10 s; resumed, the crawl equals an uninterrupted one.</summary>
    [Fact]
    public async Task Sigterm_StopsCleanly_AndTheResumedCrawlEqualsAnUninterruptedOne()
    {
        string referenceDb = await ReferenceCrawlAsync();
        string db = Path.Combine(_dir, "terminated.db");
        await using var web = await SampleWebServer.StartAsync(WebOptions);
        string[] args = await CliCrawlAsync(web, db, delay: "0.05");
        CliRunner.RunScript("--version"); // build once before timing anything

        using (var crawl = RunningProcess.Start(args))
        {
            await crawl.WaitUntilAsync(_ => Count(db) >= 30, "30 stored pages");
            var took = await crawl.TerminateAsync(TimeSpan.FromSeconds(10));
            Assert.True(took is not null, "no exit within 10 s of SIGTERM");
            Assert.Equal(130, crawl.ExitCode);
            Assert.Contains("crawl interrupted:", crawl.Stdout);
            Assert.Contains("stopping after the pages in flight", crawl.Stderr);
            output.WriteLine($"stopped {took!.Value.TotalSeconds:F1} s after SIGTERM with {Count(db)} pages stored");
        }
        Assert.Equal(0L, Scalar(db, "SELECT COUNT(*) FROM frontier WHERE state = 1"));

        var resumed = CliRunner.RunScript(args);
        Assert.True(resumed.ExitCode == 0, resumed.Stderr);
        AssertSamePages(referenceDb, db);
    }

    /// <summary>A second crawl on the same store is refused while the first runs; reading commands go on.</summary>
    [Fact]
    public async Task SecondCrawlOnTheSameStore_IsRefused_WhileReadersGoOn()
    {
        string db = Path.Combine(_dir, "locked.db");
        await using var web = await SampleWebServer.StartAsync(WebOptions);
        string[] args = await CliCrawlAsync(web, db, delay: "0.5");
        CliRunner.RunScript("--version");
        using var first = RunningProcess.Start(args);
        await first.WaitUntilAsync(_ => Count(db) >= 5, "5 stored pages");

        var second = CliRunner.Run(args);
        Assert.Equal(1, second.ExitCode);
        Assert.Contains("another crawl is running on", second.Stderr);
        var stats = CliRunner.Run("stats", "--db", db);
        Assert.True(stats.ExitCode == 0, stats.Stderr);
        Assert.True(CliRunner.Run("inspect", web.Seeds[0], "--db", db, "--json").ExitCode == 0);

        Assert.NotNull(await first.TerminateAsync(TimeSpan.FromSeconds(10)));
        // Once the first crawl has ended, the lock is free again.
        Assert.Equal(0, CliRunner.Run([.. args, "--max-pages", "1"]).ExitCode);
    }

    [Fact]
    public async Task KilledThreeTimes_EndsLikeAnUninterruptedCrawl()
    {
        string referenceDb = await ReferenceCrawlAsync();

        // The same crawl through ./crawlscope, killed three times.
        string db = Path.Combine(_dir, "killed.db");
        await using var web2 = await SampleWebServer.StartAsync(WebOptions);
        string[] args = await CliCrawlAsync(web2, db);

        CliRunner.RunScript("--version"); // build once before timing anything
        int kills = 0;
        long last = 0;
        while (kills < 3)
        {
            using var process = CliRunner.StartScript(args);
            long target = last + 60;
            var deadline = DateTime.UtcNow.AddMinutes(2);
            while (!process.HasExited && Count(db) < target && DateTime.UtcNow < deadline) await Task.Delay(50);
            if (process.HasExited) break;
            process.Kill(entireProcessTree: true); // SIGKILL: no chance to flush or clean up
            await process.WaitForExitAsync();
            kills++;
            last = Count(db);
            output.WriteLine($"killed after {last} pages");
        }
        var final = CliRunner.RunScript(args);
        Assert.True(final.ExitCode == 0, final.Stderr);
        Assert.True(kills >= 3, $"the crawl finished before it could be killed three times ({kills})");
        AssertSamePages(referenceDb, db);
    }

    private static long Count(string db) => File.Exists(db) ? Scalar(db, "SELECT COUNT(*) FROM pages") : 0;

    private static long Scalar(string db, string sql)
    {
        try
        {
            using var c = new SqliteConnection($"Data Source={db};Mode=ReadOnly;Pooling=False");
            c.Open();
            using var cmd = c.CreateCommand();
            cmd.CommandText = sql;
            return (long)cmd.ExecuteScalar()!;
        }
        catch (SqliteException)
        {
            return 0; // not created yet
        }
    }

    private static Dictionary<string, string> Pages(string db)
    {
        using var c = new SqliteConnection($"Data Source={db};Mode=ReadOnly;Pooling=False");
        c.Open();
        using var cmd = c.CreateCommand();
        // Keys carry the port, which differs between the two sample webs: compare without it.
        cmd.CommandText = "SELECT src_unparsed, COALESCE(download_http_code, -1), COALESCE(failure_reason, '') FROM pages";
        using var r = cmd.ExecuteReader();
        var result = new Dictionary<string, string>();
        while (r.Read())
        {
            string key = r.GetString(0);
            result[key[..key.LastIndexOf(' ')]] = $"{r.GetInt64(1)} {r.GetString(2)}";
        }
        return result;
    }
}
