using System.Diagnostics;
using System.Net;
using System.Text.Json;
using Crawlscope.Crawling;
using Crawlscope.Fetching;
using Crawlscope.SampleWeb;
using Crawlscope.Model;
using Crawlscope.Storage.ClickHouse;
using Crawlscope.Tests.Cli;
using Crawlscope.Tests.Support;
using Crawlscope.Urls;
using Crawlscope.Web;
using Microsoft.Data.Sqlite;
using Xunit.Abstractions;

namespace Crawlscope.Tests.Storage;

/// <summary>
/// The crawl on a real two-node ClickHouse cluster: schema creation, two ./crawlscope workers with complementary
/// shard ranges (one killed with SIGKILL midway and started again) crawling the sample web, compared with one
/// embedded crawl of the same web; the inspector, the API, stats and export reading the cluster.
/// </summary>
[Collection(ClickHouseCollection.Name)]
public sealed class ClusterCrawlTests(ClickHouseCluster cluster, ITestOutputHelper output)
{
    private static readonly SemaphoreSlim CrawlOnce = new(1, 1);
    private static (string Database, Dictionary<string, string> Reference, Dictionary<string, string> Workers, int Kills)? _crawl;

    [Fact]
    public async Task StoreInit_TwiceOnEveryNode_IsIdempotentAndVersioned()
    {
        string db = ClickHouseCluster.NewDatabase("init");
        var first = CliRunner.Run("store", "init", "--store", cluster.StoreUrl(db));
        Assert.True(first.ExitCode == 0, first.Stderr);
        var second = CliRunner.Run("store", "init", "--store", cluster.StoreUrl(db));
        Assert.True(second.ExitCode == 0, second.Stderr);
        foreach (var node in cluster.Nodes)
        {
            Assert.Contains($"127.0.0.1:{node.HttpPort}: schema version {Crawlscope.Storage.ClickHouse.ClickHouseSchema.Migrations.Length}", second.Stdout);
            // Migration 3 added the page type to the local table and to the Distributed one over it.
            string pageTypeColumns = await cluster.QueryAsync(node.Index, $"SELECT table FROM system.columns WHERE database = '{db}' AND name = 'page_type' ORDER BY table FORMAT TSV");
            Assert.Equal("pages\npages_local\n", pageTypeColumns);
            string tables = await cluster.QueryAsync(node.Index, $"SELECT name FROM system.tables WHERE database = '{db}' ORDER BY name FORMAT TSV");
            foreach (var t in new[] { "pages", "fetches", "links", "simhash_bands", "robots", "sitemap_entries", "bans", "discovered", "workers", "operator_actions" })
            {
                Assert.Contains(t + "\n", tables);
                Assert.Contains(t + "_local\n", tables);
            }
            Assert.Equal($"{Crawlscope.Storage.ClickHouse.ClickHouseSchema.Migrations.Length}\n", await cluster.QueryAsync(node.Index, $"SELECT count() FROM {db}.schema_version"));
            Assert.Contains("ReplacingMergeTree", await cluster.QueryAsync(node.Index, $"SELECT engine_full FROM system.tables WHERE database = '{db}' AND name = 'pages_local' FORMAT TSV"));
            Assert.Contains("Distributed", await cluster.QueryAsync(node.Index, $"SELECT engine_full FROM system.tables WHERE database = '{db}' AND name = 'pages' FORMAT TSV"));
        }
    }

    [Fact]
    public void StoreInit_WithoutEveryNodeListed_SaysSo()
    {
        var node = cluster.Nodes[0];
        var r = CliRunner.Run("store", "init", "--store", $"clickhouse://127.0.0.1:{node.HttpPort}/x_partial?cluster={ClickHouseCluster.ClusterName}");
        Assert.Equal(1, r.ExitCode);
        Assert.Contains("has 2 shards but the store URL lists 1 node", r.Stderr);
    }

