using System.Globalization;
using Crawlscope.Model;

namespace Crawlscope.Storage;

/// <summary>Counts for stats, the crawl summary and the overview.</summary>
public sealed partial class SqliteCrawlStore
{
    public async Task<CrawlStats> StatsAsync(CancellationToken ct = default)
    {
        async Task<Dictionary<string, long>> Group(string sql) =>
            (await QueryAsync(sql, r => (r.IsDBNull(0) ? "none" : r.GetValue(0).ToString()!, r.GetInt64(1)), ct)).ToDictionary(x => x.Item1, x => x.Item2);
        var frontier = await Group("SELECT state, COUNT(*) FROM frontier GROUP BY state");
        return new CrawlStats(
            await CountAsync("SELECT COUNT(*) FROM pages", ct),
            frontier.GetValueOrDefault(StateQueued.ToString(CultureInfo.InvariantCulture)),
            frontier.GetValueOrDefault(StateLeased.ToString(CultureInfo.InvariantCulture)),
            await CountAsync("SELECT COUNT(DISTINCT host_id) FROM frontier", ct),
            await Group("SELECT download_http_code, COUNT(*) FROM pages GROUP BY download_http_code ORDER BY 2 DESC"),
            await Group("SELECT failure_reason, COUNT(*) FROM pages WHERE failure_reason IS NOT NULL GROUP BY failure_reason ORDER BY 2 DESC"),
            await Group("SELECT history_drop_reason, COUNT(*) FROM pages WHERE history_drop_reason IS NOT NULL GROUP BY history_drop_reason ORDER BY 2 DESC"),
            await CountAsync("SELECT COUNT(*) FROM fetches", ct),
            await CountAsync("SELECT COALESCE(SUM(bytes), 0) FROM fetches", ct));
    }

    public async Task<CrawlOverview> OverviewAsync(int limit, int buckets, CancellationToken ct = default)
    {
        var stats = await StatsAsync(ct);
        var hosts = await QueryAsync("SELECT host, COUNT(*), SUM(failure_reason IS NOT NULL) FROM pages GROUP BY host ORDER BY 2 DESC, 1 LIMIT $n",
            r => new HostCount(r.GetString(0), r.GetInt64(1), r.GetInt64(2)), ct, ("$n", limit));
        var failures = await QueryAsync("SELECT stamp, url, failure_reason, http_code FROM fetches WHERE failure_reason IS NOT NULL ORDER BY id DESC LIMIT $n",
            r => new RecentFailure(Parse(r.GetString(0)), r.GetString(1), r.GetString(2), r.IsDBNull(3) ? null : r.GetInt32(3)), ct, ("$n", limit));
        // Bucket width adapts to the crawl's span, so a 40-second demo and a day-long crawl both fill the chart.
        var span = await QueryAsync("SELECT MIN(stamp), MAX(stamp) FROM fetches", r => r.IsDBNull(0) ? null : new[] { Parse(r.GetString(0)), Parse(r.GetString(1)) }, ct);
        var points = new List<ThroughputPoint>();
        if (span[0] is [var first, var last])
        {
            long width = Math.Max(1, (long)Math.Ceiling((last - first).TotalSeconds / Math.Max(1, buckets)));
            long start = first.ToUnixTimeSeconds();
            var counts = await QueryAsync("SELECT (unixepoch(stamp) - $start) / $width AS b, COUNT(*) FROM fetches GROUP BY b ORDER BY b",
                r => (r.GetInt64(0), r.GetInt64(1)), ct, ("$start", start), ("$width", width));
            var byBucket = counts.ToDictionary(c => c.Item1, c => c.Item2);
            long lastBucket = counts.Count == 0 ? 0 : counts[^1].Item1;
            for (long b = 0; b <= lastBucket; b++)
                points.Add(new ThroughputPoint(DateTimeOffset.FromUnixTimeSeconds(start + b * width), width, byBucket.GetValueOrDefault(b)));
        }
        return new CrawlOverview(stats, hosts, failures, points);
    }
}
