using Crawlscope.Vocabulary;

namespace Crawlscope.Model;

/// <summary>One indexability filter as a store evaluates it: the filter, its name and its SQL condition (shown verbatim).</summary>
public sealed record FilterDefinition(IndexabilityFilter Filter, string Name, string Condition);

/// <summary>One reason as a store evaluates it: the reason, its stored name and its SQL condition (shown verbatim).</summary>
public sealed record ReasonDefinition(IndexingReason Reason, string Name, string Condition);

/// <summary>
/// The inspector's queries, written by each store in its own SQL (the SQLite store in <c>Storage/</c>, the cluster
/// store in its project). The filter conditions are evaluated inside the store query itself, and the report shows
/// the very same text, so what is shown cannot drift from what was evaluated. Values are <c>$name</c> parameters;
/// the store binds them.
/// </summary>
public abstract class InspectionQueries
{
    public abstract string Crawled { get; }
    public abstract string Robots { get; }
    public abstract string RobotsBody { get; }
    public abstract string SpamBan { get; }
    public abstract string Seen { get; }

    /// <summary>The filter's condition in this store's SQL over the pages row, with <c>fh_dont_index</c> available:
    /// true exactly when <see cref="IndexabilityRule.Passes"/> is.</summary>
    public abstract string Condition(IndexabilityFilter filter, int maxAgeMonths);

    /// <summary>Every filter of the rule, in order, with its condition in this store's SQL.</summary>
    public IReadOnlyList<FilterDefinition> Filters(int maxAgeMonths) =>
        IndexabilityRule.Filters.Select(f => new FilterDefinition(f, IndexabilityRule.Name(f), Condition(f, maxAgeMonths))).ToList();

    /// <summary>One query evaluating conditions on the stored row of <c>$key</c> (fh_dont_index from the bans table),
    /// one column <c>f0</c>, <c>f1</c>, ... per condition, each 0 or 1.</summary>
    public abstract string ConditionQuery(IReadOnlyList<string> conditions);

    /// <summary>Every filter condition of the rule on the stored row, then each reason's (<see cref="ReasonCondition"/>).</summary>
    public string FilterQuery(IReadOnlyList<FilterDefinition> filters, IReadOnlyList<ReasonDefinition> reasons) =>
        ConditionQuery([.. filters.Select(f => f.Condition), .. reasons.Select(r => r.Condition)]);

    /// <summary>A condition as 0 or 1, NULL read as 0 (this store's SQL).</summary>
    protected abstract string Truthy(string condition);

    /// <summary>
    /// The reason's condition in this store's SQL over a pages row with <c>fh_dont_index</c>: true exactly when
    /// <see cref="IndexingReasons.Holds"/> is. Built from the filters' own conditions where a reason is a filter
    /// failing, so the two cannot drift.
    /// </summary>
    public string ReasonCondition(IndexingReason reason, int maxAgeMonths)
    {
        string Fails(IndexabilityFilter f) => $"{Truthy(Condition(f, maxAgeMonths))} = 0";
        string html = Truthy(Condition(IndexabilityFilter.HtmlContentType, maxAgeMonths));
        const string robots = "failure_reason = 'robots_disallowed'";
        return reason switch
        {
            IndexingReason.BlockedByRobots => robots,
            IndexingReason.FetchFailed => $"download_http_code IS NULL AND {Truthy(robots)} = 0",
            IndexingReason.Redirect => "download_http_code >= 300 AND download_http_code <= 399",
            IndexingReason.NotFound => "download_http_code IN (404, 410)",
            IndexingReason.Forbidden => "download_http_code IN (401, 403)",
            IndexingReason.ClientError => "download_http_code >= 400 AND download_http_code <= 499 AND download_http_code NOT IN (401, 403, 404, 410)",
            IndexingReason.ServerError => "download_http_code >= 500 AND download_http_code <= 599",
            IndexingReason.OtherStatus => "download_http_code <> 200 AND (download_http_code < 300 OR download_http_code > 599)",
            IndexingReason.NotHtml => $"download_http_code = 200 AND {html} = 0",
            IndexingReason.ProcessingFailed => $"download_http_code = 200 AND {html} = 1 AND failure_reason IS NOT NULL",
            IndexingReason.Noindex => Fails(IndexabilityFilter.RobotsNoIndex),
            IndexingReason.CanonicalElsewhere => Fails(IndexabilityFilter.Canonical),
            IndexingReason.Duplicate => Fails(IndexabilityFilter.Duplicate),
            IndexingReason.Soft404 => Fails(IndexabilityFilter.Soft404),
            IndexingReason.Banned => "fh_dont_index = 1",
            IndexingReason.Spam => "ml_spam_score <> 0",
            IndexingReason.TooOld => $"{Fails(IndexabilityFilter.AgeCutoff)} AND NOT (download_http_code IS NULL AND download_stamp IS NULL)",
            IndexingReason.Dropped => Fails(IndexabilityFilter.HistoryDrop),
            _ => throw new ArgumentOutOfRangeException(nameof(reason), $"{reason} is not a stored page's reason"),
        };
    }

