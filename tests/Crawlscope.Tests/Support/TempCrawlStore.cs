using Crawlscope.Storage;

namespace Crawlscope.Tests.Support;

/// <summary>A crawl store in a fresh temporary SQLite file, removed (with its WAL files) on dispose.</summary>
public sealed class TempCrawlStore : IAsyncDisposable
{
    private TempCrawlStore(string path, SqliteCrawlStore store)
    {
        Path = path;
        Store = store;
    }

    public string Path { get; }
    public SqliteCrawlStore Store { get; }

    public static async Task<TempCrawlStore> OpenAsync(string name)
    {
        string path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"crawlscope-{name}-{Guid.NewGuid():N}.db");
        return new TempCrawlStore(path, await SqliteCrawlStore.OpenAsync(path));
    }

    public async ValueTask DisposeAsync()
    {
        await Store.DisposeAsync();
        SqliteCrawlStore.DeleteFiles(Path);
    }
}
