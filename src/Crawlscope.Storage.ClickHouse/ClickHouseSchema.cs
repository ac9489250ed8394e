namespace Crawlscope.Storage.ClickHouse;

/// <summary>
/// The cluster schema, versioned. On every node: a local table per kind of data, and a <c>Distributed</c> table
/// over each, named without the suffix, sharded by the logical <c>shard</c> column so that all rows of a site
/// land on one node. Everything is <c>ReplacingMergeTree</c>: a batch sent again after a failure (a node was
/// down halfway through an insert) replaces its own rows instead of doubling them. Engine syntax is the
/// current one (ORDER BY clauses, no engine arguments for keys), which 18.16 and today's servers both accept.
/// </summary>
internal static class ClickHouseSchema
{
    /// <summary>One migration: the local tables it creates or changes, and the Distributed tables over them.</summary>
    internal sealed record Migration(string[] Local, string[] Distributed);

    internal const string Stamp = "DateTime('UTC')";

    internal static readonly (string Name, string Type)[] PageColumns =
    [
        ("src_unparsed", "String"), ("url", "String"), ("shard", "UInt32"), ("root_hash", "Int64"), ("host", "String"), ("site", "String"),
        ("download_http_code", "Nullable(Int32)"), ("download_stamp", $"Nullable({Stamp})"), ("first_indexed", $"Nullable({Stamp})"),
        ("content_type", "Nullable(String)"), ("failure_reason", "Nullable(String)"), ("history_drop_reason", "Nullable(String)"),
        ("ml_spam_score", "Int32"), ("spam_signals", "Nullable(String)"), ("meta_title", "Nullable(String)"), ("meta_description", "Nullable(String)"),
        ("meta_canonical", "Nullable(String)"), ("robots_noindex", "UInt8"), ("robots_nofollow", "UInt8"), ("robots_sources", "Nullable(String)"),
        ("lang", "Nullable(String)"), ("boilerpipe_text", "Nullable(String)"), ("markdown", "Nullable(String)"), ("readable_markdown", "Nullable(String)"),
        ("content_hash", "Nullable(String)"), ("simhash", "Nullable(Int64)"), ("duplicate_of", "Nullable(String)"), ("response_headers", "Nullable(String)"),
        ("redirect_target", "Nullable(String)"), ("truncated", "UInt8"), ("body_bytes", "Nullable(Int64)"), ("outlinks", "Int32"), ("depth", "Int32"),
        ("etag", "Nullable(String)"), ("last_modified", "Nullable(String)"), ("next_fetch", $"Nullable({Stamp})"),
        // Which row is the latest: ReplacingMergeTree keeps the highest version of a key.
        ("version", "UInt64"),
    ];

    /// <summary>Page columns added after the first schema, by <see cref="Migrations"/> 3.</summary>
    internal static readonly (string Name, string Type)[] AddedPageColumns = [("page_type", "Nullable(String)"), ("page_type_confidence", "Nullable(Int32)")];

