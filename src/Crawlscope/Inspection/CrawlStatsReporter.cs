using System.Globalization;
using Crawlscope.Model;

namespace Crawlscope.Inspection;

/// <summary>Requests of one day with one kind of answer.</summary>
public sealed record DailyFetches(string Day, string ResponseClass, long Requests, double MeanMs);

/// <summary>Requests of one content type (its parameters left out), of one host, or that failed one way.</summary>
public sealed record FetchCount(string Name, long Requests);

/// <summary>One host's requests, those that got no answer, and its mean response time.</summary>
public sealed record HostFetches(string Host, long Requests, long NoAnswer, double MeanMs);

/// <summary>A host's robots.txt as last fetched.</summary>
public sealed record RobotsStatusRow(string HostKey, int? Status, string Action, string? FetchedAt);

/// <summary>
/// The crawl stats report, from the fetch history (Search Console's Crawl stats, on our own crawl): requests per day by
/// response class, by content type, by purpose (discovery: a URL's first fetch; recrawl: the ones after), by host;
/// fetches that got no answer by failure; each host's robots.txt; the mean response time; and the SQL of each count.
/// </summary>
public sealed record CrawlStatsReport
{
    public string? Host { get; init; }
    public long Requests { get; init; }
    public long Discovery { get; init; }
    public long Recrawl { get; init; }
    public double MeanResponseMs { get; init; }
    public long Bytes { get; init; }
    public required IReadOnlyList<DailyFetches> Daily { get; init; }
    public required IReadOnlyList<FetchCount> ContentTypes { get; init; }
    public required IReadOnlyList<HostFetches> Hosts { get; init; }
    public required IReadOnlyList<FetchCount> Failures { get; init; }
    public required IReadOnlyList<RobotsStatusRow> Robots { get; init; }
    public required IReadOnlyList<ReportQuery> Queries { get; init; }
}

public sealed class CrawlStatsReporter(IInspectionSource store)
{
    public async Task<CrawlStatsReport> ReportAsync(string? host = null, CancellationToken ct = default)
    {
        host = string.IsNullOrWhiteSpace(host) ? null : host.Trim().ToLowerInvariant();
        var q = store.Queries;
        bool one = host is not null;
        var queries = new ReportQueries(store, [("$host", host), ("$limit", 100)], ct);
        async Task<IReadOnlyList<IReadOnlyDictionary<string, object?>>> Run(string name, string sql) => (await queries.RunAsync(name, sql)).Rows;
        var daily = Run("requests by day and response", q.FetchesByDay(one));
        var types = Run("requests by content type", q.FetchesByType(one));
        var totals = Run("requests, URLs, time, bytes", q.FetchTotals(one));
        var hosts = Run("requests by host", q.FetchesByHost(one));
        var failures = Run("fetches without an answer", q.FetchFailures(one));
        var robots = Run("robots.txt by host", q.RobotsStatus);
        var total = (await totals).FirstOrDefault();
        long requests = Long(total?["fetches"]), urls = Long(total?["urls"]);
        return new CrawlStatsReport
        {
            Host = host,
            Requests = requests,
            Discovery = urls,
            Recrawl = requests - urls,
            MeanResponseMs = Double(total?["ms"]),
            Bytes = Long(total?["bytes"]),
            Daily = (await daily).Select(r => new DailyFetches((string)r["day"]!, (string)r["class"]!, Long(r["n"]), Double(r["ms"]))).ToList(),
            // Parameters (charset) left out: text/html with and without one is one type.
            ContentTypes = (await types).GroupBy(r => ((string?)r["content_type"] ?? "").Split(';')[0].Trim() is { Length: > 0 } t ? t : "none")
                .Select(g => new FetchCount(g.Key, g.Sum(r => Long(r["n"])))).OrderByDescending(c => c.Requests).ThenBy(c => c.Name, StringComparer.Ordinal).ToList(),
            Hosts = (await hosts).Select(r => new HostFetches((string)r["host"]!, Long(r["n"]), Long(r["no_answer"]), Double(r["ms"]))).ToList(),
            Failures = (await failures).Select(r => new FetchCount((string)r["failure"]!, Long(r["n"]))).ToList(),
            Robots = (await robots).Where(r => host is null || ((string)r["host_key"]!).Contains("//" + host, StringComparison.Ordinal))
                .Select(r => new RobotsStatusRow((string)r["host_key"]!, r["status"] is { } s ? Convert.ToInt32(s, CultureInfo.InvariantCulture) : null,
                    (string)r["action"]!, r["fetched_at"]?.ToString())).ToList(),
            Queries = queries.Ran(),
        };
    }

    private static long Long(object? v) => ReportQueries.Long(v);
    private static double Double(object? v) => v is null ? 0 : Math.Round(Convert.ToDouble(v, CultureInfo.InvariantCulture), 1);
}
