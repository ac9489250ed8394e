using Crawlscope.Duplicates;
using Microsoft.Data.Sqlite;
using Crawlscope.Model;

namespace Crawlscope.Storage;

/// <summary>Pages: the latest state of each URL, duplicates, sitemap entries, and streamed reads for exports.</summary>
public sealed partial class SqliteCrawlStore
{
    public async Task<PageRecord?> GetPageAsync(string srcUnparsed, CancellationToken ct = default)
    {
        var rows = await QueryAsync("SELECT * FROM pages WHERE src_unparsed = $key", ReadPage, ct, ("$key", srcUnparsed));
        return rows.Count == 0 ? null : rows[0];
    }

    public async Task<string?> FindByContentHashAsync(string contentHash, string except, CancellationToken ct = default)
    {
        var rows = await QueryAsync("SELECT src_unparsed FROM pages WHERE content_hash = $h AND src_unparsed <> $k AND duplicate_of IS NULL ORDER BY src_unparsed LIMIT 1",
            r => r.GetString(0), ct, ("$h", contentHash), ("$k", except));
        return rows.Count == 0 ? null : rows[0];
    }

    public async Task<string?> FindNearDuplicateAsync(long simHash, string except, int maxDistance, CancellationToken ct = default)
    {
        // Six bands of 10-11 bits: two hashes within 5 bits of each other share at least one band exactly.
        // One indexed range per band (an OR over the bands would scan the whole table). Only pages that are not
        // duplicates themselves are in the index (see WriteSave), so no join with pages is needed, and
        // rows are read in index order until one is close enough: templated sites put many pages in a band.
        return await FirstAsync("""
            SELECT src_unparsed, simhash FROM simhash_bands WHERE band = 0 AND value = $b0 AND src_unparsed <> $k
            UNION ALL SELECT src_unparsed, simhash FROM simhash_bands WHERE band = 1 AND value = $b1 AND src_unparsed <> $k
            UNION ALL SELECT src_unparsed, simhash FROM simhash_bands WHERE band = 2 AND value = $b2 AND src_unparsed <> $k
            UNION ALL SELECT src_unparsed, simhash FROM simhash_bands WHERE band = 3 AND value = $b3 AND src_unparsed <> $k
            UNION ALL SELECT src_unparsed, simhash FROM simhash_bands WHERE band = 4 AND value = $b4 AND src_unparsed <> $k
            UNION ALL SELECT src_unparsed, simhash FROM simhash_bands WHERE band = 5 AND value = $b5 AND src_unparsed <> $k
            """, r => System.Numerics.BitOperations.PopCount((ulong)(r.GetInt64(1) ^ simHash)) <= maxDistance ? r.GetString(0) : null, ct,
            ("$b0", SimHashBands.Value(simHash, 0)), ("$b1", SimHashBands.Value(simHash, 1)), ("$b2", SimHashBands.Value(simHash, 2)),
            ("$b3", SimHashBands.Value(simHash, 3)), ("$b4", SimHashBands.Value(simHash, 4)), ("$b5", SimHashBands.Value(simHash, 5)), ("$k", except));
    }

    public async Task AddSitemapEntriesAsync(string sitemapUrl, IReadOnlyList<string> keys, CancellationToken ct = default)
    {
        if (keys.Count == 0) return;
        await _lock.WaitAsync(ct);
        try
        {
            await using var tx = (SqliteTransaction)await _connection.BeginTransactionAsync(ct);
            foreach (var chunk in keys.Chunk(200))
            {
                await using var cmd = MultiRow("INSERT OR IGNORE INTO sitemap_entries (src_unparsed, sitemap) VALUES ", chunk, tx, k => [k, sitemapUrl]);
                await cmd.ExecuteNonQueryAsync(ct);
            }
            if (_worker is not null) WriteOutbox(_worker.Replica.SitemapEntries(sitemapUrl, keys), tx);
            await tx.CommitAsync(ct);
        }
        finally
        {
            _lock.Release();
        }
    }

    public Task<long> PageCountAsync(CancellationToken ct = default) => CountAsync("SELECT COUNT(*) FROM pages", ct);

    public async Task<IReadOnlyList<string>> SeedUrlsAsync(CancellationToken ct = default) =>
        await QueryAsync("SELECT DISTINCT url FROM pages WHERE depth = 0", r => r.GetString(0), ct);

    public async IAsyncEnumerable<PageRecord> PagesAsync(string condition, IReadOnlyList<(string Name, object? Value)> parameters,
        [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken ct = default)
    {
        // A reader connection is held for the whole stream: WAL gives the export one consistent snapshot while
        // a crawl may go on writing.
        var reader = await _readers.Reader.ReadAsync(ct);
        try
        {
            await using var cmd = reader.CreateCommand();
            cmd.CommandText = $"""
                SELECT p.* FROM (SELECT pages.*, CASE WHEN EXISTS (SELECT 1 FROM bans WHERE name IN (pages.host, pages.site)) THEN 1 ELSE 0 END AS fh_dont_index
                                 FROM pages) p
                WHERE {condition}
                ORDER BY p.src_unparsed
                """;
            Bind(cmd, [.. parameters]);
            await using var r = await cmd.ExecuteReaderAsync(ct);
            while (await r.ReadAsync(ct)) yield return ReadPage(r);
        }
        finally
        {
            _readers.Writer.TryWrite(reader);
        }
    }
}
