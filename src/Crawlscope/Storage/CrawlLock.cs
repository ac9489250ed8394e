namespace Crawlscope.Storage;

/// <summary>
/// One crawl at a time on a store: two crawls on one SQLite file would each lease URLs, double the load on every
/// host and each end believing the other's work is its own. The lock is an exclusive lock on a file beside the
/// store (<c>STORE.crawl-lock</c>, released by the kernel when the process ends, however it ends); commands that
/// only read the store never take it. The store is named by what it is, not how it is spelt: the lock file sits beside
/// the store's real path (a symbolic link leads to it), and an existing store file is itself locked (flock), so a hard
/// link, another name for the same file, finds it taken too. SQLite's own locks are fcntl locks, which flock leaves alone.
/// </summary>
public sealed class CrawlLock : IDisposable
{
    private readonly FileStream _file;
    private readonly FileStream? _store;

    private CrawlLock(FileStream file, FileStream? store) => (_file, _store) = (file, store);

    /// <summary>Takes the lock for the store at <paramref name="storePath"/>, or throws <see cref="CrawlLockedException"/>.</summary>
    public static CrawlLock Acquire(string storePath)
    {
        string real = RealPath(storePath);
        var beside = LockBeside(real, storePath);
        if (!File.Exists(real)) return new CrawlLock(beside, null);
        try
        {
            return new CrawlLock(beside, new FileStream(real, FileMode.Open, FileAccess.Read, FileShare.None));
        }
        catch (IOException)
        {
            beside.Dispose();
            throw new CrawlLockedException(storePath);
        }
    }

    /// <summary>The path with every symbolic link on the way resolved.</summary>
    private static string RealPath(string path)
    {
        string full = Path.GetFullPath(path);
        try
        {
            return new FileInfo(full).ResolveLinkTarget(returnFinalTarget: true)?.FullName ?? full;
        }
        catch (IOException)
        {
            return full; // a link loop: SQLite will say so when it opens the path
        }
    }

    private static FileStream LockBeside(string storePath, string spelled)
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
            throw new CrawlLockedException(spelled);
        }
        file.SetLength(0);
        using (var writer = new StreamWriter(file, leaveOpen: true)) writer.Write(Environment.ProcessId);
        return file;
    }

    public void Dispose()
    {
        _store?.Dispose();
        _file.Dispose();
    }
}

/// <summary>Another process is crawling into the same store.</summary>
public sealed class CrawlLockedException(string storePath)
    : IOException($"another crawl is running on {storePath} (it holds {storePath}.crawl-lock); wait for it or stop it first. " +
                  "inspect, serve, stats and export can read the store meanwhile")
{
    public string StorePath { get; } = storePath;
}
