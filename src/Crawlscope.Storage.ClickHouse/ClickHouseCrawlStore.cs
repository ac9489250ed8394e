using Crawlscope.Duplicates;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using Crawlscope.Urls;
using Crawlscope.Model;
using Crawlscope.Vocabulary;

namespace Crawlscope.Storage.ClickHouse;

/// <summary>
/// The crawl store on a ClickHouse cluster, over the HTTP interface. Pages, fetches, links, robots.txt copies,
/// bans and discovered URLs live in Distributed tables sharded by site (<see cref="ClickHouseSchema"/>).
/// There is no frontier here (it implements <see cref="ICrawlStore"/>, not <see cref="IFrontierStore"/>): crawl workers
/// keep theirs in their own files (<see cref="WorkerCrawlStore"/>).
/// Reads of latest state use FINAL (see <see cref="Crawlscope.Inspection"/>'s queries for why).
/// </summary>
public sealed partial class ClickHouseCrawlStore : ICrawlStore
{
    private readonly ClickHouseClient _client;
    private readonly string _db;
    private (DateTimeOffset At, IReadOnlyList<ClusterShard> Shards)? _cluster;

    public ClickHouseCrawlStore(ClickHouseAddress address, UrlKeyer keyer, string worker = "", TimeProvider? time = null)
    {
        Time = time ?? TimeProvider.System;
        Address = address;
        _client = new ClickHouseClient(address);
        _db = address.Database;
        Rows = new ClickHouseRows(keyer, worker, Time);
    }

    public ClickHouseAddress Address { get; }
    public TimeProvider Time { get; }
    internal ClickHouseClient Client => _client;
    public ClickHouseRows Rows { get; }

    /// <summary>One shard of the cluster as <c>system.clusters</c> lists it (its first replica).</summary>
    public sealed record ClusterShard(int Number, int Weight, string Host, int Port);

    /// <summary>Opens the store and checks that its schema is there (run <c>store init</c> first).</summary>
    public static async Task<ClickHouseCrawlStore> OpenAsync(ClickHouseAddress address, UrlKeyer keyer, string worker = "", CancellationToken ct = default,
        TimeProvider? time = null)
    {
        var store = new ClickHouseCrawlStore(address, keyer, worker, time);
        try
        {
            int version = await store.SchemaVersionAsync(ct);
            if (version == 0) throw new ClickHouseException($"no crawl schema in {address}: run `crawlscope store init --store {address}` first", false);
            if (version < ClickHouseSchema.Migrations.Length)
                throw new ClickHouseException($"the crawl schema in {address} is version {version}, this build needs {ClickHouseSchema.Migrations.Length}: run `crawlscope store init --store {address}` again", false);
            if ((await store.ClusterAsync(ct)).Count == 0) throw NoSuchCluster(address);
            return store;
        }
        catch
        {
            await store.DisposeAsync();
            throw;
        }
    }

    /// <summary>
    /// Creates the database and every table on every node listed in the address (replicated tables when the cluster's
    /// shards have replicas: <see cref="ClickHouseSchemaInstaller"/>), then records the schema version on each. Safe to
    /// run again: every statement is IF NOT EXISTS and applied migrations are skipped. Returns the version each node is at.
    /// </summary>
    public static async Task<IReadOnlyList<(string Node, int Version)>> InitAsync(ClickHouseAddress address, CancellationToken ct = default)
    {
        using var client = new ClickHouseClient(address);
        // The cluster must be known to the server, and every node of it listed, or some nodes would lack tables.
        int shards = (await ShardsAsync(client, address.Nodes[0], address.Cluster, ct)).Count;
        if (shards == 0) throw NoSuchCluster(address);
        int nodes = Convert.ToInt32(ClickHouseRows.Row((await client.QueryOnAsync(address.Nodes[0],
            $"SELECT count() AS n FROM system.clusters WHERE cluster = {ClickHouseSql.Literal(address.Cluster)} FORMAT JSONEachRow", ct)).Trim())["n"], CultureInfo.InvariantCulture);
        if (nodes > address.Nodes.Count)
            throw new ClickHouseException($"the cluster '{address.Cluster}' has {shards} shards{(nodes > shards ? $" ({nodes} nodes with their replicas)" : "")} but the store URL lists {address.Nodes.Count} node(s): list every node's HTTP address (clickhouse://HOST:PORT,HOST:PORT/...)", false);
        return await ClickHouseSchemaInstaller.InstallAsync(client, address, replicated: nodes > shards, ct);
    }

