using System.Globalization;
using Microsoft.Data.Sqlite;
using Crawlscope.Model;
using Crawlscope.Vocabulary;
using Crawlscope.Urls;

namespace Crawlscope.Storage;

// Command plumbing: every value is a parameter; no SQL is built from data.
public sealed partial class SqliteCrawlStore
{
    private static readonly string UpsertPageSql =
        $"INSERT OR REPLACE INTO pages ({string.Join(", ", PageColumnTable.All.Select(c => c.Name))}) " +
        $"VALUES ({string.Join(", ", PageColumnTable.All.Select(c => "$" + c.Name))})";

    private static readonly string[] PageParameterNames = [.. PageColumnTable.All.Select(c => "$" + c.Name)];

    /// <summary>A page's values as the pages table stores them (times as text, flags as 0 or 1, texts packed).</summary>
    private static void BindPage(SqliteCommand cmd, PageRecord p, PackedPageTexts texts)
    {
        var columns = PageColumnTable.All;
        var values = new (string, object?)[columns.Count];
        for (int i = 0; i < columns.Count; i++)
        {
            values[i] = (PageParameterNames[i], columns[i].Name switch
            {
                PageTextCodec.MarkdownColumn => texts.Markdown,
                PageTextCodec.ReadableMarkdownColumn => texts.ReadableMarkdown,
                PageTextCodec.BoilerpipeTextColumn => texts.BoilerpipeText,
                _ => columns[i].Type switch
                {
                    ColumnType.Time => StampOrNull((DateTimeOffset?)columns[i].Value(p)),
                    ColumnType.Flag => (bool)columns[i].Value(p)! ? 1 : 0,
                    _ => columns[i].Value(p),
                },
            });
        }
        Bind(cmd, values);
    }

    private static PageRecord ReadPage(SqliteDataReader r)
    {
        object? Raw(string c) => r.IsDBNull(r.GetOrdinal(c)) ? null : r.GetValue(r.GetOrdinal(c));
        var texts = PageTextCodec.Unpack(Raw(PageTextCodec.MarkdownColumn), Raw(PageTextCodec.ReadableMarkdownColumn), Raw(PageTextCodec.BoilerpipeTextColumn));
        string? S(string c) => c switch
        {
            PageTextCodec.MarkdownColumn => texts.Markdown,
            PageTextCodec.ReadableMarkdownColumn => texts.ReadableMarkdown,
            PageTextCodec.BoilerpipeTextColumn => texts.BoilerpipeText,
            _ => r.IsDBNull(r.GetOrdinal(c)) ? null : r.GetString(r.GetOrdinal(c)),
        };
        long? L(string c) => r.IsDBNull(r.GetOrdinal(c)) ? null : r.GetInt64(r.GetOrdinal(c));
        return PageRecord.FromColumns(S, L, c => ParseOrNull(S(c)));
    }

    /// <summary>A frontier row read with <see cref="FrontierColumns"/> (its rowid, column 12, is the caller's).</summary>
    private static FrontierEntry ReadEntry(SqliteDataReader r)
    {
        var key = UrlKey.Parse(r.GetString(0));
        return new FrontierEntry(key, r.IsDBNull(1) ? key.ToUrl().Href : r.GetString(1), r.GetString(2), r.GetInt32(3), r.GetInt32(4), r.GetInt32(5),
            r.IsDBNull(6) ? null : r.GetString(6), FromMillis(r.GetInt64(7)), r.GetInt32(8), FromMillis(r.GetInt64(9)), r.GetInt32(10),
            r.IsDBNull(11) ? null : r.GetString(11));
    }

    private const string FrontierColumns = """
        f.src_unparsed, f.url, h.name, f.shard, f.depth, f.priority, s.source, f.discovered_at, f.attempts, f.not_before, f.redirect_hops, f.redirect_chain, f.rowid
        FROM frontier f JOIN hosts h ON h.id = f.host_id LEFT JOIN frontier_sources s ON s.id = f.source_id
        """;

    // The frontier's times are Unix milliseconds: a broad crawl queues tens of millions of rows, and an integer
    // takes 6 bytes where the text takes 24.
    internal static long Millis(DateTimeOffset t) => t.ToUnixTimeMilliseconds();
    private static DateTimeOffset FromMillis(long ms) => DateTimeOffset.FromUnixTimeMilliseconds(ms);

