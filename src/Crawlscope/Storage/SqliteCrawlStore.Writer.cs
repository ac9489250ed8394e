using SQLitePCL;
using Crawlscope.Vocabulary;
using Crawlscope.Duplicates;
using Microsoft.Data.Sqlite;
using Crawlscope.Model;
using Crawlscope.Telemetry;

namespace Crawlscope.Storage;

/// <summary>The writer task: saves gathered into group commits, each page with its fetch, links and new URLs in one transaction.</summary>
public sealed partial class SqliteCrawlStore
{
    /// <summary>Queues the save for the writer and completes when its transaction has committed (so a caller
    /// that awaited it knows the page is on disk, as before batching).</summary>
    public Task<int> SaveAsync(PageRecord page, FetchRecord fetch, IReadOnlyList<LinkRecord> links, IReadOnlyList<FrontierEntry> discovered, CancellationToken ct = default)
    {
        var texts = PageTextCodec.Pack(new PageTexts(page.Markdown, page.ReadableMarkdown, page.BoilerpipeText));
        // The writer binds the packed texts; the queued record drops the strings, so they die young here instead of
        // being promoted while the page waits for its group commit. A cluster worker's replica writes them from the record.
        var queued = _worker is null ? page with { Markdown = null, ReadableMarkdown = null, BoilerpipeText = null } : page;
        var pending = new PendingSave(queued, texts, fetch, links, discovered);
        if (!_saves.Writer.TryWrite(pending)) throw new ObjectDisposedException(nameof(SqliteCrawlStore));
        return pending.Done.Task;
    }

    /// <summary>
    /// The single writer: takes what is queued (up to <see cref="MaxBatch"/> saves) and writes it in one
    /// transaction. If the batch fails, each save is tried alone, so one bad record fails only its own caller.
    /// </summary>
    private async Task WriteLoopAsync()
    {
        var batch = new List<PendingSave>(MaxBatch);
        while (await _saves.Reader.WaitToReadAsync())
        {
            await GatherAsync(batch);
            await _lock.WaitAsync();
            long started = System.Diagnostics.Stopwatch.GetTimestamp();
            try
            {
                await CommitAsync(batch);
            }
            finally
            {
                var took = System.Diagnostics.Stopwatch.GetElapsedTime(started);
                WriterBusy += took;
                CrawlMetrics.Committed(took);
                WriterBatches++;
                _lock.Release();
                batch.Clear();
            }
        }
    }

    /// <summary>Takes what is queued. Waiting gathers more pages into the transaction: pages of one site link to the
    /// same targets, so a bigger batch dirties fewer index pages per page saved. The wait goes on, up to BatchWindow,
    /// only while saves keep arriving, so a caller saving one page at a time waits one step, not the window.</summary>
    private async Task GatherAsync(List<PendingSave> batch)
    {
        while (batch.Count < MaxBatch && _saves.Reader.TryRead(out var item)) batch.Add(item);
        long windowStart = System.Diagnostics.Stopwatch.GetTimestamp();
        while (batch.Count < MaxBatch && System.Diagnostics.Stopwatch.GetElapsedTime(windowStart) < BatchWindow)
        {
            int before = batch.Count;
            await Task.Delay(BatchStep);
            while (batch.Count < MaxBatch && _saves.Reader.TryRead(out var item)) batch.Add(item);
            if (batch.Count == before) break;
        }
    }

    /// <summary>Writes the batch in one transaction; if it fails, each save alone, so one bad record fails only its caller.</summary>
    private async Task CommitAsync(List<PendingSave> batch)
    {
        var added = new int[batch.Count];
        try
        {
            await using var tx = (SqliteTransaction)await _connection.BeginTransactionAsync();
            BeginFrontierWrites();
            for (int i = 0; i < batch.Count; i++) added[i] = WriteSave(batch[i], tx);
            await tx.CommitAsync();
            FrontierWritesCommitted();
            for (int i = 0; i < batch.Count; i++) batch[i].Done.SetResult(added[i]);
        }
#pragma warning disable CA1031 // every failure is handed to the caller whose save it was
        catch (Exception) when (batch.Count > 1)
        {
            foreach (var one in batch)
            {
                try
                {
                    await using var tx = (SqliteTransaction)await _connection.BeginTransactionAsync();
                    BeginFrontierWrites();
                    int n = WriteSave(one, tx);
                    await tx.CommitAsync();
                    FrontierWritesCommitted();
                    one.Done.SetResult(n);
                }
                catch (Exception ex)
                {
                    one.Done.SetException(ex);
                }
            }
        }
        catch (Exception ex)
        {
            batch[0].Done.TrySetException(ex);
        }
#pragma warning restore CA1031
    }

