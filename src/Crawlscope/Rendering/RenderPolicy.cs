using Crawlscope.Extraction;
using Crawlscope.Vocabulary;

namespace Crawlscope.Rendering;

/// <summary>
/// Whether a fetched page is rendered, decided from what its raw extraction already found, and learnt per site:
/// a site whose first renders added text or links has its pages rendered directly; a site whose first shells gained
/// nothing from rendering is not rendered again. Every render is compared with the page's raw extraction (it is
/// the decision's input, so the comparison is free), which keeps learning: a rendering site whose recent renders
/// stop adding anything goes back to rendering only its shells. Thread-safe.
/// </summary>
public sealed class RenderPolicy(RenderOptions options)
{
    // The empty-shell signal's thresholds: a page with scripts and fewer words and links than these is a shell; an
    // empty mount point or a noscript asking for JavaScript lowers the bar on words.
    public const int ShellWords = 60;
    public const int ShellLinks = 5;
    public const int MountPointWords = ShellEvidence.MaxWords;
    // What counts as rendering having helped: this many more words (and half as many again), or this many more links.
    public const int HelpedWords = 40;
    public const int HelpedLinks = 3;
    private const int WarmUpPages = 20;
    private const int MaxSites = 20_000;

    private sealed class Site
    {
        public int Renders, Helped, RecentUnhelpful;
        public bool Direct, Off;
    }

    private readonly Dictionary<string, Site> _sites = new(StringComparer.Ordinal);
    private long _htmlPages, _rendered;

    /// <summary>Why a shell: the signal in words, or null when the page has its content in the raw HTML.</summary>
    public static string? ShellSignal(ExtractedPage raw)
    {
        var shell = raw.Shell;
        int words = raw.Statistics.Words, links = raw.Links.Count;
        if (shell.Scripts == 0) return null;
        if (words < ShellWords && links < ShellLinks) return $"{words} words, {links} links, {shell.Scripts} scripts";
        if (words < MountPointWords && shell.MountPoint is { } mount) return $"empty {mount} with {shell.Scripts} scripts, {words} words";
        if (words < MountPointWords && shell.NoscriptAsksForScript) return $"noscript asks for JavaScript, {words} words";
        return null;
    }

    /// <summary>Why <paramref name="raw"/> (a 200 HTML page of <paramref name="site"/>) is or is not rendered.</summary>
    public RenderReason Decide(string site, ExtractedPage raw)
    {
        if (options.Mode == RenderMode.Never) return RenderReason.Off;
        lock (_sites)
        {
            _htmlPages++;
            if (options.Mode == RenderMode.Always) return Take(RenderReason.Always);
            var state = _sites.GetValueOrDefault(site);
            bool shell = ShellSignal(raw) is not null;
            if (state is { Direct: true }) return Take(RenderReason.SiteRenders);
            if (!shell) return RenderReason.NoShellSignal;
            return state is { Off: true } ? RenderReason.SiteNeedsNoRendering : Take(RenderReason.EmptyShell);
        }
    }

    /// <summary>The reason for people (the inspector's "Rendered page" section).</summary>
    public static string Describe(RenderReason reason) => reason switch
    {
        RenderReason.Off => "rendering is off for this crawl",
        RenderReason.NoShellSignal => "the HTML as fetched has its text and links (not an empty shell)",
        RenderReason.EmptyShell => "the HTML as fetched is an empty shell",
        RenderReason.SiteRenders => "rendering added text or links on this site's pages, so they are rendered directly",
        RenderReason.SiteNeedsNoRendering => "rendering added nothing on this site's first shells",
        RenderReason.Always => "every page is rendered (--render always)",
        RenderReason.Requested => "rendering was asked for",
        RenderReason.BudgetSpent => "the crawl's render budget was spent",
        RenderReason.BrowserUnavailable => "no browser could be started",
        _ => Vocabulary.StoreNames.Of(reason),
    };

    /// <summary>True for the reasons that render.</summary>
    public static bool Renders(RenderReason reason) => reason is RenderReason.EmptyShell or RenderReason.SiteRenders or RenderReason.Always or RenderReason.Requested;

    /// <summary>What a render of one of <paramref name="site"/>'s pages showed against its raw extraction.</summary>
    public void Learn(string site, bool helped)
    {
        lock (_sites)
        {
            if (!_sites.TryGetValue(site, out var state))
            {
                if (_sites.Count >= MaxSites) return;
                _sites[site] = state = new Site();
            }
            state.Renders++;
            if (helped) state.Helped++;
            state.RecentUnhelpful = helped ? 0 : state.RecentUnhelpful + 1;
            if (state.Renders < options.LearningPages) return;
            if (state.Direct && state.RecentUnhelpful >= options.LearningPages) state.Direct = false;
            else if (!state.Direct && state.Helped * 2 >= state.Renders && state.RecentUnhelpful == 0) state.Direct = true;
            state.Off = state.Helped == 0;
        }
    }

    /// <summary>Whether the rendered page has substantially more than the raw one.</summary>
    public static bool Helped(ExtractedPage raw, ExtractedPage rendered)
    {
        int before = raw.Statistics.Words, after = rendered.Statistics.Words;
        return (after >= before + HelpedWords && after * 2 >= before * 3) || rendered.Links.Count >= raw.Links.Count + HelpedLinks;
    }

    // The budget: past the warm-up, a render that would take the crawl's rendered share above the limit is refused.
    private RenderReason Take(RenderReason reason)
    {
        if (_htmlPages > WarmUpPages && _rendered + 1 > options.MaxShare * _htmlPages) return RenderReason.BudgetSpent;
        _rendered++;
        return reason;
    }
}
