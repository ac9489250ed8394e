using Crawlscope.Model;
using Crawlscope.Indexability;

namespace Crawlscope.Storage.ClickHouse;

/// <summary>
/// The same queries for the ClickHouse cluster, where the plain table names are the Distributed tables.
/// Reads of latest state use <c>FINAL</c>: ReplacingMergeTree keeps older versions of a row until a merge,
/// and FINAL collapses them at read time. Lookups read one key, so FINAL costs little, and unlike argMax it
/// keeps whole rows (the details query reads every column). <c>{db}</c> is the store's database, for the local
/// tables a remote node reads in its own database.
/// </summary>
internal sealed class ClickHouseInspectionQueries : InspectionQueries
{
    public override string Crawled => """
        SELECT src_unparsed, url, download_http_code, download_stamp, failure_reason, history_drop_reason
        FROM pages FINAL WHERE shard = $shard AND src_unparsed = $key
        """;

    public override string Robots => "SELECT host_key, status, action, reason, fetched_at, expires_at FROM robots FINAL WHERE host_key = $host_key";

    public override string RobotsBody => "SELECT body, last_good_body, action FROM robots FINAL WHERE host_key = $host_key";

    // One row from two one-row subqueries. Not WITH scalars: ClickHouse 18.16 runs a WITH subquery again at each
    // use, and four scalar subqueries cost 8 ms of server CPU where this costs 5.
    public override string SpamBan => """
        SELECT fh_dont_index, bans, if(n = 0, NULL, score) AS ml_spam_score, if(n = 0, NULL, signals) AS spam_signals
        FROM (SELECT count() AS fh_dont_index, arrayStringConcat(groupArray(concat(name, ifNull(concat(': ', reason), ''))), '; ') AS bans
              FROM bans FINAL WHERE name IN ($host, $site) AND deleted = 0)
        CROSS JOIN (SELECT count() AS n, any(ml_spam_score) AS score, any(spam_signals) AS signals
                    FROM pages FINAL WHERE shard = $shard AND src_unparsed = $key)
        """;

    // Frontiers live in the workers' own files; the cluster knows a URL was seen from the discovered table.
    public override string Seen => $"""
        SELECT {(int)FrontierState.Queued} AS state, depth, discovered_from, discovered_at, discovered_at AS not_before, 0 AS attempts
        FROM discovered FINAL WHERE src_unparsed = $key ORDER BY discovered_at LIMIT 1
        """;

    public override string Condition(IndexabilityFilter filter, int maxAgeMonths) => filter switch
    {
        IndexabilityFilter.HttpStatus => "download_http_code = 200",
        IndexabilityFilter.AgeCutoff => $"download_stamp > now() - INTERVAL {maxAgeMonths} MONTH",
        IndexabilityFilter.HistoryDrop => "history_drop_reason IS NULL",
        IndexabilityFilter.SpamBan => "fh_dont_index != 1 AND ml_spam_score = 0",
        IndexabilityFilter.Canonical => "meta_canonical IS NULL OR meta_canonical = '' OR meta_canonical = src_unparsed",
        IndexabilityFilter.RobotsNoIndex => "robots_noindex = 0",
        IndexabilityFilter.RobotsTxtAllowed => "ifNull(failure_reason, '') != 'robots_disallowed'",
        // ClickHouse's LIKE is case-sensitive; the rule is not.
        IndexabilityFilter.HtmlContentType => "lower(content_type) LIKE '%html%'",
        IndexabilityFilter.Duplicate => "duplicate_of IS NULL",
        // A page stored with a failure (processing_error, unsupported_type, ...) is not indexable whatever its status.
        IndexabilityFilter.Failure => "failure_reason IS NULL",
        IndexabilityFilter.Soft404 => "soft_404 IS NULL",
        _ => throw new ArgumentOutOfRangeException(nameof(filter)),
    };

    public override object TimeValue(DateTimeOffset time) => time;

    public override string ConditionQuery(IReadOnlyList<string> conditions) =>
        // fh_dont_index is a WITH scalar: as a column of a subquery over the Distributed table, ClickHouse 18.16
        // loses it on the remote shard ("Not found column ... in block").
        "WITH toUInt8((SELECT count() FROM bans FINAL WHERE name IN ($host, $site) AND deleted = 0) > 0) AS fh_dont_index\n" +
        "SELECT " + string.Join(",\n       ", conditions.Select((c, i) => $"{Truthy(c)} AS f{i}")) + "\n" +
        "FROM pages FINAL WHERE shard = $shard AND src_unparsed = $key";

    protected override string Truthy(string condition) => $"toUInt8(ifNull(({condition}), 0))";

    // GLOBAL IN: the ban list is read once and sent to every shard, as the exports read it.
    public override string AllPages =>
        "(SELECT *, toUInt8(host GLOBAL IN (SELECT name FROM bans FINAL WHERE deleted = 0) OR site GLOBAL IN (SELECT name FROM bans FINAL WHERE deleted = 0)) AS fh_dont_index FROM pages FINAL)";

