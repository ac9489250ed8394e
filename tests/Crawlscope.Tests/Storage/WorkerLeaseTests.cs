using System.Diagnostics;
using System.Globalization;
using Crawlscope.SampleWeb;
using Crawlscope.Tests.Cli;
using Crawlscope.Tests.Support;
using Xunit.Abstractions;

namespace Crawlscope.Tests.Storage;

/// <summary>
/// Workers that claim shard ranges through leases in a real etcd, crawling the sample web into the real two-node
/// cluster: three workers for two ranges, one of them waiting; an owner killed with SIGKILL loses its lease and the
/// waiting worker takes its range within the lease's TTL, the crawl ends normally and stores each page once.
/// </summary>
[Collection(ClickHouseCollection.Name)]
public sealed class WorkerLeaseTests(ClickHouseCluster cluster, ITestOutputHelper output)
{
    private const string Claimed = LeasedWorkers.Claimed;

    [Fact]
    public void Coordinator_BadAddressOrWithStaticRanges_IsAUsageError()
    {
        var bad = CliRunner.Run("crawl", "http://www.example.com/", "--store", cluster.StoreUrl("x_lease"), "--coordinator", "127.0.0.1:2379");
        Assert.Equal(2, bad.ExitCode);
        Assert.Contains("etcd://HOST:PORT", bad.Stderr);
        var both = CliRunner.Run("crawl", "http://www.example.com/", "--store", cluster.StoreUrl("x_lease"), "--coordinator", "etcd://127.0.0.1:2379", "--worker-shards", "0-9");
        Assert.Equal(2, both.ExitCode);
        Assert.Contains("leave out --worker-shards", both.Stderr);
        var embedded = CliRunner.Run("crawl", "http://www.example.com/", "--coordinator", "etcd://127.0.0.1:2379");
        Assert.Equal(2, embedded.ExitCode);
        Assert.Contains("--coordinator goes with --store", embedded.Stderr);
    }

    [Fact]
    public async Task ADeadWorkersRange_IsTakenOverWithinTheLeaseTtl_AndTheCrawlEndsWithEachPageOnce()
    {
        using var etcd = new EtcdServer();
        string db = ClickHouseCluster.NewDatabase("lease");
        string dir = Directory.CreateTempSubdirectory("crawlscope-lease").FullName;
        LeasedWorkers? workers = null;
        try
        {
            Assert.Equal(0, CliRunner.Run("store", "init", "--store", cluster.StoreUrl(db)).ExitCode);
            await using var web = await SampleWebServer.StartAsync(new SampleWebOptions { PagesPerHost = 6, Fast = true });
            string resolve = Path.Combine(dir, "hosts");
            await File.WriteAllTextAsync(resolve, web.ResolveFile);
            workers = await LeasedWorkers.StartAsync(LeasedWorkers.Arguments(web, cluster.StoreUrl(db), etcd.Coordinator, 2, dir, resolve, "0.05"), count: 3, claims: 2);

            // Two claim a range each; the third waits.
            var owners = workers.Owners;
            Assert.Equal(2, owners.Count);
            var waiting = workers.All.Single(w => !owners.Contains(w));
            await Task.Delay(1500);
            Assert.DoesNotContain(Claimed, waiting.Stderr);

            // The owner of the second range dies without a word once it has crawled a little.
            var owner = owners.Single(w => w.Stderr.Contains(Claimed + "50-99", StringComparison.Ordinal));
            var deadline = DateTime.UtcNow.AddSeconds(60);
            while (!owner.HasExited && Pages(owner) < 20 && DateTime.UtcNow < deadline) await Task.Delay(50);
            var (victim, takeover) = await workers.KillOwnerAsync("50-99", waiting);
            output.WriteLine($"range 50-99 taken over {takeover.TotalSeconds:F1} s after its owner was killed");
            Assert.Contains(Claimed + "50-99 (claim 2;", waiting.Stderr);
            // The lease's TTL (5 s) plus one claim attempt (1 s) and a margin for a busy machine.
            Assert.True(takeover < TimeSpan.FromSeconds(9), $"taken over after {takeover.TotalSeconds:F1} s");

            await workers.AssertTheOthersEndCleanlyAsync(victim);
            // The takeover fetches again at most what the dead owner had in flight or had not shipped.
            await AssertEachPageStoredOnce_NoneFetchedMoreThanTwiceAsync(db, web);
        }
        finally
        {
            workers?.Dispose();
            Directory.Delete(dir, recursive: true);
        }
    }

