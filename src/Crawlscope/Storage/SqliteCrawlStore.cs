using System.Threading.Channels;
using System.Globalization;
using Crawlscope.Urls;
using Microsoft.Data.Sqlite;

namespace Crawlscope.Storage;

/// <summary>
/// The embedded crawl store: one SQLite file in WAL mode. SQLite has one writer, so every statement goes
/// through one connection under a lock; each page is saved in one transaction, so a killed process loses at
/// most the pages in flight, which the frontier still holds as leased and hands out again on restart.
/// </summary>
public sealed partial class SqliteCrawlStore : ICrawlStore
{
    private const int StateQueued = 0, StateLeased = 1, StateDone = 2;
    // A worker's seen-set also holds URLs of other workers' shards: recorded (so each is handed over once), never leased.
    private const int StateElsewhere = 3;

    private readonly SqliteConnection _connection;
    private readonly SemaphoreSlim _lock = new(1, 1);
    // Reads go through a few more connections (WAL: readers see the last commit and never block the writer),
    // so workers checking duplicates or loading a page do not queue behind each other or behind a batch write.
    private readonly Channel<SqliteConnection> _readers = Channel.CreateUnbounded<SqliteConnection>();
    private const int ReaderCount = 3;
    // Saves are written by one task in group commits: a batch of pages per transaction instead of one.
    private readonly Channel<PendingSave> _saves = Channel.CreateUnbounded<PendingSave>(new UnboundedChannelOptions { SingleReader = true });
    private Task _writer = Task.CompletedTask;
    private const int MaxBatch = 512;
    // A page waiting for its commit no longer holds a fetch slot (the crawl loop frees it first), so the writer
    // can wait longer for bigger transactions: on the 50,709-page bench (--extract none) 10 ms and 256 pages made
    // 625 transactions and kept the writer busy 22.8 s; up to 40 ms and 512 pages, 160-190 transactions and 14-18 s.
    private static readonly TimeSpan BatchWindow = TimeSpan.FromMilliseconds(40);
    private static readonly TimeSpan BatchStep = TimeSpan.FromMilliseconds(5);

    /// <summary>Time the writer spent in transactions, and how many it committed (for the benchmark's profile).</summary>
    public TimeSpan WriterBusy { get; private set; }
    public long WriterBatches { get; private set; }

    private sealed record PendingSave(PageRecord Page, FetchRecord Fetch, IReadOnlyList<LinkRecord> Links, IReadOnlyList<FrontierEntry> Discovered)
    {
        public TaskCompletionSource<int> Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    private readonly WorkerStoreOptions? _worker;

    private SqliteCrawlStore(SqliteConnection connection, string path, WorkerStoreOptions? worker)
    {
        _connection = connection;
        Path = path;
        _worker = worker;
    }

    public string Path { get; }

    /// <summary>Removes a closed store's files (the database and its WAL and shared-memory files).</summary>
    public static void DeleteFiles(string path)
    {
        SqliteConnection.ClearAllPools();
        foreach (var suffix in new[] { "", "-wal", "-shm" }) File.Delete(path + suffix);
    }

