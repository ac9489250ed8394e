using Crawlscope.Model;

namespace Crawlscope.Storage;

/// <summary>The operator's bans (fh_dont_index).</summary>
public sealed partial class SqliteCrawlStore
{
    public async Task BanAsync(string name, string? reason, OperatorAction? audit = null, CancellationToken ct = default) =>
        await InTransactionAsync(async tx =>
        {
            await using var ban = Command("INSERT OR REPLACE INTO bans (name, reason, created) VALUES ($n, $r, $c)", tx,
                ("$n", name.ToLowerInvariant()), ("$r", reason), ("$c", Stamp(Time.GetUtcNow())));
            await ban.ExecuteNonQueryAsync(ct);
            if (audit is not null) await AuditAsync(audit, tx, ct);
            return true;
        }, ct);

    public async Task<bool> UnbanAsync(string name, OperatorAction? audit = null, CancellationToken ct = default) =>
        await InTransactionAsync(async tx =>
        {
            await using var unban = Command("DELETE FROM bans WHERE name = $n", tx, ("$n", name.ToLowerInvariant()));
            bool removed = await unban.ExecuteNonQueryAsync(ct) > 0;
            if (removed && audit is not null) await AuditAsync(audit, tx, ct);
            return removed;
        }, ct);

    public async Task<IReadOnlyList<BanRecord>> BansAsync(CancellationToken ct = default) =>
        await QueryAsync("SELECT name, reason, created FROM bans ORDER BY name",
            r => new BanRecord(r.GetString(0), r.IsDBNull(1) ? null : r.GetString(1), Parse(r.GetString(2))), ct);
}