    /// <summary>The schema version, from the first node that answers.</summary>
    private Task<int> SchemaVersionAsync(CancellationToken ct) => FirstNodeAsync(node => SchemaVersionAsync(_client, node, _db, ct));

    /// <summary>Asks the nodes in turn and returns the first answer; a node that cannot be reached is skipped.
    /// (Statements that name their database go to one node this way, where the database may not exist yet.)</summary>
    private async Task<T> FirstNodeAsync<T>(Func<Uri, Task<T>> query)
    {
        ClickHouseException? unreachable = null;
        foreach (var node in Address.Nodes)
        {
            try
            {
                return await query(node);
            }
            catch (ClickHouseException ex) when (ex.Unreachable)
            {
                unreachable = ex;
            }
        }
        throw unreachable!;
    }

    /// <summary>A node's schema version; 0 when it has no version table (the database may not exist yet).</summary>
    internal static async Task<int> SchemaVersionAsync(ClickHouseClient client, Uri node, string db, CancellationToken ct)
    {
        string exists = await client.QueryOnAsync(node, $"SELECT count() AS n FROM system.tables WHERE database = {ClickHouseSql.Literal(db)} AND name = 'schema_version' FORMAT JSONEachRow", ct);
        if (Convert.ToInt64(ClickHouseRows.Row(exists.Trim())["n"], CultureInfo.InvariantCulture) == 0) return 0;
        string body = await client.QueryOnAsync(node, $"SELECT max(version) AS v FROM {db}.schema_version FORMAT JSONEachRow", ct);
        return Convert.ToInt32(ClickHouseRows.Row(body.Trim())["v"], CultureInfo.InvariantCulture);
    }

    /// <summary>The shards of a cluster as <c>system.clusters</c> on <paramref name="node"/> lists them (first replicas).</summary>
    private static async Task<IReadOnlyList<ClusterShard>> ShardsAsync(ClickHouseClient client, Uri node, string cluster, CancellationToken ct) =>
        ClickHouseRows.Rows(await client.QueryOnAsync(node,
                $"SELECT shard_num, shard_weight, host_name, port FROM system.clusters WHERE cluster = {ClickHouseSql.Literal(cluster)} AND replica_num = 1 ORDER BY shard_num FORMAT JSONEachRow", ct))
            .Select(r => new ClusterShard(Convert.ToInt32(r["shard_num"], CultureInfo.InvariantCulture), Convert.ToInt32(r["shard_weight"], CultureInfo.InvariantCulture),
                (string)r["host_name"]!, Convert.ToInt32(r["port"], CultureInfo.InvariantCulture))).ToList();

    private static ClickHouseException NoSuchCluster(ClickHouseAddress address) =>
        new($"the server knows no cluster named '{address.Cluster}' (remote_servers in its config)", false);

    // --- queries -------------------------------------------------------------------------------------------

    /// <summary>Runs a SELECT (values bound by <see cref="ClickHouseSql.Bind"/>) and returns the sent text and the raw body.</summary>
    private async Task<(string Sql, string Body)> SelectAsync(string sql, IReadOnlyList<(string Name, object? Value)> parameters, CancellationToken ct)
    {
        // {db} names the store's database (checked to be a plain name when the address was parsed), for queries that
        // read a node's local tables: a remote node runs them in its default database otherwise.
        string bound = ClickHouseSql.Bind(sql.Replace("{db}", _db, StringComparison.Ordinal), parameters);
        return (bound, await _client.QueryAsync(bound + "\nFORMAT JSONEachRow", ct));
    }

    private async Task<IReadOnlyList<IReadOnlyDictionary<string, object?>>> RowsAsync(string sql, CancellationToken ct, params (string Name, object? Value)[] parameters) =>
        ClickHouseRows.Rows((await SelectAsync(sql, parameters, ct)).Body);