    /// <summary>Every stored page's reason, in precedence order, with its condition in this store's SQL.</summary>
    public IReadOnlyList<ReasonDefinition> Reasons(int maxAgeMonths) =>
        IndexingReasons.PageReasons.Select(r => new ReasonDefinition(r, StoreNames.Of(r), ReasonCondition(r, maxAgeMonths))).ToList();

    /// <summary>The primary reason of a pages row as one SQL expression: the first reason that holds, else indexed.</summary>
    public string ReasonCase(int maxAgeMonths) =>
        "CASE" + string.Concat(Reasons(maxAgeMonths).Select(r => $"\n  WHEN {Truthy(r.Condition)} = 1 THEN '{r.Name}'")) + "\n  ELSE 'indexed' END";

    /// <summary>Every stored page with <c>fh_dont_index</c>, as a FROM source (latest state of each page).</summary>
    public abstract string AllPages { get; }

    /// <summary>The condition that keeps a report to one host (<c>$host</c>) and a path prefix (<c>$prefix</c>, a URL
    /// the page's URL starts with); either may be absent.</summary>
    public abstract string Scope(bool host, bool prefix);

    /// <summary>Counts of stored pages by primary reason (columns <c>reason</c>, <c>n</c>).</summary>
    public string ReasonCounts(int maxAgeMonths, bool host, bool prefix) =>
        $"SELECT reason, COUNT(*) AS n FROM (SELECT {ReasonCase(maxAgeMonths)} AS reason FROM {AllPages} p WHERE {Scope(host, prefix)}) r GROUP BY reason ORDER BY reason";

    /// <summary>The stored pages whose primary reason is <c>$reason</c> (columns <c>url</c>, <c>src_unparsed</c>), in
    /// key order, paged by <c>$limit</c> and <c>$offset</c>.</summary>
    public string ReasonPages(int maxAgeMonths, bool host, bool prefix) =>
        $"SELECT url, src_unparsed FROM (SELECT url, src_unparsed, {ReasonCase(maxAgeMonths)} AS reason FROM {AllPages} p WHERE {Scope(host, prefix)}) r " +
        "WHERE reason = $reason ORDER BY src_unparsed LIMIT $limit OFFSET $offset";

    /// <summary>The first <c>$examples</c> stored pages of every reason in key order, in one pass (columns <c>reason</c>,
    /// <c>url</c>, <c>src_unparsed</c>).</summary>
    public abstract string ReasonExamples(int maxAgeMonths, bool host, bool prefix);

    /// <summary>Known URLs not stored yet: the frontier's queue (or, on a cluster, the discovered URLs); column <c>n</c>.</summary>
    public abstract string QueuedCount(bool host);

    /// <summary>The same URLs (columns <c>url</c>, <c>src_unparsed</c>), in key order, paged.</summary>
    public abstract string QueuedPages(bool host);

    /// <summary>Stored pages per day of their last fetch, indexed and not (columns <c>day</c>, <c>indexed</c>, <c>not_indexed</c>).</summary>
    public string Daily(int maxAgeMonths, bool host, bool prefix) =>
        $"SELECT day, SUM(reason = 'indexed') AS indexed, SUM(reason <> 'indexed') AS not_indexed FROM (SELECT {DayOf("download_stamp")} AS day, " +
        $"{ReasonCase(maxAgeMonths)} AS reason FROM {AllPages} p WHERE download_stamp IS NOT NULL AND {Scope(host, prefix)}) r GROUP BY day ORDER BY day";

    /// <summary>The calendar day (UTC, YYYY-MM-DD) of a stored time column.</summary>
    protected abstract string DayOf(string column);

    /// <summary>Every fetch of the history as a FROM source, one host (<c>$host</c>) or all: columns <c>day</c>,
    /// <c>http_code</c>, <c>failure</c> (the reason without its detail), <c>elapsed_ms</c>, <c>bytes</c>,
    /// <c>content_type</c> (lower case), <c>src_unparsed</c>, <c>host</c>.</summary>
    public abstract string Fetches(bool host);

