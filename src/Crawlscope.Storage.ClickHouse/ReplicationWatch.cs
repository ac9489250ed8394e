using System.Globalization;

namespace Crawlscope.Storage.ClickHouse;

/// <summary>Where each replicated table's shared log stood when a batch was acknowledged: the server's clock then,
/// and the highest log entry per table (a table of a shard is named by its ZooKeeper path).</summary>
internal sealed record ReplicationMark(DateTime ServerTime, IReadOnlyDictionary<string, long> LogMaxIndex);

/// <summary>
/// Tells when an acknowledged insert is on every replica of its shard. ClickHouse acknowledges an insert once one
/// replica has it; its peers fetch it later, and a replica lost before they did loses it. A replica has the batch
/// when it has copied the shared log past the mark into its queue (<c>log_pointer</c>) and fetched every insert
/// queued before the mark (no insert in its queue older than the acknowledgement); every replica of every table
/// must say so, so a replica that is down holds the batch back.
/// </summary>
internal sealed class ReplicationWatch(ClickHouseClient client, ClickHouseAddress address)
{
    private static readonly string[] TimeFormats = ["yyyy-MM-dd HH:mm:ss"];

    // Set once a node answered with no replicated table: the schema does not change that, so shipping stops asking.
    private bool _unreplicated;

    /// <summary>The mark now; null when the store has no replicated table (an acknowledgement is then enough).</summary>
    public async Task<ReplicationMark?> MarkAsync(CancellationToken ct)
    {
        if (_unreplicated) return null;
        var logMax = new Dictionary<string, long>(StringComparer.Ordinal);
        var reportedBy = new Dictionary<string, Uri>(StringComparer.Ordinal);
        DateTime? now = null;
        ClickHouseException? unreachable = null;
        foreach (var node in address.Nodes)
        {
            IReadOnlyList<IReadOnlyDictionary<string, object?>> rows;
            try
            {
                rows = await ReplicasAsync(node, ct);
            }
            catch (ClickHouseException ex) when (ex.Unreachable)
            {
                unreachable = ex;
                continue;
            }
            if (rows.Count == 0)
            {
                _unreplicated = true;
                return null;
            }
            foreach (var r in rows)
            {
                string path = (string)r["zookeeper_path"]!;
                logMax[path] = Math.Max(logMax.GetValueOrDefault(path, -1), Long(r["log_max_index"]));
                reportedBy.TryAdd(path, node);
                now ??= Time(r["now"]);
            }
        }
        // Log entries are numbered from 0 and an empty log also says 0: a table whose log is empty got nothing from
        // this batch, so nothing is waited for there.
        foreach (var (path, max) in logMax.Where(kv => kv.Value == 0).ToList())
            if (await LogIsEmptyAsync(reportedBy[path], path, ct)) logMax.Remove(path);
        // No node answered: the batch is not counted as confirmed; it is sent again once one does.
        if (now is null) throw unreachable!;
        return new ReplicationMark(now.Value, logMax);
    }

    /// <summary>Whether every replica of every table has everything acknowledged before the mark.</summary>
    public async Task<bool> HoldsAsync(ReplicationMark mark, CancellationToken ct)
    {
        var caughtUp = new Dictionary<string, int>(StringComparer.Ordinal);
        var replicas = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var node in address.Nodes)
        {
            IReadOnlyList<IReadOnlyDictionary<string, object?>> rows;
            try
            {
                rows = await ReplicasAsync(node, ct);
            }
            catch (ClickHouseException)
            {
                // Down, or answering without ZooKeeper: it confirms nothing now.
                return false;
            }
            foreach (var r in rows)
            {
                string path = (string)r["zookeeper_path"]!;
                if (!mark.LogMaxIndex.TryGetValue(path, out long logMax)) continue;
                replicas[path] = Long(r["total_replicas"]);
                bool copied = Long(r["log_pointer"]) > logMax;
                bool fetched = Long(r["inserts_in_queue"]) == 0 || Time(r["inserts_oldest_time"]) > mark.ServerTime;
                if (copied && fetched) caughtUp[path] = caughtUp.GetValueOrDefault(path) + 1;
            }
        }
        return mark.LogMaxIndex.Keys.All(path => replicas.TryGetValue(path, out long total) && caughtUp.GetValueOrDefault(path) >= total);
    }

    private async Task<bool> LogIsEmptyAsync(Uri node, string path, CancellationToken ct) =>
        Long(ClickHouseRows.Row((await client.QueryOnAsync(node,
            $"SELECT count() AS n FROM system.zookeeper WHERE path = {ClickHouseSql.Literal(path + "/log")} FORMAT JSONEachRow", ct)).Trim())["n"]) == 0;

    private async Task<IReadOnlyList<IReadOnlyDictionary<string, object?>>> ReplicasAsync(Uri node, CancellationToken ct) =>
        ClickHouseRows.Rows(await client.QueryOnAsync(node,
            "SELECT zookeeper_path, log_max_index, log_pointer, inserts_in_queue, toString(inserts_oldest_time) AS inserts_oldest_time, total_replicas, " +
            $"toString(now()) AS now FROM system.replicas WHERE database = {ClickHouseSql.Literal(address.Database)} FORMAT JSONEachRow", ct));

    private static long Long(object? value) => Convert.ToInt64(value, CultureInfo.InvariantCulture);

    private static DateTime Time(object? value) =>
        DateTime.ParseExact((string)value!, TimeFormats, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal);
}
