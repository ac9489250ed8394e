using System.Collections.Concurrent;

namespace Crawlscope.Extraction.MainContent;

/// <summary>
/// What a crawler learns about one site's template from its pages: for each block fingerprint (DOM path plus
/// text; <see cref="DomBlocks.Fingerprints"/>), on how many of the site's pages it appeared. Once the site has
/// <see cref="MinPages"/> pages, a block found on at least <see cref="TemplateShare"/> of them is template, which
/// the main-content extractor leaves out however content-like it reads: the promotion inside every article, the
/// author box, a "most read" list without a telling class. No single-page extractor can see that.
/// Thread-safe and bounded: a page with more than <see cref="MaxBlocksPerPage"/> blocks does not look like a site's
/// normal page (a hostile one makes tens of thousands) and is not learnt; the table holds at most
/// <see cref="MaxBlocks"/> blocks, and when full, blocks seen on one page only are forgotten (they can never become
/// template before a recurring block) and, if that frees too little, new blocks wait until it does.
/// </summary>
public sealed class SiteTemplate
{
    public const int MinPages = 20;
    public const double TemplateShare = 0.5;
    public const int MaxBlocksPerPage = 2_000;
    public const int MaxBlocks = 8_192;
    /// <summary>What one counted block costs in memory, with the dictionary's spare capacity: 39 bytes measured with
    /// <c>GC.GetTotalMemory</c> over 2,000 sites of 2,900 blocks; a table just grown holds more.</summary>
    public const int BytesPerBlock = 48;

    private readonly Dictionary<ulong, int> _pagesWith = [];
    private readonly Lock _lock = new();
    private int _pages;

    /// <summary>Pages learnt from.</summary>
    public int Pages
    {
        get
        {
            lock (_lock) return _pages;
        }
    }

    /// <summary>Blocks whose page count is kept.</summary>
    public int Blocks
    {
        get
        {
            lock (_lock) return _pagesWith.Count;
        }
    }

    /// <summary>Counts one page's blocks: each distinct fingerprint once, 0 (no fingerprint) never. Returns how many
    /// blocks the table gained (negative when pruning freed more than the page added).</summary>
    public int Learn(IReadOnlyCollection<ulong> pageFingerprints)
    {
        var distinct = new HashSet<ulong>(pageFingerprints);
        distinct.Remove(0);
        if (distinct.Count == 0 || distinct.Count > MaxBlocksPerPage) return 0;
        lock (_lock)
        {
            int before = _pagesWith.Count;
            _pages++;
            foreach (ulong f in distinct)
            {
                if (_pagesWith.TryGetValue(f, out int n)) _pagesWith[f] = n + 1;
                else if (_pagesWith.Count < MaxBlocks) _pagesWith[f] = 1;
            }
            if (_pagesWith.Count >= MaxBlocks)
            {
                foreach (var (f, n) in _pagesWith)
                    if (n <= 1) _pagesWith.Remove(f);
                if (_pagesWith.Count < MaxBlocks / 2) _pagesWith.TrimExcess();
            }
            return _pagesWith.Count - before;
        }
    }

    /// <summary>The fingerprints that are template now, frozen: extraction with one snapshot is deterministic,
    /// whatever the crawl learns meanwhile. Empty until the site has <see cref="MinPages"/> pages.</summary>
    public IReadOnlySet<ulong> Snapshot()
    {
        lock (_lock)
        {
            if (_pages < MinPages) return EmptySet;
            int needed = (int)Math.Ceiling(_pages * TemplateShare);
            return _pagesWith.Where(kv => kv.Value >= needed).Select(kv => kv.Key).ToHashSet();
        }
    }

    private static readonly IReadOnlySet<ulong> EmptySet = new HashSet<ulong>();
}

/// <summary>
/// Every site's <see cref="SiteTemplate"/> for one crawl, by registrable domain. A snapshot of a site's template
/// is refreshed when the site's page count doubles (20, 40, 80 ... pages), so it is built a handful of times per
/// site, not once per page. Bounded in bytes as a whole (<see cref="MaxBytes"/>, counted at
/// <see cref="SiteTemplate.BytesPerBlock"/> a block): past it, the least useful sites are forgotten (those that
/// taught the fewest pages, and of those the ones learnt from longest ago) until a fifth of the budget is free. A
/// forgotten site that comes back starts learning again.
/// </summary>
internal sealed class SiteTemplates(long maxBytes = SiteTemplates.MaxBytes)
{
    public const long MaxBytes = 64L << 20;

    private sealed class Entry
    {
        public readonly SiteTemplate Template = new();
        public IReadOnlySet<ulong> Snapshot = new HashSet<ulong>();
        public int SnapshotPages;
        public long LastLearnt;
        /// <summary>Forgotten by <see cref="Evict"/>: a page still being learnt for it no longer counts.</summary>
        public bool Evicted;
    }

    private readonly ConcurrentDictionary<string, Entry> _sites = new(StringComparer.Ordinal);
    private readonly Lock _evicting = new();
    private long _blocks, _learnt;

    /// <summary>Blocks counted over every site, the figure the byte bound is held on.</summary>
    public long Blocks => Interlocked.Read(ref _blocks);

    /// <summary>Sites with a template table now.</summary>
    public int Sites => _sites.Count;

    /// <summary>The template blocks known for a site now (empty before it has <see cref="SiteTemplate.MinPages"/> pages).</summary>
    public IReadOnlySet<ulong> TemplateOf(string site)
    {
        if (!_sites.TryGetValue(site, out var entry)) return Empty;
        int pages = entry.Template.Pages;
        if (pages >= SiteTemplate.MinPages && pages >= 2 * entry.SnapshotPages)
        {
            lock (entry)
            {
                if (!entry.Evicted && pages >= 2 * entry.SnapshotPages)
                {
                    var snapshot = entry.Template.Snapshot();
                    Interlocked.Add(ref _blocks, snapshot.Count - entry.Snapshot.Count);
                    entry.Snapshot = snapshot;
                    entry.SnapshotPages = pages;
                }
            }
        }
        return Volatile.Read(ref entry.Snapshot);
    }

    /// <summary>Learns a page's blocks for its site.</summary>
    public void Learn(string site, IReadOnlyCollection<ulong> pageFingerprints)
    {
        if (!pageFingerprints.Any(f => f != 0)) return;
        var entry = _sites.GetOrAdd(site, _ => new Entry());
        long blocks;
        lock (entry)
        {
            if (entry.Evicted) return;
            entry.LastLearnt = Interlocked.Increment(ref _learnt);
            blocks = Interlocked.Add(ref _blocks, entry.Template.Learn(pageFingerprints));
        }
        if (blocks * SiteTemplate.BytesPerBlock > maxBytes) Evict();
    }

    private void Evict()
    {
        lock (_evicting)
        {
            long target = maxBytes * 4 / 5 / SiteTemplate.BytesPerBlock;
            if (Blocks <= target) return;
            foreach (var (site, entry) in _sites.ToArray().OrderBy(s => s.Value.Template.Pages).ThenBy(s => s.Value.LastLearnt))
            {
                if (Blocks <= target) break;
                if (!_sites.TryRemove(site, out var removed)) continue;
                lock (removed)
                {
                    removed.Evicted = true;
                    Interlocked.Add(ref _blocks, -(removed.Template.Blocks + removed.Snapshot.Count));
                }
            }
        }
    }

    private static readonly IReadOnlySet<ulong> Empty = new HashSet<ulong>();
}
