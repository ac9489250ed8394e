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
            Crawlscope.Storage.SqliteCrawlStore.DeleteFiles(db);
        }
    }
}

/// <summary>`bench` crawls the in-process sample web and reports its figures, also as a JSON file.</summary>
[Collection(Crawlscope.Tests.Crawling.CrawlCollection.Name)]
public class BenchCrawlCommandTests
{
    [Fact]
    public void Bench_SmallCrawl_ReportsThroughputCpuAndMemory()
    {
        string output = Path.Combine(Path.GetTempPath(), $"crawlscope-bench-{Guid.NewGuid():N}.json");
        try
        {
            var result = CliRunner.Run("bench", "--pages", "5", "--json", "--out", output, "--in-process");
            Assert.True(result.ExitCode == 0, result.Stderr);
            var r = JsonDocument.Parse(result.Stdout).RootElement;
            Assert.Equal("full", r.GetProperty("extract").GetString());
            Assert.Equal("in process", r.GetProperty("sample_web").GetString());
            Assert.InRange(r.GetProperty("pages").GetInt64(), 100, 1000);
            Assert.True(r.GetProperty("pages_per_second").GetDouble() > 0);
            Assert.True(r.GetProperty("cpu_ms_per_page").GetDouble() > r.GetProperty("serving_cpu_ms_per_page").GetDouble());
            Assert.True(r.GetProperty("peak_rss_mb").GetDouble() > 50);
            Assert.Equal(r.GetProperty("pages").GetInt64(), JsonDocument.Parse(File.ReadAllText(output)).RootElement.GetProperty("pages").GetInt64());
        }
        finally
        {
            File.Delete(output);
        }
    }

    [Fact]
    public void Bench_ByDefault_ServesTheSampleWebFromAProcessOfItsOwn()
    {
        string output = Path.Combine(Path.GetTempPath(), $"crawlscope-bench-{Guid.NewGuid():N}.json");
        try
        {
            var result = CliRunner.RunScript("bench", "--pages", "5", "--json", "--out", output);
            Assert.True(result.ExitCode == 0, result.Stderr);
            var r = JsonDocument.Parse(result.Stdout).RootElement;
            Assert.Equal("separate process", r.GetProperty("sample_web").GetString());
            Assert.InRange(r.GetProperty("pages").GetInt64(), 100, 1000);
            Assert.Equal(JsonValueKind.Null, r.GetProperty("serving_cpu_ms_per_page").ValueKind);
            // A fresh process compiles the crawl's methods as it first runs them: the warm-up's cost shows in its first tenth.
            var curve = r.GetProperty("curve");
            Assert.Equal(10, curve.GetArrayLength());
            Assert.True(curve[0].GetProperty("jit_ms").GetDouble() > 0, curve.ToString());
            // The extraction pass alone, timed after the crawl on its own pages, costs something and less than the
            // crawl's whole CPU per page (which also pays the fetch, the store and this small crawl's warm-up).
            double pass = r.GetProperty("extraction_pass_cpu_ms_per_page").GetDouble();
            Assert.InRange(pass, 0.01, r.GetProperty("cpu_ms_per_page").GetDouble());
        }
        finally
        {
            File.Delete(output);
        }
    }
}
