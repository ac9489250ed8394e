namespace Crawlscope.Rendering;

/// <summary>When pages are rendered in a browser: never, when the raw HTML is an empty shell (auto), or always.</summary>
public enum RenderMode { Never, Auto, Always }

/// <summary>How pages are rendered. Defaults are for a 2-core machine; docs/rendering.md gives the figures behind them.</summary>
public sealed record RenderOptions
{
    /// <summary>Default <see cref="RenderMode.Auto"/>: only pages whose raw HTML is an empty shell pay for a browser.</summary>
    public RenderMode Mode { get; init; } = RenderMode.Auto;
    /// <summary>The browser; null picks Debian's <c>chromium-headless-shell</c>, then <c>chromium</c>.</summary>
    public string? BrowserPath { get; init; }
    /// <summary>Pages rendered at once. Default one per core.</summary>
    public int Parallel { get; init; } = Math.Max(1, Environment.ProcessorCount);
    /// <summary>A page's whole render (load, settling, reading the DOM) may take this long. Default 10 s.</summary>
    public TimeSpan PageTimeout { get; init; } = TimeSpan.FromSeconds(10);
    /// <summary>Requests one page may make (scripts, fetch/XHR) before the rest are refused. Default 60.</summary>
    public int MaxSubrequests { get; init; } = 60;
    /// <summary>Bytes all of one page's subrequests may bring. Default 8 MiB.</summary>
    public long MaxSubrequestBytes { get; init; } = 8 * 1024 * 1024;
    /// <summary>The browser is started afresh after this many pages (bounds what a long crawl leaves in it). Default 200.</summary>
    public int RestartAfterPages { get; init; } = 200;
    /// <summary>At most this share of a crawl's HTML pages is rendered (after its first 20). Default 0.5.</summary>
    public double MaxShare { get; init; } = 0.5;
    /// <summary>A site's first renders that decide whether its pages are rendered directly or its shells never. Default 3.</summary>
    public int LearningPages { get; init; } = 3;
    /// <summary>Load stylesheets too (some pages lay out content from them). Default false.</summary>
    public bool Stylesheets { get; init; }

    /// <summary>The browser to start: the configured one, else the first Debian one installed; null when none is.</summary>
    public string? FindBrowser() =>
        BrowserPath ?? new[] { "/usr/bin/chromium-headless-shell", "/usr/bin/chromium" }.FirstOrDefault(File.Exists);
}