    /// <summary>What an answer was, for the crawl stats: 2xx, not_modified, 3xx, 4xx, 5xx, other, or no_answer.</summary>
    private const string ResponseClass =
        "CASE WHEN http_code IS NULL THEN 'no_answer' WHEN http_code = 304 THEN 'not_modified' WHEN http_code >= 200 AND http_code < 300 THEN '2xx' " +
        "WHEN http_code >= 300 AND http_code < 400 THEN '3xx' WHEN http_code >= 400 AND http_code < 500 THEN '4xx' WHEN http_code >= 500 AND http_code < 600 THEN '5xx' ELSE 'other' END";

    /// <summary>Requests per day and response class, with the mean response time (columns <c>day</c>, <c>class</c>, <c>n</c>, <c>ms</c>).</summary>
    public string FetchesByDay(bool host) =>
        $"SELECT day, {ResponseClass} AS class, COUNT(*) AS n, AVG(elapsed_ms) AS ms FROM {Fetches(host)} s GROUP BY day, class ORDER BY day, class";

    /// <summary>Requests by content type (columns <c>content_type</c>, <c>n</c>).</summary>
    public string FetchesByType(bool host) => $"SELECT content_type, COUNT(*) AS n FROM {Fetches(host)} s GROUP BY content_type ORDER BY n DESC";

    /// <summary>All requests, the URLs they were for (the first fetch of each is discovery, the others recrawls), the
    /// mean response time and the bytes (columns <c>fetches</c>, <c>urls</c>, <c>ms</c>, <c>bytes</c>).</summary>
    public string FetchTotals(bool host) =>
        $"SELECT COUNT(*) AS fetches, COUNT(DISTINCT src_unparsed) AS urls, AVG(elapsed_ms) AS ms, SUM(bytes) AS bytes FROM {Fetches(host)} s";

    /// <summary>Requests per host, the ones that got no answer, the mean response time (columns <c>host</c>, <c>n</c>,
    /// <c>no_answer</c>, <c>ms</c>), most requested first, at most <c>$limit</c>.</summary>
    public string FetchesByHost(bool host) =>
        $"SELECT host, COUNT(*) AS n, SUM(CASE WHEN http_code IS NULL THEN 1 ELSE 0 END) AS no_answer, AVG(elapsed_ms) AS ms FROM {Fetches(host)} s " +
        "GROUP BY host ORDER BY n DESC, host LIMIT $limit";

    /// <summary>Requests that got no answer, by failure (DNS, connect, timeout, TLS ...; columns <c>failure</c>, <c>n</c>).</summary>
    public string FetchFailures(bool host) =>
        $"SELECT failure, COUNT(*) AS n FROM {Fetches(host)} s WHERE http_code IS NULL AND failure IS NOT NULL GROUP BY failure ORDER BY n DESC";

    /// <summary>Each host's robots.txt as last fetched (columns <c>host_key</c>, <c>status</c>, <c>action</c>,
    /// <c>fetched_at</c>), at most <c>$limit</c>.</summary>
    public abstract string RobotsStatus { get; }

    /// <summary>A time as this store binds it in a condition on <c>download_stamp</c>.</summary>
    public abstract object TimeValue(DateTimeOffset time);

    /// <summary>A page's outlinks (columns <c>other</c>: the target key, <c>anchor</c>, <c>nofollow</c>, <c>refusal</c>),
    /// in target order, paged by <c>$limit</c> and <c>$offset</c>.</summary>
    public abstract string LinksFrom { get; }

    /// <summary>The links to a page (columns <c>other</c>: the source key, <c>anchor</c>, <c>nofollow</c>, <c>refusal</c>),
    /// in source order, paged.</summary>
    public abstract string LinksTo { get; }

    /// <summary>The stored state of up to <paramref name="count"/> keys <c>$k0</c>, <c>$k1</c> ... (columns
    /// <c>src_unparsed</c>, <c>download_http_code</c>, <c>failure_reason</c>).</summary>
    public abstract string PageStates(int count);

    /// <summary>Which of the keys <c>$k0</c> ... the crawl knows without a stored page (column <c>src_unparsed</c>).</summary>
    public abstract string KnownKeys(int count);

    protected static string KeyList(int count) => string.Join(", ", Enumerable.Range(0, count).Select(i => $"$k{i}"));

    public abstract string Details { get; }
    public abstract string History { get; }
    public abstract string Inlinks { get; }
    public abstract string Referrers { get; }
    public abstract string RedirectsHere { get; }
    public abstract string Sitemaps { get; }

    /// <summary>The URLs fetched last, newest first (columns <c>url</c>, <c>stamp</c>, <c>http_code</c>), at most <c>$limit</c>.</summary>
    public abstract string RecentFetches { get; }
    public abstract string Duplicates { get; }
}
