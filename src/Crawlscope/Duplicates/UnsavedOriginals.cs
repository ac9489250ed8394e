using Crawlscope.Extraction;

namespace Crawlscope.Duplicates;

/// <summary>
/// Fingerprints of original pages (not duplicates) that are processed but whose save has not committed yet.
/// Pages wait for the store's group commit without holding a fetch slot, so the next page of a site can be
/// checked for duplicates before the page it duplicates is in the store; this registry closes that gap. It
/// holds at most the pages waiting for a commit (the crawl loop bounds them), so a linear scan is enough.
/// </summary>
internal sealed class UnsavedOriginals
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, (string ContentHash, ulong SimHash)> _pages = new(StringComparer.Ordinal);

    public void Remove(string key)
    {
        lock (_gate) _pages.Remove(key);
    }

    /// <summary>
    /// An unsaved page other than <paramref name="key"/> with the same content hash, else one whose SimHash differs
    /// in at most <paramref name="maxDistance"/> bits (the closest); when there is none, the page is added, in the
    /// same step, so of two near-duplicates checked at once one finds the other.
    /// </summary>
    public string? FindOrAdd(string key, string contentHash, ulong simHash, int maxDistance)
    {
        lock (_gate)
        {
            string? near = null;
            int nearest = maxDistance + 1;
            foreach (var (other, page) in _pages)
            {
                if (other == key) continue;
                if (page.ContentHash == contentHash) return other;
                int distance = ContentFingerprint.HammingDistance(page.SimHash, simHash);
                if (distance < nearest)
                {
                    nearest = distance;
                    near = other;
                }
            }
            if (near is null) _pages[key] = (contentHash, simHash);
            return near;
        }
    }
}
