using Crawlscope.Duplicates;
using Crawlscope.Storage;
using Microsoft.Data.Sqlite;

namespace Crawlscope.Tests.Storage;

public class SqliteMigrationTests
{
    /// <summary>A store written by an older version (schema 6, links and bands as rowid tables) keeps every row
    /// when a newer version opens it and rebuilds those tables in key order.</summary>
    [Fact]
    public async Task OpeningASchema6Store_MovesLinksAndBands_WithoutLosingRows()
    {
        string path = Path.Combine(Path.GetTempPath(), $"crawlscope-migrate-{Guid.NewGuid():N}.db");
        try
        {
            await WriteOldStoreAsync(path, 6, """
                INSERT INTO links VALUES ('com,example)/a', 'com,example)/b', 'B', 0), ('com,example)/a', 'com,example)/c', 'C', 1),
                    ('com,example)/b', 'com,example)/c', 'see C', 0);
                """ + $"INSERT INTO simhash_bands VALUES (0, {SimHashBands.Value(12345, 0)}, 'com,example)/a', 12345), (1, {SimHashBands.Value(12345, 1)}, 'com,example)/a', 12345);");

            await using (var store = await SqliteCrawlStore.OpenAsync(path))
            {
                var links = await store.InspectAsync("SELECT source, target, anchor, nofollow FROM links WHERE target = $t ORDER BY source", [("$t", "com,example)/c")]);
                Assert.Equal([("com,example)/a", "C", 1L), ("com,example)/b", "see C", 0L)],
                    links.Rows.Select(r => ((string)r["source"]!, (string)r["anchor"]!, (long)r["nofollow"]!)).ToList());
                var counts = await store.InspectAsync("SELECT (SELECT COUNT(*) FROM links) AS links, (SELECT COUNT(*) FROM simhash_bands) AS bands, " +
                    "(SELECT MAX(version) FROM schema_version) AS version", []);
                Assert.Equal(3L, counts.Rows[0]["links"]);
                Assert.Equal(2L, counts.Rows[0]["bands"]);
                Assert.Equal((long)SqliteSchema.Migrations.Length, counts.Rows[0]["version"]);
                var tables = await store.InspectAsync("SELECT sql FROM sqlite_master WHERE name IN ('links', 'simhash_bands')", []);
                Assert.All(tables.Rows, r => Assert.Contains("WITHOUT ROWID", (string)r["sql"]!));
                Assert.Equal("com,example)/a", await store.FindNearDuplicateAsync(12345, "com,example)/z", 3));
            }
        }
        finally
        {
            SqliteCrawlStore.DeleteFiles(path);
        }
    }

    /// <summary>A schema-8 frontier (host and source as text, times as ISO text) keeps every row, state, order and
    /// time when a newer version moves it to numbered hosts and sources and Unix milliseconds.</summary>
    [Fact]
    public async Task OpeningASchema8Store_MovesTheFrontierToNumbers_KeepingRowsOrderAndTimes()
    {
        string path = Path.Combine(Path.GetTempPath(), $"crawlscope-migrate-{Guid.NewGuid():N}.db");
        try
        {
            await WriteOldStoreAsync(path, 8, """
                INSERT INTO frontier (src_unparsed, url, host, shard, depth, priority, discovered_from, discovered_at, state, attempts, not_before)
                VALUES ('com,example!www,/b s443', 'https://www.example.com/b', 'www.example.com', 3, 1, 0, 'com,example!www,/ s443', '2026-01-02T03:04:05.006Z', 0, 0, '2026-01-02T03:04:05.006Z'),
                       ('com,example!www,/a s443', 'https://www.example.com/a', 'www.example.com', 3, 1, 0, 'com,example!www,/ s443', '2026-01-02T03:04:06.000Z', 0, 2, '2099-01-01T00:00:00.000Z'),
                       ('com,example!www,/ s443', 'https://www.example.com/', 'www.example.com', 3, 0, 0, NULL, '2026-01-01T00:00:00.000Z', 2, 0, '2026-01-01T00:00:00.000Z'),
                       ('org,other!/x s443', 'https://other.org/x?utm_source=a', 'other.org', 5, 1, 0, 'com,example!www,/ s443', '2026-01-02T03:04:07.000Z', 0, 0, '2026-01-02T03:04:07.000Z');
                """);

            await using var store = await SqliteCrawlStore.OpenAsync(path);
            var now = DateTimeOffset.Parse("2026-06-01T00:00:00Z", System.Globalization.CultureInfo.InvariantCulture);
            Assert.Equal(["other.org", "www.example.com"], (await store.QueuedHostsAsync()).Select(h => h.Host).Order(StringComparer.Ordinal));
            // /a waits until 2099: only /b is ready, with its source, times and URL as they were.
            var leased = Assert.Single(await store.LeaseAsync("www.example.com", now, 10));
            Assert.Equal(("com,example!www,/b s443", "https://www.example.com/b", "com,example!www,/ s443", 1, 0),
                (leased.Key.Value, leased.Url, leased.DiscoveredFrom, leased.Depth, leased.Attempts));
            Assert.Equal(DateTimeOffset.Parse("2026-01-02T03:04:05.006Z", System.Globalization.CultureInfo.InvariantCulture), leased.DiscoveredAt);
            var other = Assert.Single(await store.LeaseAsync("other.org", now, 10));
            Assert.Equal("https://other.org/x?utm_source=a", other.Url);
            Assert.Equal(DateTimeOffset.Parse("2099-01-01T00:00:00Z", System.Globalization.CultureInfo.InvariantCulture), await store.NextReadyAsync());
            var seen = await store.InspectAsync(new SqliteInspectionQueries().Seen, [("$key", "com,example!www,/a s443")]);
            Assert.Equal(("com,example!www,/ s443", "2026-01-02T03:04:06.000Z", "2099-01-01T00:00:00.000Z", 2L),
                ((string)seen.Rows[0]["discovered_from"]!, (string)seen.Rows[0]["discovered_at"]!, (string)seen.Rows[0]["not_before"]!, (long)seen.Rows[0]["attempts"]!));
        }
        finally
        {
            SqliteCrawlStore.DeleteFiles(path);
        }
    }

    /// <summary>A store file as a build of schema <paramref name="version"/> left it, with <paramref name="rows"/> inserted.</summary>
    private static async Task WriteOldStoreAsync(string path, int version, string rows)
    {
        await using var old = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Pooling = false }.ToString());
        await old.OpenAsync();
        await using var cmd = old.CreateCommand();
        cmd.CommandText = "CREATE TABLE schema_version (version INTEGER NOT NULL);" + string.Join("\n", SqliteSchema.Migrations[..version]) +
            $"INSERT INTO schema_version VALUES ({version});" + rows;
        await cmd.ExecuteNonQueryAsync();
    }
}
