using Crawlscope.Urls;

namespace Crawlscope.Extraction;

/// <summary>A link found on a page: where it points (absolute, as written), its anchor text, and whether it is nofollow.</summary>
public sealed record PageLink(string Url, string Text, bool NoFollow)
{
    /// <summary><see cref="Url"/> as resolved against the page, so keying the link does not parse it again.</summary>
    internal WebUrl? Parsed { get; init; }
}

/// <summary>What robots meta tags and X-Robots-Tag headers ask of us.</summary>
public sealed record RobotsMeta(bool NoIndex, bool NoFollow, IReadOnlyList<string> Sources)
{
    public static RobotsMeta None { get; } = new(false, false, []);
}

/// <summary>Everything one pass over one HTML page yields: what the store keeps and the inspector shows.</summary>
public sealed record ExtractedPage
{
    /// <summary>The &lt;title&gt; as written (the inspector's Meta Title).</summary>
    public required string? Title { get; init; }
    /// <summary>The page's own headline: the title without the site name.</summary>
    public required string? Headline { get; init; }
    public required string? Description { get; init; }
    /// <summary>The canonical URL, absolute and normalised; null when the page declares none.</summary>
    public required string? Canonical { get; init; }
    public required RobotsMeta Robots { get; init; }
    public required string? Language { get; init; }
    public required IReadOnlyList<PageLink> Links { get; init; }
    public required string BoilerpipeText { get; init; }
    public required string Markdown { get; init; }
    public required string ReadableMarkdown { get; init; }
    /// <summary>Plain text of the readable content (what hashes and the spam score look at).</summary>
    public required string ReadableText { get; init; }
    /// <summary>The page type that chose the readable content's profile, with its confidence; null when readable
    /// Markdown was not asked for.</summary>
    public MainContent.PageTypeGuess? PageType { get; init; }
    /// <summary>How the readable content was found; null when readable Markdown was not asked for.</summary>
    public MainContent.ReadableProvenance? Readable { get; init; }
    /// <summary><see cref="Readable"/> in words ("main content (article)", "boilerpipe" ...); "none" when there is none.</summary>
    public string ReadableSource => Readable?.ToString() ?? "none";
    /// <summary>The page's block fingerprints, for learning its site's template (<see cref="MainContent.SiteTemplates.Learn"/>).</summary>
    public IReadOnlyCollection<ulong> BlockFingerprints { get; init; } = [];
    /// <summary>Hex XxHash128 of the whitespace-normalised readable text: equal for exact duplicates.</summary>
    public required string ContentHash { get; init; }
    /// <summary>64-bit SimHash of the readable text's word 3-shingles: near-duplicates differ in few bits. Null
    /// when neither boilerpipe nor readable text was asked for (near-duplicates are found on the main text).</summary>
    public required ulong? SimHash { get; init; }
    /// <summary>Counts the spam classifier reads, gathered in the same pass.</summary>
    public required PageStatistics Statistics { get; init; }
    public required string EncodingName { get; init; }
    public required string EncodingSource { get; init; }
    /// <summary>What shows that the page is "not found" although answered 200 (<see cref="Soft404Detector"/>); null when it is not.</summary>
    public string? Soft404 { get; init; }
    /// <summary>What in the raw HTML says scripts build the page (read when deciding to render it).</summary>
    public ShellEvidence Shell { get; init; } = ShellEvidence.None;
    /// <summary>A declared charset that was ignored because it names no usable encoding (UTF-7, an unknown label).</summary>
    public string? IgnoredCharset { get; init; }
}

/// <summary>
/// Shallow counts over the page, the features of Ntoulas et al. (WWW 2006) that content spam classifiers use.
/// Words are runs of letters and digits, lower-cased; <see cref="VisibleWords"/> keeps them so the classifier and
/// the near-duplicate fingerprint do not split the text again.
/// </summary>
public sealed record PageStatistics(
    int HtmlLength,
    int Words,
    int TitleWords,
    int AnchorWords,
    int LinkCount,
    double AverageWordLength,
    string VisibleText,
    string HiddenText,
    WordSequence VisibleWords)
{
    public int VisibleTextLength => VisibleText.Length;
    public int HiddenTextLength => HiddenText.Length;
}
