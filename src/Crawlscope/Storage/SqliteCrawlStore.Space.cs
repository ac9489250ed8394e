using Microsoft.Data.Sqlite;
using Crawlscope.Model;

namespace Crawlscope.Storage;

/// <summary>A full disk: which failures mean one, and whether there is room again.</summary>
public sealed partial class SqliteCrawlStore : IStoreSpace
{
    // The probe writes this much beside the store: a crawl needs room for a few transactions, not one page.
    private const int ProbeBytes = 4 * 1024 * 1024;
    // ... and this many free database pages under the store's own limit (PRAGMA max_page_count).
    private const long ProbePages = 64;

    public bool IsFull(Exception error, out string condition)
    {
        for (var e = error; e is not null; e = e.InnerException)
        {
            if (e is AggregateException { InnerExceptions.Count: > 0 } many && many.InnerExceptions.Any(i => IsFull(i, out _))) e = many.InnerExceptions.First(i => IsFull(i, out _));
            if (e is SqliteException { SqliteErrorCode: Full })
            {
                condition = $"disk full: the disk holding the store {Path} is full; the crawl is paused until space returns (the inspector stays up)";
                return true;
            }
        }
        condition = "";
        return false;
    }

    public async Task<bool> HasRoomAsync(CancellationToken ct = default)
    {
        string probe = Path + ".space-probe";
        try
        {
            await using (var file = new FileStream(probe, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16, FileOptions.WriteThrough | FileOptions.Asynchronous))
            {
                var chunk = new byte[1 << 16];
                for (int written = 0; written < ProbeBytes; written += chunk.Length) await file.WriteAsync(chunk, ct);
                await file.FlushAsync(ct);
            }
            // On the writer's connection: the page limit is a connection's setting.
            var (pages, max) = (await QueryLockedAsync("SELECT page_count, max_page_count FROM pragma_page_count(), pragma_max_page_count()",
                r => (r.GetInt64(0), r.GetInt64(1)), ct))[0];
            return max - pages >= ProbePages;
        }
        catch (IOException)
        {
            return false;
        }
        finally
        {
            try
            {
                File.Delete(probe);
            }
            catch (IOException)
            {
                // Removed on the next probe.
            }
        }
    }

    /// <summary>Caps the store at its current size plus <paramref name="morePages"/> pages, or lifts the cap (null):
    /// SQLite then fails a write past it as it fails on a full disk, which is how tests fill a disk.</summary>
    internal async Task SetMaxPagesAsync(long? morePages, CancellationToken ct = default)
    {
        long pages = (await QueryLockedAsync("SELECT page_count FROM pragma_page_count()", r => r.GetInt64(0), ct))[0];
        long max = morePages is { } more ? pages + more : 4294967294;
        await QueryLockedAsync($"PRAGMA max_page_count = {max}", r => r.GetInt64(0), ct);
    }
}
