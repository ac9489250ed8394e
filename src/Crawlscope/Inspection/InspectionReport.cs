using System.ComponentModel;
using System.Text.Json;
using System.Text.Json.Serialization;
using Crawlscope.Vocabulary;

namespace Crawlscope.Inspection;

/// <summary>Writes an enum as its stored name (<c>blocked_by_robots</c>, <c>soft_404</c>): the one mapping
/// (<see cref="StoreNames"/>) the store, the JSON and the labels share.</summary>
internal sealed class SnakeCaseEnumConverter<T> : JsonConverter<T> where T : struct, Enum
{
    public override T Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        reader.GetString() is { } name && StoreNames.TryParse<T>(name, out var value) ? value
        : throw new JsonException($"not a known {typeof(T).Name}: {reader.GetString()}");

    public override void Write(Utf8JsonWriter writer, T value, JsonSerializerOptions options) => writer.WriteStringValue(StoreNames.Of(value));
}

/// <summary>A reason that holds for the URL, with what shows it.</summary>
public sealed record ReasonEvidence(
    [property: JsonConverter(typeof(SnakeCaseEnumConverter<IndexingReason>))] IndexingReason Reason,
    string Label,
    [property: Description("What shows it: the robots.txt line, the redirect target, the canonical URL, the status ...")] string Evidence);

/// <summary>
/// The report's first line: the URL's primary reason (the first cause in the data flow, from a closed vocabulary),
/// its evidence, the store's condition that decided it, and the other reasons that hold too.
/// </summary>
public sealed record Verdict(
    [property: Description("True when the URL is stored and every indexability filter passes.")] bool Indexable,
    [property: JsonConverter(typeof(SnakeCaseEnumConverter<IndexingReason>))] IndexingReason Reason,
    string Label,
    string Evidence,
    [property: Description("The store's SQL condition that decided the reason (null for URLs the store has no page of).")] string? Condition,
    IReadOnlyList<ReasonEvidence> OtherReasons);

/// <summary>One of the five checks: the query sent, the raw response, the time it took, and what it found.</summary>
public sealed record CheckResult(string Name, string Query, string Response, double ElapsedMs, bool Skipped, string Result);

/// <summary>The verdict badges at the top of the report: booleans for programs (<c>indexable</c>, <c>crawled</c>,
/// <c>robots_allowed</c>, null while the host's robots.txt is unknown) and the labels people read beside them.</summary>
public sealed record Badges(
    [property: Description("True when every indexability filter passes.")] bool Indexable,
    [property: Description("True when a fetch of the URL happened (false for a URL refused by robots.txt, queued or unknown).")] bool Crawled,
    [property: Description("The host's robots.txt allows the URL; null while it has not been fetched.")] bool? RobotsAllowed,
    DateTimeOffset? CrawledAt,
    [property: Description("For people: INDEXABLE or NOT INDEXABLE (a non-empty string either way: test indexable, not this).")] string IndexableLabel,
    [property: Description("For people: CRAWLED, QUEUED or NOT FETCHED (the verdict says why).")] string CrawledLabel,
    [property: Description("For people: ALLOWED, DISALLOWED or UNKNOWN.")] string RobotsLabel);

/// <summary>Whether an indexability filter passes.</summary>
public enum FilterStatus { Pass, Fail }

/// <summary>Writes <see cref="FilterStatus"/> as the seed shows it: <c>PASS</c> or <c>FAIL</c>.</summary>
internal sealed class FilterStatusConverter : JsonConverter<FilterStatus>
{
    public static string Label(FilterStatus status) => status == FilterStatus.Pass ? "PASS" : "FAIL";

    public override FilterStatus Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) => reader.GetString() switch
    {
        "PASS" => FilterStatus.Pass,
        "FAIL" => FilterStatus.Fail,
        var other => throw new JsonException($"not a filter status: {other}"),
    };

    public override void Write(Utf8JsonWriter writer, FilterStatus value, JsonSerializerOptions options) => writer.WriteStringValue(Label(value));
}

/// <summary>An indexability filter: PASS or FAIL, the condition evaluated (verbatim), and a detail for people.</summary>
public sealed record FilterResult(string Name, [property: JsonConverter(typeof(FilterStatusConverter))] FilterStatus Status, string Condition, string Details)
{
    [JsonIgnore]
    public bool Passes => Status == FilterStatus.Pass;

