using Crawlscope.Model;
using Crawlscope.SampleWeb;
using Crawlscope.Storage.ClickHouse;
using Crawlscope.Tests.Cli;
using Crawlscope.Tests.Support;
using Microsoft.Data.Sqlite;
using Xunit.Abstractions;

namespace Crawlscope.Tests.Storage;

/// <summary>
/// The store on a cluster that survives losing a machine: two shards of two replicas each (four clickhouse-server
/// processes) and a ZooKeeper, all real. Schema creation makes replicated tables and brings every replica to the same
/// structure; a crawl whose replicas are killed with SIGKILL and restarted, in turn, and whose ZooKeeper stops for
/// 20 s, stores every page on both replicas of its shard; a batch whose only replica is lost is sent again.
/// </summary>
[Collection(ReplicatedClickHouseCollection.Name)]
public sealed class ReplicatedClusterTests(ReplicatedClickHouseCluster cluster, ITestOutputHelper output)
{
    [Fact]
    public async Task StoreInit_OnShardsOfReplicas_CreatesReplicatedTables_EveryReplicaAtTheLatestStructure()
    {
        string db = ClickHouseCluster.NewDatabase("repl_init");
        var first = CliRunner.Run("store", "init", "--store", cluster.StoreUrl(db));
        Assert.True(first.ExitCode == 0, first.Stderr);
        var again = CliRunner.Run("store", "init", "--store", cluster.StoreUrl(db));
        Assert.True(again.ExitCode == 0, again.Stderr);
        foreach (var node in cluster.Nodes)
        {
            Assert.Contains($"127.0.0.1:{node.HttpPort}: schema version {ClickHouseSchema.Migrations.Length}", again.Stdout);
            string engine = await cluster.QueryAsync(node.Index, $"SELECT engine_full FROM system.tables WHERE database = '{db}' AND name = 'pages_local' FORMAT TSV");
            Assert.Contains("ReplicatedReplacingMergeTree", engine);
            Assert.Contains($"/clickhouse/tables/{{shard}}/{db}/pages_local", engine);
            // The columns later migrations added (an ALTER sent once per shard) are on every replica, local and Distributed.
            Assert.Equal(2, await cluster.CountAsync(node.Index, $"SELECT count() FROM system.columns WHERE database = '{db}' AND name = 'render_details'"));
        }
        // A row written on one replica is on its peer.
        await cluster.QueryAsync(0, $"INSERT INTO {db}.bans_local (shard, name, reason, created, deleted, version) VALUES (1, 'a.example', 'test', now(), 0, 1)");
        await cluster.QueryAsync(1, $"SYSTEM SYNC REPLICA {db}.bans_local");
        Assert.Equal(1, await cluster.CountAsync(1, $"SELECT count() FROM {db}.bans_local WHERE name = 'a.example'"));
    }

