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

    // Readability's cost grows faster than linearly with the number and nesting of elements; hostile or
    // machine-made pages (50,000 list items, 5,000 nested divs) would stall a crawl worker for minutes.
    private const int MaxElements = 20_000, MaxDepth = 400;

    internal static ReadableContent Extract(IHtmlDocument document, WebUrl baseUrl, string boilerpipeFallback)
    {
        if (document.All.Length > MaxElements || Depth(document.DocumentElement) > MaxDepth)
            return Fallback(boilerpipeFallback, "boilerpipe (page too large for readability)");
        try
        {
            var copy = (IHtmlDocument)document.Clone(deep: true);
            ResolveUnusualUrls(copy, baseUrl);
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
        return Fallback(boilerpipeFallback, "boilerpipe");
    }

    // Characters that System.Uri, which SmartReader resolves links with, refuses in an absolute URL: it then takes
    // the whole address for a relative path and prefixes the base (https://e.com/dir/https://o.com/a"b).
    private static readonly System.Buffers.SearchValues<char> Unusual = System.Buffers.SearchValues.Create("\"<>\\^`{|} ");

    /// <summary>Links and images whose address has such characters are resolved here, as the WHATWG URL Standard
    /// does (percent-encoded), before SmartReader sees them.</summary>
    private static void ResolveUnusualUrls(IHtmlDocument copy, WebUrl baseUrl)
    {
        foreach (var element in copy.QuerySelectorAll("a[href], img[src]"))
        {
            string name = element.LocalName == "a" ? "href" : "src";
            string? value = element.GetAttribute(name)?.Trim();
            if (value is not null && value.AsSpan().IndexOfAny(Unusual) >= 0 && WebUrl.TryParse(value, baseUrl, out var url, out _))
                element.SetAttribute(name, url.Href);
        }
    }

    private static ReadableContent Fallback(string boilerpipeText, string source)
    {
        string text = boilerpipeText.Trim();
        string markdown = string.Join("\n\n", text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(p => MarkdownConverter.Escape.LineStart(MarkdownConverter.Escape.Text(p))));
        return new ReadableContent(markdown, TextNormalization.CollapseWhitespace(text), source);
    }

    private static int Depth(IElement? root)
    {
        if (root is null) return 0;
        int max = 0;
        var stack = new Stack<(IElement Element, int Depth)>();
        stack.Push((root, 1));
        while (stack.Count > 0)
        {
            var (e, d) = stack.Pop();
            if (d > max) max = d;
            if (max > MaxDepth) return max;
            foreach (var child in e.Children) stack.Push((child, d + 1));
        }
        return max;
    }
}
