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

    /// <summary>Forgets outbox rows up to <paramref name="lastId"/>, once the other store has them, and drops the
    /// texts of the pages they shipped: the worker keeps what its crawl needs (frontier, seen set, recrawl state,
    /// content hashes), the cluster the rest. (Were a statement after the first lost to a crash, the next call covers it.)</summary>
    public Task ShippedAsync(long lastId, CancellationToken ct = default) =>
        ExecLockedAsync($"""
            DELETE FROM outbox WHERE id <= $id;
            UPDATE pages SET {string.Join(", ", ShippedAwayColumns.Select(c => c + " = NULL"))}
                WHERE src_unparsed IN (SELECT src_unparsed FROM page_shipping WHERE outbox_id <= $id);
            DELETE FROM page_shipping WHERE outbox_id <= $id;
            """, ct, ("$id", lastId));

    /// <summary>A shipped page's columns a worker does not keep: what only readers want, and they read the cluster.</summary>
    private static readonly string[] ShippedAwayColumns =
    [
        PageTextCodec.MarkdownColumn, PageTextCodec.ReadableMarkdownColumn, PageTextCodec.BoilerpipeTextColumn,
        "response_headers", "spam_signals", "meta_title", "meta_description", "render_details",
    ];

    /// <summary>Whether a cluster worker's stored page was shipped and its texts dropped (<see cref="ShippedAsync"/>):
    /// its whole record is then the cluster's. Only a worker's store may ask: an embedded store ships nothing.</summary>
    public async Task<bool> ShippedAwayAsync(string srcUnparsed, CancellationToken ct = default) =>
        (await QueryAsync("SELECT 1 FROM page_shipping WHERE src_unparsed = $k", r => r.GetInt64(0), ct, ("$k", srcUnparsed))).Count == 0;

    /// <summary>Rewrites the file with its live rows only. Rows that shrank when their texts were dropped leave
    /// their pages mostly empty, and SQLite does not merge them; a finished worker's state is a tenth of its file.</summary>
    public Task CompactFileAsync(CancellationToken ct = default) => ExecLockedAsync("VACUUM", ct);

    public Task<long> OutboxCountAsync(CancellationToken ct = default) => CountAsync("SELECT COUNT(*) FROM outbox", ct);

    public async Task<string?> GetMetaAsync(string name, CancellationToken ct = default)
    {
        var rows = await QueryAsync("SELECT value FROM meta WHERE name = $n", r => r.GetString(0), ct, ("$n", name));
        return rows.Count == 0 ? null : rows[0];
    }

    public Task SetMetaAsync(string name, string value, CancellationToken ct = default) =>
        ExecLockedAsync("INSERT OR REPLACE INTO meta (name, value) VALUES ($n, $v)", ct, ("$n", name), ("$v", value));
}
