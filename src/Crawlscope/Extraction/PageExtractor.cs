using AngleSharp.Dom;
using AngleSharp.Html.Dom;
using AngleSharp.Html.Parser;
using Crawlscope.Extraction.Boilerpipe;
using Crawlscope.Extraction.MainContent;
using Crawlscope.Urls;

namespace Crawlscope.Extraction;

/// <summary>
/// The extraction stage: decode, parse once with AngleSharp, and hand the same document to every extractor
/// (metadata, links, boilerpipe, Markdown, readable Markdown and page type, statistics). Extractors only read the
/// document. Never throws on page content.
/// </summary>
public sealed class PageExtractor(PageExtractorOptions? options = null)
{
    private readonly PageExtractorOptions _options = options ?? new PageExtractorOptions();
    private static readonly HtmlParser Parser = new(new HtmlParserOptions { IsScripting = false });

    public static PageExtractor Default { get; } = new();

    /// <param name="siteTemplate">The template blocks of the page's site (<see cref="SiteTemplates.TemplateOf"/>),
    /// left out of the readable Markdown; null or empty for a page on its own.</param>
    /// <param name="cancellation">Checked between the steps and inside every walk of the tree, so a page past its
    /// processing budget stops costing CPU (<see cref="OperationCanceledException"/>).</param>
    public ExtractedPage Extract(ReadOnlySpan<byte> body, WebUrl url, string? contentType = null,
        IReadOnlyDictionary<string, string[]>? headers = null, IReadOnlySet<ulong>? siteTemplate = null, CancellationToken cancellation = default)
    {
        int htmlLength = Math.Min(body.Length, _options.MaxHtmlBytes);
        var decoded = HtmlDecoder.Decode(ReadableBytes(body), contentType);
        var document = Parse(decoded.Text, cancellation);
        return Extract(document, url, headers, htmlLength, decoded, siteTemplate, cancellation);
    }

    public ExtractedPage Extract(string html, WebUrl url, IReadOnlyDictionary<string, string[]>? headers = null, IReadOnlySet<ulong>? siteTemplate = null,
        CancellationToken cancellation = default) =>
        Extract(Parse(html, cancellation), url, headers, html.Length, null, siteTemplate, cancellation);

    /// <summary>The document and base URL every extractor reads, for callers that look at one step alone (training).</summary>
    internal (IHtmlDocument Document, WebUrl BaseUrl) Parse(ReadOnlySpan<byte> body, WebUrl url, string? contentType = null)
    {
        var document = Parse(HtmlDecoder.Decode(ReadableBytes(body), contentType).Text, default);
        return (document, MetadataExtractor.BaseUrl(document, url));
    }

    /// <summary>The bytes decoded at most: a page's scripts and styles may be most of it (<see cref="ParseBudget"/>), but
    /// the text of a body of any size is not held at once (an archive's record or a file given to <c>extract</c>).</summary>
    private ReadOnlySpan<byte> ReadableBytes(ReadOnlySpan<byte> body) =>
        body.Length > 8L * _options.MaxHtmlBytes ? body[..(8 * _options.MaxHtmlBytes)] : body;

    private IHtmlDocument Parse(string html, CancellationToken cancellation)
    {
        string flat = NestingGuard.Flatten(ParseBudget.Fit(html, _options.MaxHtmlBytes));
        cancellation.ThrowIfCancellationRequested();
        return Parser.ParseDocument(flat);
    }

    private ExtractedPage Extract(IHtmlDocument document, WebUrl url, IReadOnlyDictionary<string, string[]>? headers, int htmlLength, DecodedHtml? decoded,
        IReadOnlySet<ulong>? siteTemplate, CancellationToken cancellation)
    {
        cancellation.ThrowIfCancellationRequested();
        var baseUrl = MetadataExtractor.BaseUrl(document, url);
        string? title = MetadataExtractor.Title(document);
        var robots = MetadataExtractor.Robots(document, headers, _options.AgentToken);
        var links = MetadataExtractor.Links(document, baseUrl, robots.NoFollow);
        var parts = _options.Parts;
        string boilerpipe = parts.HasFlag(ExtractionParts.Boilerpipe) || parts.HasFlag(ExtractionParts.Readable) ? BoilerpipeExtractor.Extract(document, BoilerpipeMode.Article, cancellation) : "";
        string markdown = parts.HasFlag(ExtractionParts.Markdown) ? MarkdownConverter.Convert(document.Body ?? (INode)document, baseUrl, cancellation) : "";
        var readable = parts.HasFlag(ExtractionParts.Readable)
            ? MainContentExtractor.Extract(document, baseUrl, boilerpipe, _options.PageType, siteTemplate, cancellation, _options.Scorer)
            : null;
        var statistics = StatisticsCollector.Collect(document, title, htmlLength, links.Count, cancellation);
        // Structured text no reader sees is hidden text to the spam classifier, like text hidden by a style.
        if (readable is { StructuredText.Length: > 0 } withStructured)
            statistics = statistics with { HiddenText = (statistics.HiddenText + " " + withStructured.StructuredText).Trim() };
        string? headline = MetadataExtractor.Headline(document, title);

        return new ExtractedPage
        {
            Title = title,
            Headline = headline,
            Description = MetadataExtractor.Description(document),
            Canonical = MetadataExtractor.Canonical(document, baseUrl, headers),
            Robots = robots,
            Language = MetadataExtractor.Language(document),
            Links = links,
            BoilerpipeText = boilerpipe,
            Markdown = markdown,
            ReadableMarkdown = readable?.Markdown ?? "",
            ReadableText = readable?.Text ?? "",
            PageType = readable?.PageType,
            Readable = readable?.Source,
            BlockFingerprints = readable?.BlockFingerprints ?? [],
            ContentHash = ContentFingerprint.ContentHashOfCollapsed(readable is { HashText.Length: > 0 } ? readable.HashText : statistics.VisibleText),
            // Without readable text the statistics pass has already split the visible text into words.
            SimHash = !_options.FindsNearDuplicates ? null
                : readable is { HashText.Length: > 0 } ? ContentFingerprint.SimHash(readable.HashText) : ContentFingerprint.SimHash(statistics.VisibleWords),
            Statistics = statistics,
            EncodingName = decoded?.Encoding.WebName ?? "utf-16",
            EncodingSource = decoded?.EncodingSource ?? "string",
            IgnoredCharset = decoded?.IgnoredCharset,
            // Words are counted only for a page whose title or heading says "not found".
            // Looked for only on pages with little text: a page with more is never a shell, and most pages have more.
            Shell = statistics.Words < ShellEvidence.MaxWords ? ShellEvidence.Of(document) : ShellEvidence.None,
            Soft404 = Soft404Detector.Detect(title, headline, () => readable is { Text.Length: > 0 } ? ContentFingerprint.CountWords(readable.Text) : statistics.Words),
        };
    }
}
