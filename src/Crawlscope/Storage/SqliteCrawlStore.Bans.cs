using Crawlscope.Model;

namespace Crawlscope.Storage;

/// <summary>The operator's bans (fh_dont_index).</summary>
public sealed partial class SqliteCrawlStore
{
    public Task BanAsync(string name, string? reason, CancellationToken ct = default) =>
        ExecLockedAsync("INSERT OR REPLACE INTO bans (name, reason, created) VALUES ($n, $r, $c)", ct,
            ("$n", name.ToLowerInvariant()), ("$r", reason), ("$c", Stamp(Time.GetUtcNow())));

    public async Task<bool> UnbanAsync(string name, CancellationToken ct = default) =>
        await ExecLockedAsync("DELETE FROM bans WHERE name = $n", ct, ("$n", name.ToLowerInvariant())) > 0;

    public async Task<IReadOnlyList<BanRecord>> BansAsync(CancellationToken ct = default) =>
        await QueryAsync("SELECT name, reason, created FROM bans ORDER BY name",
            r => new BanRecord(r.GetString(0), r.IsDBNull(1) ? null : r.GetString(1), Parse(r.GetString(2))), ct);
}
