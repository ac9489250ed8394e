using System.Diagnostics;
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
    private const string Claimed = LeasedWorkers.Claimed;

    [Fact]
    public async Task ThreeLeasedWorkers_ThroughReplicaKills_ALostDisk_AWorkerKill_AndZooKeeperDown_StoreEveryPageOnceOnBothReplicas()
    {
        using var etcd = new EtcdServer();
        string db = ClickHouseCluster.NewDatabase("repl_whole");
        string dir = Directory.CreateTempSubdirectory("crawlscope-repl-whole").FullName;
        LeasedWorkers? workers = null;
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
            workers = await LeasedWorkers.StartAsync(LeasedWorkers.Arguments(web, cluster.StoreUrl(db), etcd.Coordinator, 2, dir, resolve, "0.5"), count: 3, claims: 2);
            var owners = workers.Owners;
            Assert.Equal(2, owners.Count);
            var waiting = workers.All.Single(w => !owners.Contains(w));
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
            var (victimWorker, takeover) = await workers.KillOwnerAsync("50-99", waiting);
            Log($"range 50-99 taken over {takeover.TotalSeconds:F1} s after its owner was killed");
            Assert.Contains(Claimed + "50-99 (claim 2;", waiting.Stderr);
            // The lease's TTL (5 s) plus one heartbeat (a claim attempt a second) and a margin for a busy machine.
            Assert.True(takeover < TimeSpan.FromSeconds(9), $"taken over after {takeover.TotalSeconds:F1} s");

            // 4. ZooKeeper stops for 20 s: replicated inserts fail, the workers keep their rows and go on.
            Assert.True(workers.All.Count(w => w != victimWorker && !w.HasExited) == 2, "a worker finished before ZooKeeper was stopped: the crawl is too short for the test");
            zooKeeperDown = true;
            cluster.ZooKeeper.Stop();
            Log("ZooKeeper stopped");
            await Task.Delay(TimeSpan.FromSeconds(20));
            cluster.ZooKeeper.Start();
            zooKeeperDown = false;
            Log("ZooKeeper started");

            await workers.AssertTheOthersEndCleanlyAsync(victimWorker);
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
                    foreach (var node in replicas) counts.Add(await cluster.CountAsync(node.Index, $"SELECT count() FROM {db}.pages_local FINAL"));
                    if (counts.Distinct().Count() == 1 || DateTime.UtcNow > until) break;
                    await Task.Delay(500);
                }
                Log($"shard {shard.Key}: {string.Join(" / ", counts)} pages on its replicas");
                Assert.Equal(counts[0], counts[1]);
                foreach (var node in replicas)
                    Assert.Equal(await cluster.CountAsync(node.Index, $"SELECT uniqExact(src_unparsed) FROM {db}.pages_local"), counts[0]);
                total += counts[0];
            }
            Assert.True(total > 300, $"{total} pages stored");

            // No write lost: every article the sample web served (articles always answer 200) is stored; none of the
            // stored pages was requested more than twice (the error host answers by retry count and is left out).
            var storedUrls = (await cluster.QueryAsync(0, $"SELECT url FROM {db}.pages FINAL")).Split('\n', StringSplitOptions.RemoveEmptyEntries);
            var stored = storedUrls.Select(u => new Uri(u)).Select(u => u.Host + u.PathAndQuery).ToHashSet();
            Assert.Equal(total, stored.Count);
            var errorHosts = SampleSites.Hosts.Where(h => h.Kind == SiteKind.Errors).Select(h => h.Name).ToList();
            var hits = web.Hits.Where(h => !errorHosts.Any(e => h.Key.StartsWith(e + "/", StringComparison.Ordinal))).ToList();
            // (Paths under /articles/ only: the scripted hosts' pages also call /api/articles/ from the browser.)
            var articles = hits.Where(h => h.Key[h.Key.IndexOf('/')..].StartsWith("/articles/", StringComparison.Ordinal)).ToList();
            Assert.True(articles.Count > 200, $"{articles.Count} articles requested");
            Assert.Empty(articles.Where(h => !stored.Contains(h.Key)).Select(h => h.Key));
            Log(LeasedWorkers.AssertNoStoredPageRequestedMoreThanTwice(storedUrls, web.Hits));
        }
        finally
        {
            workers?.Dispose();
            if (zooKeeperDown) cluster.ZooKeeper.Start();
            if (nodeDown is { } node) cluster.Restart(node);
            SqliteConnection.ClearAllPools();
            Directory.Delete(dir, recursive: true);
        }
    }
}
