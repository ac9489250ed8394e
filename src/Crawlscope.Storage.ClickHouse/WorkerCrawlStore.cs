using System.Globalization;
using Crawlscope.Urls;
using Crawlscope.Model;

namespace Crawlscope.Storage.ClickHouse;

/// <summary>
/// A crawl worker's view of the cluster store. The worker's frontier and seen-set live in a SQLite file in its
/// state dir (so killing and restarting it loses nothing); every write goes into that file's outbox in the same
/// transaction and is shipped to the cluster in the background, and resent until the cluster has it. URLs of
/// other workers' shards are handed over through the cluster's discovered table; each worker pulls what others
/// handed to its shards. Reads for the inspector, stats and bans go to the cluster.
/// </summary>
public sealed partial class WorkerCrawlStore : IFrontierStore, IStoreSpace
{
    private static readonly TimeSpan ShipEvery = TimeSpan.FromMilliseconds(250);
    private static readonly TimeSpan HeartbeatEvery = TimeSpan.FromSeconds(1);
    /// <summary>Pulls look back this far before the cursor: an insert stamped before it may land a little later.</summary>
    private const long PullOverlapUs = 5_000_000;
    /// <summary>A worker silent for this long is gone and no longer waited for.</summary>
    private static readonly TimeSpan StaleAfter = TimeSpan.FromMinutes(2);
    private const int PullLimit = 20_000;
    private const int ShipBytes = 8 << 20;

    private readonly SqliteCrawlStore _local;
    private readonly ClickHouseCrawlStore _cluster;
    private readonly ShardRange _shards;
    private readonly string _worker;
    private readonly Action<string> _log;
    private readonly CancellationTokenSource _stop = new();
    private Task _background = Task.CompletedTask;
    private long _cursorUs;
    private readonly ReplicationWatch _watch;
    private readonly Queue<UnconfirmedBatch> _unconfirmed = new();
    private readonly SemaphoreSlim _shipping = new(1, 1);
    private long _sentUpTo;
    private int _quietChecks;
    private volatile bool _finished;
    private string? _lastError;

    private WorkerCrawlStore(SqliteCrawlStore local, ClickHouseCrawlStore cluster, ShardRange shards, string worker, Action<string> log)
    {
        _local = local;
        _cluster = cluster;
        _shards = shards;
        _worker = worker;
        _log = log;
        _watch = new ReplicationWatch(cluster.Client, cluster.Address);
    }

    /// <summary>Rows written but not yet shipped, and shipping failures so far (for the display and tests).</summary>
    public long ShipFailures { get; private set; }

    /// <param name="epoch">The range's claim epoch from the coordinator (<see cref="RangeLeases.Epoch"/>); 0 for static ranges.</param>
    public static async Task<WorkerCrawlStore> OpenAsync(ClickHouseAddress address, UrlKeyer keyer, ShardRange shards, string stateDir,
        Action<string>? log = null, CancellationToken ct = default, TimeProvider? time = null, TimeSpan? resendAfter = null, long epoch = 0)
    {
        if (shards.To >= keyer.ShardCount) throw new ArgumentException($"--worker-shards {shards} goes beyond the last shard ({keyer.ShardCount - 1})");
        string worker = $"shards-{shards}";
        var cluster = await ClickHouseCrawlStore.OpenAsync(address, keyer, worker, ct, time);
        cluster.Rows.Epoch = epoch;
        Directory.CreateDirectory(stateDir);
        var local = await SqliteCrawlStore.OpenAsync(Path.Combine(stateDir, "worker.db"), ct, new WorkerStoreOptions(cluster.Rows, shards.Contains));
        // A state dir belongs to one shard range and one cluster: reusing it for another would queue foreign URLs.
        string identity = $"{address}#{shards}";
        string? recorded = await local.GetMetaAsync("worker", ct);
        if (recorded is not null && recorded != identity)
        {
            await local.DisposeAsync();
            await cluster.DisposeAsync();
            throw new ArgumentException($"the state dir {stateDir} belongs to another worker ({recorded}); give each worker its own --state-dir");
        }
        if (recorded is null) await local.SetMetaAsync("worker", identity, ct);
        var store = new WorkerCrawlStore(local, cluster, shards, worker, log ?? (_ => { })) { ResendAfter = resendAfter ?? DefaultResendAfter };
        store._cursorUs = long.Parse(await local.GetMetaAsync("pull_cursor_us", ct) ?? "0", CultureInfo.InvariantCulture);
        await store.SyncAsync(ct);
        store._background = Task.Run(store.BackgroundAsync, CancellationToken.None);
        return store;
    }

