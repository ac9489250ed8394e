using System.Globalization;
using Crawlscope.Model;

namespace Crawlscope.Export;

/// <summary>Which pages an export takes: all stored pages, or only the indexable ones; optionally only those fetched since a date.</summary>
public sealed record ExportSelection(bool IndexableOnly = false, DateTimeOffset? Since = null, int MaxAgeMonths = 6);

/// <summary>Which text a WET record carries.</summary>
public enum ExportText { Readable, Boilerpipe, Markdown }

/// <summary>
/// The exported page fields (the inspector's) and the selection as a store condition. "Indexable" is the
/// conjunction of the inspector's filter conditions, so an export and the inspector can never disagree.
/// </summary>
public static class PageExport
{
    /// <summary>Every exportable field, in export order; <c>--fields</c> picks a subset.</summary>
    public static readonly IReadOnlyList<string> Fields =
    [
        "src_unparsed", "url", "shard", "root_hash", "host", "site", "download_http_code", "download_stamp", "first_indexed",
        "content_type", "failure_reason", "history_drop_reason", "ml_spam_score", "meta_title", "meta_description", "meta_canonical",
        "lang", "boilerpipe_text", "markdown", "readable_markdown", "content_hash", "duplicate_of", "outlinks", "depth",
        "page_type", "page_type_confidence",
    ];

    /// <summary>The fields asked for, checked against <see cref="Fields"/>; null or empty means all.</summary>
    public static IReadOnlyList<string> SelectFields(IReadOnlyList<string>? requested)
    {
        if (requested is null || requested.Count == 0) return Fields;
        var unknown = requested.Where(f => !Fields.Contains(f)).ToList();
        if (unknown.Count > 0) throw new ArgumentException($"unknown field(s): {string.Join(", ", unknown)} (known: {string.Join(", ", Fields)})");
        return requested.Distinct().ToList();
    }

    /// <summary>The store condition for a selection, with its bound parameters.</summary>
    public static (string Condition, IReadOnlyList<(string Name, object? Value)> Parameters) Condition(ExportSelection selection, IReadOnlyList<string> filterConditions, InspectionQueries queries)
    {
        var parts = new List<string>();
        var parameters = new List<(string, object?)>();
        if (selection.IndexableOnly) parts.AddRange(filterConditions.Select(c => $"COALESCE(({c}), 0) = 1"));
        if (selection.Since is { } since)
        {
            parts.Add("download_stamp >= $since");
            parameters.Add(("$since", queries.TimeValue(since)));
        }
        return (parts.Count == 0 ? "1 = 1" : string.Join("\nAND ", parts), parameters);
    }

    /// <summary>A field's value as exported (timestamps in ISO 8601 UTC).</summary>
    public static object? Value(PageRecord p, string field) => field switch
    {
        "src_unparsed" => p.SrcUnparsed,
        "url" => p.Url,
        "shard" => p.Shard,
        "root_hash" => p.RootHash,
        "host" => p.Host,
        "site" => p.Site,
        "download_http_code" => p.DownloadHttpCode,
        "download_stamp" => p.DownloadStamp,
        "first_indexed" => p.FirstIndexed,
        "content_type" => p.ContentType,
        "failure_reason" => PageColumns.Text(p.FailureReason),
        "history_drop_reason" => PageColumns.Text(p.HistoryDropReason),
        "ml_spam_score" => p.MlSpamScore,
        "meta_title" => p.MetaTitle,
        "meta_description" => p.MetaDescription,
        "meta_canonical" => p.MetaCanonical,
        "lang" => p.Lang,
        "boilerpipe_text" => p.BoilerpipeText,
        "markdown" => p.Markdown,
        "readable_markdown" => p.ReadableMarkdown,
        "content_hash" => p.ContentHash,
        "duplicate_of" => p.DuplicateOf,
        "outlinks" => p.Outlinks,
        "depth" => p.Depth,
        "page_type" => p.PageType,
        "page_type_confidence" => p.PageTypeConfidence,
        _ => throw new ArgumentOutOfRangeException(nameof(field), field, "not an export field"),
    };

    public static string? Text(PageRecord p, ExportText text) => text switch
    {
        ExportText.Boilerpipe => p.BoilerpipeText,
        ExportText.Markdown => p.Markdown,
        _ => p.ReadableMarkdown,
    };
}

/// <summary>Writes pages to one output format; <see cref="IAsyncDisposable.DisposeAsync"/> finishes the file.</summary>
public interface IPageExportWriter : IAsyncDisposable
{
    Task WriteAsync(PageRecord page, CancellationToken ct);
    /// <summary>Pages written.</summary>
    long Count { get; }
}
