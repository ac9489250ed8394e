namespace Crawlscope.Storage;

/// <summary>The embedded store's schema, versioned: each entry migrates from the version before it.</summary>
internal static class SqliteSchema
{
    internal static readonly string[] Migrations =
    [
        // 1: the first schema. Column names follow the seed's inspector (download_http_code, src_unparsed, ...).
        """
        CREATE TABLE pages (
            src_unparsed TEXT PRIMARY KEY,
            url TEXT NOT NULL,
            shard INTEGER NOT NULL,
            root_hash INTEGER NOT NULL,
            host TEXT NOT NULL,
            site TEXT NOT NULL,
            download_http_code INTEGER,
            download_stamp TEXT,
            first_indexed TEXT,
            content_type TEXT,
            failure_reason TEXT,
            history_drop_reason TEXT,
            ml_spam_score INTEGER NOT NULL DEFAULT 0,
            spam_signals TEXT,
            meta_title TEXT,
            meta_description TEXT,
            meta_canonical TEXT,
            robots_noindex INTEGER NOT NULL DEFAULT 0,
            robots_nofollow INTEGER NOT NULL DEFAULT 0,
            robots_sources TEXT,
            lang TEXT,
            boilerpipe_text TEXT,
            markdown TEXT,
            readable_markdown TEXT,
            content_hash TEXT,
            simhash INTEGER,
            duplicate_of TEXT,
            response_headers TEXT,
            redirect_target TEXT,
            truncated INTEGER NOT NULL DEFAULT 0,
            body_bytes INTEGER,
            outlinks INTEGER NOT NULL DEFAULT 0,
            depth INTEGER NOT NULL DEFAULT 0,
            etag TEXT,
            last_modified TEXT,
            next_fetch TEXT
        );
        CREATE INDEX pages_shard ON pages(shard);
        CREATE INDEX pages_content_hash ON pages(content_hash);
        CREATE TABLE simhash_bands (band INTEGER NOT NULL, value INTEGER NOT NULL, src_unparsed TEXT NOT NULL, simhash INTEGER NOT NULL,
            PRIMARY KEY (band, value, src_unparsed));
        CREATE TABLE fetches (
            id INTEGER PRIMARY KEY,
            src_unparsed TEXT NOT NULL,
            url TEXT NOT NULL,
            stamp TEXT NOT NULL,
            http_code INTEGER,
            failure_reason TEXT,
            elapsed_ms REAL NOT NULL,
            bytes INTEGER NOT NULL,
            content_type TEXT,
            location TEXT
        );
        CREATE INDEX fetches_key ON fetches(src_unparsed);
        CREATE TABLE frontier (
            src_unparsed TEXT PRIMARY KEY,
            url TEXT NOT NULL,
            host TEXT NOT NULL,
            shard INTEGER NOT NULL,
            depth INTEGER NOT NULL,
            priority INTEGER NOT NULL,
            discovered_from TEXT,
            discovered_at TEXT NOT NULL,
            state INTEGER NOT NULL DEFAULT 0,
            attempts INTEGER NOT NULL DEFAULT 0,
            not_before TEXT NOT NULL,
            redirect_hops INTEGER NOT NULL DEFAULT 0,
            redirect_chain TEXT
        );
        CREATE INDEX frontier_ready ON frontier(state, host, priority, depth, not_before);
        CREATE TABLE links (
            source TEXT NOT NULL,
            target TEXT NOT NULL,
            anchor TEXT NOT NULL,
            nofollow INTEGER NOT NULL,
            PRIMARY KEY (source, target)
        );
        CREATE INDEX links_target ON links(target);
        CREATE TABLE robots (
            host_key TEXT PRIMARY KEY,
            fetched_at TEXT NOT NULL,
            expires_at TEXT NOT NULL,
            status INTEGER,
            body BLOB,
            action TEXT NOT NULL,
            reason TEXT NOT NULL,
            last_good_body BLOB
        );
        CREATE TABLE bans (
            name TEXT PRIMARY KEY,
            reason TEXT,
            created TEXT NOT NULL
        );
        """,
        // 2: leases read a host's queue in (priority, depth, discovered_at) order straight from an index.
        """
        DROP INDEX IF EXISTS frontier_ready;
        CREATE INDEX frontier_ready ON frontier(state, host, priority, depth, discovered_at);
        """,
        // 3: which sitemaps list a URL (the inspector shows them).
        """
        CREATE TABLE sitemap_entries (src_unparsed TEXT NOT NULL, sitemap TEXT NOT NULL, PRIMARY KEY (src_unparsed, sitemap));
        """,
        // 4: whether a host's sitemaps were read, so a crawl killed while reading them reads them again.
        """
        ALTER TABLE robots ADD COLUMN sitemaps_read INTEGER NOT NULL DEFAULT 0;
        """,
        // 5: the inspector asks which pages redirect to a key or duplicate it, and the overview lists recent
        // failures; without these indexes each lookup scans every page.
        """
        CREATE INDEX pages_redirect_target ON pages(redirect_target) WHERE redirect_target IS NOT NULL;
        CREATE INDEX pages_duplicate_of ON pages(duplicate_of) WHERE duplicate_of IS NOT NULL;
        CREATE INDEX pages_host ON pages(host);
        CREATE INDEX fetches_failures ON fetches(id) WHERE failure_reason IS NOT NULL;
        """,
        // 6: a crawl worker's store: rows waiting to be shipped to the cluster, and small named values
        // (where the worker's pull of other workers' links got to).
        """
        CREATE TABLE outbox (id INTEGER PRIMARY KEY, tbl TEXT NOT NULL, lines TEXT NOT NULL);
        CREATE TABLE meta (name TEXT PRIMARY KEY, value TEXT NOT NULL);
        """,
        // 7: links and near-duplicate bands stored in their primary key's order (WITHOUT ROWID): as rowid tables
        // each row is kept twice, in the table and in the key's index.
        """
        CREATE TABLE links_v7 (source TEXT NOT NULL, target TEXT NOT NULL, anchor TEXT NOT NULL, nofollow INTEGER NOT NULL,
            PRIMARY KEY (source, target)) WITHOUT ROWID;
        INSERT INTO links_v7 SELECT source, target, anchor, nofollow FROM links;
        DROP TABLE links;
        ALTER TABLE links_v7 RENAME TO links;
        CREATE INDEX links_target ON links(target);
        CREATE TABLE simhash_bands_v7 (band INTEGER NOT NULL, value INTEGER NOT NULL, src_unparsed TEXT NOT NULL, simhash INTEGER NOT NULL,
            PRIMARY KEY (band, value, src_unparsed)) WITHOUT ROWID;
        INSERT INTO simhash_bands_v7 SELECT band, value, src_unparsed, simhash FROM simhash_bands;
        DROP TABLE simhash_bands;
        ALTER TABLE simhash_bands_v7 RENAME TO simhash_bands;
        """,
        // 8: what operators did (crawl now, bans, pauses), for the overview and the per-site daily quota; and
        // pages due for recrawl counted without a scan.
        """
        CREATE TABLE operator_actions (id INTEGER PRIMARY KEY, stamp TEXT NOT NULL, actor TEXT NOT NULL, action TEXT NOT NULL,
            target TEXT NOT NULL, site TEXT, detail TEXT);
        CREATE INDEX operator_actions_site ON operator_actions(site, action, stamp) WHERE site IS NOT NULL;
        CREATE INDEX pages_next_fetch ON pages(next_fetch) WHERE next_fetch IS NOT NULL;
        """,
        // 9: a smaller frontier row (a broad crawl queues tens of millions): the host and the discovering page are
        // numbers into tables of their own, the URL is kept only when it is not the key's own, times are Unix
        // milliseconds, and a host's queue is read in (priority, depth, rowid) order, rowid being discovery order.
        """
        CREATE TABLE hosts (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE);
        CREATE TABLE frontier_sources (id INTEGER PRIMARY KEY, source TEXT NOT NULL UNIQUE);
        INSERT INTO hosts (name) SELECT DISTINCT host FROM frontier ORDER BY host;
        INSERT INTO frontier_sources (source) SELECT DISTINCT discovered_from FROM frontier WHERE discovered_from IS NOT NULL;
        CREATE TABLE frontier_v9 (
            src_unparsed TEXT PRIMARY KEY,
            url TEXT,
            host_id INTEGER NOT NULL,
            shard INTEGER NOT NULL,
            depth INTEGER NOT NULL,
            priority INTEGER NOT NULL,
            source_id INTEGER,
            discovered_at INTEGER NOT NULL,
            state INTEGER NOT NULL DEFAULT 0,
            attempts INTEGER NOT NULL DEFAULT 0,
            not_before INTEGER NOT NULL,
            redirect_hops INTEGER NOT NULL DEFAULT 0,
            redirect_chain TEXT
        );
        INSERT INTO frontier_v9 (src_unparsed, url, host_id, shard, depth, priority, source_id, discovered_at, state, attempts, not_before, redirect_hops, redirect_chain)
            SELECT f.src_unparsed, f.url, h.id, f.shard, f.depth, f.priority, s.id,
                   CAST(round((julianday(f.discovered_at) - 2440587.5) * 86400000) AS INTEGER), f.state, f.attempts,
                   CAST(round((julianday(f.not_before) - 2440587.5) * 86400000) AS INTEGER), f.redirect_hops, f.redirect_chain
            FROM frontier f JOIN hosts h ON h.name = f.host LEFT JOIN frontier_sources s ON s.source = f.discovered_from
            ORDER BY f.discovered_at, f.rowid;
        DROP TABLE frontier;
        ALTER TABLE frontier_v9 RENAME TO frontier;
        CREATE INDEX frontier_ready ON frontier(state, host_id, priority, depth);
        """,
        // 10: the page type that chose the readable content's extraction profile, and the classifier's confidence in
        // percent.
        """
        ALTER TABLE pages ADD COLUMN page_type TEXT;
        ALTER TABLE pages ADD COLUMN page_type_confidence INTEGER;
        """,
        // 11: why the crawl did not follow a link (null: followed), so the inspector can say it per page.
        """
        ALTER TABLE links ADD COLUMN refusal TEXT;
        """,
        // 12: what showed that a page answered 200 is really "not found" (a soft 404); null when it is not.
        """
        ALTER TABLE pages ADD COLUMN soft_404 TEXT;
        """,
        // 13: whether the page was rendered in a browser, why (or why not), and the render's account (JSON).
        """
        ALTER TABLE pages ADD COLUMN rendered INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE pages ADD COLUMN render_reason TEXT;
        ALTER TABLE pages ADD COLUMN render_details TEXT;
        """,
        // 14: markdown, readable_markdown and boilerpipe_text may hold zstd-compressed blobs (PageTextCodec), which an
        // older build would read as text; the version number alone keeps such builds out.
        """
        SELECT 1;
        """,
        // 15: outbox ids never reused (AUTOINCREMENT): a worker keeps shipped rows until every replica has them and
        // reads new ones after the last id it sent, so an id handed out again after the table emptied would be skipped.
        """
        CREATE TABLE outbox_v15 (id INTEGER PRIMARY KEY AUTOINCREMENT, tbl TEXT NOT NULL, lines TEXT NOT NULL);
        INSERT INTO outbox_v15 (id, tbl, lines) SELECT id, tbl, lines FROM outbox ORDER BY id;
        DROP TABLE outbox;
        ALTER TABLE outbox_v15 RENAME TO outbox;
        """,
        // 16: a cluster worker's pages not yet shipped, with the outbox row that ships them; once shipped, their texts
        // are dropped here (the cluster holds them) and the row goes. An embedded store leaves the table empty.
        """
        CREATE TABLE page_shipping (src_unparsed TEXT PRIMARY KEY, outbox_id INTEGER NOT NULL) WITHOUT ROWID;
        CREATE INDEX page_shipping_outbox ON page_shipping(outbox_id);
        """,
    ];
}
