using System.Text.Json;

namespace Crawlscope.Tests.Cli;

/// <summary>`bench inspect` builds a store, looks pages up through the engine and the API, and reports the figures.</summary>
public class BenchInspectCommandTests
{
    [Fact]
    public void BenchInspect_BuildsTheStore_AndReportsLatencyOfBothPaths()
    {
        string db = Path.Combine(Path.GetTempPath(), $"crawlscope-bench-inspect-test-{Guid.NewGuid():N}.db");
        try
        {
            var result = CliRunner.Run("bench", "inspect", "--pages", "400", "--lookups", "60", "--db", db, "--json");
            Assert.True(result.ExitCode == 0, result.Stderr);
            var r = JsonDocument.Parse(result.Stdout).RootElement;
            Assert.Contains("building a store of 400 pages", result.Stderr);
            Assert.Equal(400, r.GetProperty("pages").GetInt64());
            Assert.Equal(3200, r.GetProperty("links").GetInt64());
            Assert.Equal(54, r.GetProperty("known_lookups").GetInt32()); // nine in ten lookups are of stored pages
            var latency = r.GetProperty("latency").EnumerateArray().ToList();
            Assert.Equal(2, latency.Count);
            Assert.All(latency, l =>
            {
                Assert.Equal(60, l.GetProperty("lookups").GetInt32());
                Assert.InRange(l.GetProperty("p50_ms").GetDouble(), 0.001, l.GetProperty("p99_ms").GetDouble());
            });
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            foreach (var suffix in new[] { "", "-wal", "-shm" }) File.Delete(db + suffix);
        }
    }
}
