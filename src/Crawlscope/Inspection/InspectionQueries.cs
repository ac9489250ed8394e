namespace Crawlscope.Inspection;

/// <summary>One indexability filter: its name and the SQL condition the store evaluates (shown verbatim).</summary>
internal sealed record FilterDefinition(string Name, string Condition);

/// <summary>
/// The inspector's queries, in each store's SQL. The filter conditions are evaluated inside the store query
/// itself, and the report shows the very same text, so what is shown cannot drift from what was evaluated.
/// Values are <c>$name</c> parameters; the store binds them.
/// </summary>
internal abstract class InspectionQueries
{
    internal static InspectionQueries For(string dialect) => dialect switch
    {
        "sqlite" => new SqliteQueries(),
        "clickhouse" => new ClickHouseQueries(),
        _ => throw new ArgumentException($"no inspector queries for store dialect '{dialect}'"),
    };

    internal abstract string Crawled { get; }
    internal abstract string Robots { get; }
    internal abstract string RobotsBody { get; }
    internal abstract string SpamBan { get; }
    internal abstract string Seen { get; }
    internal abstract FilterDefinition[] Filters(int maxAgeMonths);
    /// <summary>One query evaluating every filter condition on the stored row (fh_dont_index from the bans table).</summary>
    internal abstract string FilterQuery(IReadOnlyList<FilterDefinition> filters);
    internal abstract string Details { get; }
    internal abstract string History { get; }
    internal abstract string Inlinks { get; }
    internal abstract string Referrers { get; }
    internal abstract string RedirectsHere { get; }
    internal abstract string Sitemaps { get; }
    internal abstract string Duplicates { get; }
}

internal sealed class SqliteQueries : InspectionQueries
{
    internal override string Crawled => """
        SELECT src_unparsed, url, download_http_code, download_stamp, failure_reason, history_drop_reason
        FROM pages WHERE shard = $shard AND src_unparsed = $key
        """;

    internal override string Robots => "SELECT host_key, status, action, reason, fetched_at, expires_at FROM robots WHERE host_key = $host_key";

    internal override string RobotsBody => "SELECT body, last_good_body, action FROM robots WHERE host_key = $host_key";

    internal override string SpamBan => """
        SELECT (SELECT COUNT(*) FROM bans WHERE name IN ($host, $site)) AS fh_dont_index,
               (SELECT group_concat(name || COALESCE(': ' || reason, ''), '; ') FROM bans WHERE name IN ($host, $site)) AS bans,
               (SELECT ml_spam_score FROM pages WHERE shard = $shard AND src_unparsed = $key) AS ml_spam_score,
               (SELECT spam_signals FROM pages WHERE shard = $shard AND src_unparsed = $key) AS spam_signals
        """;

    internal override string Seen => """
        SELECT state, depth, discovered_from, discovered_at, not_before, attempts
        FROM frontier WHERE src_unparsed = $key
        """;

    internal override FilterDefinition[] Filters(int maxAgeMonths) =>
    [
        new("HTTP status", "download_http_code = 200"),
        new("Age cutoff", $"download_stamp > strftime('%Y-%m-%dT%H:%M:%fZ', 'now', '-{maxAgeMonths} months')"),
        new("History drop", "history_drop_reason IS NULL"),
        new("Spam/ban", "fh_dont_index != 1 AND ml_spam_score = 0"),
        new("Canonical", "meta_canonical IS NULL OR meta_canonical = '' OR meta_canonical = src_unparsed"),
        new("Robots noindex", "robots_noindex = 0"),
        new("robots.txt allowed", "COALESCE(failure_reason, '') <> 'robots_disallowed'"),
        new("HTML content type", "content_type LIKE '%html%'"),
    ];

    internal override string FilterQuery(IReadOnlyList<FilterDefinition> filters) =>
        "WITH p AS (SELECT pages.*, CASE WHEN EXISTS (SELECT 1 FROM bans WHERE name IN ($host, $site)) THEN 1 ELSE 0 END AS fh_dont_index\n" +
        "           FROM pages WHERE shard = $shard AND src_unparsed = $key)\nSELECT " +
        string.Join(",\n       ", filters.Select((f, i) => $"COALESCE(({f.Condition}), 0) AS f{i}")) + "\nFROM p";

    internal override string Details => "SELECT * FROM pages WHERE shard = $shard AND src_unparsed = $key";
    internal override string History => "SELECT stamp, http_code, failure_reason, elapsed_ms, bytes, location FROM fetches WHERE src_unparsed = $key ORDER BY id DESC LIMIT 20";
    internal override string Inlinks => "SELECT COUNT(*) AS inlinks FROM links WHERE target = $key";
    internal override string Referrers => "SELECT source FROM links WHERE target = $key ORDER BY source LIMIT 10";
    internal override string RedirectsHere => "SELECT src_unparsed FROM pages WHERE redirect_target = $key ORDER BY src_unparsed LIMIT 10";
    internal override string Sitemaps => "SELECT sitemap FROM sitemap_entries WHERE src_unparsed = $key ORDER BY sitemap LIMIT 10";
    internal override string Duplicates => "SELECT src_unparsed FROM pages WHERE duplicate_of = $key ORDER BY src_unparsed LIMIT 10";
}