    /// <summary>Set for a range claimed through a lease: its work outlives this worker (<see cref="SyncAsync"/>).</summary>
    public bool RangeOutlivesWorker { get; set; }

    public SqliteCrawlStore Local => _local;
    public ClickHouseCrawlStore Cluster => _cluster;

    // --- the frontier: local --------------------------------------------------------------------------------

    public Task<int> EnqueueAsync(IReadOnlyList<FrontierEntry> entries, CancellationToken ct = default) => _local.EnqueueAsync(entries, ct);
    public Task<IReadOnlyList<QueuedHost>> QueuedHostsAsync(long after = 0, int limit = int.MaxValue, CancellationToken ct = default) =>
        _local.QueuedHostsAsync(after, limit, ct);
    public IReadOnlyCollection<string> TakeNewlyQueuedHosts() => _local.TakeNewlyQueuedHosts();
    public Task<IReadOnlyList<FrontierEntry>> LeaseAsync(string host, DateTimeOffset now, int max, CancellationToken ct = default) => _local.LeaseAsync(host, now, max, ct);
    public Task RescheduleAsync(UrlKey key, DateTimeOffset notBefore, int attempts, CancellationToken ct = default) => _local.RescheduleAsync(key, notBefore, attempts, ct);
    public Task<int> RequeueDueAsync(DateTimeOffset dueBy, DateTimeOffset now, RecrawlBounds? bounds = null, CancellationToken ct = default) =>
        _local.RequeueDueAsync(dueBy, now, bounds, ct);
    public Task<int> RecoverLeasesAsync(CancellationToken ct = default) => _local.RecoverLeasesAsync(ct);
    /// <summary>Queued here when this worker owns the shard; otherwise seen here and handed to the owner through the cluster.</summary>
    /// <summary>The audit row goes to the cluster first (the local file and the cluster share no transaction), so a kill
    /// between the two can only over-count the quota.</summary>
    public async Task<Submission> SubmitAsync(FrontierEntry entry, bool requeueKnown, DateTimeOffset now, OperatorAction? audit = null, CancellationToken ct = default)
    {
        if (audit is not null) await _cluster.RecordAsync(audit with { Detail = "submitted" }, ct);
        return await _local.SubmitAsync(entry, requeueKnown, now, null, ct);
    }
    public Task<IReadOnlyList<QueuedUrl>> QueueAsync(string host, int limit, CancellationToken ct = default) => _local.QueueAsync(host, limit, ct);
    public Task<QueueCounts> QueueCountsAsync(DateTimeOffset now, CancellationToken ct = default) => _local.QueueCountsAsync(now, ct);
    public Task RecordAsync(OperatorAction action, CancellationToken ct = default) => _cluster.RecordAsync(action, ct);
    public Task<IReadOnlyList<OperatorAction>> RecentActionsAsync(int limit, CancellationToken ct = default) => _cluster.RecentActionsAsync(limit, ct);
    public Task<long> CountActionsAsync(string site, IReadOnlyList<string> actions, DateTimeOffset since, CancellationToken ct = default) =>
        _cluster.CountActionsAsync(site, actions, since, ct);

    /// <summary>The local queue's next URL; when it is empty, the crawl goes on (answering "soon") until every
    /// worker is done, since another worker may still hand URLs over.</summary>
    public async Task<DateTimeOffset?> NextReadyAsync(CancellationToken ct = default)
    {
        var next = await _local.NextReadyAsync(ct);
        if (next is not null) return next;
        if (_finished) return null;
        return _cluster.Time.GetUtcNow() + TimeSpan.FromMilliseconds(200);
    }

    public Task<int> SaveAsync(PageRecord page, FetchRecord fetch, IReadOnlyList<LinkRecord> links, IReadOnlyList<FrontierEntry> discovered, CancellationToken ct = default) =>
        _local.SaveAsync(page, fetch, links, discovered, ct);

    public Task MarkSitemapsReadAsync(string hostKey, CancellationToken ct = default) => _local.MarkSitemapsReadAsync(hostKey, ct);

    /// <summary>
    /// The stored page: this worker's own row, or the cluster's once the worker shipped it and dropped its texts (a
    /// 304 or a failed recrawl builds the next version from it, which must carry them). With the cluster away, none:
    /// the page is then fetched whole and stored as new rather than shipped without its texts.
    /// </summary>
    public async Task<PageRecord?> GetPageAsync(string srcUnparsed, CancellationToken ct = default)
    {
        var local = await _local.GetPageAsync(srcUnparsed, ct);
        if (local is null || !await _local.ShippedAwayAsync(srcUnparsed, ct)) return local;
        try
        {
            return await _cluster.GetPageAsync(srcUnparsed, ct);
        }
        catch (ClickHouseException ex)
        {
            if (ex.Message != _lastError) _log($"cluster read of a shipped page failed (it is fetched whole instead): {ex.Message}");
            _lastError = ex.Message;
            return null;
        }
    }

