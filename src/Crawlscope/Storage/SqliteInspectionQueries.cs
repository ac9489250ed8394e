using Crawlscope.Model;
using Crawlscope.Indexability;

namespace Crawlscope.Storage;

/// <summary>The inspector's queries in SQLite's SQL.</summary>
internal sealed class SqliteInspectionQueries : InspectionQueries
{
    public override string Crawled => """
        SELECT src_unparsed, url, download_http_code, download_stamp, failure_reason, history_drop_reason
        FROM pages WHERE shard = $shard AND src_unparsed = $key
        """;

    public override string Robots => "SELECT host_key, status, action, reason, fetched_at, expires_at FROM robots WHERE host_key = $host_key";

    public override string RobotsBody => "SELECT body, last_good_body, action FROM robots WHERE host_key = $host_key";

    public override string SpamBan => """
        SELECT (SELECT COUNT(*) FROM bans WHERE name IN ($host, $site)) AS fh_dont_index,
               (SELECT group_concat(name || COALESCE(': ' || reason, ''), '; ') FROM bans WHERE name IN ($host, $site)) AS bans,
               (SELECT ml_spam_score FROM pages WHERE shard = $shard AND src_unparsed = $key) AS ml_spam_score,
               (SELECT spam_signals FROM pages WHERE shard = $shard AND src_unparsed = $key) AS spam_signals
        """;

    public override string Seen => """
        SELECT f.state, f.depth, s.source AS discovered_from,
               strftime('%Y-%m-%dT%H:%M:%fZ', f.discovered_at / 1000.0, 'unixepoch') AS discovered_at,
               strftime('%Y-%m-%dT%H:%M:%fZ', f.not_before / 1000.0, 'unixepoch') AS not_before, f.attempts
        FROM frontier f LEFT JOIN frontier_sources s ON s.id = f.source_id WHERE f.src_unparsed = $key
        """;

    public override string Condition(IndexabilityFilter filter, int maxAgeMonths) => filter switch
    {
        IndexabilityFilter.HttpStatus => "download_http_code = 200",
        IndexabilityFilter.AgeCutoff => $"download_stamp > strftime('%Y-%m-%dT%H:%M:%fZ', 'now', '-{maxAgeMonths} months')",
        IndexabilityFilter.HistoryDrop => "history_drop_reason IS NULL",
        IndexabilityFilter.SpamBan => "fh_dont_index != 1 AND ml_spam_score = 0",
        IndexabilityFilter.Canonical => "meta_canonical IS NULL OR meta_canonical = '' OR meta_canonical = src_unparsed",
        IndexabilityFilter.RobotsNoIndex => "robots_noindex = 0",
        IndexabilityFilter.RobotsTxtAllowed => "COALESCE(failure_reason, '') <> 'robots_disallowed'",
        // SQLite's LIKE ignores ASCII case, as the rule does.
        IndexabilityFilter.HtmlContentType => "content_type LIKE '%html%'",
        IndexabilityFilter.Duplicate => "duplicate_of IS NULL",
        // A page stored with a failure (processing_error, unsupported_type, ...) is not indexable whatever its status.
        IndexabilityFilter.Failure => "failure_reason IS NULL",
        IndexabilityFilter.Soft404 => "soft_404 IS NULL",
        _ => throw new ArgumentOutOfRangeException(nameof(filter)),
    };

