using Crawlscope.Extraction;
using Crawlscope.Model;

namespace Crawlscope.Duplicates;

/// <summary>What the duplicate check found: the original this page repeats, or none; an original still waiting for
/// its commit must be forgotten once saved (<see cref="DuplicateFinder.Saved"/>).</summary>
internal readonly record struct DuplicateCheck(string? DuplicateOf, bool PendingOriginal);

/// <summary>
/// The duplicates stage: an exact duplicate shares the content hash, a near one has a SimHash within a few bits.
/// Pages processed but not yet committed are looked up first, so a page found there is in the store by the time
/// the store is asked. Only pages with a main text have a fingerprint to compare.
/// </summary>
internal sealed class DuplicateFinder(IPageStore store, int maxBits)
{
    private readonly UnsavedOriginals _unsaved = new();

    public async Task<DuplicateCheck> FindAsync(string key, ExtractedPage page, CancellationToken ct)
    {
        if (page.SimHash is not { } simHash || page.ReadableText.Length == 0) return new(null, false);
        string? original = _unsaved.FindOrAdd(key, page.ContentHash, simHash, maxBits)
                           ?? await store.FindByContentHashAsync(page.ContentHash, key, ct)
                           ?? await store.FindNearDuplicateAsync((long)simHash, key, maxBits, ct);
        if (original is null) return new(null, true);
        _unsaved.Remove(key);
        return new(original, false);
    }

    /// <summary>The page's save committed (or failed): the store answers for it from now on.</summary>
    public void Saved(string key) => _unsaved.Remove(key);
}