    public override string Scope(bool host, bool prefix) =>
        (host ? "host = $host" : "1 = 1") + (prefix ? " AND startsWith(url, $prefix)" : "");

    // 18.16 has no window functions: each reason's keys are sorted in an array and the first kept.
    public override string ReasonExamples(int maxAgeMonths, bool host, bool prefix) =>
        $"SELECT reason, tupleElement(pair, 2) AS url, tupleElement(pair, 1) AS src_unparsed FROM (SELECT reason, arraySlice(arraySort(groupArray((src_unparsed, url))), 1, $examples) AS pairs " +
        $"FROM (SELECT {ReasonCase(maxAgeMonths)} AS reason, src_unparsed, url FROM {AllPages} p WHERE {Scope(host, prefix)}) GROUP BY reason) ARRAY JOIN pairs AS pair ORDER BY reason, src_unparsed";

    // The cluster keeps no frontier: a URL is known from the discovered table until a worker stores its page.
    public override string QueuedCount(bool host) =>
        "SELECT count() AS n FROM (SELECT DISTINCT src_unparsed FROM discovered FINAL WHERE " + (host ? "host = $host" : "1 = 1") +
        ") WHERE src_unparsed GLOBAL NOT IN (SELECT src_unparsed FROM pages FINAL)";

    public override string QueuedPages(bool host) =>
        "SELECT any(url) AS url, src_unparsed FROM discovered FINAL WHERE " + (host ? "host = $host" : "1 = 1") +
        " AND src_unparsed GLOBAL NOT IN (SELECT src_unparsed FROM pages FINAL) GROUP BY src_unparsed ORDER BY src_unparsed LIMIT $limit OFFSET $offset";

    protected override string DayOf(string column) => $"toString(toDate({column}))";

    public override string Fetches(bool host) =>
        "(SELECT toString(toDate(stamp)) AS day, http_code, splitByChar(':', ifNull(failure_reason, ''))[1] AS failure_text, " +
        "if(failure_reason IS NULL, NULL, failure_text) AS failure, elapsed_ms, bytes, lower(ifNull(content_type, '')) AS content_type, src_unparsed, " +
        "domain(url) AS host FROM fetches FINAL" + (host ? " WHERE domain(url) = $host)" : ")");

    public override string RobotsStatus => "SELECT host_key, status, action, fetched_at FROM robots FINAL ORDER BY host_key LIMIT $limit";

    public override string LinksFrom => "SELECT target AS other, anchor, nofollow, refusal FROM links FINAL WHERE source = $key ORDER BY target LIMIT $limit OFFSET $offset";
    public override string LinksTo => "SELECT source AS other, anchor, nofollow, refusal FROM links FINAL WHERE target = $key ORDER BY source LIMIT $limit OFFSET $offset";
    public override string PageStates(int count) => $"SELECT src_unparsed, download_http_code, failure_reason FROM pages FINAL WHERE src_unparsed IN ({KeyList(count)})";
    public override string KnownKeys(int count) => $"SELECT DISTINCT src_unparsed FROM discovered FINAL WHERE src_unparsed IN ({KeyList(count)})";

    public override string Details => "SELECT * FROM pages FINAL WHERE shard = $shard AND src_unparsed = $key";
    public override string History => "SELECT stamp, http_code, failure_reason, elapsed_ms, bytes, location FROM fetches FINAL WHERE src_unparsed = $key ORDER BY stamp DESC, id DESC LIMIT 20";
    public override string Inlinks => "SELECT count() AS inlinks FROM links FINAL WHERE target = $key";
    public override string Referrers => "SELECT source FROM links FINAL WHERE target = $key ORDER BY source LIMIT 10";
    // Pages that point here: found in each node's local table first (all versions of a page live on the node of
    // its shard), then read with FINAL by key, so FINAL merges a few rows instead of every page (10 ms → 3 ms).
    public override string RedirectsHere => "SELECT src_unparsed FROM pages FINAL WHERE src_unparsed IN (SELECT src_unparsed FROM {db}.pages_local WHERE redirect_target = $key) AND redirect_target = $key ORDER BY src_unparsed LIMIT 10";
    public override string RecentFetches => "SELECT url, stamp, http_code FROM fetches FINAL ORDER BY stamp DESC LIMIT $limit";
    public override string Sitemaps => "SELECT sitemap FROM sitemap_entries FINAL WHERE src_unparsed = $key ORDER BY sitemap LIMIT 10";
    public override string Duplicates => "SELECT src_unparsed FROM pages FINAL WHERE src_unparsed IN (SELECT src_unparsed FROM {db}.pages_local WHERE duplicate_of = $key) AND duplicate_of = $key ORDER BY src_unparsed LIMIT 10";
}