    private async Task<long> CountAsync(string sql, CancellationToken ct, params (string Name, object? Value)[] parameters)
    {
        var rows = await RowsAsync(sql, ct, parameters);
        return rows.Count == 0 ? 0 : Convert.ToInt64(rows[0].Values.First() ?? 0L, CultureInfo.InvariantCulture);
    }

    /// <summary>Inserts rows, grouped by table, one insert per table.</summary>
    public async Task InsertAsync(IEnumerable<ReplicaRows> rows, CancellationToken ct = default, bool deduplicate = true)
    {
        long addedUs = Time.GetUtcNow().ToUnixTimeMilliseconds() * 1000;
        // One insert per table, all at once: the servers write one table's parts while another's rows are parsed.
        await Task.WhenAll(rows.GroupBy(r => r.Table).Select(group =>
            _client.InsertAsync(group.Key, group.Select(r => ClickHouseRows.Shipped(r, addedUs)).ToList(), ct, deduplicate)).ToList());
    }

    // --- URLs go to the workers, whose frontiers they are ----------------------------------------------------

    public async Task<int> EnqueueAsync(IReadOnlyList<FrontierEntry> entries, CancellationToken ct = default)
    {
        await InsertAsync(Rows.Discovered(entries), ct);
        return entries.Count;
    }

    public Task MarkSitemapsReadAsync(string hostKey, CancellationToken ct = default) => Task.CompletedTask;

    /// <summary>Handed to the worker that owns the URL's shard, as discovered links are; that worker queues it
    /// unless it knows it already.</summary>
    public async Task<Submission> SubmitAsync(FrontierEntry entry, bool requeueKnown, DateTimeOffset now, OperatorAction? audit = null, CancellationToken ct = default)
    {
        // No transaction across tables here: the audit row goes first, so a kill between the two can only count a
        // submission the quota did not need to, never queue one it did not count.
        if (audit is not null) await RecordAsync(audit with { Detail = StoreNames.Of(SubmitOutcome.Added) }, ct);
        await InsertAsync(Rows.Discovered([entry with { NotBefore = now }]), ct);
        return new Submission(SubmitOutcome.Added, FrontierState.Elsewhere);
    }

    // --- the audit log -------------------------------------------------------------------------------------

    public Task RecordAsync(OperatorAction action, CancellationToken ct = default) => _client.InsertAsync("operator_actions", Rows.Action(action), ct);

    public async Task<IReadOnlyList<OperatorAction>> RecentActionsAsync(int limit, CancellationToken ct = default) =>
        (await RowsAsync("SELECT stamp, actor, action, target, site, detail FROM operator_actions FINAL ORDER BY stamp DESC, id DESC LIMIT $n", ct, ("$n", limit)))
        .Select(r => new OperatorAction(ClickHouseRows.Time((string?)r["stamp"])!.Value, (string)r["actor"]!, (string)r["action"]!, (string)r["target"]!,
            (string?)r["site"], (string?)r["detail"])).ToList();

    public async Task<long> CountActionsAsync(string site, IReadOnlyList<string> actions, DateTimeOffset since, CancellationToken ct = default) =>
        await CountAsync("SELECT count() FROM operator_actions FINAL WHERE site = $site AND stamp >= $since AND has($actions, action)", ct,
            ("$site", site), ("$since", since), ("$actions", actions.ToArray()));

    // --- pages ---------------------------------------------------------------------------------------------

    public async Task<int> SaveAsync(PageRecord page, FetchRecord fetch, IReadOnlyList<LinkRecord> links, IReadOnlyList<FrontierEntry> discovered, CancellationToken ct = default)
    {
        await InsertAsync(Rows.Save(page, fetch, links).Concat(Rows.Discovered(discovered)), ct);
        return discovered.Count;
    }

    public async Task<PageRecord?> GetPageAsync(string srcUnparsed, CancellationToken ct = default)
    {
        var rows = await RowsAsync("SELECT * FROM pages FINAL WHERE src_unparsed = $key", ct, ("$key", srcUnparsed));
        return rows.Count == 0 ? null : ClickHouseRows.ReadPage(rows[0]);
    }

