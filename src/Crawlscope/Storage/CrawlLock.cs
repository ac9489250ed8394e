namespace Crawlscope.Storage;

/// <summary>
/// One crawl at a time on a store: two crawls on one SQLite file would each lease URLs, double the load on every
/// host and each end believing the other's work is its own. The lock is an exclusive lock on a file beside the
/// store (<c>STORE.crawl-lock</c>, released by the kernel when the process ends, however it ends); commands that
/// only read the store never take it.
/// </summary>
public sealed class CrawlLock : IDisposable
{
    private readonly FileStream _file;

    private CrawlLock(FileStream file) => _file = file;

    /// <summary>Takes the lock for the store at <paramref name="storePath"/>, or throws <see cref="CrawlLockedException"/>.</summary>
    public static CrawlLock Acquire(string storePath)
    {
        string path = storePath + ".crawl-lock";
        string? dir = Path.GetDirectoryName(Path.GetFullPath(path));
        if (dir is not null) Directory.CreateDirectory(dir);
        FileStream file;
        try
        {
            // FileShare.None is an exclusive, non-blocking flock on Unix (a Windows share lock elsewhere).
            file = new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (IOException) when (File.Exists(path))
        {
            throw new CrawlLockedException(storePath);
        }
        file.SetLength(0);
        using (var writer = new StreamWriter(file, leaveOpen: true)) writer.Write(Environment.ProcessId);
        return new CrawlLock(file);
    }

    public void Dispose() => _file.Dispose();
}

/// <summary>Another process is crawling into the same store.</summary>
public sealed class CrawlLockedException(string storePath)
    : IOException($"another crawl is running on {storePath} (it holds {storePath}.crawl-lock); wait for it or stop it first. " +
                  "inspect, serve, stats and export can read the store meanwhile")
{
    public string StorePath { get; } = storePath;
}
