using AngleSharp.Dom;
using AngleSharp.Html.Dom;
using Crawlscope.Urls;
using SmartReader;

namespace Crawlscope.Extraction;

/// <summary>The main content of a page as Markdown and as plain text.</summary>
public sealed record ReadableContent(string Markdown, string Text, string Source);

/// <summary>
/// Readable Markdown: the main content found by SmartReader (a port of Mozilla Readability), rendered by our
/// Markdown converter. Readability rewrites the tree it works on, so it gets a deep copy of the document.
/// When it finds nothing, the boilerpipe text stands in.
/// </summary>
internal static class ReadableExtractor
{
    // SmartReader serialises through a process-wide delegate; ours renders Markdown straight from the DOM,
    // with links it has already made absolute.
    static ReadableExtractor() => Article.Serializer = element => MarkdownConverter.Convert(element, null);

    internal static ReadableContent Extract(IHtmlDocument document, WebUrl baseUrl, string boilerpipeFallback)
    {
        try
        {
            var copy = (IHtmlDocument)document.Clone(deep: true);
            using var reader = new Reader(baseUrl.Href, copy) { Debug = false, Logging = ReportLevel.Issue };
            var article = reader.GetArticle();
            if (article.Completed && !string.IsNullOrWhiteSpace(article.Content))
                return new ReadableContent(article.Content.Trim(), TextNormalization.CollapseWhitespace(article.TextContent), "readability");
        }
#pragma warning disable CA1031 // a third-party library at a stage boundary: any failure becomes the fallback below
        catch (Exception ex) when (ex is not OutOfMemoryException)
#pragma warning restore CA1031
        {
            // Readability gave up on this page; boilerpipe's text stands in below.
        }
        string text = boilerpipeFallback.Trim();
        string markdown = string.Join("\n\n", text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(p => MarkdownConverter.Escape.LineStart(MarkdownConverter.Escape.Text(p))));
        return new ReadableContent(markdown, TextNormalization.CollapseWhitespace(text), "boilerpipe");
    }
}