    [Fact]
    public async Task ACrawl_WhileAReplicaOfEachShardIsKilledAndZooKeeperStops_StoresEveryPageOnBothReplicas()
    {
        string db = ClickHouseCluster.NewDatabase("repl_crawl");
        string dir = Directory.CreateTempSubdirectory("crawlscope-repl").FullName;
        try
        {
            Assert.Equal(0, CliRunner.Run("store", "init", "--store", cluster.StoreUrl(db)).ExitCode);
            await using var web = await SampleWebServer.StartAsync(new SampleWebOptions { PagesPerHost = 6, Fast = true });
            string resolve = Path.Combine(dir, "hosts");
            await File.WriteAllTextAsync(resolve, web.ResolveFile);
            using var worker = RunningProcess.Start(["crawl", .. web.Seeds, "--store", cluster.StoreUrl(db), "--state-dir", Path.Combine(dir, "state"),
                "--resolve-file", resolve, "--allow-private-networks", "--delay", "0", "--concurrency", "8", "--max-depth", "4", "--timeout", "5"]);
            // Each shard loses one replica in turn while the worker ships its pages: the second replica of shard 1, then the first of shard 2.
            string state = Path.Combine(dir, "state", "worker.db");
            foreach (int victim in new[] { 1, 2 })
            {
                var deadline = DateTime.UtcNow.AddMinutes(2);
                long before = WorkerStateFile.Pages(state);
                while (!worker.HasExited && WorkerStateFile.Pages(state) < before + 30 && DateTime.UtcNow < deadline) await Task.Delay(50);
                cluster.Stop(victim); // SIGKILL
                output.WriteLine($"killed node {victim} at {WorkerStateFile.Pages(state)} pages");
                await Task.Delay(1500);
                cluster.Restart(victim);
            }
            // Then ZooKeeper goes away for 20 s: inserts into replicated tables fail, the worker keeps its rows and goes on.
            long atStop = WorkerStateFile.Pages(state);
            var until = DateTime.UtcNow.AddMinutes(2);
            while (!worker.HasExited && WorkerStateFile.Pages(state) < atStop + 30 && DateTime.UtcNow < until) await Task.Delay(50);
            cluster.ZooKeeper.Stop();
            output.WriteLine($"stopped ZooKeeper at {WorkerStateFile.Pages(state)} pages");
            await Task.Delay(TimeSpan.FromSeconds(20));
            cluster.ZooKeeper.Start();
            var took = await worker.WaitForExitAsync(TimeSpan.FromMinutes(3), System.Diagnostics.Stopwatch.StartNew());
            if (took is null)
            {
                foreach (var node in cluster.Nodes)
                    output.WriteLine($"node {node.Index}: " + await cluster.QueryAsync(node.Index,
                        $"SELECT table, log_max_index, log_pointer, inserts_in_queue, inserts_oldest_time, queue_size, total_replicas, active_replicas FROM system.replicas WHERE database = '{db}' FORMAT TSV"));
                output.WriteLine(string.Join("\n", (worker.Stderr + worker.Stdout).Split('\n').Where(l => !l.StartsWith("crawl: ", StringComparison.Ordinal)).TakeLast(30)));
            }
            Assert.True(took is not null, "the crawl did not end within 3 minutes");
            Assert.Equal(0, worker.ExitCode);

            long shipped = WorkerStateFile.Pages(state);
            long total = 0;
            foreach (var shard in cluster.Nodes.GroupBy(n => n.Shard))
            {
                var counts = new List<long>();
                foreach (var node in shard)
                {
                    await cluster.QueryAsync(node.Index, $"SYSTEM SYNC REPLICA {db}.pages_local");
                    counts.Add(await cluster.CountAsync(node.Index, $"SELECT count() FROM {db}.pages_local FINAL"));
                    Assert.Equal(await cluster.CountAsync(node.Index, $"SELECT uniqExact(src_unparsed) FROM {db}.pages_local"), counts[^1]);
                }
                output.WriteLine($"shard {shard.Key}: {string.Join(" / ", counts)} pages on its replicas");
                Assert.Equal(counts[0], counts[1]);
                total += counts[0];
            }
            Assert.True(shipped > 60, $"only {shipped} pages crawled");
            Assert.Equal(shipped, total);
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public async Task ABatchWhoseOnlyReplicaIsLost_StaysInTheOutbox_AndIsSentAgainToItsPeer()
    {
        string db = ClickHouseCluster.NewDatabase("repl_lost");
        string dir = Directory.CreateTempSubdirectory("crawlscope-repl-lost").FullName;
        var keyer = Crawlscope.Urls.UrlKeyer.Default;
        Assert.Equal(0, CliRunner.Run("store", "init", "--store", cluster.StoreUrl(db)).ExitCode);
        // Shard 1's second replica is down: what the worker sends for shard 1 is on its first replica alone.
        cluster.Stop(1);
        try
        {
            await using var worker = await WorkerCrawlStore.OpenAsync(cluster.Address(db), keyer, new ShardRange(0, keyer.ShardCount - 1), dir,
                resendAfter: TimeSpan.FromSeconds(2));
            var pages = Enumerable.Range(0, 40).Select(i => Page(keyer, $"https://www.site{i}.test/page")).ToList();
            foreach (var p in pages)
                await worker.SaveAsync(p, new Crawlscope.Model.FetchRecord(p.SrcUnparsed, p.Url, p.DownloadStamp!.Value, 200, null, 1, 1, "text/html", null), [], []);
            await worker.FlushAsync();
            long expected = pages.Count(p => p.Shard % 2 == 0);
            Assert.True(expected > 5, $"{expected} pages on shard 1");
            Assert.Equal(expected, await cluster.CountAsync(0, $"SELECT count() FROM {db}.pages_local"));
            Assert.True(await worker.Local.OutboxCountAsync() > 0, "the batch left the outbox before every replica had it");

            // The only replica that has them is lost with its disk; its peer comes back without them.
            cluster.Stop(0);
            cluster.WipeData(0);
            cluster.Restart(1);
            await Task.Delay(TimeSpan.FromSeconds(2.5));
            await worker.FlushAsync();
            // (No SYNC REPLICA: its queue still waits for the lost replica's parts.)
            Assert.Equal(expected, await cluster.CountAsync(1, $"SELECT count() FROM {db}.pages_local FINAL"));
            // Still kept: the lost replica has not confirmed them.
            Assert.True(await worker.Local.OutboxCountAsync() > 0);
        }
        finally
        {
            cluster.Restart(0);
            cluster.Restart(1);
            SqliteConnection.ClearAllPools();
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public async Task AReplicaWhoseDiskIsLost_IsRestoredByStoreInit_AndFetchesItsPeersRows()
    {
        string db = ClickHouseCluster.NewDatabase("repl_restore");
        Assert.Equal(0, CliRunner.Run("store", "init", "--store", cluster.StoreUrl(db)).ExitCode);
        // Shard 1 (nodes 0 and 1) holds 50 rows on both replicas.
        string values = string.Join(",", Enumerable.Range(0, 50).Select(i => $"(1, 'host{i}.example', 'test', now(), 0, 1)"));
        await cluster.QueryAsync(0, $"INSERT INTO {db}.bans_local (shard, name, reason, created, deleted, version) VALUES {values}");
        await cluster.QueryAsync(1, $"SYSTEM SYNC REPLICA {db}.bans_local");
        Assert.Equal(50, await cluster.CountAsync(1, $"SELECT count() FROM {db}.bans_local"));
        try
        {
            // Node 1's disk is lost: it comes back empty while ZooKeeper still lists it as a replica of every table.
            cluster.Stop(1);
            cluster.WipeData(1);
            cluster.Restart(1);
            Assert.Equal(0, await cluster.CountAsync(1, $"SELECT count() FROM system.databases WHERE name = '{db}'"));

            var init = CliRunner.Run("store", "init", "--store", cluster.StoreUrl(db));
            Assert.True(init.ExitCode == 0, init.Stderr);
            Assert.Contains($"127.0.0.1:{cluster.Nodes[1].HttpPort}: schema version {ClickHouseSchema.Migrations.Length}", init.Stdout);
            // Its tables have the structure their peers have now (every migrated column), replicated as before...
            Assert.Contains("ReplicatedReplacingMergeTree", await cluster.QueryAsync(1, $"SELECT engine_full FROM system.tables WHERE database = '{db}' AND name = 'pages_local' FORMAT TSV"));
            Assert.Equal(2, await cluster.CountAsync(1, $"SELECT count() FROM system.columns WHERE database = '{db}' AND name = 'render_details'"));
            // ...and it fetches the rows it lost from its peer (once its replication queue has started: SYNC REPLICA
            // can return before that), and replicates what is written to it.
            var until = DateTime.UtcNow.AddSeconds(60);
            while (await cluster.CountAsync(1, $"SELECT count() FROM {db}.bans_local") < 50 && DateTime.UtcNow < until) await Task.Delay(250);
            Assert.Equal(50, await cluster.CountAsync(1, $"SELECT count() FROM {db}.bans_local"));
            await cluster.QueryAsync(1, $"INSERT INTO {db}.bans_local (shard, name, reason, created, deleted, version) VALUES (1, 'after.example', 'test', now(), 0, 1)");
            await cluster.QueryAsync(0, $"SYSTEM SYNC REPLICA {db}.bans_local");
            Assert.Equal(51, await cluster.CountAsync(0, $"SELECT count() FROM {db}.bans_local"));
            // A second run finds nothing to do.
            Assert.Equal(0, CliRunner.Run("store", "init", "--store", cluster.StoreUrl(db)).ExitCode);
        }
        finally
        {
            cluster.Restart(1);
        }
    }

    [Fact]
    public async Task TheOverview_ListsWorkersAndEveryNode_WithItsShardReplicaAndState()
    {
        string db = ClickHouseCluster.NewDatabase("repl_overview");
        string dir = Directory.CreateTempSubdirectory("crawlscope-repl-overview").FullName;
        var keyer = Crawlscope.Urls.UrlKeyer.Default;
        Assert.Equal(0, CliRunner.Run("store", "init", "--store", cluster.StoreUrl(db)).ExitCode);
        try
        {
            await using var worker = await WorkerCrawlStore.OpenAsync(cluster.Address(db), keyer, new ShardRange(0, 49), dir);
            // 30 pages of the worker's shards fetched just now: 0.5 pages/s over the last minute.
            var mine = Enumerable.Range(0, 400).Select(i => keyer.TryIdentify($"https://www.rate{i}.com/p", out var id, out _) ? id : throw new InvalidOperationException())
                .Where(id => id.Shard <= 49).Take(30).ToList();
            Assert.Equal(30, mine.Count);
            foreach (var id in mine)
                await worker.SaveAsync(new PageRecord { SrcUnparsed = id.Key.Value, Url = id.Normalized.Href, Shard = id.Shard, RootHash = id.RootHash, Host = id.Host, Site = id.Site,
                    DownloadHttpCode = 200, DownloadStamp = DateTimeOffset.UtcNow, ContentType = "text/html" }, new FetchRecord(id.Key.Value, id.Normalized.Href, DateTimeOffset.UtcNow, 200, null, 1, 10, "text/html", null), [], []);
            var until = DateTime.UtcNow.AddSeconds(30);
            while (await cluster.QueryAsync(0, $"SELECT count() FROM {db}.fetches") != "30\n" && DateTime.UtcNow < until) await Task.Delay(200);
            cluster.Stop(3);
            var overview = await worker.Cluster.OverviewAsync(5, 10);
            Assert.Contains(overview.Workers!, w => w.Worker == "shards-0-49" && w.Shards == "0-49" && w.PagesPerSecond == 0.5);
            Assert.Equal(4, overview.Nodes!.Count);
            foreach (var node in cluster.Nodes.Take(3))
                Assert.Contains(overview.Nodes, n => n.Address == $"127.0.0.1:{node.HttpPort}" && n.Up && n.Shard == $"{node.Shard:D2}" && n.Replica == $"node{node.Index}");
            var down = overview.Nodes.Single(n => n.Address == $"127.0.0.1:{cluster.Nodes[3].HttpPort}");
            Assert.False(down.Up);
            Assert.Equal("does not answer", down.Problem);
            // The inspector's shard check names every replica of the shard a page lives on (shard 0 goes to the first shard).
            Assert.Equal($"127.0.0.1:{cluster.Nodes[0].TcpPort}, 127.0.0.1:{cluster.Nodes[1].TcpPort} (2 replicas)", await worker.Cluster.ShardNodeAsync(0));
            string html = Crawlscope.Web.OverviewPage.Render(overview);
            Assert.Contains("id=\"workers\"", html);
            Assert.Contains($"127.0.0.1:{cluster.Nodes[3].HttpPort}</td><td></td><td></td><td class=\"down\">down: does not answer", html);
        }
        finally
        {
            cluster.Restart(3);
            SqliteConnection.ClearAllPools();
            Directory.Delete(dir, recursive: true);
        }
    }

    private static Crawlscope.Model.PageRecord Page(Crawlscope.Urls.UrlKeyer keyer, string url)
    {
        var id = keyer.TryIdentify(url, out var i, out var error) ? i : throw new ArgumentException(error);
        var stamp = new DateTimeOffset(2026, 12, 6, 12, 0, 0, TimeSpan.Zero);
        return new Crawlscope.Model.PageRecord
        {
            SrcUnparsed = id.Key.Value, Url = id.Normalized.Href, Shard = id.Shard, RootHash = id.RootHash, Host = id.Host, Site = id.Site,
            DownloadHttpCode = 200, DownloadStamp = stamp, FirstIndexed = stamp, ContentType = "text/html", MetaTitle = "T", ContentHash = id.Key.Value,
        };
    }
}
