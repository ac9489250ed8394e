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
            await using (var old = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Pooling = false }.ToString()))
            {
                await old.OpenAsync();
                await using var cmd = old.CreateCommand();
                cmd.CommandText = "CREATE TABLE schema_version (version INTEGER NOT NULL);" + string.Join("\n", SqliteSchema.Migrations[..6]) + """
                    INSERT INTO schema_version VALUES (6);
                    INSERT INTO links VALUES ('com,example)/a', 'com,example)/b', 'B', 0), ('com,example)/a', 'com,example)/c', 'C', 1),
                        ('com,example)/b', 'com,example)/c', 'see C', 0);
                    """ + $"INSERT INTO simhash_bands VALUES (0, {SimHashBands.Value(12345, 0)}, 'com,example)/a', 12345), (1, {SimHashBands.Value(12345, 1)}, 'com,example)/a', 12345);";
                await cmd.ExecuteNonQueryAsync();
            }

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
}