    // Times are ISO 8601 text in this store.
    public override object TimeValue(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", System.Globalization.CultureInfo.InvariantCulture);

    public override string ConditionQuery(IReadOnlyList<string> conditions) =>
        "WITH p AS (SELECT pages.*, CASE WHEN EXISTS (SELECT 1 FROM bans WHERE name IN ($host, $site)) THEN 1 ELSE 0 END AS fh_dont_index\n" +
        "           FROM pages WHERE shard = $shard AND src_unparsed = $key)\nSELECT " +
        string.Join(",\n       ", conditions.Select((c, i) => $"{Truthy(c)} AS f{i}")) + "\nFROM p";

    protected override string Truthy(string condition) => $"COALESCE(({condition}), 0)";

    public override string AllPages =>
        "(SELECT pages.*, CASE WHEN EXISTS (SELECT 1 FROM bans WHERE name IN (pages.host, pages.site)) THEN 1 ELSE 0 END AS fh_dont_index FROM pages)";

    public override string Scope(bool host, bool prefix) =>
        (host ? "host = $host" : "1 = 1") + (prefix ? " AND substr(url, 1, length($prefix)) = $prefix" : "");

    public override string ReasonExamples(int maxAgeMonths, bool host, bool prefix) =>
        $"SELECT reason, url, src_unparsed FROM (SELECT reason, url, src_unparsed, ROW_NUMBER() OVER (PARTITION BY reason ORDER BY src_unparsed) AS rank " +
        $"FROM (SELECT {ReasonCase(maxAgeMonths)} AS reason, url, src_unparsed FROM {AllPages} p WHERE {Scope(host, prefix)})) WHERE rank <= $examples ORDER BY reason, src_unparsed";

    public override string QueuedCount(bool host) =>
        $"SELECT COUNT(*) AS n FROM frontier f JOIN hosts h ON h.id = f.host_id WHERE f.state IN ({(int)FrontierState.Queued}, {(int)FrontierState.InFlight}) " +
        "AND NOT EXISTS (SELECT 1 FROM pages p WHERE p.src_unparsed = f.src_unparsed)" + (host ? " AND h.name = $host" : "");

    public override string QueuedPages(bool host) =>
        $"SELECT f.url, f.src_unparsed FROM frontier f JOIN hosts h ON h.id = f.host_id WHERE f.state IN ({(int)FrontierState.Queued}, {(int)FrontierState.InFlight}) " +
        "AND NOT EXISTS (SELECT 1 FROM pages p WHERE p.src_unparsed = f.src_unparsed)" + (host ? " AND h.name = $host" : "") +
        " ORDER BY f.src_unparsed LIMIT $limit OFFSET $offset";

    protected override string DayOf(string column) => $"substr({column}, 1, 10)";

    // The history has no host: each fetch has a page row (every fetch is saved with its page), which has.
    public override string Fetches(bool host) =>
        "(SELECT substr(f.stamp, 1, 10) AS day, f.http_code, CASE WHEN instr(f.failure_reason, ':') > 0 THEN substr(f.failure_reason, 1, instr(f.failure_reason, ':') - 1) " +
        "ELSE f.failure_reason END AS failure, f.elapsed_ms, f.bytes, lower(COALESCE(f.content_type, '')) AS content_type, f.src_unparsed, p.host " +
        "FROM fetches f JOIN pages p ON p.src_unparsed = f.src_unparsed" + (host ? " WHERE p.host = $host)" : ")");

    public override string RobotsStatus => "SELECT host_key, status, action, fetched_at FROM robots ORDER BY host_key LIMIT $limit";

    public override string LinksFrom => "SELECT target AS other, anchor, nofollow, refusal FROM links WHERE source = $key ORDER BY target LIMIT $limit OFFSET $offset";
    public override string LinksTo => "SELECT source AS other, anchor, nofollow, refusal FROM links WHERE target = $key ORDER BY source LIMIT $limit OFFSET $offset";
    public override string PageStates(int count) => $"SELECT src_unparsed, download_http_code, failure_reason FROM pages WHERE src_unparsed IN ({KeyList(count)})";
    public override string KnownKeys(int count) => $"SELECT src_unparsed FROM frontier WHERE src_unparsed IN ({KeyList(count)})";

    public override string Details => "SELECT * FROM pages WHERE shard = $shard AND src_unparsed = $key";
    public override string History => "SELECT stamp, http_code, failure_reason, elapsed_ms, bytes, location FROM fetches WHERE src_unparsed = $key ORDER BY id DESC LIMIT 20";
    public override string Inlinks => "SELECT COUNT(*) AS inlinks FROM links WHERE target = $key";
    public override string Referrers => "SELECT source FROM links WHERE target = $key ORDER BY source LIMIT 10";
    public override string RedirectsHere => "SELECT src_unparsed FROM pages WHERE redirect_target = $key ORDER BY src_unparsed LIMIT 10";
    // The fetch history's own order (its id): the newest rows without a sort of the table.
    public override string RecentFetches => "SELECT url, stamp, http_code FROM fetches ORDER BY id DESC LIMIT $limit";
    public override string Sitemaps => "SELECT sitemap FROM sitemap_entries WHERE src_unparsed = $key ORDER BY sitemap LIMIT 10";
    public override string Duplicates => "SELECT src_unparsed FROM pages WHERE duplicate_of = $key ORDER BY src_unparsed LIMIT 10";
}