    // Timestamps are stored as fixed-width UTC ISO 8601 text, so they sort and compare as text.
    internal static string Stamp(DateTimeOffset t) => t.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);
    private static string? StampOrNull(DateTimeOffset? t) => t is null ? null : Stamp(t.Value);
    internal static DateTimeOffset Parse(string s) => DateTimeOffset.Parse(s, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal);
    private static DateTimeOffset? ParseOrNull(string? s) => s is null ? null : Parse(s);

    private SqliteCommand Command(string sql, SqliteTransaction? tx, params (string Name, object? Value)[] parameters)
    {
        var cmd = _connection.CreateCommand();
        cmd.CommandText = sql;
        cmd.Transaction = tx;
        Bind(cmd, parameters);
        return cmd;
    }

    /// <summary>One INSERT with a VALUES row per item; every value is a parameter ($p0, $p1, ...).</summary>
    private SqliteCommand MultiRow<T>(string insertPrefix, IReadOnlyList<T> items, SqliteTransaction tx, Func<T, object?[]> values)
    {
        var cmd = _connection.CreateCommand();
        cmd.Transaction = tx;
        var sql = new System.Text.StringBuilder(insertPrefix);
        int p = 0;
        for (int i = 0; i < items.Count; i++)
        {
            if (i > 0) sql.Append(',');
            sql.Append('(');
            var row = values(items[i]);
            for (int j = 0; j < row.Length; j++)
            {
                if (j > 0) sql.Append(',');
                string name = "$p" + p++;
                sql.Append(name);
                cmd.Parameters.AddWithValue(name, row[j] ?? DBNull.Value);
            }
            sql.Append(')');
        }
        cmd.CommandText = sql.ToString();
        return cmd;
    }

    private static void Bind(SqliteCommand cmd, params (string Name, object? Value)[] parameters)
    {
        var bound = cmd.Parameters;
        for (int i = 0; i < parameters.Length; i++)
        {
            var (name, value) = parameters[i];
            // A prepared command is bound in the same order every time: its i-th parameter is checked, not searched
            // for (a search per value made binding a page's 40-odd values quadratic).
            if (i < bound.Count && bound[i].ParameterName == name) bound[i].Value = value ?? DBNull.Value;
            else if (bound.Contains(name)) bound[name].Value = value ?? DBNull.Value;
            else bound.AddWithValue(name, value ?? DBNull.Value);
        }
    }

    private async Task ExecAsync(string sql, CancellationToken ct)
    {
        await using var cmd = Command(sql, null);
        await cmd.ExecuteNonQueryAsync(ct);
    }

    private async Task<int> ExecLockedAsync(string sql, CancellationToken ct, params (string Name, object? Value)[] parameters)
    {
        await _lock.WaitAsync(ct);
        try
        {
            await using var cmd = Command(sql, null, parameters);
            return await cmd.ExecuteNonQueryAsync(ct);
        }
        finally
        {
            _lock.Release();
        }
    }

    /// <summary>Writes on the writer's connection in one transaction, committed when <paramref name="work"/> returns.</summary>
    private async Task<T> InTransactionAsync<T>(Func<SqliteTransaction, Task<T>> work, CancellationToken ct)
    {
        await _lock.WaitAsync(ct);
        try
        {
            await using var tx = (SqliteTransaction)await _connection.BeginTransactionAsync(ct);
            var result = await work(tx);
            await tx.CommitAsync(ct);
            return result;
        }
        finally
        {
            _lock.Release();
        }
    }

    /// <summary>A write that returns rows (RETURNING), on the writer's connection.</summary>
    private async Task<List<T>> QueryLockedAsync<T>(string sql, Func<SqliteDataReader, T> read, CancellationToken ct, params (string Name, object? Value)[] parameters)
    {
        await _lock.WaitAsync(ct);
        try
        {
            var result = new List<T>();
            await using var cmd = Command(sql, null, parameters);
            await using var r = await cmd.ExecuteReaderAsync(ct);
            while (await r.ReadAsync(ct)) result.Add(read(r));
            return result;
        }
        finally
        {
            _lock.Release();
        }
    }

    private async Task<T> ScalarAsync<T>(string sql, CancellationToken ct)
    {
        await using var cmd = Command(sql, null);
        return (T)Convert.ChangeType((await cmd.ExecuteScalarAsync(ct))!, typeof(T), CultureInfo.InvariantCulture);
    }

    /// <summary>Reads rows until <paramref name="pick"/> returns a value (then stops reading), or null.</summary>
    private async Task<T?> FirstAsync<T>(string sql, Func<SqliteDataReader, T?> pick, CancellationToken ct, params (string Name, object? Value)[] parameters) where T : class
    {
        T? found = null;
        await ReadRowsAsync(sql, r => (found = pick(r)) is null, ct, parameters);
        return found;
    }

    /// <summary>Runs a read query; <paramref name="read"/> maps each row.</summary>
    internal async Task<List<T>> QueryAsync<T>(string sql, Func<SqliteDataReader, T> read, CancellationToken ct, params (string Name, object? Value)[] parameters)
    {
        var result = new List<T>();
        await ReadRowsAsync(sql, r =>
        {
            result.Add(read(r));
            return true;
        }, ct, parameters);
        return result;
    }

    /// <summary>
    /// Runs a read query on a reader connection, handing each row to <paramref name="row"/> until it returns
    /// false. WAL lets readers see the last commit while the writer writes, so lookups never wait for a batch.
    /// </summary>
    private async Task ReadRowsAsync(string sql, Func<SqliteDataReader, bool> row, CancellationToken ct, (string Name, object? Value)[] parameters)
    {
        var reader = await _readers.Reader.ReadAsync(ct);
        SqliteCommand? uncached = null;
        try
        {
            var cmd = ReadCommand(reader, sql) ?? (uncached = new SqliteCommand(sql, reader));
            Bind(cmd, parameters);
            await using var r = await cmd.ExecuteReaderAsync(ct);
            while (await r.ReadAsync(ct) && row(r))
            {
            }
        }
        finally
        {
            if (uncached is not null) await uncached.DisposeAsync();
            _readers.Writer.TryWrite(reader);
        }
    }

    // Each reader connection keeps its commands for the reads it ran (statements prepared once: preparing a page's
    // read anew cost 8 % of a crawl's managed CPU). Only the holder of a connection touches its commands.
    private readonly System.Collections.Concurrent.ConcurrentDictionary<SqliteConnection, Dictionary<string, SqliteCommand>> _readCommands = new();
    private const int MaxReadCommands = 64;

    /// <summary>The connection's command for the SQL, made on first use; null once the connection holds as many as it
    /// keeps (queries built per call, such as the inspector's, then get a command of their own).</summary>
    private SqliteCommand? ReadCommand(SqliteConnection reader, string sql)
    {
        var commands = _readCommands.GetOrAdd(reader, _ => new Dictionary<string, SqliteCommand>(StringComparer.Ordinal));
        if (commands.TryGetValue(sql, out var cmd)) return cmd;
        if (commands.Count >= MaxReadCommands) return null;
        return commands[sql] = new SqliteCommand(sql, reader);
    }
}