    /// <summary>Duplicates: this worker's own pages first (they may not be shipped yet), then the whole cluster.</summary>
    public async Task<string?> FindByContentHashAsync(string contentHash, string except, CancellationToken ct = default) =>
        await _local.FindByContentHashAsync(contentHash, except, ct) ?? await ClusterOrNull(() => _cluster.FindByContentHashAsync(contentHash, except, ct));

    public async Task<string?> FindNearDuplicateAsync(long simHash, string except, int maxDistance, CancellationToken ct = default) =>
        await _local.FindNearDuplicateAsync(simHash, except, maxDistance, ct) ?? await ClusterOrNull(() => _cluster.FindNearDuplicateAsync(simHash, except, maxDistance, ct));

    /// <summary>A duplicate lookup in the cluster is an improvement, not a must: with the cluster away the page
    /// is stored as an original rather than the crawl stopping.</summary>
    private static async Task<string?> ClusterOrNull(Func<Task<string?>> lookup)
    {
        try
        {
            return await lookup();
        }
        catch (ClickHouseException)
        {
            return null;
        }
    }

    public Task AddSitemapEntriesAsync(string sitemapUrl, IReadOnlyList<string> keys, CancellationToken ct = default) => _local.AddSitemapEntriesAsync(sitemapUrl, keys, ct);
    public Task<StoredRobots?> GetRobotsAsync(string hostKey, CancellationToken ct = default) => _local.GetRobotsAsync(hostKey, ct);
    public Task SaveRobotsAsync(StoredRobots robots, CancellationToken ct = default) => _local.SaveRobotsAsync(robots, ct);

    // --- shared state: the cluster --------------------------------------------------------------------------

    /// <summary>The worker's own file is what fills its disk.</summary>
    public bool IsFull(Exception error, out string condition) => _local.IsFull(error, out condition);

    public Task<bool> HasRoomAsync(CancellationToken ct = default) => _local.HasRoomAsync(ct);

    public Task BanAsync(string name, string? reason, OperatorAction? audit = null, CancellationToken ct = default) => _cluster.BanAsync(name, reason, audit, ct);
    public Task<bool> UnbanAsync(string name, OperatorAction? audit = null, CancellationToken ct = default) => _cluster.UnbanAsync(name, audit, ct);
    public Task<IReadOnlyList<BanRecord>> BansAsync(CancellationToken ct = default) => _cluster.BansAsync(ct);
    public Task<CrawlStats> StatsAsync(CancellationToken ct = default) => _cluster.StatsAsync(ct);
    public Task<CrawlOverview> OverviewAsync(int limit, int buckets, CancellationToken ct = default) => _cluster.OverviewAsync(limit, buckets, ct);
    public IAsyncEnumerable<PageRecord> PagesAsync(string condition, IReadOnlyList<(string Name, object? Value)> parameters, CancellationToken ct = default) =>
        _cluster.PagesAsync(condition, parameters, ct);
    /// <summary>Pages this worker stored (its --max-pages counts its own).</summary>
    public Task<long> PageCountAsync(CancellationToken ct = default) => _local.PageCountAsync(ct);
    public Task<IReadOnlyList<string>> SeedUrlsAsync(CancellationToken ct = default) => _local.SeedUrlsAsync(ct);
    public Task<string> ShardNodeAsync(int shard, CancellationToken ct = default) => _cluster.ShardNodeAsync(shard, ct);
    public InspectionQueries Queries => _cluster.Queries;
    public Task<RawQueryResult> InspectAsync(string sql, IReadOnlyList<(string Name, object? Value)> parameters, CancellationToken ct = default) =>
        _cluster.InspectAsync(sql, parameters, ct);

    /// <summary>Stops the background work and ships what is left (what cannot be shipped stays in the state
    /// dir's outbox for the next start).</summary>
    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _background;
        await SyncAsync(CancellationToken.None, leaving: true);
        // A finished crawl's state shrinks to what a recrawl needs once everything is shipped (a stop midway leaves
        // that to the next run's end).
        if (_finished && await _local.OutboxCountAsync() == 0) await _local.CompactFileAsync();
        await _local.DisposeAsync();
        await _cluster.DisposeAsync();
        _stop.Dispose();
        _shipping.Dispose();
    }
}