    [Fact]
    public void Commands_OnAStoreWithoutSchema_SayToRunInit()
    {
        var r = CliRunner.Run("stats", "--store", cluster.StoreUrl("never_initialised"));
        Assert.Equal(1, r.ExitCode);
        Assert.Contains("store init", r.Stderr);
    }

    [Fact]
    public void Ban_OnTheCluster_AddListRemove()
    {
        string db = ClickHouseCluster.NewDatabase("ban");
        string url = cluster.StoreUrl(db);
        Assert.Equal(0, CliRunner.Run("store", "init", "--store", url).ExitCode);
        var add = CliRunner.Run("ban", "add", "Spam-Farm.example", "--reason", "link farm", "--store", url);
        Assert.True(add.ExitCode == 0, add.Stderr);
        var list = CliRunner.Run("ban", "list", "--store", url).Stdout;
        Assert.StartsWith("spam-farm.example\t", list);
        Assert.Contains("\tlink farm", list);
        Assert.Equal(0, CliRunner.Run("ban", "remove", "spam-farm.example", "--store", url).ExitCode);
        Assert.Equal("", CliRunner.Run("ban", "list", "--store", url).Stdout);
        Assert.Equal(1, CliRunner.Run("ban", "remove", "spam-farm.example", "--store", url).ExitCode);
    }

    [Fact]
    public void Worker_StateDirOfAnotherRange_AndRangesBeyondTheShards_AreRefused()
    {
        string db = ClickHouseCluster.NewDatabase("ranges");
        string url = cluster.StoreUrl(db);
        string state = Directory.CreateTempSubdirectory("crawlscope-range").FullName;
        try
        {
            Assert.Equal(0, CliRunner.Run("store", "init", "--store", url).ExitCode);
            var beyond = CliRunner.Run("crawl", "http://www.example.com/", "--store", url, "--worker-shards", "50-100", "--state-dir", state);
            Assert.Equal(1, beyond.ExitCode);
            Assert.Contains("beyond the last shard (99)", beyond.Stderr);
            var bad = CliRunner.Run("crawl", "http://www.example.com/", "--store", url, "--worker-shards", "9-3");
            Assert.Equal(2, bad.ExitCode);
            Assert.Contains("not a shard range", bad.Stderr);
            // A first worker takes the state dir (and its one seed, which is not allowed to be fetched: loopback).
            var first = CliRunner.Run("crawl", "http://127.0.0.1:9/a", "http://127.0.0.1:9/b", "--store", url, "--worker-shards", "0-99", "--state-dir", state, "--max-pages", "1");
            Assert.True(first.ExitCode == 0, first.Stderr);
            var other = CliRunner.Run("crawl", "http://www.example.com/", "--store", url, "--worker-shards", "0-49", "--state-dir", state);
            Assert.Equal(1, other.ExitCode);
            Assert.Contains("belongs to another worker", other.Stderr);

            // The first worker stopped at --max-pages with a URL still queued, and said it left: a new worker
            // finishes its own work without waiting for it (a killed worker is waited for two minutes).
            string state2 = Path.Combine(state, "second");
            var sw = System.Diagnostics.Stopwatch.StartNew();
            var second = CliRunner.Run("crawl", "http://127.0.0.2:9/", "--store", url, "--worker-shards", "0-49", "--state-dir", state2);
            Assert.True(second.ExitCode == 0, second.Stderr);
            Assert.True(sw.Elapsed < TimeSpan.FromSeconds(60), $"the second worker waited {sw.Elapsed.TotalSeconds:F0} s for one that had left");
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(state, recursive: true);
        }
    }

    [Fact]
    public void WorkerOptions_WithoutAStore_AreAUsageError()
    {
        var r = CliRunner.Run("crawl", "http://www.example.com/", "--worker-shards", "0-49");
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("go with --store", r.Stderr);
    }