    public async Task<string?> FindByContentHashAsync(string contentHash, string except, CancellationToken ct = default)
    {
        var rows = await RowsAsync("SELECT src_unparsed FROM pages FINAL WHERE content_hash = $h AND src_unparsed != $k AND duplicate_of IS NULL ORDER BY src_unparsed LIMIT 1",
            ct, ("$h", contentHash), ("$k", except));
        return rows.Count == 0 ? null : (string?)rows[0]["src_unparsed"];
    }

    public async Task<string?> FindNearDuplicateAsync(long simHash, string except, int maxDistance, CancellationToken ct = default)
    {
        // The same six-band index as the embedded store: two hashes within 5 bits share a band exactly.
        string bands = string.Join(", ", Enumerable.Range(0, SimHashBands.Count).Select(b => $"({b}, {SimHashBands.Value(simHash, b)})"));
        var rows = await RowsAsync($"SELECT src_unparsed, simhash FROM simhash_bands FINAL WHERE (band, value) IN ({bands}) AND src_unparsed != $k ORDER BY band, src_unparsed",
            ct, ("$k", except));
        return rows.Select(r => (Key: (string)r["src_unparsed"]!, Hash: Convert.ToInt64(r["simhash"], CultureInfo.InvariantCulture)))
            .FirstOrDefault(r => System.Numerics.BitOperations.PopCount((ulong)(r.Hash ^ simHash)) <= maxDistance).Key;
    }

    public Task AddSitemapEntriesAsync(string sitemapUrl, IReadOnlyList<string> keys, CancellationToken ct = default) =>
        InsertAsync(Rows.SitemapEntries(sitemapUrl, keys), ct);

    public async Task<StoredRobots?> GetRobotsAsync(string hostKey, CancellationToken ct = default)
    {
        var rows = await RowsAsync("SELECT * FROM robots FINAL WHERE host_key = $h", ct, ("$h", hostKey));
        if (rows.Count == 0) return null;
        var r = rows[0];
        byte[]? Bytes(string c) => r[c] is string s ? Encoding.UTF8.GetBytes(s) : null;
        return new StoredRobots((string)r["host_key"]!, ClickHouseRows.Time((string?)r["fetched_at"])!.Value, ClickHouseRows.Time((string?)r["expires_at"])!.Value,
            r["status"] is { } s ? Convert.ToInt32(s, CultureInfo.InvariantCulture) : null, Bytes("body"), (string)r["action"]!, (string)r["reason"]!,
            Bytes("last_good_body"), Convert.ToInt64(r["sitemaps_read"], CultureInfo.InvariantCulture) == 1);
    }

    public Task SaveRobotsAsync(StoredRobots robots, CancellationToken ct = default) => InsertAsync(Rows.Robots(robots), ct);

    // --- bans ----------------------------------------------------------------------------------------------

    /// <summary>The audit row first (no transaction across tables): a kill between the two leaves a logged ban that did not
    /// happen, never a ban nobody logged.</summary>
    public async Task BanAsync(string name, string? reason, OperatorAction? audit = null, CancellationToken ct = default)
    {
        if (audit is not null) await RecordAsync(audit, ct);
        await _client.InsertAsync("bans", Rows.Ban(name.ToLowerInvariant(), reason, deleted: false), ct);
    }

    public async Task<bool> UnbanAsync(string name, OperatorAction? audit = null, CancellationToken ct = default)
    {
        string lower = name.ToLowerInvariant();
        if (await CountAsync("SELECT count() FROM bans FINAL WHERE name = $n AND deleted = 0", ct, ("$n", lower)) == 0) return false;
        if (audit is not null) await RecordAsync(audit, ct);
        await _client.InsertAsync("bans", Rows.Ban(lower, null, deleted: true), ct);
        return true;
    }

    public async Task<IReadOnlyList<BanRecord>> BansAsync(CancellationToken ct = default) =>
        (await RowsAsync("SELECT name, reason, created FROM bans FINAL WHERE deleted = 0 ORDER BY name", ct))
            .Select(r => new BanRecord((string)r["name"]!, r["reason"] as string, ClickHouseRows.Time((string?)r["created"])!.Value)).ToList();

    // --- counts --------------------------------------------------------------------------------------------

    public Task<long> PageCountAsync(CancellationToken ct = default) => CountAsync("SELECT count() FROM pages FINAL", ct);

