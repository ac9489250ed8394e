using System.Diagnostics;
using System.Globalization;
using Crawlscope.SampleWeb;
using Crawlscope.Tests.Cli;
using Crawlscope.Tests.Support;
using Microsoft.Data.Sqlite;
using Xunit.Abstractions;

namespace Crawlscope.Tests.Storage;

/// <summary>
/// The cluster's whole promise in one crawl: three workers leasing two shard ranges from a real etcd crawl the sample
/// web into two shards of two replicas while, in turn, a replica of each shard is killed with SIGKILL and restarted,
/// a replica's disk is lost and restored by `store init`, a range's owner is killed with SIGKILL, and ZooKeeper stops
/// for 20 s. Every page ends up once on both replicas of its shard, none is lost, none fetched more than twice.
/// </summary>
[Collection(ReplicatedClickHouseCollection.Name)]
public sealed class ReplicatedLeasedCrawlTests(ReplicatedClickHouseCluster cluster, ITestOutputHelper output)
{
    private const string Claimed = "crawlscope: claimed shards ";

    private async Task<long> CountAsync(int node, string sql) =>
        long.Parse((await cluster.QueryAsync(node, sql)).Trim(), CultureInfo.InvariantCulture);

    [Fact]
    public async Task ThreeLeasedWorkers_ThroughReplicaKills_ALostDisk_AWorkerKill_AndZooKeeperDown_StoreEveryPageOnceOnBothReplicas()
    {
        using var etcd = new EtcdServer();
        string db = ClickHouseCluster.NewDatabase("repl_whole");
        string dir = Directory.CreateTempSubdirectory("crawlscope-repl-whole").FullName;
        var workers = new List<RunningProcess>();
        var clock = Stopwatch.StartNew();
        bool zooKeeperDown = false;
        int? nodeDown = null;
        void Log(string what) => output.WriteLine($"{clock.Elapsed.TotalSeconds,5:F1} s: {what}");
        try
        {
            Assert.Equal(0, CliRunner.Run("store", "init", "--store", cluster.StoreUrl(db)).ExitCode);
            await using var web = await SampleWebServer.StartAsync(new SampleWebOptions { PagesPerHost = 60, Fast = true });
            string resolve = Path.Combine(dir, "hosts");
            await File.WriteAllTextAsync(resolve, web.ResolveFile);
            // Half a second between two requests to a host keeps each range's crawl going for the whole sequence below.
            string[] args = ["crawl", .. web.Seeds, "--store", cluster.StoreUrl(db), "--coordinator", etcd.Coordinator, "--ranges", "2",
                "--state-dir", Path.Combine(dir, "state"), "--resolve-file", resolve, "--allow-private-networks", "--delay", "0.5", "--concurrency", "4",
                "--max-depth", "4", "--timeout", "5"];
            for (int i = 0; i < 3; i++) workers.Add(RunningProcess.Start(args));
            var deadline = DateTime.UtcNow.AddSeconds(60);
            while (workers.Count(w => w.Stderr.Contains(Claimed, StringComparison.Ordinal)) < 2 && DateTime.UtcNow < deadline) await Task.Delay(50);
            var owners = workers.Where(w => w.Stderr.Contains(Claimed, StringComparison.Ordinal)).ToList();
            Assert.Equal(2, owners.Count);
            var waiting = workers.Single(w => !owners.Contains(w));
            Log("two workers claimed a range each, the third waits");

            // 1. One replica of each shard is killed with SIGKILL and started again, in turn.
            foreach (int victim in new[] { 1, 2 })
            {
                await Task.Delay(2000);
                nodeDown = victim;
                cluster.Stop(victim);
                await Task.Delay(1500);
                cluster.Restart(victim);
                nodeDown = null;
                Log($"node {victim} killed and restarted");
            }
            // 2. A replica's disk is lost; it comes back empty and `store init` restores its tables, which refill from its peer.
            nodeDown = 3;
            cluster.Stop(3);
            cluster.WipeData(3);
            cluster.Restart(3);
            nodeDown = null;
            var init = CliRunner.Run("store", "init", "--store", cluster.StoreUrl(db));
            Assert.True(init.ExitCode == 0, init.Stderr);
            Log("node 3's data deleted, the node restarted and restored by store init");

            // 3. The owner of the second range dies without a word; the waiting worker takes its range.
            var victimWorker = owners.Single(w => w.Stderr.Contains(Claimed + "50-99", StringComparison.Ordinal));
            Assert.False(victimWorker.HasExited, "the owner finished its range before it could be killed: the crawl is too short for the test");
            victimWorker.KillHard();
            var sinceKill = Stopwatch.StartNew();
            deadline = DateTime.UtcNow.AddSeconds(30);
            while (!waiting.Stderr.Contains(Claimed, StringComparison.Ordinal) && DateTime.UtcNow < deadline) await Task.Delay(20);
            var takeover = sinceKill.Elapsed;
            Log($"range 50-99 taken over {takeover.TotalSeconds:F1} s after its owner was killed");
            Assert.Contains(Claimed + "50-99 (claim 2;", waiting.Stderr);
            // The lease's TTL (5 s) plus one heartbeat (a claim attempt a second) and a margin for a busy machine.
            Assert.True(takeover < TimeSpan.FromSeconds(9), $"taken over after {takeover.TotalSeconds:F1} s");

            // 4. ZooKeeper stops for 20 s: replicated inserts fail, the workers keep their rows and go on.
            Assert.True(workers.Count(w => w != victimWorker && !w.HasExited) == 2, "a worker finished before ZooKeeper was stopped: the crawl is too short for the test");
            zooKeeperDown = true;
            cluster.ZooKeeper.Stop();
            Log("ZooKeeper stopped");
            await Task.Delay(TimeSpan.FromSeconds(20));
            cluster.ZooKeeper.Start();
            zooKeeperDown = false;
            Log("ZooKeeper started");

            foreach (var w in workers.Where(w => w != victimWorker))
            {
                var took = await w.WaitForExitAsync(TimeSpan.FromMinutes(4), Stopwatch.StartNew());
                Assert.True(took is not null, "a worker did not finish:\n" + w.Stderr[^Math.Min(2000, w.Stderr.Length)..]);
                Assert.True(w.ExitCode == 0, w.Stderr[^Math.Min(2000, w.Stderr.Length)..]);
            }
            Log("the crawl ended");

            // Every page once, on both replicas of its shard (the restored replica may still be fetching: waited for).
            long total = 0;
            foreach (var shard in cluster.Nodes.GroupBy(n => n.Shard))
            {
                var replicas = shard.ToList();
                var until = DateTime.UtcNow.AddSeconds(90);
                List<long> counts;
                while (true)
                {
                    counts = [];
                    foreach (var node in replicas) counts.Add(await CountAsync(node.Index, $"SELECT count() FROM {db}.pages_local FINAL"));
                    if (counts.Distinct().Count() == 1 || DateTime.UtcNow > until) break;
                    await Task.Delay(500);
                }
                Log($"shard {shard.Key}: {string.Join(" / ", counts)} pages on its replicas");
                Assert.Equal(counts[0], counts[1]);
                foreach (var node in replicas)
                    Assert.Equal(await CountAsync(node.Index, $"SELECT uniqExact(src_unparsed) FROM {db}.pages_local"), counts[0]);
                total += counts[0];
            }
            Assert.True(total > 300, $"{total} pages stored");

            // No write lost: every article the sample web served (articles always answer 200) is stored; none of the
            // stored pages was requested more than twice (the error host answers by retry count and is left out).
            var stored = (await cluster.QueryAsync(0, $"SELECT url FROM {db}.pages FINAL")).Split('\n', StringSplitOptions.RemoveEmptyEntries)
                .Select(u => new Uri(u)).Select(u => u.Host + u.PathAndQuery).ToHashSet();
            Assert.Equal(total, stored.Count);
            var errorHosts = SampleSites.Hosts.Where(h => h.Kind == SiteKind.Errors).Select(h => h.Name).ToList();
            var hits = web.Hits.Where(h => !errorHosts.Any(e => h.Key.StartsWith(e + "/", StringComparison.Ordinal))).ToList();
            // (Paths under /articles/ only: the scripted hosts' pages also call /api/articles/ from the browser.)
            var articles = hits.Where(h => h.Key[h.Key.IndexOf('/')..].StartsWith("/articles/", StringComparison.Ordinal)).ToList();
            Assert.True(articles.Count > 200, $"{articles.Count} articles requested");
            Assert.Empty(articles.Where(h => !stored.Contains(h.Key)).Select(h => h.Key));
            var most = hits.Where(h => stored.Contains(h.Key)).MaxBy(h => h.Value);
            Log($"{articles.Count} articles requested, {hits.Count(h => stored.Contains(h.Key) && h.Value == 2)} stored pages twice; most: {most.Key} {most.Value} times");
            Assert.True(most.Value <= 2, $"{most.Key} was requested {most.Value} times");
        }
        finally
        {
            foreach (var w in workers) w.Dispose();
            if (zooKeeperDown) cluster.ZooKeeper.Start();
            if (nodeDown is { } node) cluster.Restart(node);
            SqliteConnection.ClearAllPools();
            Directory.Delete(dir, recursive: true);
        }
    }
}