    [Fact]
    public void BenchInspect_OnTheCluster_ReportsIngestRateAndLatency()
    {
        string db = ClickHouseCluster.NewDatabase("bench");
        Assert.Equal(0, CliRunner.Run("store", "init", "--store", cluster.StoreUrl(db)).ExitCode);
        var result = CliRunner.Run("bench", "inspect", "--pages", "400", "--lookups", "40", "--store", cluster.StoreUrl(db), "--json");
        Assert.True(result.ExitCode == 0, result.Stderr);
        var r = JsonDocument.Parse(result.Stdout).RootElement;
        Assert.Equal(400, r.GetProperty("pages").GetInt64());
        Assert.Equal(3200, r.GetProperty("links").GetInt64());
        Assert.Equal(400, r.GetProperty("pages_built").GetInt64());
        Assert.True(r.GetProperty("ingest_pages_per_second").GetDouble() > 0);
        Assert.Equal(36, r.GetProperty("known_lookups").GetInt32()); // nine in ten lookups are of stored pages
        Assert.All(r.GetProperty("latency").EnumerateArray(), l => Assert.InRange(l.GetProperty("p50_ms").GetDouble(), 0.001, l.GetProperty("p99_ms").GetDouble()));
    }

    [Fact]
    public async Task TwoWorkers_OneKilledAndRestarted_StoreEachPageOnce_AsOneEmbeddedCrawlDoes()
    {
        var crawl = await CrawlAsync();
        output.WriteLine($"reference {crawl.Reference.Count} pages, workers {crawl.Workers.Count} pages, {crawl.Kills} kill(s)");
        Assert.Equal(1, crawl.Kills);
        Assert.Equal(crawl.Reference.Keys.Order(), crawl.Workers.Keys.Order());
        foreach (var (key, status) in crawl.Reference) Assert.True(status == crawl.Workers[key], $"{key}: {status} vs {crawl.Workers[key]}");

        // Each page exactly once (latest state with FINAL, and no key twice), every row on the node of its shard.
        string db = crawl.Database;
        long final = long.Parse(await cluster.QueryAsync(0, $"SELECT count() FROM {db}.pages FINAL"));
        long distinct = long.Parse(await cluster.QueryAsync(0, $"SELECT uniqExact(src_unparsed) FROM {db}.pages"));
        Assert.Equal(crawl.Reference.Count, final);
        Assert.Equal(final, distinct);
        await using var store = await ClickHouseCrawlStore.OpenAsync(cluster.Address(db), UrlKeyer.Default);
        var shards = await store.ClusterAsync();
        foreach (var node in cluster.Nodes)
        {
            var local = (await cluster.QueryAsync(node.Index, $"SELECT DISTINCT shard FROM {db}.pages_local FORMAT TSV")).Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(int.Parse).ToList();
            Assert.NotEmpty(local);
            Assert.All(local, s => Assert.Equal(node.TcpPort, ClickHouseCrawlStore.NodeOf(s, shards).Port));
        }
    }