    private const string InsertFetchSql = """
        INSERT INTO fetches (src_unparsed, url, stamp, http_code, failure_reason, elapsed_ms, bytes, content_type, location)
        VALUES ($key, $url, $stamp, $code, $failure, $elapsed, $bytes, $type, $location)
        """;
    private const string InsertLinkSql = "INSERT OR REPLACE INTO links (source, target, anchor, nofollow, refusal) VALUES ($s, $t, $a, $n, $r)";
    private const string InsertBandSql = "INSERT OR IGNORE INTO simhash_bands (band, value, src_unparsed, simhash) VALUES ($b, $v, $k, $h)";
    private const string InsertFrontierSql = """
        INSERT OR IGNORE INTO frontier (src_unparsed, url, host_id, shard, depth, priority, source_id, discovered_at, state, attempts, not_before, redirect_hops, redirect_chain)
        VALUES ($k, $u, $h, $s, $d, $p, $f, $at, $st, $a, $nb, $rh, $rc)
        """;
    private const string MarkUnshippedSql = "INSERT OR REPLACE INTO page_shipping (src_unparsed, outbox_id) VALUES ($key, $id)";
    private static readonly string MarkDoneSql = $"UPDATE frontier SET state = {StateDone} WHERE src_unparsed = $key";

    // The writer's statements, prepared once and executed row by row: cheaper than building and compiling a
    // multi-row statement for every page.
    private readonly Dictionary<string, SqliteCommand> _prepared = new(StringComparer.Ordinal);
    private SeenKeyFingerprints? _seenKeys;
    private readonly FrontierHosts _frontierHosts = new();
    // Numbers of the discovering pages written in the current transaction (a page's links share one).
    private readonly Dictionary<string, long> _sourceIds = new(StringComparer.Ordinal);

    /// <summary>Called after a transaction began and before its first write, so a first call reads back committed keys only.</summary>
    private void BeginFrontierWrites()
    {
        _seenKeys ??= ReadSeenKeys();
        _seenKeys.Begin();
        _frontierHosts.Begin();
        _sourceIds.Clear();
    }

    private void FrontierWritesCommitted()
    {
        _seenKeys!.Committed();
        _frontierHosts.Committed();
        _sourceIds.Clear();
    }

    private SqliteCommand Prepared(string sql, SqliteTransaction tx, params (string Name, object? Value)[] parameters)
    {
        if (!_prepared.TryGetValue(sql, out var cmd))
        {
            cmd = _connection.CreateCommand();
            cmd.CommandText = sql;
            _prepared[sql] = cmd;
        }
        cmd.Transaction = tx;
        Bind(cmd, parameters);
        return cmd;
    }

    // Synchronous on purpose: Microsoft.Data.Sqlite runs statements synchronously anyway, and this is the writer task.
    private int WriteSave(PendingSave save, SqliteTransaction tx)
    {
        var (page, fetch, links, discovered) = (save.Page, save.Fetch, save.Links, save.Discovered);
        var upsert = Prepared(UpsertPageSql, tx);
        BindPage(upsert, page, save.Texts);
        upsert.ExecuteNonQuery();
        // A cluster worker keeps no fetch history or links of its own: they go out in its outbox rows, and reads of
        // them go to the cluster.
        if (_worker is null)
        {
            Prepared(InsertFetchSql, tx, ("$key", fetch.SrcUnparsed), ("$url", fetch.Url), ("$stamp", Stamp(fetch.Stamp)), ("$code", fetch.HttpCode),
                ("$failure", fetch.Failure?.Text), ("$elapsed", fetch.ElapsedMs), ("$bytes", fetch.Bytes), ("$type", fetch.ContentType), ("$location", fetch.Location))
                .ExecuteNonQuery();
            foreach (var l in links)
                Prepared(InsertLinkSql, tx, ("$s", l.Source), ("$t", l.Target), ("$a", l.Anchor), ("$n", l.NoFollow ? 1 : 0),
                    ("$r", l.Refusal is { } refusal ? StoreNames.Of(refusal) : null)).ExecuteNonQuery();
        }
        // Only originals go into the near-duplicate index: a duplicate points at its original, never at another duplicate.
        if (page.SimHash is long simhash && page.DuplicateOf is null)
            for (int band = 0; band < SimHashBands.Count; band++)
                Prepared(InsertBandSql, tx, ("$b", band), ("$v", SimHashBands.Value(simhash, band)), ("$k", page.SrcUnparsed), ("$h", simhash)).ExecuteNonQuery();
        var newlySeen = _worker is null ? null : new List<FrontierEntry>();
        int added = 0;
        foreach (var e in discovered) added += InsertFrontier(e, tx, newlySeen);
        Prepared(MarkDoneSql, tx, ("$key", page.SrcUnparsed)).ExecuteNonQuery();
        if (_worker is not null)
        {
            long shippedBy = WriteOutbox(_worker.Replica.Save(page, fetch, links), tx);
            Prepared(MarkUnshippedSql, tx, ("$key", page.SrcUnparsed), ("$id", shippedBy)).ExecuteNonQuery();
            WriteOutbox(_worker.Replica.Discovered(newlySeen!), tx);
        }
        return added;
    }

