using Crawlscope.Urls;
using Microsoft.Data.Sqlite;

namespace Crawlscope.Storage;

/// <summary>The frontier: the exact, persisted seen-set and the queue of each host.</summary>
public sealed partial class SqliteCrawlStore
{
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
}
