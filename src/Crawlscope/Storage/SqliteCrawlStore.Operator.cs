using Microsoft.Data.Sqlite;
using Crawlscope.Model;
using Crawlscope.Urls;
using Crawlscope.Vocabulary;

namespace Crawlscope.Storage;

/// <summary>What a running crawl's operator reads and does: submissions, a host's queue, the queue's size, the audit log.</summary>
public sealed partial class SqliteCrawlStore
{
    public async Task<Submission> SubmitAsync(FrontierEntry entry, bool requeueKnown, DateTimeOffset now, OperatorAction? audit = null, CancellationToken ct = default)
    {
        await _lock.WaitAsync(ct);
        try
        {
            await using var tx = (SqliteTransaction)await _connection.BeginTransactionAsync(ct);
            int? state = null;
            await using (var read = Command("SELECT state FROM frontier WHERE src_unparsed = $k", tx, ("$k", entry.Key.Value)))
                if (await read.ExecuteScalarAsync(ct) is long s) state = (int)s;
            Submission result;
            if (state is null)
            {
                BeginFrontierWrites();
                var newlySeen = _worker is null ? null : new List<FrontierEntry>();
                InsertFrontier(entry with { NotBefore = now }, tx, newlySeen);
                if (newlySeen is not null) WriteOutbox(_worker!.Replica.Discovered(newlySeen), tx);
                if (audit is not null) await AuditAsync(audit with { Detail = StoreNames.Of(SubmitOutcome.Added) }, tx, ct);
                await tx.CommitAsync(ct);
                FrontierWritesCommitted();
                bool elsewhere = _worker is not null && !_worker.OwnsShard(entry.Shard);
                return new Submission(SubmitOutcome.Added, elsewhere ? FrontierState.Elsewhere : FrontierState.Queued);
            }
            if (requeueKnown && state is StateQueued or StateDone)
            {
                await using var update = Command($"""
                    UPDATE frontier SET state = {StateQueued}, priority = $p, not_before = $now, attempts = 0, redirect_hops = 0, redirect_chain = NULL
                    WHERE src_unparsed = $k
                    """, tx, ("$p", FrontierEntry.SubmittedPriority), ("$now", Millis(now)), ("$k", entry.Key.Value));
                await update.ExecuteNonQueryAsync(ct);
                result = new Submission(SubmitOutcome.Requeued, FrontierState.Queued);
                if (audit is not null) await AuditAsync(audit with { Detail = StoreNames.Of(SubmitOutcome.Requeued) }, tx, ct);
                await tx.CommitAsync(ct);
                _frontierHosts.QueuedNow([entry.Host]);
                return result;
            }
            else result = new Submission(SubmitOutcome.Known, StateOf(state.Value));
            await tx.CommitAsync(ct);
            return result;
        }
        finally
        {
            _lock.Release();
        }
    }

    public async Task<IReadOnlyList<QueuedUrl>> QueueAsync(string host, int limit, CancellationToken ct = default) =>
        await QueryAsync($"""
            SELECT src_unparsed, url, state, priority, depth, attempts, not_before FROM frontier
            WHERE host_id = (SELECT id FROM hosts WHERE name = $h) AND state IN ({StateQueued}, {StateLeased}) ORDER BY state DESC, priority, depth, rowid LIMIT $n
            """, r => new QueuedUrl(r.IsDBNull(1) ? UrlKey.Parse(r.GetString(0)).ToUrl().Href : r.GetString(1), StateOf(r.GetInt32(2)), r.GetInt32(3), r.GetInt32(4),
                r.GetInt32(5), FromMillis(r.GetInt64(6))),
            ct, ("$h", host), ("$n", limit));

    public async Task<QueueCounts> QueueCountsAsync(DateTimeOffset now, CancellationToken ct = default) =>
        (await QueryAsync($"""
            SELECT (SELECT COUNT(*) FROM frontier WHERE state = {StateQueued}), (SELECT COUNT(*) FROM frontier WHERE state = {StateLeased}),
                   (SELECT COUNT(*) FROM pages WHERE next_fetch IS NOT NULL AND next_fetch <= $now)
            """, r => new QueueCounts(r.GetInt64(0), r.GetInt64(1), r.GetInt64(2)), ct, ("$now", Stamp(now))))[0];

    public Task RecordAsync(OperatorAction action, CancellationToken ct = default) =>
        ExecLockedAsync(AuditInsert, ct, AuditParameters(action));

    private const string AuditInsert = "INSERT INTO operator_actions (stamp, actor, action, target, site, detail) VALUES ($s, $a, $x, $t, $site, $d)";

    private static (string, object?)[] AuditParameters(OperatorAction action) =>
        [("$s", Stamp(action.Stamp)), ("$a", action.Actor), ("$x", action.Action), ("$t", action.Target), ("$site", action.Site), ("$d", action.Detail)];

    /// <summary>The audit row inside the caller's transaction, so the action and its record commit together.</summary>
    private async Task AuditAsync(OperatorAction action, SqliteTransaction tx, CancellationToken ct)
    {
        await using var insert = Command(AuditInsert, tx, AuditParameters(action));
        await insert.ExecuteNonQueryAsync(ct);
    }

    public async Task<IReadOnlyList<OperatorAction>> RecentActionsAsync(int limit, CancellationToken ct = default) =>
        await QueryAsync("SELECT stamp, actor, action, target, site, detail FROM operator_actions ORDER BY stamp DESC, id DESC LIMIT $n",
            r => new OperatorAction(Parse(r.GetString(0)), r.GetString(1), r.GetString(2), r.GetString(3), r.IsDBNull(4) ? null : r.GetString(4),
                r.IsDBNull(5) ? null : r.GetString(5)), ct, ("$n", limit));

    public async Task<long> CountActionsAsync(string site, IReadOnlyList<string> actions, DateTimeOffset since, CancellationToken ct = default)
    {
        var names = actions.Select((a, i) => ($"$a{i}", (object?)a)).ToList();
        string sql = $"SELECT COUNT(*) FROM operator_actions WHERE site = $site AND stamp >= $since AND action IN ({string.Join(", ", names.Select(n => n.Item1))})";
        return (await QueryAsync(sql, r => r.GetInt64(0), ct, [("$site", site), ("$since", Stamp(since)), .. names]))[0];
    }
}
