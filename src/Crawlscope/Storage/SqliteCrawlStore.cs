using System.Threading.Channels;
using Microsoft.Data.Sqlite;
using Crawlscope.Model;

namespace Crawlscope.Storage;

/// <summary>
/// The embedded crawl store: one SQLite file in WAL mode. SQLite has one writer, so every statement goes
/// through one connection under a lock; each page is saved in one transaction, so a killed process loses at
/// most the pages in flight, which the frontier still holds as leased and hands out again on restart.
/// </summary>
public sealed partial class SqliteCrawlStore : IFrontierStore
{
    // The frontier's state column holds FrontierState's values; SQL is written with these, never with digits. A worker's
    // seen-set also holds URLs of other workers' shards (Elsewhere): recorded (so each is handed over once), never leased.
    private const int StateQueued = (int)FrontierState.Queued, StateLeased = (int)FrontierState.InFlight, StateDone = (int)FrontierState.Done,
        StateElsewhere = (int)FrontierState.Elsewhere;

    /// <summary>A stored state read back; a value this build does not know is a damaged store, not a state.</summary>
    internal static FrontierState StateOf(int stored) => Enum.IsDefined((FrontierState)stored)
        ? (FrontierState)stored : throw new CrawlStoreException($"the frontier holds an unknown state {stored}");

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
    // A page waiting for its commit holds no fetch slot (the crawl loop frees it first), so the writer can wait a
    // while for bigger transactions: fewer, larger commits cost the writer less per page (README, figures).
    private static readonly TimeSpan BatchWindow = TimeSpan.FromMilliseconds(40);
    private static readonly TimeSpan BatchStep = TimeSpan.FromMilliseconds(5);

    /// <summary>Time the writer spent in transactions, and how many it committed (for the benchmark's profile).</summary>
    public TimeSpan WriterBusy { get; private set; }
    public long WriterBatches { get; private set; }

    // The texts are packed by the caller's thread, so compression does not lengthen the single writer's transactions.
    private sealed record PendingSave(PageRecord Page, PackedPageTexts Texts, FetchRecord Fetch, IReadOnlyList<LinkRecord> Links, IReadOnlyList<FrontierEntry> Discovered)
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

    /// <summary>The clock of the rows the store stamps itself (a ban's creation).</summary>
    public TimeProvider Time { get; set; } = TimeProvider.System;

    /// <summary>Removes a closed store's files (the database and its WAL and shared-memory files).</summary>
    public static void DeleteFiles(string path)
    {
        SqliteConnection.ClearAllPools();
        foreach (var suffix in new[] { "", "-wal", "-shm" }) File.Delete(path + suffix);
    }

    private static string Reason(SqliteException ex) => ex.Message.Replace("SQLite Error " + ex.SqliteErrorCode + ": ", "").Split('\n', 2)[0];

    /// <summary>What a store failure means for the operator, in one line with what to do (a damaged file, a full disk, a
    /// file that cannot be written); null for other failures, which are bugs.</summary>
    public static string? Condition(SqliteException ex, string? path = null) => ex.SqliteErrorCode switch
    {
        Corrupt or NotADatabase => $"the store {path ?? ""} is damaged ({Reason(ex)}): check it with `sqlite3 FILE 'PRAGMA integrity_check'` and " +
                                   "restore a backup, or start a new store (--db NEW.db)",
        Full => $"the disk holding the store {path ?? ""} is full: free space and run the command again (a crawl resumes where it stopped)",
        ReadOnly or CantOpen or Permission => $"the store {path ?? ""} cannot be written or opened ({Reason(ex)}): check the file's and its folder's permissions",
        _ => null,
    };

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
        catch (SqliteException ex) when (ex.SqliteErrorCode is NotADatabase)
        {
            await connection.DisposeAsync();
            throw new CrawlStoreException($"{path} is not a crawl store: {Reason(ex)}", ex);
        }
        // A store that cannot be written is left to the caller (readers open it read-only instead).
        catch (SqliteException ex) when (ex.SqliteErrorCode is Corrupt or Full && Condition(ex, path) is { } condition)
        {
            await connection.DisposeAsync();
            throw new CrawlStoreException(condition, ex);
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    private const int Permission = 3, ReadOnly = 8, CantOpen = 14, Corrupt = 11, Full = 13, NotADatabase = 26;

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
        // An 8 MB page cache keeps the hot index pages in memory; a larger one bought no speed (known links no longer
        // probe the key index) and only took longer to fill, which a long-running service sees as creeping memory
        // (docs/crawling.md). Checkpoints every 32 MB of WAL instead of SQLite's 4 MB copy each hot page less often.
        await store.ExecAsync("PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=OFF; PRAGMA busy_timeout=5000; PRAGMA cache_size=-8000; PRAGMA wal_autocheckpoint=8192;", ct);
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

    private async Task<long> CountAsync(string sql, CancellationToken ct) => (await QueryAsync(sql, r => r.GetInt64(0), ct))[0];

    public InspectionQueries Queries { get; } = new SqliteInspectionQueries();

    public Task<string> ShardNodeAsync(int shard, CancellationToken ct = default) => Task.FromResult("local");

    public async Task<RawQueryResult> InspectAsync(string sql, IReadOnlyList<(string Name, object? Value)> parameters, CancellationToken ct = default)
    {
        var sw = System.Diagnostics.Stopwatch.StartNew();
        var rows = await QueryAsync(sql, r =>
        {
            var row = new Dictionary<string, object?>(StringComparer.Ordinal);
            for (int i = 0; i < r.FieldCount; i++) row[r.GetName(i)] = r.IsDBNull(i) ? null : r.GetValue(i);
            PageTextCodec.UnpackRow(row);
            foreach (var (name, value) in row)
                if (value is byte[] bytes) row[name] = System.Text.Encoding.UTF8.GetString(bytes);
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
            foreach (var commands in _readCommands.Values)
                foreach (var cmd in commands.Values) await cmd.DisposeAsync();
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
internal sealed class CrawlStoreException(string message, Exception? inner = null) : IOException(message, inner);
