using Crawlscope.Model;

namespace Crawlscope.Storage;

/// <summary>A crawl worker's outbox and metadata: what is written here and not yet shipped to the cluster.</summary>
public sealed partial class SqliteCrawlStore
{
    /// <summary>The oldest rows of the outbox after <paramref name="afterId"/> (up to <paramref name="upToId"/>), up to
    /// about <paramref name="maxBytes"/> of lines; null when there are none.</summary>
    public async Task<OutboxBatch?> OutboxAsync(int maxBytes, CancellationToken ct = default, long afterId = 0, long upToId = long.MaxValue)
    {
        var rows = new List<ReplicaRows>();
        long last = 0, bytes = 0;
        var reader = await _readers.Reader.ReadAsync(ct);
        try
        {
            await using var cmd = reader.CreateCommand();
            cmd.CommandText = "SELECT id, tbl, lines FROM outbox WHERE id > $after AND id <= $upTo ORDER BY id";
            cmd.Parameters.AddWithValue("$after", afterId);
            cmd.Parameters.AddWithValue("$upTo", upToId);
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
}
