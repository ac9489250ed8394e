using System.Text.Json;
using System.Text.Json.Serialization;
using Crawlscope.Extraction;
using Crawlscope.Vocabulary;

namespace Crawlscope.Rendering;

/// <summary>One side of a render's comparison: the page as fetched, or as rendered.</summary>
public sealed record RenderSide(long Bytes, int Words, int Links, int ReadableChars, string ContentHash);

/// <summary>A request the rendered page made, as stored: its status, or why it was refused.</summary>
public sealed record RenderResourceEntry(string Url, string Type, int? Status, long? Bytes, string? Refused, string? Detail);

/// <summary>
/// The account of one render stored with the page (<c>render_details</c>, JSON) and shown by the inspector's
/// "Rendered page" section: why, how long, raw against rendered, the links only the rendered page has, the page's
/// requests with their status or refusal, and its console errors. One record for the store and the report.
/// </summary>
public sealed record RenderAccount(
    string Reason,
    string? ShellSignal,
    bool Rendered,
    string? Failure,
    double RenderMs,
    RenderSide Raw,
    RenderSide? RenderedPage,
    int LinksOnlyRenderedCount,
    IReadOnlyList<string> LinksOnlyRendered,
    int SubrequestsFetched,
    IReadOnlyDictionary<string, int> SubrequestsRefused,
    IReadOnlyList<RenderResourceEntry> Resources,
    IReadOnlyList<ConsoleLine> Console)
{
    public const int MaxLinksOnlyRendered = 50;

    private static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    public static RenderAccount Of(RenderReason reason, string? signal, RenderResult result, int rawBytes, ExtractedPage raw, ExtractedPage? rendered)
    {
        var only = rendered is null ? [] : LinksFoundByRendering(raw, rendered);
        return new RenderAccount(StoreNames.Of(reason), signal, rendered is not null, result.Failure, Math.Round(result.ElapsedMs, 1),
            Side(rawBytes, raw), rendered is null || result.Html is null ? null : Side(result.Html.Length, rendered),
            only.Count, only.Take(MaxLinksOnlyRendered).Select(l => l.Url).ToList(),
            result.Fetched, result.Refused.OrderBy(r => r.Key).ToDictionary(r => StoreNames.Of(r.Key), r => r.Value),
            result.Resources.Select(r => new RenderResourceEntry(r.Url, r.Type, r.Status, r.Bytes > 0 ? r.Bytes : null,
                r.Refusal is { } refusal ? StoreNames.Of(refusal) : null, r.Detail)).ToList(),
            result.Console);
    }

    /// <summary>The links of <paramref name="rendered"/> that the raw HTML did not have.</summary>
    public static IReadOnlyList<PageLink> LinksFoundByRendering(ExtractedPage raw, ExtractedPage rendered)
    {
        var before = raw.Links.Select(l => l.Url).ToHashSet(StringComparer.Ordinal);
        return rendered.Links.Where(l => !before.Contains(l.Url)).DistinctBy(l => l.Url).ToList();
    }

    public string ToJson() => JsonSerializer.Serialize(this, Json);

    /// <summary>A stored account; null when there is none or it cannot be read.</summary>
    public static RenderAccount? Parse(string? json)
    {
        if (string.IsNullOrEmpty(json)) return null;
        try
        {
            return JsonSerializer.Deserialize<RenderAccount>(json, Json);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static RenderSide Side(long bytes, ExtractedPage page) =>
        new(bytes, page.Statistics.Words, page.Links.Count, page.ReadableMarkdown.Length, page.ContentHash);
}