    /// <summary>PASS or FAIL, as the seed shows it.</summary>
    [JsonIgnore]
    public string Label => FilterStatusConverter.Label(Status);
}

/// <summary>One request in the crawl history of the URL.</summary>
public sealed record HistoryEntry(DateTimeOffset Stamp, int? HttpStatus, string? FailureReason, double ElapsedMs, long Bytes, string? Location);

/// <summary>The page details panel.</summary>
public sealed record PageDetails
{
    public required string Url { get; init; }
    public DateTimeOffset? LastCrawled { get; init; }
    public string? LastCrawledAgo { get; init; }
    public DateTimeOffset? FirstIndexed { get; init; }
    public string? FirstIndexedAgo { get; init; }
    public int? HttpStatus { get; init; }
    public string? MetaTitle { get; init; }
    public string? MetaDescription { get; init; }
    public string? MetaCanonical { get; init; }
    /// <summary>The canonical, the original of a duplicate and a redirect's target as URLs (the keys are beside them).</summary>
    public string? CanonicalUrl { get; init; }
    public string? DuplicateOfUrl { get; init; }
    public string? RedirectTargetUrl { get; init; }
    public string? BoilerpipeText { get; init; }
    public string? Markdown { get; init; }
    public string? ReadableMarkdown { get; init; }
    /// <summary>The page type whose profile made the readable Markdown, and the classifier's confidence in percent.</summary>
    public string? PageType { get; init; }
    public int? PageTypeConfidence { get; init; }
    /// <summary>What showed the page answered 200 is really "not found"; null when it is not a soft 404.</summary>
    public string? Soft404 { get; init; }
    /// <summary>Whether the stored content is the page as a browser rendered it, why it was rendered or not, and the
    /// render's account: raw vs rendered, the page's requests with their status or refusal, its console errors.</summary>
    public bool Rendered { get; init; }
    public string? RenderReason { get; init; }
    public Rendering.RenderAccount? Render { get; init; }
    public required int Shard { get; init; }
    public required long RootHash { get; init; }
    public required string UnparsedUrl { get; init; }
    public string? ContentType { get; init; }
    public string? FailureReason { get; init; }
    public string? HistoryDropReason { get; init; }
    public int MlSpamScore { get; init; }
    public string? SpamSignals { get; init; }
    public string? RobotsDirectives { get; init; }
    public string? Lang { get; init; }
    public IReadOnlyDictionary<string, string>? ResponseHeaders { get; init; }
    public IReadOnlyList<string> RedirectChain { get; init; } = [];
    public IReadOnlyList<HistoryEntry> CrawlHistory { get; init; } = [];
    public int Outlinks { get; init; }
    public long Inlinks { get; init; }
    public IReadOnlyList<string> ReferringPages { get; init; } = [];
    public IReadOnlyList<string> Sitemaps { get; init; } = [];
    public string? DuplicateOf { get; init; }
    public IReadOnlyList<string> NearDuplicates { get; init; } = [];
    public bool Truncated { get; init; }
}

/// <summary>
/// Everything the inspector knows about one URL, built once by <see cref="UrlInspector"/> and rendered as is
/// by the CLI, the JSON API and the web page.
/// </summary>
public sealed record InspectionReport
{
    public required Verdict Verdict { get; init; }
    public required string Url { get; init; }
    public required string Key { get; init; }
    public required int Shard { get; init; }
    public required string ShardNode { get; init; }
    public required long RootHash { get; init; }
    public required bool Known { get; init; }
    public required string Summary { get; init; }
    public required IReadOnlyList<CheckResult> Checks { get; init; }
    public required Badges Badges { get; init; }
    public required IReadOnlyList<FilterResult> Filters { get; init; }
    public PageDetails? Page { get; init; }
    /// <summary>With --live: the same inspection of the URL fetched just now (nothing of it is stored).</summary>
    public InspectionReport? Live { get; init; }
    /// <summary>A live test that rendered the page: a PNG of what the browser showed, base64 (size-capped).</summary>
    public string? ScreenshotPng { get; init; }
}