    [Fact]
    public async Task InspectStatsExportAndServe_ReadTheCluster()
    {
        var crawl = await CrawlAsync();
        string url = cluster.StoreUrl(crawl.Database);
        string seedLike = crawl.Reference.Keys.Single(k => k.StartsWith("test,pickl!www,/blog/python-global-interpreter-lock", StringComparison.Ordinal));
        await using var store = await ClickHouseCrawlStore.OpenAsync(cluster.Address(crawl.Database), UrlKeyer.Default);
        string key = (await store.InspectAsync("SELECT src_unparsed FROM pages WHERE src_unparsed LIKE $p", [("$p", seedLike + " %")])).Rows.Single()["src_unparsed"]!.ToString()!;
        int shard = UrlKeyer.Default.Locate(UrlKey.Parse(key)).Shard;

        // inspect: the shard's node from system.clusters, every query with FINAL and its raw response, filters in ClickHouse.
        var inspect = CliRunner.Run("inspect", "--shard", shard.ToString(System.Globalization.CultureInfo.InvariantCulture), "--key", key, "--store", url, "--json");
        Assert.True(inspect.ExitCode == 0, inspect.Stderr);
        using var report = JsonDocument.Parse(inspect.Stdout);
        var node = ClickHouseCrawlStore.NodeOf(shard, await store.ClusterAsync());
        Assert.Equal($"Calculated Shard: {shard} (from 127.0.0.1:{node.Port})", report.RootElement.GetProperty("checks")[0].GetProperty("response").GetString());
        var crawled = report.RootElement.GetProperty("checks")[1];
        Assert.Contains("FROM pages FINAL WHERE shard = " + shard, crawled.GetProperty("query").GetString());
        Assert.Contains("\"download_http_code\":200", crawled.GetProperty("response").GetString());
        Assert.True(report.RootElement.GetProperty("badges").GetProperty("indexable").GetBoolean());
        Assert.Equal("INDEXABLE", report.RootElement.GetProperty("badges").GetProperty("indexable_label").GetString());
        Assert.Contains("now() - INTERVAL 6 MONTH", report.RootElement.GetProperty("filters")[1].GetProperty("condition").GetString());

        // stats and export agree with the pages stored.
        var stats = CliRunner.Run("stats", "--store", url, "--json");
        Assert.True(stats.ExitCode == 0, stats.Stderr);
        Assert.Equal(crawl.Reference.Count, JsonDocument.Parse(stats.Stdout).RootElement.GetProperty("pages").GetInt64());
        string jsonl = Path.Combine(Path.GetTempPath(), $"crawlscope-cluster-{Guid.NewGuid():N}.jsonl");
        try
        {
            var export = CliRunner.Run("export", "--format", "jsonl", "--out", jsonl, "--store", url, "--where", "indexable");
            Assert.True(export.ExitCode == 0, export.Stderr);
            var lines = File.ReadAllLines(jsonl);
            Assert.Contains(lines, l => l.Contains(key, StringComparison.Ordinal));
            Assert.All(lines, l => Assert.Equal(200, JsonDocument.Parse(l).RootElement.GetProperty("download_http_code").GetInt32()));
            Assert.InRange(lines.Length, 1, crawl.Reference.Count - 1);
            Assert.Equal(lines.Length, lines.Select(l => JsonDocument.Parse(l).RootElement.GetProperty("src_unparsed").GetString()).Distinct().Count());
            var all = CliRunner.Run("export", "--format", "jsonl", "--out", jsonl, "--store", url, "--where", "all");
            Assert.True(all.ExitCode == 0, all.Stderr);
            Assert.Equal(crawl.Reference.Count, File.ReadAllLines(jsonl).Length);
        }
        finally
        {
            File.Delete(jsonl);
        }

        // serve: the JSON API and the overview page on the cluster store.
        await using var site = InspectorSite.Build(new InspectorSiteOptions { Store = store, Keyer = UrlKeyer.Default, Urls = "http://127.0.0.1:0" });
        await site.StartAsync();
        using var http = new HttpClient { BaseAddress = new Uri(site.Urls.First()) };
        using var api = JsonDocument.Parse(await http.GetStringAsync($"/api/inspect?shard={shard}&key={Uri.EscapeDataString(key)}"));
        Assert.Equal($"127.0.0.1:{node.Port}", api.RootElement.GetProperty("shard_node").GetString());
        Assert.True(api.RootElement.GetProperty("badges").GetProperty("indexable").GetBoolean());
        string overview = await http.GetStringAsync("/overview");
        Assert.Contains("www.pickl.test", overview);
        await site.StopAsync();
    }

    /// <summary>The crawl both tests read: done once per test run.</summary>
    private async Task<(string Database, Dictionary<string, string> Reference, Dictionary<string, string> Workers, int Kills)> CrawlAsync()
    {
        await CrawlOnce.WaitAsync();
        try
        {
            return _crawl ??= await RunCrawlAsync();
        }
        finally
        {
            CrawlOnce.Release();
        }
    }

