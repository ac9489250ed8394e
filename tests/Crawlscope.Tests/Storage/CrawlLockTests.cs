using System.Diagnostics;
using Crawlscope.Storage;

namespace Crawlscope.Tests.Storage;

/// <summary>One crawl per store, whatever name the store is given: its path, a symbolic link, a hard link.</summary>
public sealed class CrawlLockTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("crawlscope-lock").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task TheStore_IsLockedUnderEveryName()
    {
        string db = Path.Combine(_dir, "store.db");
        await using (var store = await SqliteCrawlStore.OpenAsync(db)) { }
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        string symlink = Path.Combine(_dir, "symlink.db");
        File.CreateSymbolicLink(symlink, db);
        string hardlink = Path.Combine(_dir, "other", "hardlink.db");
        Directory.CreateDirectory(Path.GetDirectoryName(hardlink)!);
        using (var ln = Process.Start("ln", [db, hardlink])) ln.WaitForExit();
        Assert.True(File.Exists(hardlink));

        using (CrawlLock.Acquire(db))
        {
            Assert.Throws<CrawlLockedException>(() => CrawlLock.Acquire(db));
            Assert.Throws<CrawlLockedException>(() => CrawlLock.Acquire(symlink));
            Assert.Throws<CrawlLockedException>(() => CrawlLock.Acquire(hardlink));
            // Readers are not held back: SQLite's own locks are not the crawl lock.
            await using var reader = await SqliteCrawlStore.OpenAsync(hardlink);
            Assert.Equal(0, await reader.PageCountAsync());
        }
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        using (CrawlLock.Acquire(hardlink))
            Assert.Throws<CrawlLockedException>(() => CrawlLock.Acquire(db));
        using (CrawlLock.Acquire(symlink)) { }
    }
}
