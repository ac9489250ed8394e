using Microsoft.Data.Sqlite;
using Crawlscope.Model;

namespace Crawlscope.Storage;

/// <summary>robots.txt copies, kept for 24 hours so a restart does not fetch them again.</summary>
public sealed partial class SqliteCrawlStore
{
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
}
