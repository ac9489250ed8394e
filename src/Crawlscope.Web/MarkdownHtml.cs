using Ganss.Xss;
using Markdig;

namespace Crawlscope.Web;

/// <summary>
/// Renders stored Markdown for the report. The Markdown came from hostile pages, so raw HTML in it is not
/// rendered (Markdig's DisableHtml), and the result goes through HtmlSanitizer, which keeps only http(s) and
/// mailto links (no <c>javascript:</c>) and no scripts, styles, event handlers or images (images would load
/// third-party resources from the reader's browser; the raw Markdown still shows their addresses).
/// </summary>
internal static class MarkdownHtml
{
    private static readonly MarkdownPipeline Pipeline = new MarkdownPipelineBuilder().DisableHtml().UsePipeTables().Build();

    private static readonly HtmlSanitizer Sanitizer = CreateSanitizer();

    private static HtmlSanitizer CreateSanitizer()
    {
        var sanitizer = new HtmlSanitizer();
        sanitizer.AllowedTags.Remove("img");
        sanitizer.AllowedTags.Remove("style");
        sanitizer.AllowedAttributes.Remove("style");
        sanitizer.AllowedAttributes.Remove("class");
        sanitizer.AllowedSchemes.Clear();
        foreach (var scheme in new[] { "http", "https", "mailto" }) sanitizer.AllowedSchemes.Add(scheme);
        sanitizer.AllowedCssProperties.Clear();
        // Links leave the inspector without telling the target where the reader came from.
        sanitizer.PostProcessNode += (_, e) =>
        {
            if (e.Node is AngleSharp.Dom.IElement { LocalName: "a" } a) a.SetAttribute("rel", "nofollow noopener noreferrer");
        };
        return sanitizer;
    }

    /// <summary>The Markdown as sanitised HTML. Markdown nested deeper than Markdig's limit makes it throw (an ArgumentException); then each
    /// paragraph is rendered on its own and the ones that still fail are shown as text.</summary>
    internal static SanitizedHtml Render(string markdown)
    {
        try
        {
            return new(Sanitizer.Sanitize(Markdown.ToHtml(markdown, Pipeline)));
        }
        catch (ArgumentException)
        {
            var html = new System.Text.StringBuilder();
            foreach (var block in markdown.Split("\n\n"))
            {
                try
                {
                    html.Append(Markdown.ToHtml(block, Pipeline));
                }
                catch (ArgumentException)
                {
                    html.Append("<pre>").Append(System.Net.WebUtility.HtmlEncode(block)).Append("</pre>");
                }
            }
            return new(Sanitizer.Sanitize(html.ToString()));
        }
    }
}
