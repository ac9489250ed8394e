using System.Diagnostics;
using System.Globalization;
using System.Text;
using Crawlscope.Model;

namespace Crawlscope.Storage.ClickHouse;

/// <summary>Counts for stats, the crawl summary and the overview, read from the cluster.</summary>
public sealed partial class ClickHouseCrawlStore
{
    public async Task<CrawlStats> StatsAsync(CancellationToken ct = default)
    {
        async Task<Dictionary<string, long>> Group(string sql) =>
            (await RowsAsync(sql, ct)).ToDictionary(r => r["k"]?.ToString() ?? "none", r => Convert.ToInt64(r["n"], CultureInfo.InvariantCulture));
        // Queue sizes are the workers' own, as each reported in its last heartbeat.
        var queue = (await RowsAsync("SELECT sum(queued) AS queued, sum(leased) AS leased FROM workers FINAL", ct)).FirstOrDefault();
        var fetches = (await RowsAsync("SELECT count() AS n, sum(bytes) AS bytes FROM fetches FINAL", ct))[0];
        return new CrawlStats(
            await PageCountAsync(ct),
            Convert.ToInt64(queue?["queued"] ?? 0L, CultureInfo.InvariantCulture),
            Convert.ToInt64(queue?["leased"] ?? 0L, CultureInfo.InvariantCulture),
            await CountAsync("SELECT uniqExact(host) FROM discovered", ct),
            await Group("SELECT download_http_code AS k, count() AS n FROM pages FINAL GROUP BY k ORDER BY n DESC"),
            await Group("SELECT failure_reason AS k, count() AS n FROM pages FINAL WHERE failure_reason IS NOT NULL GROUP BY k ORDER BY n DESC"),
            await Group("SELECT history_drop_reason AS k, count() AS n FROM pages FINAL WHERE history_drop_reason IS NOT NULL GROUP BY k ORDER BY n DESC"),
            Convert.ToInt64(fetches["n"], CultureInfo.InvariantCulture),
            Convert.ToInt64(fetches["bytes"], CultureInfo.InvariantCulture));
    }

    public async Task<QueueCounts> QueueCountsAsync(DateTimeOffset now, CancellationToken ct = default)
    {
        var queue = (await RowsAsync("SELECT sum(queued) AS queued, sum(leased) AS leased FROM workers FINAL", ct)).FirstOrDefault();
        long due = await CountAsync("SELECT count() FROM pages FINAL WHERE next_fetch <= $now", ct, ("$now", now));
        return new QueueCounts(Convert.ToInt64(queue?["queued"] ?? 0L, CultureInfo.InvariantCulture), Convert.ToInt64(queue?["leased"] ?? 0L, CultureInfo.InvariantCulture), due);
    }

    public async Task<CrawlOverview> OverviewAsync(int limit, int buckets, CancellationToken ct = default)
    {
        var stats = await StatsAsync(ct);
        var hosts = (await RowsAsync("SELECT host, count() AS pages, countIf(failure_reason IS NOT NULL) AS failures FROM pages FINAL GROUP BY host ORDER BY pages DESC, host LIMIT $n", ct, ("$n", limit)))
            .Select(r => new HostCount((string)r["host"]!, Convert.ToInt64(r["pages"], CultureInfo.InvariantCulture), Convert.ToInt64(r["failures"], CultureInfo.InvariantCulture))).ToList();
        var failures = (await RowsAsync("SELECT stamp, url, failure_reason, http_code FROM fetches FINAL WHERE failure_reason IS NOT NULL ORDER BY stamp DESC, id DESC LIMIT $n", ct, ("$n", limit)))
            .Select(r => new RecentFailure(ClickHouseRows.Time((string?)r["stamp"])!.Value, (string)r["url"]!, (string)r["failure_reason"]!,
                r["http_code"] is { } c ? Convert.ToInt32(c, CultureInfo.InvariantCulture) : null)).ToList();
        var points = new List<ThroughputPoint>();
        var span = (await RowsAsync("SELECT toUInt32(min(stamp)) AS first, toUInt32(max(stamp)) AS last, count() AS n FROM fetches", ct))[0];
        if (Convert.ToInt64(span["n"], CultureInfo.InvariantCulture) > 0)
        {
            long first = Convert.ToInt64(span["first"], CultureInfo.InvariantCulture), last = Convert.ToInt64(span["last"], CultureInfo.InvariantCulture);
            long width = Math.Max(1, (long)Math.Ceiling((last - first) / (double)Math.Max(1, buckets)));
            var counts = (await RowsAsync("SELECT intDiv(toUInt32(stamp) - $start, $width) AS b, count() AS n FROM fetches FINAL GROUP BY b ORDER BY b", ct, ("$start", first), ("$width", width)))
                .ToDictionary(r => Convert.ToInt64(r["b"], CultureInfo.InvariantCulture), r => Convert.ToInt64(r["n"], CultureInfo.InvariantCulture));
            long lastBucket = counts.Count == 0 ? 0 : counts.Keys.Max();
            for (long b = 0; b <= lastBucket; b++)
                points.Add(new ThroughputPoint(DateTimeOffset.FromUnixTimeSeconds(first + b * width), width, counts.GetValueOrDefault(b)));
        }
        // Each worker's rate: the fetches of its shards over the last minute (one query for all of them).
        var lastMinute = (await RowsAsync($"SELECT shard, count() AS n FROM fetches FINAL WHERE stamp > now() - {RateWindowSeconds} GROUP BY shard", ct))
            .ToDictionary(r => Convert.ToInt32(r["shard"], CultureInfo.InvariantCulture), r => Convert.ToInt64(r["n"], CultureInfo.InvariantCulture));
        var workers = (await WorkersAsync(ct)).Select(w => new WorkerStatus(w.Worker, w.Shards.ToString(), w.Queued, w.Leased, w.Unshipped, w.Heartbeat, w.Departed)
        {
            PagesPerSecond = lastMinute.Where(s => s.Key >= w.Shards.From && s.Key <= w.Shards.To).Sum(s => s.Value) / (double)RateWindowSeconds,
        }).ToList();
        return new CrawlOverview(stats, hosts, failures, points, workers, await NodesAsync(ct));
    }

    private const int RateWindowSeconds = 60;

    /// <summary>Every server the store URL lists, asked directly: one that does not answer is listed as down, with why.</summary>
    public async Task<IReadOnlyList<StoreNode>> NodesAsync(CancellationToken ct = default)
    {
        var nodes = new List<StoreNode>();
        foreach (var node in Address.Nodes)
        {
            try
            {
                var macros = await ClickHouseSchemaInstaller.MacrosAsync(_client, node, ct);
                var queue = ClickHouseRows.Row((await _client.QueryOnAsync(node,
                    $"SELECT sum(queue_size) AS q FROM system.replicas WHERE database = {ClickHouseSql.Literal(_db)} FORMAT JSONEachRow", ct)).Trim());
                nodes.Add(new StoreNode(node.Authority, macros.GetValueOrDefault("shard"), macros.GetValueOrDefault("replica"), true,
                    Convert.ToInt64(queue["q"] ?? 0L, CultureInfo.InvariantCulture), null));
            }
            catch (ClickHouseException ex)
            {
                nodes.Add(new StoreNode(node.Authority, null, null, false, 0, ex.Unreachable ? "does not answer" : ex.Message.Split('\n')[0]));
            }
        }
        return nodes;
    }
}