    /// <summary>Opens (creating or migrating) a store. With <paramref name="worker"/>, the store is a crawl worker's
    /// own: URLs of other shards are only recorded, and every write is also kept, encoded, in the outbox.</summary>
    public static async Task<SqliteCrawlStore> OpenAsync(string path, CancellationToken ct = default, WorkerStoreOptions? worker = null)
    {
        if (Directory.Exists(path)) throw new CrawlStoreException($"{path} is a folder, not a crawl store file");
        string? dir = System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(path));
        if (dir is not null) Directory.CreateDirectory(dir);
        string connectionString = new SqliteConnectionStringBuilder { DataSource = path, Pooling = false }.ToString();
        var connection = new SqliteConnection(connectionString);
        try
        {
            await connection.OpenAsync(ct);
            return await InitializeAsync(connection, connectionString, path, worker, ct);
        }
        catch (SqliteException ex) when (ex.SqliteErrorCode is NotADatabase or Corrupt)
        {
            await connection.DisposeAsync();
            throw new CrawlStoreException($"{path} is not a crawl store: {ex.Message.Replace("SQLite Error " + ex.SqliteErrorCode + ": ", "")}", ex);
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    private const int Permission = 3, ReadOnly = 8, CantOpen = 14, Corrupt = 11, NotADatabase = 26;

    /// <summary>Opens a store for commands that only read it (stats, inspect, serve, export). Where the file or its
    /// folder cannot be written (another user's crawl, a read-only mount), it is opened read-only instead, and if
    /// SQLite cannot even keep its shared-memory file there, as an immutable file.</summary>
    public static async Task<SqliteCrawlStore> OpenForReadingAsync(string path, CancellationToken ct = default)
    {
        try
        {
            return await OpenAsync(path, ct);
        }
        catch (Exception ex) when (ex is UnauthorizedAccessException || ex is SqliteException { SqliteErrorCode: Permission or ReadOnly or CantOpen })
        {
            try
            {
                return await OpenReadOnlyAsync(path, new SqliteConnectionStringBuilder { DataSource = path, Mode = SqliteOpenMode.ReadOnly, Pooling = false }.ToString(), ct);
            }
            catch (SqliteException inner) when (inner.SqliteErrorCode is CantOpen or ReadOnly)
            {
                string uri = "file:" + System.IO.Path.GetFullPath(path) + "?immutable=1";
                return await OpenReadOnlyAsync(path, new SqliteConnectionStringBuilder { DataSource = uri, Mode = SqliteOpenMode.ReadOnly, Pooling = false }.ToString(), ct);
            }
        }
    }

    private static async Task<SqliteCrawlStore> OpenReadOnlyAsync(string path, string connectionString, CancellationToken ct)
    {
        var connection = new SqliteConnection(connectionString);
        await connection.OpenAsync(ct);
        var store = new SqliteCrawlStore(connection, path, null);
        long version = await store.ScalarAsync<long>("SELECT COALESCE(MAX(version), 0) FROM schema_version", ct);
        if (version != SqliteSchema.Migrations.Length)
        {
            await connection.DisposeAsync();
            throw new CrawlStoreException($"{path} has store schema {version}, this build reads {SqliteSchema.Migrations.Length}; it can only be read here, so open it once where it can be written (crawl) to upgrade it");
        }
        for (int i = 0; i < ReaderCount; i++)
        {
            var reader = new SqliteConnection(connectionString);
            await reader.OpenAsync(ct);
            store._readers.Writer.TryWrite(reader);
        }
        return store;
    }

    private static async Task<SqliteCrawlStore> InitializeAsync(SqliteConnection connection, string connectionString, string path, WorkerStoreOptions? worker, CancellationToken ct)
    {
        var store = new SqliteCrawlStore(connection, path, worker);
        // A 32 MB page cache keeps the hot index pages (links by target, frontier) in memory, and checkpoints every
        // 32 MB of WAL instead of 4 MB copy each hot page to the database less often: the writer's time on the
        // 50,000-page bench fell from 57 s to 42 s, and the crawl went from 677 to 856 pages/s (--extract none).
        await store.ExecAsync("PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=OFF; PRAGMA busy_timeout=5000; PRAGMA cache_size=-32000; PRAGMA wal_autocheckpoint=8192;", ct);
        await store.MigrateAsync(ct);
        for (int i = 0; i < ReaderCount; i++)
        {
            var reader = new SqliteConnection(connectionString);
            await reader.OpenAsync(ct);
            await using (var pragma = reader.CreateCommand())
            {
                pragma.CommandText = "PRAGMA busy_timeout=5000; PRAGMA query_only=1;";
                await pragma.ExecuteNonQueryAsync(ct);
            }
            store._readers.Writer.TryWrite(reader);
        }
        store._writer = Task.Run(store.WriteLoopAsync, CancellationToken.None);
        return store;
    }

    private async Task MigrateAsync(CancellationToken ct)
    {
        await ExecAsync("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)", ct);
        long version = await ScalarAsync<long>("SELECT COALESCE(MAX(version), 0) FROM schema_version", ct);
        for (int v = (int)version; v < SqliteSchema.Migrations.Length; v++)
        {
            await using var tx = (SqliteTransaction)await _connection.BeginTransactionAsync(ct);
            await using (var cmd = Command(SqliteSchema.Migrations[v], tx)) await cmd.ExecuteNonQueryAsync(ct);
            await using (var cmd = Command("INSERT INTO schema_version (version) VALUES ($v)", tx, ("$v", v + 1))) await cmd.ExecuteNonQueryAsync(ct);
            await tx.CommitAsync(ct);
        }
    }

    public Task<int> EnqueueAsync(IReadOnlyList<FrontierEntry> entries, CancellationToken ct = default) => EnqueueAsync(entries, replicate: true, ct);

    /// <summary>Queues URLs another worker handed over: like <see cref="EnqueueAsync(IReadOnlyList{FrontierEntry}, CancellationToken)"/>,
    /// but not copied to the outbox, since the cluster has them already.</summary>
    public Task<int> EnqueueHandedOverAsync(IReadOnlyList<FrontierEntry> entries, CancellationToken ct = default) => EnqueueAsync(entries, replicate: false, ct);

    private async Task<int> EnqueueAsync(IReadOnlyList<FrontierEntry> entries, bool replicate, CancellationToken ct)
    {
        if (entries.Count == 0) return 0;
        await _lock.WaitAsync(ct);
        try
        {
            await using var tx = (SqliteTransaction)await _connection.BeginTransactionAsync(ct);
            _knownKeys.Begin();
            var newlySeen = _worker is null || !replicate ? null : new List<FrontierEntry>();
            int added = 0;
            foreach (var e in entries) added += InsertFrontier(e, tx, newlySeen);
            if (newlySeen is not null) WriteOutbox(_worker!.Replica.Discovered(newlySeen), tx);
            await tx.CommitAsync(ct);
            _knownKeys.Committed();
            return added;
        }
        finally
        {
            _lock.Release();
        }
    }

    /// <summary>Queued and in-flight URLs, read together (one snapshot).</summary>
    public async Task<(long Queued, long Leased)> FrontierCountsAsync(CancellationToken ct = default) =>
        (await QueryAsync("SELECT (SELECT COUNT(*) FROM frontier WHERE state = 0), (SELECT COUNT(*) FROM frontier WHERE state = 1)", r => (r.GetInt64(0), r.GetInt64(1)), ct))[0];

    public async Task<IReadOnlyList<string>> QueuedHostsAsync(CancellationToken ct = default) =>
        await QueryAsync("SELECT DISTINCT host FROM frontier WHERE state = 0", r => r.GetString(0), ct);

    public async Task<IReadOnlyList<FrontierEntry>> LeaseAsync(string host, DateTimeOffset now, int max, CancellationToken ct = default)
    {
        await _lock.WaitAsync(ct);
        try
        {
            var entries = new List<FrontierEntry>(max);
            await using (var cmd = Command("""
                SELECT src_unparsed, url, host, shard, depth, priority, discovered_from, discovered_at, attempts, not_before, redirect_hops, redirect_chain
                FROM frontier WHERE state = 0 AND host = $host AND not_before <= $now
                ORDER BY priority, depth, discovered_at LIMIT $max
                """, null, ("$host", host), ("$now", Stamp(now)), ("$max", max)))
            await using (var r = await cmd.ExecuteReaderAsync(ct))
            {
                while (await r.ReadAsync(ct)) entries.Add(ReadEntry(r));
            }
            if (entries.Count == 0) return entries;
            await using var tx = (SqliteTransaction)await _connection.BeginTransactionAsync(ct);
            foreach (var e in entries)
            {
                await using var cmd = Command("UPDATE frontier SET state = 1 WHERE src_unparsed = $key", tx, ("$key", e.Key.Value));
                await cmd.ExecuteNonQueryAsync(ct);
            }
            await tx.CommitAsync(ct);
            return entries;
        }
        finally
        {
            _lock.Release();
        }
    }

    public Task RescheduleAsync(UrlKey key, DateTimeOffset notBefore, int attempts, CancellationToken ct = default) =>
        ExecLockedAsync("UPDATE frontier SET state = 0, not_before = $nb, attempts = $a WHERE src_unparsed = $key", ct,
            ("$nb", Stamp(notBefore)), ("$a", attempts), ("$key", key.Value));

    public async Task<int> RequeueDueAsync(DateTimeOffset dueBy, DateTimeOffset now, CancellationToken ct = default) =>
        await ExecLockedAsync("""
            UPDATE frontier SET state = 0, attempts = 0, not_before = $now, redirect_hops = 0, redirect_chain = NULL
            WHERE state = 2 AND src_unparsed IN (SELECT src_unparsed FROM pages WHERE next_fetch IS NOT NULL AND next_fetch <= $due)
            """, ct, ("$now", Stamp(now)), ("$due", Stamp(dueBy)));

    public async Task<int> RecoverLeasesAsync(CancellationToken ct = default) =>
        await ExecLockedAsync("UPDATE frontier SET state = 0 WHERE state = 1", ct);

    public async Task<DateTimeOffset?> NextReadyAsync(CancellationToken ct = default)
    {
        var values = await QueryAsync("SELECT MIN(not_before) FROM frontier WHERE state = 0", r => r.IsDBNull(0) ? null : r.GetString(0), ct);
        return values.Count == 0 || values[0] is not { } first ? null : Parse(first);
    }

    /// <summary>Queues the save for the writer and completes when its transaction has committed (so a caller
    /// that awaited it knows the page is on disk, as before batching).</summary>
    public Task<int> SaveAsync(PageRecord page, FetchRecord fetch, IReadOnlyList<LinkRecord> links, IReadOnlyList<FrontierEntry> discovered, CancellationToken ct = default)
    {
        var pending = new PendingSave(page, fetch, links, discovered);
        if (!_saves.Writer.TryWrite(pending)) throw new ObjectDisposedException(nameof(SqliteCrawlStore));
        return pending.Done.Task;
    }

    /// <summary>
    /// The single writer: takes what is queued (up to <see cref="MaxBatch"/> saves) and writes it in one
    /// transaction. If the batch fails, each save is tried alone, so one bad record fails only its own caller.
    /// </summary>
    private async Task WriteLoopAsync()
    {
        var batch = new List<PendingSave>(MaxBatch);
        while (await _saves.Reader.WaitToReadAsync())
        {
            while (batch.Count < MaxBatch && _saves.Reader.TryRead(out var item)) batch.Add(item);
            // Waiting gathers more pages into the transaction: pages of one site link to the same targets, so a
            // bigger batch dirties fewer index pages per page saved. The wait goes on, up to BatchWindow, only
            // while saves keep arriving, so a caller saving one page at a time waits one step, not the window.
            long windowStart = System.Diagnostics.Stopwatch.GetTimestamp();
            while (batch.Count < MaxBatch && System.Diagnostics.Stopwatch.GetElapsedTime(windowStart) < BatchWindow)
            {
                int before = batch.Count;
                await Task.Delay(BatchStep);
                while (batch.Count < MaxBatch && _saves.Reader.TryRead(out var item)) batch.Add(item);
                if (batch.Count == before) break;
            }
            await _lock.WaitAsync();
            long started = System.Diagnostics.Stopwatch.GetTimestamp();
            try
            {
                var added = new int[batch.Count];
                try
                {
                    await using var tx = (SqliteTransaction)await _connection.BeginTransactionAsync();
                    _knownKeys.Begin();
                    for (int i = 0; i < batch.Count; i++) added[i] = WriteSave(batch[i], tx);
                    await tx.CommitAsync();
                    _knownKeys.Committed();
                    for (int i = 0; i < batch.Count; i++) batch[i].Done.SetResult(added[i]);
                }
#pragma warning disable CA1031 // every failure is handed to the caller whose save it was
                catch (Exception) when (batch.Count > 1)
                {
                    foreach (var one in batch)
                    {
                        try
                        {
                            await using var tx = (SqliteTransaction)await _connection.BeginTransactionAsync();
                            _knownKeys.Begin();
                            int n = WriteSave(one, tx);
                            await tx.CommitAsync();
                            _knownKeys.Committed();
                            one.Done.SetResult(n);
                        }
                        catch (Exception ex)
                        {
                            one.Done.SetException(ex);
                        }
                    }
                }
                catch (Exception ex)
                {
                    batch[0].Done.TrySetException(ex);
                }
#pragma warning restore CA1031
            }
            finally
            {
                WriterBusy += System.Diagnostics.Stopwatch.GetElapsedTime(started);
                WriterBatches++;
                _lock.Release();
                batch.Clear();
            }
        }
    }

    private const string InsertFetchSql = """
        INSERT INTO fetches (src_unparsed, url, stamp, http_code, failure_reason, elapsed_ms, bytes, content_type, location)
        VALUES ($key, $url, $stamp, $code, $failure, $elapsed, $bytes, $type, $location)
        """;
    private const string InsertLinkSql = "INSERT OR REPLACE INTO links (source, target, anchor, nofollow) VALUES ($s, $t, $a, $n)";
    private const string InsertBandSql = "INSERT OR IGNORE INTO simhash_bands (band, value, src_unparsed, simhash) VALUES ($b, $v, $k, $h)";
    private const string InsertFrontierSql = """
        INSERT OR IGNORE INTO frontier (src_unparsed, url, host, shard, depth, priority, discovered_from, discovered_at, state, attempts, not_before, redirect_hops, redirect_chain)
        VALUES ($k, $u, $h, $s, $d, $p, $f, $at, $st, $a, $nb, $rh, $rc)
        """;
    private const string MarkDoneSql = "UPDATE frontier SET state = 2 WHERE src_unparsed = $key";

    // The writer's statements, prepared once and executed row by row: cheaper than building and compiling a
    // multi-row statement for every page (measured: the writer's busy time per page fell by a third).
    private readonly Dictionary<string, SqliteCommand> _prepared = new(StringComparer.Ordinal);
    private readonly KnownFrontierKeys _knownKeys = new();

    private SqliteCommand Prepared(string sql, SqliteTransaction tx, params (string Name, object? Value)[] parameters)
    {
        if (!_prepared.TryGetValue(sql, out var cmd))
        {
            cmd = _connection.CreateCommand();
            cmd.CommandText = sql;
            _prepared[sql] = cmd;
        }
        cmd.Transaction = tx;
        Bind(cmd, parameters);
        return cmd;
    }

    // Synchronous on purpose: Microsoft.Data.Sqlite runs statements synchronously anyway, and this is the writer task.
    private int WriteSave(PendingSave save, SqliteTransaction tx)
    {
        var (page, fetch, links, discovered) = (save.Page, save.Fetch, save.Links, save.Discovered);
        var upsert = Prepared(UpsertPageSql, tx);
        BindPage(upsert, page);
        upsert.ExecuteNonQuery();
        Prepared(InsertFetchSql, tx, ("$key", fetch.SrcUnparsed), ("$url", fetch.Url), ("$stamp", Stamp(fetch.Stamp)), ("$code", fetch.HttpCode),
            ("$failure", fetch.FailureReason), ("$elapsed", fetch.ElapsedMs), ("$bytes", fetch.Bytes), ("$type", fetch.ContentType), ("$location", fetch.Location))
            .ExecuteNonQuery();
        foreach (var l in links)
            Prepared(InsertLinkSql, tx, ("$s", l.Source), ("$t", l.Target), ("$a", l.Anchor), ("$n", l.NoFollow ? 1 : 0)).ExecuteNonQuery();
        // Only originals go into the near-duplicate index: a duplicate points at its original, never at another duplicate.
        if (page.SimHash is long simhash && page.DuplicateOf is null)
            for (int band = 0; band < SimHashBands.Count; band++)
                Prepared(InsertBandSql, tx, ("$b", band), ("$v", SimHashBands.Value(simhash, band)), ("$k", page.SrcUnparsed), ("$h", simhash)).ExecuteNonQuery();
        var newlySeen = _worker is null ? null : new List<FrontierEntry>();
        int added = 0;
        foreach (var e in discovered) added += InsertFrontier(e, tx, newlySeen);
        Prepared(MarkDoneSql, tx, ("$key", page.SrcUnparsed)).ExecuteNonQuery();
        if (_worker is not null)
        {
            WriteOutbox(_worker.Replica.Save(page, fetch, links), tx);
            WriteOutbox(_worker.Replica.Discovered(newlySeen!), tx);
        }
        return added;
    }

    /// <summary>Adds a URL not seen before; returns 1 if it was new (and queued here), else 0. A worker records
    /// other shards' URLs as seen without queuing them, and lists every new URL in <paramref name="newlySeen"/>.</summary>
    private int InsertFrontier(FrontierEntry e, SqliteTransaction tx, List<FrontierEntry>? newlySeen)
    {
        if (_knownKeys.Contains(e.Key.Value)) return 0;
        bool elsewhere = _worker is not null && !_worker.OwnsShard(e.Shard);
        int inserted = Prepared(InsertFrontierSql, tx, ("$k", e.Key.Value), ("$u", e.Url), ("$h", e.Host), ("$s", e.Shard), ("$d", e.Depth), ("$p", e.Priority),
            ("$f", e.DiscoveredFrom), ("$at", Stamp(e.DiscoveredAt)), ("$st", elsewhere ? StateElsewhere : StateQueued), ("$a", e.Attempts),
            ("$nb", Stamp(e.NotBefore ?? e.DiscoveredAt)), ("$rh", e.RedirectHops), ("$rc", e.RedirectChain)).ExecuteNonQuery();
        if (inserted == 1) newlySeen?.Add(e);
        _knownKeys.Add(e.Key.Value);
        return elsewhere ? 0 : inserted;
    }

    private void WriteOutbox(IEnumerable<ReplicaRows> rows, SqliteTransaction tx)
    {
        foreach (var row in rows) Prepared("INSERT INTO outbox (tbl, lines) VALUES ($t, $l)", tx, ("$t", row.Table), ("$l", row.Lines)).ExecuteNonQuery();
    }

    /// <summary>The oldest rows of the outbox, up to about <paramref name="maxBytes"/> of lines; null when it is empty.</summary>
    public async Task<OutboxBatch?> OutboxAsync(int maxBytes, CancellationToken ct = default)
    {
        var rows = new List<ReplicaRows>();
        long last = 0, bytes = 0;
        var reader = await _readers.Reader.ReadAsync(ct);
        try
        {
            await using var cmd = reader.CreateCommand();
            cmd.CommandText = "SELECT id, tbl, lines FROM outbox ORDER BY id";
            await using var r = await cmd.ExecuteReaderAsync(ct);
            while (bytes < maxBytes && await r.ReadAsync(ct))
            {
                last = r.GetInt64(0);
                var row = new ReplicaRows(r.GetString(1), r.GetString(2));
                bytes += row.Lines.Length;
                rows.Add(row);
            }
        }
        finally
        {
            _readers.Writer.TryWrite(reader);
        }
        return rows.Count == 0 ? null : new OutboxBatch(last, rows);
    }

    /// <summary>Forgets outbox rows up to <paramref name="lastId"/>, once the other store has them.</summary>
    public Task ShippedAsync(long lastId, CancellationToken ct = default) =>
        ExecLockedAsync("DELETE FROM outbox WHERE id <= $id", ct, ("$id", lastId));

    public Task<long> OutboxCountAsync(CancellationToken ct = default) => CountAsync("SELECT COUNT(*) FROM outbox", ct);

    public async Task<string?> GetMetaAsync(string name, CancellationToken ct = default)
    {
        var rows = await QueryAsync("SELECT value FROM meta WHERE name = $n", r => r.GetString(0), ct, ("$n", name));
        return rows.Count == 0 ? null : rows[0];
    }

    public Task SetMetaAsync(string name, string value, CancellationToken ct = default) =>
        ExecLockedAsync("INSERT OR REPLACE INTO meta (name, value) VALUES ($n, $v)", ct, ("$n", name), ("$v", value));

    public async Task<PageRecord?> GetPageAsync(string srcUnparsed, CancellationToken ct = default)
    {
        var rows = await QueryAsync("SELECT * FROM pages WHERE src_unparsed = $key", ReadPage, ct, ("$key", srcUnparsed));
        return rows.Count == 0 ? null : rows[0];
    }

    public async Task<string?> FindByContentHashAsync(string contentHash, string except, CancellationToken ct = default)
    {
        var rows = await QueryAsync("SELECT src_unparsed FROM pages WHERE content_hash = $h AND src_unparsed <> $k AND duplicate_of IS NULL ORDER BY src_unparsed LIMIT 1",
            r => r.GetString(0), ct, ("$h", contentHash), ("$k", except));
        return rows.Count == 0 ? null : rows[0];
    }

    public async Task<string?> FindNearDuplicateAsync(long simHash, string except, int maxDistance, CancellationToken ct = default)
    {
        // Six bands of 10-11 bits: two hashes within 5 bits of each other share at least one band exactly.
        // One indexed range per band (an OR over the bands would scan the whole table). Only pages that are not
        // duplicates themselves are in the index (see WriteSave), so no join with pages is needed, and
        // rows are read in index order until one is close enough: templated sites put many pages in a band.
        return await FirstAsync("""
            SELECT src_unparsed, simhash FROM simhash_bands WHERE band = 0 AND value = $b0 AND src_unparsed <> $k
            UNION ALL SELECT src_unparsed, simhash FROM simhash_bands WHERE band = 1 AND value = $b1 AND src_unparsed <> $k
            UNION ALL SELECT src_unparsed, simhash FROM simhash_bands WHERE band = 2 AND value = $b2 AND src_unparsed <> $k
            UNION ALL SELECT src_unparsed, simhash FROM simhash_bands WHERE band = 3 AND value = $b3 AND src_unparsed <> $k
            UNION ALL SELECT src_unparsed, simhash FROM simhash_bands WHERE band = 4 AND value = $b4 AND src_unparsed <> $k
            UNION ALL SELECT src_unparsed, simhash FROM simhash_bands WHERE band = 5 AND value = $b5 AND src_unparsed <> $k
            """, r => System.Numerics.BitOperations.PopCount((ulong)(r.GetInt64(1) ^ simHash)) <= maxDistance ? r.GetString(0) : null, ct,
            ("$b0", SimHashBands.Value(simHash, 0)), ("$b1", SimHashBands.Value(simHash, 1)), ("$b2", SimHashBands.Value(simHash, 2)),
            ("$b3", SimHashBands.Value(simHash, 3)), ("$b4", SimHashBands.Value(simHash, 4)), ("$b5", SimHashBands.Value(simHash, 5)), ("$k", except));
    }

    public async Task AddSitemapEntriesAsync(string sitemapUrl, IReadOnlyList<string> keys, CancellationToken ct = default)
    {
        if (keys.Count == 0) return;
        await _lock.WaitAsync(ct);
        try
        {
            await using var tx = (SqliteTransaction)await _connection.BeginTransactionAsync(ct);
            foreach (var chunk in keys.Chunk(200))
            {
                await using var cmd = MultiRow("INSERT OR IGNORE INTO sitemap_entries (src_unparsed, sitemap) VALUES ", chunk, tx, k => [k, sitemapUrl]);
                await cmd.ExecuteNonQueryAsync(ct);
            }
            if (_worker is not null) WriteOutbox(_worker.Replica.SitemapEntries(sitemapUrl, keys), tx);
            await tx.CommitAsync(ct);
        }
        finally
        {
            _lock.Release();
        }
    }

    public Task MarkSitemapsReadAsync(string hostKey, CancellationToken ct = default) =>
        ExecLockedAsync("UPDATE robots SET sitemaps_read = 1 WHERE host_key = $h", ct, ("$h", hostKey));

    public async Task<StoredRobots?> GetRobotsAsync(string hostKey, CancellationToken ct = default)
    {
        var rows = await QueryAsync("SELECT host_key, fetched_at, expires_at, status, body, action, reason, last_good_body, sitemaps_read FROM robots WHERE host_key = $h",
            r => new StoredRobots(r.GetString(0), Parse(r.GetString(1)), Parse(r.GetString(2)), r.IsDBNull(3) ? null : r.GetInt32(3),
                r.IsDBNull(4) ? null : (byte[])r[4], r.GetString(5), r.GetString(6), r.IsDBNull(7) ? null : (byte[])r[7], r.GetInt64(8) == 1), ct, ("$h", hostKey));
        return rows.Count == 0 ? null : rows[0];
    }

    public async Task SaveRobotsAsync(StoredRobots robots, CancellationToken ct = default)
    {
        await _lock.WaitAsync(ct);
        try
        {
            await using var tx = (SqliteTransaction)await _connection.BeginTransactionAsync(ct);
            await using (var cmd = Command("""
                INSERT OR REPLACE INTO robots (host_key, fetched_at, expires_at, status, body, action, reason, last_good_body, sitemaps_read)
                VALUES ($h, $f, $e, $s, $b, $a, $r, $g, $m)
                """, tx, ("$h", robots.HostKey), ("$f", Stamp(robots.FetchedAt)), ("$e", Stamp(robots.ExpiresAt)), ("$s", robots.Status),
                ("$b", robots.Body), ("$a", robots.Action), ("$r", robots.Reason), ("$g", robots.LastGoodBody), ("$m", robots.SitemapsRead ? 1 : 0)))
                await cmd.ExecuteNonQueryAsync(ct);
            if (_worker is not null) WriteOutbox(_worker.Replica.Robots(robots), tx);
            await tx.CommitAsync(ct);
        }
        finally
        {
            _lock.Release();
        }
    }

    public Task BanAsync(string name, string? reason, CancellationToken ct = default) =>
        ExecLockedAsync("INSERT OR REPLACE INTO bans (name, reason, created) VALUES ($n, $r, $c)", ct,
            ("$n", name.ToLowerInvariant()), ("$r", reason), ("$c", Stamp(DateTimeOffset.UtcNow)));

    public async Task<bool> UnbanAsync(string name, CancellationToken ct = default) =>
        await ExecLockedAsync("DELETE FROM bans WHERE name = $n", ct, ("$n", name.ToLowerInvariant())) > 0;

    public async Task<IReadOnlyList<BanRecord>> BansAsync(CancellationToken ct = default) =>
        await QueryAsync("SELECT name, reason, created FROM bans ORDER BY name",
            r => new BanRecord(r.GetString(0), r.IsDBNull(1) ? null : r.GetString(1), Parse(r.GetString(2))), ct);

    public Task<long> PageCountAsync(CancellationToken ct = default) => CountAsync("SELECT COUNT(*) FROM pages", ct);

    public async Task<IReadOnlyList<string>> SeedUrlsAsync(CancellationToken ct = default) =>
        await QueryAsync("SELECT DISTINCT url FROM pages WHERE depth = 0", r => r.GetString(0), ct);

    public async Task<CrawlStats> StatsAsync(CancellationToken ct = default)
    {
        async Task<Dictionary<string, long>> Group(string sql) =>
            (await QueryAsync(sql, r => (r.IsDBNull(0) ? "none" : r.GetValue(0).ToString()!, r.GetInt64(1)), ct)).ToDictionary(x => x.Item1, x => x.Item2);
        var frontier = await Group("SELECT state, COUNT(*) FROM frontier GROUP BY state");
        return new CrawlStats(
            await CountAsync("SELECT COUNT(*) FROM pages", ct),
            frontier.GetValueOrDefault(StateQueued.ToString(CultureInfo.InvariantCulture)),
            frontier.GetValueOrDefault(StateLeased.ToString(CultureInfo.InvariantCulture)),
            await CountAsync("SELECT COUNT(DISTINCT host) FROM frontier", ct),
            await Group("SELECT download_http_code, COUNT(*) FROM pages GROUP BY download_http_code ORDER BY 2 DESC"),
            await Group("SELECT failure_reason, COUNT(*) FROM pages WHERE failure_reason IS NOT NULL GROUP BY failure_reason ORDER BY 2 DESC"),
            await Group("SELECT history_drop_reason, COUNT(*) FROM pages WHERE history_drop_reason IS NOT NULL GROUP BY history_drop_reason ORDER BY 2 DESC"),
            await CountAsync("SELECT COUNT(*) FROM fetches", ct),
            await CountAsync("SELECT COALESCE(SUM(bytes), 0) FROM fetches", ct));
    }

    public async Task<CrawlOverview> OverviewAsync(int limit, int buckets, CancellationToken ct = default)
    {
        var stats = await StatsAsync(ct);
        var hosts = await QueryAsync("SELECT host, COUNT(*), SUM(failure_reason IS NOT NULL) FROM pages GROUP BY host ORDER BY 2 DESC, 1 LIMIT $n",
            r => new HostCount(r.GetString(0), r.GetInt64(1), r.GetInt64(2)), ct, ("$n", limit));
        var failures = await QueryAsync("SELECT stamp, url, failure_reason, http_code FROM fetches WHERE failure_reason IS NOT NULL ORDER BY id DESC LIMIT $n",
            r => new RecentFailure(Parse(r.GetString(0)), r.GetString(1), r.GetString(2), r.IsDBNull(3) ? null : r.GetInt32(3)), ct, ("$n", limit));
        // Bucket width adapts to the crawl's span, so a 40-second demo and a day-long crawl both fill the chart.
        var span = await QueryAsync("SELECT MIN(stamp), MAX(stamp) FROM fetches", r => r.IsDBNull(0) ? null : new[] { Parse(r.GetString(0)), Parse(r.GetString(1)) }, ct);
        var points = new List<ThroughputPoint>();
        if (span[0] is [var first, var last])
        {
            long width = Math.Max(1, (long)Math.Ceiling((last - first).TotalSeconds / Math.Max(1, buckets)));
            long start = first.ToUnixTimeSeconds();
            var counts = await QueryAsync("SELECT (unixepoch(stamp) - $start) / $width AS b, COUNT(*) FROM fetches GROUP BY b ORDER BY b",
                r => (r.GetInt64(0), r.GetInt64(1)), ct, ("$start", start), ("$width", width));
            var byBucket = counts.ToDictionary(c => c.Item1, c => c.Item2);
            long lastBucket = counts.Count == 0 ? 0 : counts[^1].Item1;
            for (long b = 0; b <= lastBucket; b++)
                points.Add(new ThroughputPoint(DateTimeOffset.FromUnixTimeSeconds(start + b * width), width, byBucket.GetValueOrDefault(b)));
        }
        return new CrawlOverview(stats, hosts, failures, points);
    }

    public async IAsyncEnumerable<PageRecord> PagesAsync(string condition, IReadOnlyList<(string Name, object? Value)> parameters,
        [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken ct = default)
    {
        // A reader connection is held for the whole stream: WAL gives the export one consistent snapshot while
        // a crawl may go on writing.
        var reader = await _readers.Reader.ReadAsync(ct);
        try
        {
            await using var cmd = reader.CreateCommand();
            cmd.CommandText = $"""
                SELECT p.* FROM (SELECT pages.*, CASE WHEN EXISTS (SELECT 1 FROM bans WHERE name IN (pages.host, pages.site)) THEN 1 ELSE 0 END AS fh_dont_index
                                 FROM pages) p
                WHERE {condition}
                ORDER BY p.src_unparsed
                """;
            Bind(cmd, [.. parameters]);
            await using var r = await cmd.ExecuteReaderAsync(ct);
            while (await r.ReadAsync(ct)) yield return ReadPage(r);
        }
        finally
        {
            _readers.Writer.TryWrite(reader);
        }
    }

    private async Task<long> CountAsync(string sql, CancellationToken ct) => (await QueryAsync(sql, r => r.GetInt64(0), ct))[0];

    public InspectionQueries Queries { get; } = new SqliteInspectionQueries();

    public Task<string> ShardNodeAsync(int shard, CancellationToken ct = default) => Task.FromResult("local");

    public async Task<RawQueryResult> InspectAsync(string sql, IReadOnlyList<(string Name, object? Value)> parameters, CancellationToken ct = default)
    {
        var sw = System.Diagnostics.Stopwatch.StartNew();
        var rows = await QueryAsync(sql, r =>
        {
            var row = new Dictionary<string, object?>(StringComparer.Ordinal);
            for (int i = 0; i < r.FieldCount; i++) row[r.GetName(i)] = r.IsDBNull(i) ? null : r.GetValue(i) is byte[] bytes ? System.Text.Encoding.UTF8.GetString(bytes) : r.GetValue(i);
            return (IReadOnlyDictionary<string, object?>)row;
        }, ct, [.. parameters]);
        // The raw response: one JSON object per row, as ClickHouse's JSONEachRow writes it.
        string raw = string.Join("\n", rows.Select(r => System.Text.Json.JsonSerializer.Serialize(r)));
        return new RawQueryResult(sql, parameters, rows, raw, sw.Elapsed.TotalMilliseconds);
    }

    public async ValueTask DisposeAsync()
    {
        // Saves already queued are written before the connections close.
        _saves.Writer.TryComplete();
        await _writer;
        await _lock.WaitAsync();
        try
        {
            for (int i = 0; i < ReaderCount; i++) await (await _readers.Reader.ReadAsync()).DisposeAsync();
            foreach (var cmd in _prepared.Values) await cmd.DisposeAsync();
            await _connection.DisposeAsync();
        }
        finally
        {
            _lock.Release();
            _lock.Dispose();
        }
    }
}

/// <summary>A store file that cannot be used: a folder, another kind of file, a damaged database.</summary>
public sealed class CrawlStoreException(string message, Exception? inner = null) : IOException(message, inner);

/// <summary>Splits a 64-bit SimHash into six bands for the near-duplicate index.</summary>
internal static class SimHashBands
{
    internal const int Count = 6;
    private static readonly int[] Starts = [0, 11, 22, 33, 44, 54];
    private static readonly int[] Widths = [11, 11, 11, 11, 10, 10];

    internal static long Value(long simHash, int band) => (long)(((ulong)simHash >> Starts[band]) & ((1UL << Widths[band]) - 1));
}
