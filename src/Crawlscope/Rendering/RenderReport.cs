using System.Text.Json;
using Crawlscope.Extraction;
using Crawlscope.Vocabulary;

namespace Crawlscope.Rendering;

/// <summary>
/// The account of one render stored with the page (<c>render_details</c>, JSON): raw against rendered (bytes,
/// words, links, content hash), the links only the rendered page has, the page's requests with their status or
/// refusal, and its console errors. The inspector shows it as the "Rendered page" section.
/// </summary>
public static class RenderReport
{
    public const int MaxLinksOnlyRendered = 50;

    /// <summary>The links of <paramref name="rendered"/> that the raw HTML did not have.</summary>
    public static IReadOnlyList<PageLink> LinksOnlyRendered(ExtractedPage raw, ExtractedPage rendered)
    {
        var before = raw.Links.Select(l => l.Url).ToHashSet(StringComparer.Ordinal);
        return rendered.Links.Where(l => !before.Contains(l.Url)).DistinctBy(l => l.Url).ToList();
    }

    public static string Json(RenderReason reason, string? signal, RenderResult result, int rawBytes, ExtractedPage raw, ExtractedPage? rendered)
    {
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteString("reason", StoreNames.Of(reason));
            if (signal is not null) w.WriteString("shell_signal", signal);
            w.WriteBoolean("rendered", rendered is not null);
            if (result.Failure is not null) w.WriteString("failure", result.Failure);
            w.WriteNumber("render_ms", Math.Round(result.ElapsedMs, 1));
            Side(w, "raw", rawBytes, raw);
            if (rendered is not null && result.Html is not null)
            {
                Side(w, "rendered_page", result.Html.Length, rendered);
                var only = LinksOnlyRendered(raw, rendered);
                w.WriteNumber("links_only_rendered_count", only.Count);
                w.WriteStartArray("links_only_rendered");
                foreach (var link in only.Take(MaxLinksOnlyRendered)) w.WriteStringValue(link.Url);
                w.WriteEndArray();
            }
            w.WriteNumber("subrequests_fetched", result.Fetched);
            w.WriteStartObject("subrequests_refused");
            foreach (var (refusal, count) in result.Refused.OrderBy(r => r.Key)) w.WriteNumber(StoreNames.Of(refusal), count);
            w.WriteEndObject();
            w.WriteStartArray("resources");
            foreach (var r in result.Resources)
            {
                w.WriteStartObject();
                w.WriteString("url", r.Url);
                w.WriteString("type", r.Type);
                if (r.Status is { } status) w.WriteNumber("status", status);
                if (r.Refusal is { } refusal) w.WriteString("refused", StoreNames.Of(refusal));
                if (r.Detail is not null) w.WriteString("detail", r.Detail);
                if (r.Bytes > 0) w.WriteNumber("bytes", r.Bytes);
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteStartArray("console");
            foreach (var line in result.Console)
            {
                w.WriteStartObject();
                w.WriteString("type", line.Type);
                w.WriteString("text", line.Text);
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteEndObject();
        }
        return System.Text.Encoding.UTF8.GetString(buffer.ToArray());
    }

    private static void Side(Utf8JsonWriter w, string name, int bytes, ExtractedPage page)
    {
        w.WriteStartObject(name);
        w.WriteNumber("bytes", bytes);
        w.WriteNumber("words", page.Statistics.Words);
        w.WriteNumber("links", page.Links.Count);
        w.WriteNumber("readable_chars", page.ReadableMarkdown.Length);
        w.WriteString("content_hash", page.ContentHash);
        w.WriteEndObject();
    }
}