    private async Task<(string, Dictionary<string, string>, Dictionary<string, string>, int)> RunCrawlAsync()
    {
        string dir = Directory.CreateTempSubdirectory("crawlscope-workers").FullName;
        var webOptions = new SampleWebOptions { PagesPerHost = 3, Fast = true };
        var keyer = UrlKeyer.Default;

        // Reference: one embedded crawl of an identical sample web.
        var reference = new Dictionary<string, string>();
        await using (var web = await SampleWebServer.StartAsync(webOptions))
        await using (var temp = await TempCrawlStore.OpenAsync("cluster-reference"))
        {
            var options = new CrawlOptions
            {
                Delay = TimeSpan.Zero, Concurrency = 8, MaxDepth = 4,
                Fetch = new FetchOptions { AllowPrivateNetworks = true, Resolve = SampleSites.Hosts.ToDictionary(h => h.Name, _ => IPAddress.Loopback), TotalTimeout = TimeSpan.FromSeconds(5) },
            };
            using var engine = new CrawlEngine(options, temp.Store, keyer);
            await engine.RunAsync(web.Seeds.Select(s => keyer.TryIdentify(s, out var id, out _) ? id! : null!).ToList(), CancellationToken.None);
            await foreach (var p in temp.Store.PagesAsync("1 = 1", [])) reference[WithoutPort(p.SrcUnparsed)] = Status(p);
        }

        // Two workers on the cluster, complementary ranges; the second is killed once it has stored some pages.
        string db = ClickHouseCluster.NewDatabase("crawl");
        await ClickHouseCrawlStore.InitAsync(cluster.Address(db));
        await using var web2 = await SampleWebServer.StartAsync(webOptions);
        string resolve = Path.Combine(dir, "hosts");
        await File.WriteAllTextAsync(resolve, web2.ResolveFile);
        string[] Args(string range) => ["crawl", .. web2.Seeds, "--store", cluster.StoreUrl(db), "--worker-shards", range, "--state-dir", Path.Combine(dir, range),
            "--resolve-file", resolve, "--allow-private-networks", "--delay", "0", "--concurrency", "8", "--max-depth", "4", "--timeout", "5"];
        CliRunner.RunScript("--version");
        using var a = CliRunner.StartScript(Args("0-49"));
        var b = CliRunner.StartScript(Args("50-99"));
        int kills = 0;
        var deadline = DateTime.UtcNow.AddMinutes(3);
        while (!b.HasExited && WorkerStateFile.Pages(Path.Combine(dir, "50-99", "worker.db")) < 40 && DateTime.UtcNow < deadline) await Task.Delay(50);
        if (!b.HasExited)
        {
            b.Kill(entireProcessTree: true); // SIGKILL: no flush, no goodbye
            await b.WaitForExitAsync();
            kills++;
            output.WriteLine($"killed the 50-99 worker after {WorkerStateFile.Pages(Path.Combine(dir, "50-99", "worker.db"))} pages");
            await Task.Delay(1000);
            b.Dispose();
            b = CliRunner.StartScript(Args("50-99"));
        }
        using (b)
        {
            foreach (var p in new[] { a, b })
            {
                using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(4));
                await p.WaitForExitAsync(timeout.Token);
                Assert.True(p.ExitCode == 0, $"worker exited with {p.ExitCode}");
            }
        }

        await using var store = await ClickHouseCrawlStore.OpenAsync(cluster.Address(db), keyer);
        var workers = new Dictionary<string, string>();
        await foreach (var p in store.PagesAsync("1 = 1", [])) workers[WithoutPort(p.SrcUnparsed)] = Status(p);
        SqliteConnection.ClearAllPools();
        Directory.Delete(dir, recursive: true);
        return (db, reference, workers, kills);
    }

    // Keys carry the port, which differs between the two sample webs: compare without it.
    private static string WithoutPort(string key) => key[..key.LastIndexOf(' ')];

    private static string Status(PageRecord p) => $"{p.DownloadHttpCode?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "none"} {p.FailureReason}";
}
