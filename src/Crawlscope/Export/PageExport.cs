using System.Globalization;
using Crawlscope.Model;
using Crawlscope.Urls;
using Crawlscope.Vocabulary;

namespace Crawlscope.Export;

/// <summary>Which pages an export takes: all stored pages, only the indexable ones, only those not indexable, or those of
/// one primary reason; optionally only those fetched since a date, of one host or of one site.</summary>
public sealed record ExportSelection(bool IndexableOnly = false, DateTimeOffset? Since = null, int MaxAgeMonths = IndexabilityRule.DefaultMaxAgeMonths)
{
    public bool NotIndexableOnly { get; init; }
    public IndexingReason? Reason { get; init; }
    public string? Host { get; init; }
    public string? Site { get; init; }
}

/// <summary>What the computed export fields need: the bans (for <c>fh_dont_index</c>), the time and the age cut-off the
/// reason is decided at, as the inspector decides it.</summary>
public sealed record ExportContext(IReadOnlySet<string> Bans, DateTimeOffset Now, int MaxAgeMonths)
{
    public IndexingReason Reason(PageRecord p) => IndexingReasons.Of(p, Bans.Contains(p.Host) || Bans.Contains(p.Site), Now, MaxAgeMonths)[0];
}

/// <summary>Which text a WET record carries.</summary>
public enum ExportText { Readable, Boilerpipe, Markdown }

/// <summary>
/// The exported page fields (the inspector's) and the selection as a store condition. "Indexable" is the
/// conjunction of the inspector's filter conditions, so an export and the inspector can never disagree.
/// </summary>
public static class PageExport
{
    /// <summary>Fields computed for an export, not stored: the inspector's primary reason, and the keys read back as URLs.
    /// They follow <c>soft_404</c>; <c>headline</c> (the title without the site's name) follows <c>meta_title</c>.</summary>
    private static readonly string[] Computed = ["reason", "canonical_url", "duplicate_of_url"];

    /// <summary>Every exportable field, in export order (the pages table's exported columns, with the computed ones);
    /// <c>--fields</c> picks a subset.</summary>
    public static readonly IReadOnlyList<string> Fields = ExportOrder();

    private static List<string> ExportOrder()
    {
        var fields = PageColumnTable.All.Where(c => c.Exported).Select(c => c.Name).ToList();
        fields.InsertRange(fields.IndexOf("soft_404") + 1, Computed);
        fields.Insert(fields.IndexOf("meta_title") + 1, "headline");
        return fields;
    }

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
        if (selection.NotIndexableOnly) parts.Add("NOT (" + string.Join(" AND ", filterConditions.Select(c => $"COALESCE(({c}), 0) = 1")) + ")");
        if (selection.Reason is { } reason)
        {
            parts.Add($"({queries.ReasonCase(selection.MaxAgeMonths)}) = $reason");
            parameters.Add(("$reason", StoreNames.Of(reason)));
        }
        if (selection.Host is { } host)
        {
            parts.Add("host = $host");
            parameters.Add(("$host", host));
        }
        if (selection.Site is { } site)
        {
            parts.Add("site = $site");
            parameters.Add(("$site", site));
        }
        if (selection.Since is { } since)
        {
            parts.Add("download_stamp >= $since");
            parameters.Add(("$since", queries.TimeValue(since)));
        }
        return (parts.Count == 0 ? "1 = 1" : string.Join("\nAND ", parts), parameters);
    }

    /// <summary>A field's value as exported (timestamps in ISO 8601 UTC).</summary>
    /// <param name="context">For the computed fields (<c>reason</c>); without it they are null.</param>
    public static object? Value(PageRecord p, string field, ExportContext? context = null) => field switch
    {
        "headline" => Headline.Of(p),
        "reason" => context is null ? null : StoreNames.Of(context.Reason(p)),
        "canonical_url" => string.IsNullOrEmpty(p.MetaCanonical) ? null : UrlKey.TryParse(p.MetaCanonical, out var canonical) ? canonical.ToUrl().Href : p.MetaCanonical,
        "duplicate_of_url" => p.DuplicateOf is { } original && UrlKey.TryParse(original, out var key) ? key.ToUrl().Href : p.DuplicateOf,
        _ when PageColumnTable.ByName.TryGetValue(field, out var column) && column.Exported =>
            column.Type == ColumnType.Flag ? ((bool)column.Value(p)! ? 1 : 0) : column.Value(p),
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
