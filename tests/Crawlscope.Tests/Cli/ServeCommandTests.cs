using System.Text.Json;
using System.Text.RegularExpressions;
using Crawlscope.Model;
using Crawlscope.Storage;
using Crawlscope.Tests.Crawling;
using Crawlscope.Urls;

namespace Crawlscope.Tests.Cli;

/// <summary><c>serve</c> as left open beside crawls: a store file replaced under it (the demo run again) is served anew.</summary>
[Collection(CrawlCollection.Name)]
public sealed partial class ServeCommandTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("crawlscope-serve").FullName;

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_dir, recursive: true);
    }

    /// <summary>A store whose queue holds <paramref name="queued"/> URLs.</summary>
    private static async Task MakeStoreAsync(string path, int queued)
    {
        var keyer = new UrlKeyer(PublicSuffixList.Default, UrlNormalizer.Default, 100);
        await using var store = await SqliteCrawlStore.OpenAsync(path);
        var entries = Enumerable.Range(0, queued)
            .Select(i => FrontierEntry.Seed(keyer.TryIdentify($"https://www.example.com/{i}", out var id, out _) ? id : throw new InvalidOperationException(), DateTimeOffset.UtcNow))
            .ToList();
        if (entries.Count > 0) await store.EnqueueAsync(entries);
    }

    private static async Task<long> QueuedAsync(HttpClient http) =>
        JsonDocument.Parse(await http.GetStringAsync("/api/stats")).RootElement.GetProperty("queued").GetInt64();

    [GeneratedRegex(@"Crawler Inspector on (http://\S+?)/")]
    private static partial Regex Address();

    [Fact]
    public async Task Serve_ReopensTheStore_WhenItsFileIsReplaced()
    {
        string db = Path.Combine(_dir, "served.db");
        await MakeStoreAsync(db, 2);
        CliRunner.RunScript("--version");
        using var serve = RunningProcess.Start("serve", "--db", db, "--urls", "http://127.0.0.1:0");
        await serve.WaitUntilAsync(p => p.Stdout.Contains("Ctrl+C stops"), "the serving line");
        using var http = new HttpClient { BaseAddress = new Uri(Address().Match(serve.Stdout).Groups[1].Value), Timeout = TimeSpan.FromSeconds(10) };
        Assert.Equal(2, await QueuedAsync(http));

        // As the demo does it: the old file deleted, a new store written at the same path.
        SqliteCrawlStore.DeleteFiles(db);
        await MakeStoreAsync(db, 5);
        await serve.WaitUntilAsync(p => p.Stdout.Contains("was replaced: serving the new one"), "the reopening line");
        Assert.Equal(5, await QueuedAsync(http));

        // Replaced again, by a rename over it (a restored copy).
        string copy = Path.Combine(_dir, "restored.db");
        await MakeStoreAsync(copy, 7);
        File.Move(copy, db, overwrite: true);
        // Polled only once the site is up again: while serve restarts it, the port refuses connections.
        await serve.WaitUntilAsync(p => p.Stdout.Split("was replaced: serving the new one").Length - 1 == 2, "the second reopening line");
        await Operating.ServiceFixture.EventuallyAsync(async () => await QueuedAsync(http) == 7, "the restored copy served");
        Assert.True(await serve.TerminateAsync(TimeSpan.FromSeconds(10)) is not null && serve.ExitCode == 0, serve.Stderr);
    }
}
