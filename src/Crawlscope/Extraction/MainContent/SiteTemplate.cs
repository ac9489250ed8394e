using System.Collections.Concurrent;

namespace Crawlscope.Extraction.MainContent;

/// <summary>
/// What a crawler learns about one site's template from its pages: for each block fingerprint (DOM path plus
/// text; <see cref="DomBlocks.Fingerprints"/>), on how many of the site's pages it appeared. Once the site has
/// <see cref="MinPages"/> pages, a block found on at least <see cref="TemplateShare"/> of them is template, which
/// the main-content extractor leaves out however content-like it reads: the promotion inside every article, the
/// author box, a "most read" list without a telling class. No single-page extractor can see that.
/// Thread-safe; the table is bounded (<see cref="MaxBlocks"/>): when full, blocks seen on one page only are
/// forgotten, as those can never become template before a recurring block.
/// </summary>
public sealed class SiteTemplate
{
    public const int MinPages = 20;
    public const double TemplateShare = 0.5;
    public const int MaxBlocks = 50_000;

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

    /// <summary>Counts one page's blocks: each distinct fingerprint once, 0 (no fingerprint) never.</summary>
    public void Learn(IReadOnlyCollection<ulong> pageFingerprints)
    {
        var distinct = new HashSet<ulong>(pageFingerprints);
        distinct.Remove(0);
        lock (_lock)
        {
            _pages++;
            foreach (ulong f in distinct) _pagesWith[f] = _pagesWith.GetValueOrDefault(f) + 1;
            if (_pagesWith.Count > MaxBlocks)
                foreach (var (f, n) in _pagesWith.ToList())
                    if (n <= 1) _pagesWith.Remove(f);
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
/// site, not once per page. Bounded to <see cref="MaxSites"/> sites; past that, new sites are not learnt.
/// </summary>
public sealed class SiteTemplates
{
    public const int MaxSites = 20_000;

    private sealed class Entry
    {
        public readonly SiteTemplate Template = new();
        public IReadOnlySet<ulong> Snapshot = new HashSet<ulong>();
        public int SnapshotPages;
    }

    private readonly ConcurrentDictionary<string, Entry> _sites = new(StringComparer.Ordinal);

    /// <summary>The template blocks known for a site now (empty before it has <see cref="SiteTemplate.MinPages"/> pages).</summary>
    public IReadOnlySet<ulong> TemplateOf(string site)
    {
        if (!_sites.TryGetValue(site, out var entry)) return Empty;
        int pages = entry.Template.Pages;
        if (pages >= SiteTemplate.MinPages && pages >= 2 * entry.SnapshotPages)
        {
            lock (entry)
            {
                if (pages >= 2 * entry.SnapshotPages)
                {
                    entry.Snapshot = entry.Template.Snapshot();
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
        if (!_sites.TryGetValue(site, out var entry))
        {
            if (_sites.Count >= MaxSites) return;
            entry = _sites.GetOrAdd(site, _ => new Entry());
        }
        entry.Template.Learn(pageFingerprints);
    }

    private static readonly IReadOnlySet<ulong> Empty = new HashSet<ulong>();
}