    /// <summary>Adds a URL not seen before; returns 1 if it was new (and queued here), else 0. A worker records
    /// other shards' URLs as seen without queuing them, and lists every new URL in <paramref name="newlySeen"/>.</summary>
    private int InsertFrontier(FrontierEntry e, SqliteTransaction tx, List<FrontierEntry>? newlySeen)
    {
        ulong fingerprint = SeenKeyFingerprints.Of(e.Key.Value);
        if (_seenKeys!.Contains(fingerprint)) return 0;
        bool elsewhere = _worker is not null && !_worker.OwnsShard(e.Shard);
        // The URL is kept only when it is not the one the key stands for (the key is the normalised URL).
        string? url = e.Url == e.Key.ToUrl().Href ? null : e.Url;
        int inserted = Prepared(InsertFrontierSql, tx, ("$k", e.Key.Value), ("$u", url), ("$h", HostId(e.Host, tx)), ("$s", e.Shard), ("$d", e.Depth), ("$p", e.Priority),
            ("$f", SourceId(e.DiscoveredFrom, tx)), ("$at", Millis(e.DiscoveredAt)), ("$st", elsewhere ? StateElsewhere : StateQueued), ("$a", e.Attempts),
            ("$nb", Millis(e.NotBefore ?? e.DiscoveredAt)), ("$rh", e.RedirectHops), ("$rc", e.RedirectChain)).ExecuteNonQuery();
        if (inserted == 1)
        {
            newlySeen?.Add(e);
            if (!elsewhere) _frontierHosts.Queued(e.Host);
        }
        _seenKeys.Add(fingerprint);
        return elsewhere ? 0 : inserted;
    }

    /// <summary>The frontier's keys, read as UTF-8 bytes straight from SQLite (no string per row).</summary>
    private SeenKeyFingerprints ReadSeenKeys()
    {
        var seen = new SeenKeyFingerprints();
        var db = _connection.Handle!;
        if (raw.sqlite3_prepare_v2(db, "SELECT src_unparsed FROM frontier", out var statement) != raw.SQLITE_OK) throw Failed();
        using (statement)
        {
            int rc;
            while ((rc = raw.sqlite3_step(statement)) == raw.SQLITE_ROW)
                seen.AddCommitted(SeenKeyFingerprints.Of(raw.sqlite3_column_blob(statement, 0)));
            if (rc != raw.SQLITE_DONE) throw Failed();
        }
        return seen;

        InvalidOperationException Failed() => new($"reading the frontier's keys: {raw.sqlite3_errmsg(db).utf8_to_string()}");
    }

    private long HostId(string name, SqliteTransaction tx)
    {
        if (_frontierHosts.TryGetId(name, out long id)) return id;
        Prepared("INSERT OR IGNORE INTO hosts (name) VALUES ($n)", tx, ("$n", name)).ExecuteNonQuery();
        id = (long)Prepared("SELECT id FROM hosts WHERE name = $n", tx, ("$n", name)).ExecuteScalar()!;
        _frontierHosts.Numbered(name, id);
        return id;
    }

    private long? SourceId(string? source, SqliteTransaction tx)
    {
        if (source is null) return null;
        if (_sourceIds.TryGetValue(source, out long id)) return id;
        Prepared("INSERT OR IGNORE INTO frontier_sources (source) VALUES ($s)", tx, ("$s", source)).ExecuteNonQuery();
        id = (long)Prepared("SELECT id FROM frontier_sources WHERE source = $s", tx, ("$s", source)).ExecuteScalar()!;
        _sourceIds[source] = id;
        return id;
    }

    /// <summary>Writes rows to ship; returns the last one's id (0 when there were none).</summary>
    private long WriteOutbox(IEnumerable<ReplicaRows> rows, SqliteTransaction tx)
    {
        long last = 0;
        foreach (var row in rows) last = (long)Prepared("INSERT INTO outbox (tbl, lines) VALUES ($t, $l) RETURNING id", tx, ("$t", row.Table), ("$l", row.Lines)).ExecuteScalar()!;
        return last;
    }
}
