using System.Xml.Linq;
using Crawlscope.Tests.Support;

namespace Crawlscope.Tests.Storage;

/// <summary>The annotated configurations for real machines (deploy/cluster/) describe the layout the store needs:
/// 2 shards x 2 replicas that replicate themselves, a ZooKeeper ensemble, macros naming the node's place.</summary>
public sealed class ClusterConfigTests
{
    private static string Deploy(string name) => Path.Combine(SharedData.RepoRoot, "deploy", "cluster", name);

    [Fact]
    public void ClickHouseNode_HasTwoShardsOfTwoReplicas_InternalReplication_ThreeZooKeepers_AndItsMacros()
    {
        var root = XDocument.Load(Deploy("clickhouse-node.xml")).Root!;
        var shards = root.Element("remote_servers")!.Element("crawl")!.Elements("shard").ToList();
        Assert.Equal(2, shards.Count);
        Assert.All(shards, s => Assert.Equal("true", s.Element("internal_replication")!.Value));
        Assert.All(shards, s => Assert.Equal(2, s.Elements("replica").Count()));
        var hosts = shards.SelectMany(s => s.Elements("replica")).Select(r => r.Element("host")!.Value).ToList();
        Assert.Equal(4, hosts.Distinct().Count());
        Assert.Equal(3, root.Element("zookeeper")!.Elements("node").Count());
        var macros = root.Element("macros")!;
        // The machine this file is written for is the first replica of the first shard, and says so everywhere.
        Assert.Equal("01", macros.Element("shard")!.Value);
        Assert.Equal(hosts[0], macros.Element("replica")!.Value);
        Assert.Equal(hosts[0], root.Element("interserver_http_host")!.Value);
        Assert.Equal(root.Element("tcp_port")!.Value, shards[0].Element("replica")!.Element("port")!.Value);
    }

    [Fact]
    public void ClickHouseUsers_HoldTheCrawlUserAndDefaultToTheNetwork_AndZooKeeperAndEtcdNameThreeMembers()
    {
        var users = XDocument.Load(Deploy("clickhouse-users.xml")).Root!.Element("users")!;
        Assert.NotNull(users.Element("crawlscope")!.Element("password_sha256_hex"));
        Assert.Equal("replace", users.Element("default")!.Element("networks")!.Attribute("replace")!.Value);
        var zoo = File.ReadAllLines(Deploy("zoo.cfg")).Where(l => !l.StartsWith('#') && l.Contains('=')).Select(l => l.Split('=', 2)).ToDictionary(p => p[0], p => p[1]);
        Assert.Equal(3, zoo.Keys.Count(k => k.StartsWith("server.", StringComparison.Ordinal)));
        Assert.Equal("2181", zoo["clientPort"]);
        var etcd = File.ReadAllLines(Deploy("etcd.env")).Where(l => !l.StartsWith('#') && l.Contains('=')).Select(l => l.Split('=', 2)).ToDictionary(p => p[0], p => p[1]);
        Assert.Equal(3, etcd["ETCD_INITIAL_CLUSTER"].Split(',').Length);
        Assert.StartsWith(etcd["ETCD_NAME"] + "=", etcd["ETCD_INITIAL_CLUSTER"], StringComparison.Ordinal);
    }
}
