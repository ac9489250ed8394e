using System.Globalization;
using Microsoft.Data.Sqlite;
using Crawlscope.Model;
using Crawlscope.Urls;

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
            BeginFrontierWrites();
            var newlySeen = _worker is null || !replicate ? null : new List<FrontierEntry>();
            int added = 0;
            foreach (var e in entries) added += InsertFrontier(e, tx, newlySeen);
            if (newlySeen is not null) WriteOutbox(_worker!.Replica.Discovered(newlySeen), tx);
            await tx.CommitAsync(ct);
            FrontierWritesCommitted();
            return added;
        }
        finally
        {
            _lock.Release();
        }
    }

    /// <summary>Queued and in-flight URLs, read together (one snapshot).</summary>
    public async Task<(long Queued, long Leased)> FrontierCountsAsync(CancellationToken ct = default) =>
        (await QueryAsync($"SELECT (SELECT COUNT(*) FROM frontier WHERE state = {StateQueued}), (SELECT COUNT(*) FROM frontier WHERE state = {StateLeased})", r => (r.GetInt64(0), r.GetInt64(1)), ct))[0];

    /// <summary>In host number order, read from the frontier's (state, host) index from <paramref name="after"/> on.</summary>
    public async Task<IReadOnlyList<QueuedHost>> QueuedHostsAsync(long after = 0, int limit = int.MaxValue, CancellationToken ct = default) =>
        await QueryAsync($"""
            SELECT h.name, q.ready, q.host_id FROM (SELECT host_id, MIN(not_before) AS ready FROM frontier WHERE state = {StateQueued} AND host_id > $after
                GROUP BY host_id ORDER BY host_id LIMIT $limit) q JOIN hosts h ON h.id = q.host_id ORDER BY q.host_id
            """, r => new QueuedHost(r.GetString(0), FromMillis(r.GetInt64(1)), r.GetInt64(2)), ct, ("$after", after), ("$limit", limit));

    public IReadOnlyCollection<string> TakeNewlyQueuedHosts() => _frontierHosts.TakeQueued();

    public async Task<IReadOnlyList<FrontierEntry>> LeaseAsync(string host, DateTimeOffset now, int max, CancellationToken ct = default)
    {
        await _lock.WaitAsync(ct);
        try
        {
            var entries = new List<FrontierEntry>(max);
            var rows = new List<long>(max);
            await using (var cmd = Command($"""
                SELECT {FrontierColumns}
                WHERE f.state = {StateQueued} AND f.host_id = (SELECT id FROM hosts WHERE name = $host) AND f.not_before <= $now
                ORDER BY f.priority, f.depth, f.rowid LIMIT $max
                """, null, ("$host", host), ("$now", Millis(now)), ("$max", max)))
            await using (var r = await cmd.ExecuteReaderAsync(ct))
            {
                while (await r.ReadAsync(ct))
                {
                    entries.Add(ReadEntry(r));
                    rows.Add(r.GetInt64(12));
                }
            }
            if (entries.Count == 0) return entries;
            await using var tx = (SqliteTransaction)await _connection.BeginTransactionAsync(ct);
            foreach (long row in rows)
            {
                await using var cmd = Command($"UPDATE frontier SET state = {StateLeased} WHERE rowid = $row", tx, ("$row", row));
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
        ExecLockedAsync($"UPDATE frontier SET state = {StateQueued}, not_before = $nb, attempts = $a WHERE src_unparsed = $key", ct,
            ("$nb", Millis(notBefore)), ("$a", attempts), ("$key", key.Value));

    /// <summary>Also hands the hosts of the requeued URLs to <see cref="TakeNewlyQueuedHosts"/>. New bounds are applied
    /// to the stored pages once (a scan of the pages), not on every call.</summary>
    public async Task<int> RequeueDueAsync(DateTimeOffset dueBy, DateTimeOffset now, RecrawlBounds? bounds = null, CancellationToken ct = default)
    {
        if (bounds is not null && bounds != _recrawlBoundsApplied)
        {
            await ApplyRecrawlBoundsAsync(bounds, now, ct);
            _recrawlBoundsApplied = bounds;
        }
        var hostIds = await QueryLockedAsync($"""
            UPDATE frontier SET state = {StateQueued}, attempts = 0, not_before = $now, redirect_hops = 0, redirect_chain = NULL
            WHERE state = {StateDone} AND src_unparsed IN (SELECT src_unparsed FROM pages WHERE next_fetch IS NOT NULL AND next_fetch <= $due)
            RETURNING host_id
            """, r => r.GetInt64(0), ct, ("$now", Millis(now)), ("$due", Stamp(dueBy)));
        if (hostIds.Count == 0) return 0;
        var names = new List<string>();
        foreach (long id in hostIds.Distinct())
            names.AddRange(await QueryAsync("SELECT name FROM hosts WHERE id = $id", r => r.GetString(0), ct, ("$id", id)));
        _frontierHosts.QueuedNow(names);
        return hostIds.Count;
    }

    private RecrawlBounds? _recrawlBoundsApplied;

    /// <summary>Brings every stored page's next fetch within the bounds, counted from its last download, or from now
    /// for a URL never downloaded (one robots.txt refused). The stamps are fixed-width ISO 8601 text, which strftime
    /// writes alike.</summary>
    private Task<int> ApplyRecrawlBoundsAsync(RecrawlBounds bounds, DateTimeOffset now, CancellationToken ct)
    {
        const string latest = "strftime('%Y-%m-%dT%H:%M:%fZ', COALESCE(download_stamp, $now), $longest)",
            earliest = "strftime('%Y-%m-%dT%H:%M:%fZ', COALESCE(download_stamp, $now), $shortest)";
        return ExecLockedAsync($"""
            UPDATE pages SET next_fetch = CASE WHEN next_fetch > {latest} THEN {latest} ELSE {earliest} END
            WHERE next_fetch IS NOT NULL AND (next_fetch > {latest} OR next_fetch < {earliest})
            """, ct, ("$longest", Modifier(bounds.Longest)), ("$shortest", Modifier(bounds.Shortest)), ("$now", Stamp(now)));

        static string Modifier(TimeSpan span) => $"+{span.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture)} seconds";
    }

    public async Task<int> RecoverLeasesAsync(CancellationToken ct = default) =>
        await ExecLockedAsync($"UPDATE frontier SET state = {StateQueued} WHERE state = {StateLeased}", ct);

    public async Task<DateTimeOffset?> NextReadyAsync(CancellationToken ct = default)
    {
        var values = await QueryAsync($"SELECT MIN(not_before) FROM frontier WHERE state = {StateQueued}", r => r.IsDBNull(0) ? (long?)null : r.GetInt64(0), ct);
        return values.Count == 0 || values[0] is not { } first ? null : FromMillis(first);
    }
}
