namespace Crawlscope.Cli.Options;

/// <summary>Notices that the SQLite file a long-running command has open was deleted or replaced by another file of the
/// same name: the process then holds a descriptor whose target Linux shows as "PATH (deleted)".</summary>
internal static class StoreFile
{
    private static readonly TimeSpan Every = TimeSpan.FromSeconds(1);

    /// <summary>True once <paramref name="path"/> was replaced and a file of that name exists again; false when
    /// <paramref name="ct"/> ends first, at once for no file (a cluster store) or where /proc cannot tell.</summary>
    public static async Task<bool> WaitUntilReplacedAsync(string? path, CancellationToken ct)
    {
        try
        {
            if (path is null || !Directory.Exists("/proc/self/fd"))
            {
                await Task.Delay(Timeout.Infinite, ct);
                return false;
            }
            while (!(HoldsDeleted(path) && File.Exists(path))) await Task.Delay(Every, ct);
            // The new file may still be being written (a copy, a crawl's first pages): let it settle a moment.
            await Task.Delay(Every, ct);
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    private static bool HoldsDeleted(string path)
    {
        string deleted = path + " (deleted)";
        foreach (string fd in Directory.EnumerateFileSystemEntries("/proc/self/fd"))
        {
            try
            {
                if (new FileInfo(fd).LinkTarget == deleted) return true;
            }
            catch (IOException)
            {
                // The descriptor closed while it was read.
            }
        }
        return false;
    }
}
