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
/// The real ./crawlscope is killed with SIGKILL three times during one crawl and started again each time; the
/// result must equal an uninterrupted crawl of an identical sample web: the same pages, each stored once,
/// with the same statuses, and nothing left in flight.
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

    [Fact]
    public async Task KilledThreeTimes_EndsLikeAnUninterruptedCrawl()
    {
        var webOptions = new SampleWebOptions { PagesPerHost = 3, Fast = true };

        // Reference: one uninterrupted crawl, in-process, with the CLI's defaults but no delay.
        string referenceDb = Path.Combine(_dir, "reference.db");
        await using (var web = await SampleWebServer.StartAsync(webOptions))
        await using (var store = await SqliteCrawlStore.OpenAsync(referenceDb))
        {
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
        }

        // The same crawl through ./crawlscope, killed three times.
        string db = Path.Combine(_dir, "killed.db");
        await using var web2 = await SampleWebServer.StartAsync(webOptions);
        string resolve = Path.Combine(_dir, "hosts");
        await File.WriteAllTextAsync(resolve, web2.ResolveFile);
        string[] args = ["crawl", .. web2.Seeds, "--db", db, "--resolve-file", resolve, "--allow-private-networks", "--delay", "0",
            "--concurrency", "8", "--max-depth", "4", "--timeout", "5"];

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

        var expected = Pages(referenceDb);
        var actual = Pages(db);
        output.WriteLine($"reference {expected.Count} pages, killed-and-resumed {actual.Count} pages");
        Assert.Equal(expected.Keys.Order(), actual.Keys.Order());
        foreach (var (key, status) in expected) Assert.True(status == actual[key], $"{key}: {status} vs {actual[key]}");
        Assert.Equal(0L, Scalar(db, "SELECT COUNT(*) FROM frontier WHERE state <> 2"));
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
