using System.Globalization;
using Crawlscope.Model;
using Crawlscope.Storage.ClickHouse;
using Crawlscope.Tests.Cli;
using Crawlscope.Tests.Support;

namespace Crawlscope.Tests.Storage;

/// <summary>
/// deploy/cluster/'s drop-ins loaded by real servers: four clickhouse-server processes started from Debian's own
/// config.xml and users.xml with the project's node and users drop-ins (names, ports and macros written in per
/// machine, as their comments say) and a ZooKeeper. The servers start, see the cluster and their place in it,
/// `store init` with the documented store URL (the crawl user and its password) makes replicated tables, and pages
/// saved through it reach both replicas of their shard.
/// </summary>
public sealed class DeployedClusterTests(DeployedClickHouseCluster cluster) : IClassFixture<DeployedClickHouseCluster>
{
    [Fact]
    public async Task TheDropIns_GiveEachServerItsPlace_AndTheCrawlUser_StoresPagesOnBothReplicasOfTheirShard()
    {
        foreach (var node in cluster.Nodes)
        {
            Assert.Equal($"replica\tch{node.Index + 1}\nshard\t{node.Shard:D2}\n", await cluster.QueryAsync(node.Index, "SELECT macro, substitution FROM system.macros ORDER BY macro FORMAT TSV"));
            Assert.Equal(4L, await cluster.CountAsync(node.Index, $"SELECT count() FROM system.clusters WHERE cluster = '{ClickHouseCluster.ClusterName}'"));
        }

        string db = ClickHouseCluster.NewDatabase("deployed");
        var init = CliRunner.Run("store", "init", "--store", cluster.StoreUrl(db));
        Assert.True(init.ExitCode == 0, init.Stderr);
        foreach (var node in cluster.Nodes)
            Assert.Equal("ReplicatedReplacingMergeTree\n", await cluster.QueryAsync(node.Index, $"SELECT engine FROM system.tables WHERE database = '{db}' AND name = 'pages_local' FORMAT TSV"));

        var keyer = Crawlscope.Urls.UrlKeyer.Default;
        const int Pages = 40;
        await using (var store = await ClickHouseCrawlStore.OpenAsync(cluster.Address(db), keyer))
        {
            for (int i = 0; i < Pages; i++)
            {
                Assert.True(keyer.TryIdentify($"https://www.example{i}.com/page", out var id, out _));
                await store.SaveAsync(new PageRecord { SrcUnparsed = id!.Key.Value, Url = id.Normalized.Href, Shard = id.Shard, RootHash = id.RootHash, Host = id.Host,
                    Site = id.Site, DownloadHttpCode = 200, DownloadStamp = DateTimeOffset.UtcNow, ContentType = "text/html", MetaTitle = $"page {i}" },
                    new FetchRecord(id.Key.Value, id.Normalized.Href, DateTimeOffset.UtcNow, 200, null, 1, 10, "text/html", null), [], []);
            }
        }
        var perNode = new List<long>();
        foreach (var node in cluster.Nodes)
        {
            await cluster.QueryAsync(node.Index, $"SYSTEM SYNC REPLICA {db}.pages_local");
            perNode.Add(await cluster.CountAsync(node.Index, $"SELECT count() FROM {db}.pages_local FINAL"));
        }
        // Nodes 0 and 1 are shard 1's replicas, 2 and 3 shard 2's: each pair holds the same pages, the pairs all of them.
        Assert.Equal(perNode[0], perNode[1]);
        Assert.Equal(perNode[2], perNode[3]);
        Assert.Equal(Pages, perNode[0] + perNode[2]);
        Assert.True(perNode[0] > 0 && perNode[2] > 0, $"shard 1 holds {perNode[0]}, shard 2 {perNode[2]}");
    }
}
