namespace Crawlscope.Inspection;

/// <summary>One indexability filter: its name and the SQL condition the store evaluates (shown verbatim).</summary>
internal sealed record FilterDefinition(string Name, string Condition);

/// <summary>
/// The inspector's queries in the embedded store's SQL. The filter conditions are evaluated inside the store
/// query itself, and the report shows the very same text, so what is shown cannot drift from what was evaluated.
/// </summary>
internal static class InspectionQueries
{
    internal const string Crawled = """
        SELECT src_unparsed, url, download_http_code, download_stamp, failure_reason, history_drop_reason
        FROM pages WHERE shard = $shard AND src_unparsed = $key
        """;

    internal const string Robots = "SELECT host_key, status, action, reason, fetched_at, expires_at FROM robots WHERE host_key = $host_key";

    internal const string RobotsBody = "SELECT body, last_good_body, action FROM robots WHERE host_key = $host_key";

    internal const string SpamBan = """
        SELECT (SELECT COUNT(*) FROM bans WHERE name IN ($host, $site)) AS fh_dont_index,
               (SELECT group_concat(name || COALESCE(': ' || reason, ''), '; ') FROM bans WHERE name IN ($host, $site)) AS bans,
               (SELECT ml_spam_score FROM pages WHERE shard = $shard AND src_unparsed = $key) AS ml_spam_score,
               (SELECT spam_signals FROM pages WHERE shard = $shard AND src_unparsed = $key) AS spam_signals
        """;

    internal const string Seen = """
        SELECT state, depth, discovered_from, discovered_at, not_before, attempts
        FROM frontier WHERE src_unparsed = $key
        """;

    internal static FilterDefinition[] Filters(int maxAgeMonths) =>
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

    /// <summary>One query evaluating every filter condition on the stored row (fh_dont_index from the bans table).</summary>
    internal static string FilterQuery(IReadOnlyList<FilterDefinition> filters) =>
        "WITH p AS (SELECT pages.*, CASE WHEN EXISTS (SELECT 1 FROM bans WHERE name IN ($host, $site)) THEN 1 ELSE 0 END AS fh_dont_index\n" +
        "           FROM pages WHERE shard = $shard AND src_unparsed = $key)\nSELECT " +
        string.Join(",\n       ", filters.Select((f, i) => $"COALESCE(({f.Condition}), 0) AS f{i}")) + "\nFROM p";

    internal const string Details = "SELECT * FROM pages WHERE shard = $shard AND src_unparsed = $key";
    internal const string History = "SELECT stamp, http_code, failure_reason, elapsed_ms, bytes, location FROM fetches WHERE src_unparsed = $key ORDER BY id DESC LIMIT 20";
    internal const string Inlinks = "SELECT COUNT(*) AS inlinks FROM links WHERE target = $key";
    internal const string Referrers = "SELECT source FROM links WHERE target = $key ORDER BY source LIMIT 10";
    internal const string RedirectsHere = "SELECT src_unparsed FROM pages WHERE redirect_target = $key ORDER BY src_unparsed LIMIT 10";
    internal const string Sitemaps = "SELECT sitemap FROM sitemap_entries WHERE src_unparsed = $key ORDER BY sitemap LIMIT 10";
    internal const string Duplicates = "SELECT src_unparsed FROM pages WHERE duplicate_of = $key ORDER BY src_unparsed LIMIT 10";
}
