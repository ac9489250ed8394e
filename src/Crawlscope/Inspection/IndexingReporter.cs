using System.ComponentModel;
using System.Globalization;
using System.Text.Json.Serialization;
using Crawlscope.Model;
using Crawlscope.Vocabulary;

namespace Crawlscope.Inspection;

/// <summary>One reason of the page indexing report: how many URLs have it as their primary reason, and a few of them.</summary>
public sealed record ReasonCount(
    [property: JsonConverter(typeof(SnakeCaseEnumConverter<IndexingReason>))] IndexingReason Reason,
    string Label,
    bool Indexed,
    long Count,
    [property: Description("The first URLs of the reason in key order; each opens its inspection.")] IReadOnlyList<string> Examples);

/// <summary>Stored pages by the day of their last fetch, indexed and not.</summary>
public sealed record DailyIndexing(string Day, long Indexed, long NotIndexed);

/// <summary>A query the report ran, shown verbatim as the inspector shows its checks.</summary>
public sealed record ReportQuery(string Name, string Sql, double ElapsedMs);

/// <summary>
/// The page indexing report of a crawl, a host or a path prefix: every URL the crawler knows, counted by its
/// primary reason (the same rule the inspector's verdict uses, evaluated by the store), with examples, the daily
/// history, and the exact SQL of each count. With a reason, the URLs of that reason, paged.
/// </summary>
public sealed record IndexingReport
{
    public string? Host { get; init; }
    public string? Prefix { get; init; }
    [Description("URLs known: stored pages and URLs queued, not stored yet.")] public long Total { get; init; }
    public long Indexed { get; init; }
    public long NotIndexed { get; init; }
    public required IReadOnlyList<ReasonCount> Reasons { get; init; }
    public required IReadOnlyList<DailyIndexing> Daily { get; init; }
    [JsonConverter(typeof(SnakeCaseEnumConverter<IndexingReason>))] public IndexingReason? Reason { get; init; }
    [Description("With reason=: that reason's URLs from offset, at most limit.")] public IReadOnlyList<string>? Urls { get; init; }
    public int Offset { get; init; }
    public int Limit { get; init; }
    public required IReadOnlyList<ReportQuery> Queries { get; init; }
}

/// <summary>Builds the <see cref="IndexingReport"/> from the store's own SQL (<see cref="InspectionQueries"/>).</summary>
public sealed class IndexingReporter(IInspectionSource store, InspectionOptions? options = null)
{
    public const int MaxLimit = 1000;
    private readonly InspectionOptions _options = options ?? new InspectionOptions();
    private readonly InspectionQueries _queries = store.Queries;

    /// <param name="host">Only this host's URLs (lower-case name), or every host.</param>
    /// <param name="prefix">Only stored pages whose URL starts with this (queued URLs are counted by host only).</param>
    /// <param name="reason">Also list this reason's URLs, <paramref name="limit"/> from <paramref name="offset"/>.</param>
    public async Task<IndexingReport> ReportAsync(string? host = null, string? prefix = null, IndexingReason? reason = null, int limit = 100, int offset = 0,
        int examples = 3, CancellationToken ct = default)
    {
        if (limit is < 1 or > MaxLimit) throw new InspectionInputException($"limit must be between 1 and {MaxLimit}");
        if (offset < 0) throw new InspectionInputException("offset must be 0 or more");
        host = string.IsNullOrWhiteSpace(host) ? null : host.Trim().ToLowerInvariant();
        prefix = string.IsNullOrEmpty(prefix) ? null : prefix;
        int months = _options.MaxAgeMonths;
        var queries = new ReportQueries(store, [("$host", host), ("$prefix", prefix)], ct);
        var countsTask = queries.RunAsync("pages by reason", _queries.ReasonCounts(months, host is not null, prefix is not null));
        var queuedTask = queries.RunAsync("queued, not stored", _queries.QueuedCount(host is not null));
        var dailyTask = queries.RunAsync("daily", _queries.Daily(months, host is not null, prefix is not null));
        var counts = (await countsTask).Rows.ToDictionary(r => StoreNames.Parse<IndexingReason>((string)r["reason"]!)!.Value, r => ReportQueries.Long(r["n"]));
        counts[IndexingReason.Queued] = ReportQueries.Long((await queuedTask).Rows[0]["n"]);

        var shown = IndexingReasons.All.Where(r => counts.GetValueOrDefault(r) > 0).ToList();
        // One pass gives every reason's first pages; the queued URLs have a query of their own.
        var exampleRows = await queries.RunAsync("examples", _queries.ReasonExamples(months, host is not null, prefix is not null), ("$examples", examples));
        var byReason = exampleRows.Rows.GroupBy(r => StoreNames.Parse<IndexingReason>((string)r["reason"]!)!.Value)
            .ToDictionary(g => g.Key, g => (IReadOnlyList<string>)g.Select(UrlOf).ToList());
        if (counts[IndexingReason.Queued] > 0) byReason[IndexingReason.Queued] = await UrlsAsync(IndexingReason.Queued, examples, 0);
        var reasons = shown.Select(r => new ReasonCount(r, IndexingReasons.Label(r), r == IndexingReason.Indexed, counts[r], byReason.GetValueOrDefault(r, []))).ToList();
        var daily = (await dailyTask).Rows.Select(r => new DailyIndexing((string)r["day"]!, ReportQueries.Long(r["indexed"]), ReportQueries.Long(r["not_indexed"]))).ToList();
        long total = counts.Values.Sum(), indexed = counts.GetValueOrDefault(IndexingReason.Indexed);
        return new IndexingReport
        {
            Host = host, Prefix = prefix, Total = total, Indexed = indexed, NotIndexed = total - indexed, Reasons = reasons, Daily = daily,
            Reason = reason, Urls = reason is { } listed ? await UrlsAsync(listed, limit, offset) : null, Offset = offset, Limit = limit,
            Queries = queries.Ran(),
        };

        async Task<IReadOnlyList<string>> UrlsAsync(IndexingReason r, int n, int from)
        {
            if (r == IndexingReason.Unknown) return [];
            var paging = new (string, object?)[] { ("$limit", n), ("$offset", from), ("$reason", StoreNames.Of(r)) };
            var rows = r == IndexingReason.Queued
                ? await queries.RunAsync("queued URLs", _queries.QueuedPages(host is not null), paging)
                : await queries.RunAsync($"{StoreNames.Of(r)} URLs", _queries.ReasonPages(months, host is not null, prefix is not null), paging);
            return rows.Rows.Select(UrlOf).ToList();
        }

        static string UrlOf(IReadOnlyDictionary<string, object?> row) =>
            row["url"] as string is { Length: > 0 } url ? url : UrlInspector.UrlOf((string)row["src_unparsed"]!);
    }
}