    public async Task<IReadOnlyList<string>> SeedUrlsAsync(CancellationToken ct = default) =>
        (await RowsAsync("SELECT DISTINCT url FROM pages FINAL WHERE depth = 0", ct)).Select(r => (string)r["url"]!).ToList();

    public async IAsyncEnumerable<PageRecord> PagesAsync(string condition, IReadOnlyList<(string Name, object? Value)> parameters,
        [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken ct = default)
    {
        // GLOBAL IN: the ban list is read once and sent to every shard (a plain IN over a Distributed table
        // inside a distributed query is refused).
        string sql = ClickHouseSql.Bind($"""
            SELECT * FROM (SELECT *, toUInt8(host GLOBAL IN (SELECT name FROM bans FINAL WHERE deleted = 0) OR site GLOBAL IN (SELECT name FROM bans FINAL WHERE deleted = 0)) AS fh_dont_index
                           FROM pages FINAL)
            WHERE {condition}
            ORDER BY src_unparsed
            FORMAT JSONEachRow
            """, parameters);
        await foreach (var line in _client.LinesAsync(sql, ct)) yield return ClickHouseRows.ReadPage(ClickHouseRows.Row(line));
    }

    // --- the inspector -------------------------------------------------------------------------------------

    public InspectionQueries Queries { get; } = new ClickHouseInspectionQueries();

    /// <summary>The shards of the cluster from <c>system.clusters</c> (cached for a minute).</summary>
    public async Task<IReadOnlyList<ClusterShard>> ClusterAsync(CancellationToken ct = default)
    {
        if (_cluster is { } cached && Time.GetUtcNow() - cached.At < TimeSpan.FromMinutes(1)) return cached.Shards;
        var shards = await FirstNodeAsync(node => ShardsAsync(_client, node, Address.Cluster, ct));
        _cluster = (Time.GetUtcNow(), shards);
        return shards;
    }

    /// <summary>The node a Distributed table sends a logical shard's rows to: the sharding key modulo the total
    /// weight picks a slot, and slots are given to the shards in order, as many as each one's weight.</summary>
    public static ClusterShard NodeOf(int shard, IReadOnlyList<ClusterShard> shards)
    {
        long total = shards.Sum(s => (long)s.Weight);
        long slot = shard % total;
        foreach (var s in shards)
        {
            if (slot < s.Weight) return s;
            slot -= s.Weight;
        }
        return shards[^1];
    }

    /// <summary>The node a logical shard's rows live on; with replicas, every replica of it ("A, B (2 replicas)").</summary>
    public async Task<string> ShardNodeAsync(int shard, CancellationToken ct = default)
    {
        var node = NodeOf(shard, await ClusterAsync(ct));
        var replicas = ClickHouseRows.Rows(await _client.QueryAsync(
                $"SELECT host_name, port FROM system.clusters WHERE cluster = {ClickHouseSql.Literal(Address.Cluster)} AND shard_num = {node.Number} ORDER BY replica_num FORMAT JSONEachRow", ct))
            .Select(r => $"{r["host_name"]}:{Convert.ToInt32(r["port"], CultureInfo.InvariantCulture)}").ToList();
        return replicas.Count > 1 ? $"{string.Join(", ", replicas)} ({replicas.Count} replicas)" : $"{node.Host}:{node.Port}";
    }

    public async Task<RawQueryResult> InspectAsync(string sql, IReadOnlyList<(string Name, object? Value)> parameters, CancellationToken ct = default)
    {
        var sw = Stopwatch.StartNew();
        var (sent, body) = await SelectAsync(sql, parameters, ct);
        // The query is shown as sent (its values already written in as literals), the response as ClickHouse wrote it.
        return new RawQueryResult(sent + "\nFORMAT JSONEachRow", [], ClickHouseRows.Rows(body), body.TrimEnd('\n'), sw.Elapsed.TotalMilliseconds);
    }

    /// <summary>Bytes the crawl's tables take on all nodes (compressed, active parts).</summary>
    public Task<long> DiskBytesAsync(CancellationToken ct = default) =>
        CountAsync("SELECT sum(bytes) FROM cluster($cluster, system, parts) WHERE database = $db AND active", ct, ("$cluster", Address.Cluster), ("$db", _db));

    // --- workers -------------------------------------------------------------------------------------------

    /// <summary>Discovered URLs of shards <paramref name="from"/>..<paramref name="to"/> that other workers shipped
    /// after <paramref name="afterUs"/>, oldest first.</summary>
    internal async Task<IReadOnlyList<(FrontierEntry Entry, long AddedUs)>> PullAsync(int from, int to, string worker, long afterUs, int limit, CancellationToken ct)
    {
        var rows = await RowsAsync("""
            SELECT src_unparsed, url, host, shard, depth, priority, discovered_from, discovered_at, added_us FROM discovered
            WHERE shard >= $from AND shard <= $to AND worker != $worker AND added_us > $after
            ORDER BY added_us LIMIT $limit
            """, ct, ("$from", from), ("$to", to), ("$worker", worker), ("$after", afterUs), ("$limit", limit));
        var result = new List<(FrontierEntry, long)>(rows.Count);
        foreach (var r in rows)
        {
            if (!UrlKey.TryParse((string)r["src_unparsed"]!, out var key)) continue;
            var at = ClickHouseRows.Time((string?)r["discovered_at"]) ?? Time.GetUtcNow();
            result.Add((new FrontierEntry(key, (string)r["url"]!, (string)r["host"]!, Convert.ToInt32(r["shard"], CultureInfo.InvariantCulture),
                Convert.ToInt32(r["depth"], CultureInfo.InvariantCulture), Convert.ToInt32(r["priority"], CultureInfo.InvariantCulture),
                r["discovered_from"] as string, at), Convert.ToInt64(r["added_us"], CultureInfo.InvariantCulture)));
        }
        return result;
    }

    /// <summary>Every worker's last heartbeat.</summary>
    internal async Task<IReadOnlyList<WorkerHeartbeat>> WorkersAsync(CancellationToken ct) =>
        // version is selected although unused: ClickHouse 18.16 fails some FINAL reads through a Distributed table
        // ("Cannot find column version in source stream") when the version column is not read.
        (await RowsAsync("SELECT worker, shards, queued, leased, unshipped, cursor_us, departed, heartbeat, version FROM workers FINAL ORDER BY worker", ct))
            .Select(r => new WorkerHeartbeat((string)r["worker"]!, ShardRange.Parse((string)r["shards"]!), Convert.ToInt64(r["queued"], CultureInfo.InvariantCulture),
                Convert.ToInt64(r["leased"], CultureInfo.InvariantCulture), Convert.ToInt64(r["unshipped"], CultureInfo.InvariantCulture),
                Convert.ToInt64(r["cursor_us"], CultureInfo.InvariantCulture), Convert.ToInt64(r["departed"], CultureInfo.InvariantCulture) == 1,
                ClickHouseRows.Time((string?)r["heartbeat"])!.Value)).ToList();

    /// <summary>How many URLs other workers handed to <paramref name="worker"/>'s shards after its cursor.</summary>
    internal Task<long> PendingForAsync(WorkerHeartbeat worker, CancellationToken ct) =>
        CountAsync("SELECT count() FROM discovered WHERE shard >= $from AND shard <= $to AND worker != $worker AND added_us > $after", ct,
            ("$from", worker.Shards.From), ("$to", worker.Shards.To), ("$worker", worker.Worker), ("$after", worker.CursorUs));

    internal Task HeartbeatAsync(ShardRange shards, long queued, long leased, long unshipped, long cursorUs, bool departed, CancellationToken ct) =>
        _client.InsertAsync("workers", Rows.Worker(shards.ToString(), shards.From, queued, leased, unshipped, cursorUs, departed), ct);

    public ValueTask DisposeAsync()
    {
        _client.Dispose();
        return ValueTask.CompletedTask;
    }
}

/// <summary>What a worker last reported about itself: its queue, what it has not shipped yet, how far its pull of
/// other workers' links got, and whether it has left (stopped on purpose, so nobody waits for it).</summary>
internal sealed record WorkerHeartbeat(string Worker, ShardRange Shards, long Queued, long Leased, long Unshipped, long CursorUs, bool Departed, DateTimeOffset Heartbeat)
{
    public bool Idle => Queued == 0 && Leased == 0 && Unshipped == 0;
}
