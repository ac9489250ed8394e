using Crawlscope.Model;
using Crawlscope.Storage;
using Crawlscope.Storage.ClickHouse;
using Crawlscope.Tests.Cli;
using Crawlscope.Tests.Support;
using Crawlscope.Urls;
using Microsoft.Data.Sqlite;

namespace Crawlscope.Tests.Storage;

/// <summary>A node of the cluster goes down: commands fail with an error naming it, and a crawl worker keeps
/// its writes and sends them again until the node is back, without losing or doubling a row.</summary>
[Collection(ClickHouseCollection.Name)]
public sealed class ClusterNodeDownTests(ClickHouseCluster cluster) : IAsyncLifetime
{
    private readonly string _stateDir = Directory.CreateTempSubdirectory("crawlscope-nodedown").FullName;
    private readonly string _db = ClickHouseCluster.NewDatabase("nodedown");

    public Task InitializeAsync() => ClickHouseCrawlStore.InitAsync(cluster.Address(_db));

    public Task DisposeAsync()
    {
        if (cluster.Nodes[1].Process is null) cluster.Restart(1);
        SqliteConnection.ClearAllPools();
        Directory.Delete(_stateDir, recursive: true);
        return Task.CompletedTask;
    }

    [Fact]
    public async Task NodeDown_ErrorNamesIt_WorkerRetriesItsWritesWithoutLosingRows()
    {
        var keyer = UrlKeyer.Default;
        var log = new List<string>();
        await using var worker = await WorkerCrawlStore.OpenAsync(cluster.Address(_db), keyer, new ShardRange(0, keyer.ShardCount - 1), _stateDir, m => { lock (log) log.Add(m); });
        var downPort = cluster.Nodes[1].TcpPort;
        cluster.Stop(1);
        try
        {
            // A command reading the cluster fails with one short line that names the node that is down, its shard and
            // its HTTP address (not ClickHouse's exception text).
            var stats = CliRunner.Run("stats", "--store", cluster.StoreUrl(_db));
            Assert.Equal(1, stats.ExitCode);
            string line = Assert.Single(stats.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
            Assert.Contains($"127.0.0.1:{downPort} of shard {cluster.Nodes[1].Shard} (replica 1) is down", line);
            Assert.Contains($"not answering over HTTP: 127.0.0.1:{cluster.Nodes[1].HttpPort}", line);
            Assert.True(line.Length < 300, line);
            Assert.DoesNotContain("internal error", line);

            // The worker stores 60 pages of sites spread over both nodes while one is down.
            var pages = Enumerable.Range(0, 60).Select(i => keyer.TryIdentify($"https://www.site{i}.example{i % 3}.com/p", out var id, out _) ? id : throw new InvalidOperationException()).ToList();
            Assert.Contains(pages, p => p.Shard % 2 == 1);
            Assert.Contains(pages, p => p.Shard % 2 == 0);
            foreach (var id in pages)
            {
                var page = new PageRecord { SrcUnparsed = id.Key.Value, Url = id.Normalized.Href, Shard = id.Shard, RootHash = id.RootHash, Host = id.Host, Site = id.Site,
                    DownloadHttpCode = 200, DownloadStamp = DateTimeOffset.UtcNow, ContentType = "text/html", MetaTitle = "t" };
                await worker.SaveAsync(page, new FetchRecord(id.Key.Value, id.Normalized.Href, DateTimeOffset.UtcNow, 200, null, 1, 10, "text/html", null), [], []);
            }
            var deadline = DateTime.UtcNow.AddSeconds(30);
            while (worker.ShipFailures == 0 && DateTime.UtcNow < deadline) await Task.Delay(100);
            Assert.True(worker.ShipFailures > 0, "the worker never tried to ship while the node was down");
            lock (log) Assert.Contains(log, m => m.Contains("will retry", StringComparison.Ordinal) && m.Contains($"127.0.0.1:{downPort}", StringComparison.Ordinal));
            Assert.True(await worker.Local.OutboxCountAsync() > 0, "rows left the outbox although the cluster did not take them");
        }
        finally
        {
            cluster.Restart(1);
        }

        // Back up: the worker's background sends the kept rows; each page is there once.
        var until = DateTime.UtcNow.AddSeconds(60);
        while (await worker.Local.OutboxCountAsync() > 0 && DateTime.UtcNow < until) await Task.Delay(200);
        Assert.Equal(0, await worker.Local.OutboxCountAsync());
        Assert.Equal("60\n", await cluster.QueryAsync(0, $"SELECT count() FROM {_db}.pages FINAL"));
        Assert.Equal("60\n", await cluster.QueryAsync(0, $"SELECT uniqExact(src_unparsed) FROM {_db}.pages"));
        Assert.Equal("60\n", await cluster.QueryAsync(0, $"SELECT count() FROM {_db}.fetches FINAL"));
    }
}