    internal static readonly Migration[] Migrations =
    [
        // 1: the first schema. Pages are read one key at a time with every column, so their granules are small
        // (256 rows, not 8,192): a lookup of the details decompressed 8,192 pages' text and took 25 ms.
        new(
            [
                $"CREATE TABLE IF NOT EXISTS {{db}}.pages_local ({string.Join(", ", PageColumns.Select(c => $"{c.Name} {c.Type}"))}) ENGINE = ReplacingMergeTree(version) ORDER BY src_unparsed SETTINGS index_granularity = 256",
                $"CREATE TABLE IF NOT EXISTS {{db}}.fetches_local (shard UInt32, id UInt64, src_unparsed String, url String, stamp {Stamp}, http_code Nullable(Int32), failure_reason Nullable(String), elapsed_ms Float64, bytes Int64, content_type Nullable(String), location Nullable(String)) ENGINE = ReplacingMergeTree ORDER BY (src_unparsed, id)",
                "CREATE TABLE IF NOT EXISTS {db}.links_local (shard UInt32, source String, target String, anchor String, nofollow UInt8) ENGINE = ReplacingMergeTree ORDER BY (target, source)",
                "CREATE TABLE IF NOT EXISTS {db}.simhash_bands_local (shard UInt32, band UInt8, value Int64, src_unparsed String, simhash Int64) ENGINE = ReplacingMergeTree ORDER BY (band, value, src_unparsed)",
                $"CREATE TABLE IF NOT EXISTS {{db}}.robots_local (shard UInt32, host_key String, fetched_at {Stamp}, expires_at {Stamp}, status Nullable(Int32), body Nullable(String), action String, reason String, last_good_body Nullable(String), sitemaps_read UInt8, version UInt64) ENGINE = ReplacingMergeTree(version) ORDER BY host_key",
                "CREATE TABLE IF NOT EXISTS {db}.sitemap_entries_local (shard UInt32, src_unparsed String, sitemap String) ENGINE = ReplacingMergeTree ORDER BY (src_unparsed, sitemap)",
                // Unbanning writes a newer row with deleted = 1 (deletes are mutations in ClickHouse, too heavy for this).
                $"CREATE TABLE IF NOT EXISTS {{db}}.bans_local (shard UInt32, name String, reason Nullable(String), created {Stamp}, deleted UInt8, version UInt64) ENGINE = ReplacingMergeTree(version) ORDER BY name",
                // Every URL a worker saw first: the cluster-wide seen record, and how workers hand links to each other.
                // added_us is set when the row is shipped, so pulls that follow it miss nothing a restarted worker sends late.
                $"CREATE TABLE IF NOT EXISTS {{db}}.discovered_local (shard UInt32, src_unparsed String, url String, host String, depth Int32, priority Int32, discovered_from Nullable(String), discovered_at {Stamp}, worker String, added_us UInt64) ENGINE = ReplacingMergeTree ORDER BY (shard, src_unparsed)",
                $"CREATE TABLE IF NOT EXISTS {{db}}.workers_local (shard UInt32, worker String, shards String, queued Int64, leased Int64, unshipped Int64, cursor_us UInt64, departed UInt8, heartbeat {Stamp}, version UInt64) ENGINE = ReplacingMergeTree(version) ORDER BY worker",
            ],
            ["pages", "fetches", "links", "simhash_bands", "robots", "sitemap_entries", "bans", "discovered", "workers"]),
        // 2: what operators did (crawl now, bans, pauses), sharded by the site acted on (0 for the whole crawl).
        new(
            [
                $"CREATE TABLE IF NOT EXISTS {{db}}.operator_actions_local (shard UInt32, id UInt64, stamp {Stamp}, actor String, action String, target String, site Nullable(String), detail Nullable(String)) ENGINE = ReplacingMergeTree ORDER BY (stamp, id)",
            ],
            ["operator_actions"]),
        // 3: the page type of the readable content's profile, on the local table and on the Distributed one over it.
        new(
            [
                .. AddedPageColumns.Select(c => $"ALTER TABLE {{db}}.pages_local ADD COLUMN {c.Name} {c.Type}"),
                .. AddedPageColumns.Select(c => $"ALTER TABLE {{db}}.pages ADD COLUMN {c.Name} {c.Type}"),
            ],
            []),
        // 4: why the crawl did not follow a link (null: followed).
        new(
            [
                "ALTER TABLE {db}.links_local ADD COLUMN refusal Nullable(String)",
                "ALTER TABLE {db}.links ADD COLUMN refusal Nullable(String)",
            ],
            []),
        // 5: what showed that a page answered 200 is really "not found" (a soft 404).
        new(
            [
                "ALTER TABLE {db}.pages_local ADD COLUMN soft_404 Nullable(String)",
                "ALTER TABLE {db}.pages ADD COLUMN soft_404 Nullable(String)",
            ],
            []),
        // 6: whether the page was rendered in a browser, why (or why not), and the render's account (JSON).
        new(
            [
                "ALTER TABLE {db}.pages_local ADD COLUMN rendered UInt8 DEFAULT 0, ADD COLUMN render_reason Nullable(String), ADD COLUMN render_details Nullable(String)",
                "ALTER TABLE {db}.pages ADD COLUMN rendered UInt8 DEFAULT 0, ADD COLUMN render_reason Nullable(String), ADD COLUMN render_details Nullable(String)",
            ],
            []),
    ];

    internal const string VersionTable = "CREATE TABLE IF NOT EXISTS {db}.schema_version (version UInt32, applied DateTime('UTC')) ENGINE = MergeTree ORDER BY version";

    internal static string DistributedTable(string db, string cluster, string table) =>
        $"CREATE TABLE IF NOT EXISTS {db}.{table} AS {db}.{table}_local ENGINE = Distributed({cluster}, {db}, {table}_local, shard)";
}
