namespace Crawlscope.Extraction;

/// <summary>Which outputs an extraction computes; the rest are left empty.</summary>
[Flags]
public enum ExtractionParts
{
    /// <summary>Title, description, canonical, robots metas, language, links, the content hash and the spam
    /// statistics: cheap. Without boilerpipe or readable text there is no near-duplicate fingerprint.</summary>
    Metadata = 1,
    Boilerpipe = 2,
    Markdown = 4,
    Readable = 8,
    All = Metadata | Boilerpipe | Markdown | Readable,
}

/// <summary>What <see cref="PageExtractor"/> may be told.</summary>
public sealed class PageExtractorOptions
{
    /// <summary>The crawler's product token, for bot-specific robots metas and X-Robots-Tag. Default "crawlscope".</summary>
    public string AgentToken { get; init; } = "crawlscope";

    /// <summary>
    /// Characters of HTML parsed at most. A longer page is parsed without the contents of its scripts and styles
    /// (which are most of a large page's bytes), and what is still over is not read. A parsed DOM takes many times
    /// the bytes of its source, so this bounds extraction memory. Default 2 MiB (real pages are rarely above 500 KB).
    /// </summary>
    public int MaxHtmlBytes { get; init; } = 2 * 1024 * 1024;

    /// <summary>The outputs to compute. Default all.</summary>
    public ExtractionParts Parts { get; init; } = ExtractionParts.All;

    /// <summary>The page type whose profile readable extraction uses; null (the default) classifies each page.</summary>
    public MainContent.PageType? PageType { get; init; }

    /// <summary>Who decides which blocks are the readable content: the hand-written rules (default) or the learned
    /// block scorer (<c>eval extraction</c> reports both).</summary>
    public MainContent.ReadableScorer Scorer { get; init; } = MainContent.ReadableScorer.Rules;

    /// <summary>Whether the near-duplicate fingerprint is computed: only with a main text (boilerpipe or readable)
    /// to take it from, since page chrome alone makes unrelated pages of one site look alike.</summary>
    public bool FindsNearDuplicates => (Parts & (ExtractionParts.Boilerpipe | ExtractionParts.Readable)) != 0;
}