    /// <summary>A lone worker crawls every range; a second one joining is handed half of them within a few seconds
    /// (each stopped gracefully and handed back by the first), and together they end the crawl with each page stored
    /// once and none fetched more than twice.</summary>
    [Fact]
    public async Task AJoiningWorker_IsHandedItsShareOfTheRanges_AndTheCrawlEndsWithEachPageOnce()
    {
        using var etcd = new EtcdServer();
        string db = ClickHouseCluster.NewDatabase("join");
        string dir = Directory.CreateTempSubdirectory("crawlscope-join").FullName;
        LeasedWorkers? first = null, second = null;
        try
        {
            Assert.Equal(0, CliRunner.Run("store", "init", "--store", cluster.StoreUrl(db)).ExitCode);
            await using var web = await SampleWebServer.StartAsync(new SampleWebOptions { PagesPerHost = 10, Fast = true });
            string resolve = Path.Combine(dir, "hosts");
            await File.WriteAllTextAsync(resolve, web.ResolveFile);
            var args = LeasedWorkers.Arguments(web, cluster.StoreUrl(db), etcd.Coordinator, 4, dir, resolve, "0.5");
            first = await LeasedWorkers.StartAsync(args, count: 1, claims: 1);
            var alone = first.All[0];
            var deadline = DateTime.UtcNow.AddSeconds(30);
            while (Claims(alone).Count < 4 && DateTime.UtcNow < deadline) await Task.Delay(50);
            Assert.Equal(["0-24", "25-49", "50-74", "75-99"], Claims(alone));

            var clock = Stopwatch.StartNew();
            second = await LeasedWorkers.StartAsync(args, count: 1, claims: 1);
            var joined = second.All[0];
            deadline = DateTime.UtcNow.AddSeconds(30);
            while (Claims(joined).Count < 2 && DateTime.UtcNow < deadline) await Task.Delay(50);
            output.WriteLine($"the joining worker held two ranges {clock.Elapsed.TotalSeconds:F1} s after it started");
            Assert.False(alone.HasExited, "the first worker finished before the second joined: the crawl is too short for the test");
            Assert.Equal(["50-74", "75-99"], Claims(joined).Order(StringComparer.Ordinal));
            Assert.Equal(2, alone.Stderr.Split('\n').Count(l => l.StartsWith("crawlscope: handed shards ", StringComparison.Ordinal)));

            await first.AssertTheOthersEndCleanlyAsync(joined);
            await second.AssertTheOthersEndCleanlyAsync(alone);
            await AssertEachPageStoredOnce_NoneFetchedMoreThanTwiceAsync(db, web);
        }
        finally
        {
            first?.Dispose();
            second?.Dispose();
            Directory.Delete(dir, recursive: true);
        }
    }

    /// <summary>Over 100 pages stored, each once after FINAL (counted on every node), and none of them requested from
    /// the sample web more than twice.</summary>
    private async Task AssertEachPageStoredOnce_NoneFetchedMoreThanTwiceAsync(string db, SampleWebServer web)
    {
        long pages = 0, distinct = 0;
        foreach (var node in cluster.Nodes)
        {
            pages += await cluster.CountAsync(node.Index, $"SELECT count() FROM {db}.pages_local FINAL");
            distinct += await cluster.CountAsync(node.Index, $"SELECT uniqExact(src_unparsed) FROM {db}.pages_local");
        }
        output.WriteLine($"{pages} pages stored");
        Assert.True(pages > 100, $"{pages} pages");
        Assert.Equal(distinct, pages);
        var storedPages = (await cluster.QueryAsync(0, $"SELECT url FROM {db}.pages FINAL WHERE download_http_code = 200")).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        output.WriteLine(LeasedWorkers.AssertNoStoredPageRequestedMoreThanTwice(storedPages, web.Hits));
    }

    /// <summary>The ranges a worker said it claimed, in order.</summary>
    private static List<string> Claims(RunningProcess worker) =>
        [.. worker.Stderr.Split('\n').Where(l => l.StartsWith(Claimed, StringComparison.Ordinal)).Select(l => l[Claimed.Length..].Split(' ')[0])];