/// <summary>
/// The same queries for the ClickHouse cluster, where the plain table names are the Distributed tables.
/// Reads of latest state use <c>FINAL</c>: ReplacingMergeTree keeps older versions of a row until a merge,
/// and FINAL collapses them at read time. Lookups read one key, so FINAL costs little, and unlike argMax it
/// keeps whole rows (the details query reads every column). <c>{db}</c> is the store's database, for the local
/// tables a remote node reads in its own database.
/// </summary>
internal sealed class ClickHouseQueries : InspectionQueries
{
    internal override string Crawled => """
        SELECT src_unparsed, url, download_http_code, download_stamp, failure_reason, history_drop_reason
        FROM pages FINAL WHERE shard = $shard AND src_unparsed = $key
        """;

    internal override string Robots => "SELECT host_key, status, action, reason, fetched_at, expires_at FROM robots FINAL WHERE host_key = $host_key";

    internal override string RobotsBody => "SELECT body, last_good_body, action FROM robots FINAL WHERE host_key = $host_key";

    // One row from two one-row subqueries. Not WITH scalars: ClickHouse 18.16 runs a WITH subquery again at each
    // use, and four scalar subqueries cost 8 ms of server CPU where this costs 5.
    internal override string SpamBan => """
        SELECT fh_dont_index, bans, if(n = 0, NULL, score) AS ml_spam_score, if(n = 0, NULL, signals) AS spam_signals
        FROM (SELECT count() AS fh_dont_index, arrayStringConcat(groupArray(concat(name, ifNull(concat(': ', reason), ''))), '; ') AS bans
              FROM bans FINAL WHERE name IN ($host, $site) AND deleted = 0)
        CROSS JOIN (SELECT count() AS n, any(ml_spam_score) AS score, any(spam_signals) AS signals
                    FROM pages FINAL WHERE shard = $shard AND src_unparsed = $key)
        """;

    // Frontiers live in the workers' own files; the cluster knows a URL was seen from the discovered table.
    internal override string Seen => """
        SELECT 0 AS state, depth, discovered_from, discovered_at, discovered_at AS not_before, 0 AS attempts
        FROM discovered FINAL WHERE src_unparsed = $key ORDER BY discovered_at LIMIT 1
        """;

    internal override FilterDefinition[] Filters(int maxAgeMonths) =>
    [
        new("HTTP status", "download_http_code = 200"),
        new("Age cutoff", $"download_stamp > now() - INTERVAL {maxAgeMonths} MONTH"),
        new("History drop", "history_drop_reason IS NULL"),
        new("Spam/ban", "fh_dont_index != 1 AND ml_spam_score = 0"),
        new("Canonical", "meta_canonical IS NULL OR meta_canonical = '' OR meta_canonical = src_unparsed"),
        new("Robots noindex", "robots_noindex = 0"),
        new("robots.txt allowed", "ifNull(failure_reason, '') != 'robots_disallowed'"),
        new("HTML content type", "content_type LIKE '%html%'"),
    ];

    internal override string FilterQuery(IReadOnlyList<FilterDefinition> filters) =>
        // fh_dont_index is a WITH scalar: as a column of a subquery over the Distributed table, ClickHouse 18.16
        // loses it on the remote shard ("Not found column ... in block").
        "WITH toUInt8((SELECT count() FROM bans FINAL WHERE name IN ($host, $site) AND deleted = 0) > 0) AS fh_dont_index\n" +
        "SELECT " + string.Join(",\n       ", filters.Select((f, i) => $"toUInt8(ifNull(({f.Condition}), 0)) AS f{i}")) + "\n" +
        "FROM pages FINAL WHERE shard = $shard AND src_unparsed = $key";

    internal override string Details => "SELECT * FROM pages FINAL WHERE shard = $shard AND src_unparsed = $key";
    internal override string History => "SELECT stamp, http_code, failure_reason, elapsed_ms, bytes, location FROM fetches FINAL WHERE src_unparsed = $key ORDER BY stamp DESC, id DESC LIMIT 20";
    internal override string Inlinks => "SELECT count() AS inlinks FROM links FINAL WHERE target = $key";
    internal override string Referrers => "SELECT source FROM links FINAL WHERE target = $key ORDER BY source LIMIT 10";
    // Pages that point here: found in each node's local table first (all versions of a page live on the node of
    // its shard), then read with FINAL by key, so FINAL merges a few rows instead of every page (10 ms → 3 ms).
    internal override string RedirectsHere => "SELECT src_unparsed FROM pages FINAL WHERE src_unparsed IN (SELECT src_unparsed FROM {db}.pages_local WHERE redirect_target = $key) AND redirect_target = $key ORDER BY src_unparsed LIMIT 10";
    internal override string Sitemaps => "SELECT sitemap FROM sitemap_entries FINAL WHERE src_unparsed = $key ORDER BY sitemap LIMIT 10";
    internal override string Duplicates => "SELECT src_unparsed FROM pages FINAL WHERE src_unparsed IN (SELECT src_unparsed FROM {db}.pages_local WHERE duplicate_of = $key) AND duplicate_of = $key ORDER BY src_unparsed LIMIT 10";
}