    [Fact]
    public async Task ARevokedLease_FreesItsRangeAtOnce_AndALeaseThatCannotBeRenewed_FencesItsOwnerWithinTheTtl()
    {
        var etcd = new EtcdServer();
        try
        {
            var endpoint = Crawlscope.Storage.ClickHouse.RangeLeases.Endpoint(etcd.Coordinator);
            var ranges = Crawlscope.Storage.ClickHouse.RangeLeases.Ranges(100, 1);
            var first = await Crawlscope.Storage.ClickHouse.RangeLeases.ConnectAsync(endpoint, "revoke", "first");
            Assert.Equal(ranges[0], await first.ClaimAsync(ranges, CancellationToken.None));
            await using var second = await Crawlscope.Storage.ClickHouse.RangeLeases.ConnectAsync(endpoint, "revoke", "second");
            var waiting = second.ClaimAsync(ranges, CancellationToken.None);
            await Task.Delay(1500);
            Assert.False(waiting.IsCompleted, "the range was claimed twice");
            Assert.Equal("first", (await second.HoldersAsync())["0-99"]);

            // Stopping on purpose hands the range over at once (no wait for the TTL).
            var clock = Stopwatch.StartNew();
            await first.DisposeAsync();
            Assert.Equal(ranges[0], await waiting.WaitAsync(TimeSpan.FromSeconds(3)));
            output.WriteLine($"handed over {clock.Elapsed.TotalSeconds:F1} s after the revoke");
            Assert.Equal("second", (await second.HoldersAsync())["0-99"]);

            // The coordinator gone: the owner stops before its lease could have ended anywhere.
            clock.Restart();
            etcd.Dispose();
            await Task.Delay(TimeSpan.FromSeconds(8), second.Lost).ContinueWith(_ => { });
            Assert.True(second.Lost.IsCancellationRequested, "the owner kept its range without a lease");
            output.WriteLine($"fenced {clock.Elapsed.TotalSeconds:F1} s after the coordinator went away");
            Assert.True(clock.Elapsed < Crawlscope.Storage.ClickHouse.RangeLeases.DefaultTtl, $"fenced after {clock.Elapsed.TotalSeconds:F1} s");
        }
        finally
        {
            etcd.Dispose();
        }
    }

    /// <summary>Fencing by epoch: each claim of a range raises its epoch, which leads every row version its owner
    /// writes, so an earlier owner that wakes from a pause and writes after the new owner cannot replace its rows.</summary>
    [Fact]
    public async Task ALaterOwnersRows_WinOverAnEarlierOwnersWrittenAfterThem()
    {
        using var etcd = new EtcdServer();
        string db = ClickHouseCluster.NewDatabase("epoch");
        Assert.Equal(0, CliRunner.Run("store", "init", "--store", cluster.StoreUrl(db)).ExitCode);
        var endpoint = Crawlscope.Storage.ClickHouse.RangeLeases.Endpoint(etcd.Coordinator);
        var ranges = Crawlscope.Storage.ClickHouse.RangeLeases.Ranges(100, 1);
        var earlier = await Crawlscope.Storage.ClickHouse.RangeLeases.ConnectAsync(endpoint, db, "earlier");
        await earlier.ClaimAsync(ranges, CancellationToken.None);
        long earlierEpoch = earlier.Epoch;
        await earlier.DisposeAsync(); // its lease gone (a pause past its TTL looks the same to the others)
        await using var later = await Crawlscope.Storage.ClickHouse.RangeLeases.ConnectAsync(endpoint, db, "later");
        await later.ClaimAsync(ranges, CancellationToken.None);
        Assert.Equal((1L, 2L), (earlierEpoch, later.Epoch));

        var keyer = Crawlscope.Urls.UrlKeyer.Default;
        keyer.TryIdentify("https://www.epoch.example.com/page", out var id, out _);
        async Task WriteAsync(long epoch, string title)
        {
            await using var store = await Crawlscope.Storage.ClickHouse.ClickHouseCrawlStore.OpenAsync(cluster.Address(db), keyer);
            store.Rows.Epoch = epoch;
            await store.SaveAsync(new Crawlscope.Model.PageRecord { SrcUnparsed = id!.Key.Value, Url = id.Normalized.Href, Shard = id.Shard, RootHash = id.RootHash,
                Host = id.Host, Site = id.Site, DownloadHttpCode = 200, DownloadStamp = DateTimeOffset.UtcNow, ContentType = "text/html", MetaTitle = title },
                new Crawlscope.Model.FetchRecord(id.Key.Value, id.Normalized.Href, DateTimeOffset.UtcNow, 200, null, 1, 10, "text/html", null), [], []);
        }
        await WriteAsync(later.Epoch, "written by the owner of the range");
        await Task.Delay(50);
        await WriteAsync(earlierEpoch, "written later by the earlier owner, woken from a pause");
        string node = (await cluster.QueryAsync(0, $"SELECT count() FROM {db}.pages_local WHERE src_unparsed = '{id!.Key.Value}'")).Trim() == "0" ? "1" : "0";
        Assert.Equal("written by the owner of the range\n", await cluster.QueryAsync(int.Parse(node, CultureInfo.InvariantCulture), $"SELECT meta_title FROM {db}.pages_local FINAL WHERE src_unparsed = '{id.Key.Value}'"));
    }

    /// <summary>Pages a worker said it stored, from its last progress line ("crawl: N pages ...").</summary>
    private static long Pages(RunningProcess worker)
    {
        var line = worker.Stderr.Split('\n').LastOrDefault(l => l.StartsWith("crawl: ", StringComparison.Ordinal));
        return line is null ? 0 : long.Parse(line.Split(' ')[1], NumberStyles.AllowThousands, CultureInfo.InvariantCulture);
    }
}
