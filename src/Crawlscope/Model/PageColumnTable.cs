using Crawlscope.Vocabulary;

namespace Crawlscope.Model;

/// <summary>How a page column's value is held: text, a whole number, a point in time, or a yes/no flag.</summary>
public enum ColumnType { Text, Integer, Time, Flag }

/// <summary>One column of the pages table: its name (the seed's), its type, how a record gives its stored value
/// (reasons and JSON already as text), and whether exports carry it.</summary>
public sealed record PageColumn(string Name, ColumnType Type, Func<PageRecord, object?> Value, bool Exported = true);

/// <summary>
/// The pages table, one row per column, in the stores' column order: both stores write a page from it, exports read
/// their fields from it, and a test holds both stores' schemas to it. Adding a column is a property on
/// <see cref="PageRecord"/>, a row here, its reading in <see cref="PageRecord.FromColumns"/> and a migration in each
/// store (the schema test names the store that lacks it).
/// </summary>
public static class PageColumnTable
{
    public static readonly IReadOnlyList<PageColumn> All =
    [
        new("src_unparsed", ColumnType.Text, p => p.SrcUnparsed),
        new("url", ColumnType.Text, p => p.Url),
        new("shard", ColumnType.Integer, p => p.Shard),
        new("root_hash", ColumnType.Integer, p => p.RootHash),
        new("host", ColumnType.Text, p => p.Host),
        new("site", ColumnType.Text, p => p.Site),
        new("download_http_code", ColumnType.Integer, p => p.DownloadHttpCode),
        new("download_stamp", ColumnType.Time, p => p.DownloadStamp),
        new("first_indexed", ColumnType.Time, p => p.FirstIndexed),
        new("content_type", ColumnType.Text, p => p.ContentType),
        new("failure_reason", ColumnType.Text, p => PageColumns.Text(p.FailureReason)),
        new("history_drop_reason", ColumnType.Text, p => PageColumns.Text(p.HistoryDropReason)),
        new("ml_spam_score", ColumnType.Integer, p => p.MlSpamScore),
        new("spam_signals", ColumnType.Text, p => PageColumns.Text(p.SpamSignals), Exported: false),
        new("meta_title", ColumnType.Text, p => p.MetaTitle),
        new("meta_description", ColumnType.Text, p => p.MetaDescription),
        new("meta_canonical", ColumnType.Text, p => p.MetaCanonical),
        new("robots_noindex", ColumnType.Flag, p => p.RobotsNoIndex, Exported: false),
        new("robots_nofollow", ColumnType.Flag, p => p.RobotsNoFollow, Exported: false),
        new("robots_sources", ColumnType.Text, p => p.RobotsSources, Exported: false),
        new("lang", ColumnType.Text, p => p.Lang),
        new("boilerpipe_text", ColumnType.Text, p => p.BoilerpipeText),
        new("markdown", ColumnType.Text, p => p.Markdown),
        new("readable_markdown", ColumnType.Text, p => p.ReadableMarkdown),
        new("content_hash", ColumnType.Text, p => p.ContentHash),
        new("simhash", ColumnType.Integer, p => p.SimHash, Exported: false),
        new("duplicate_of", ColumnType.Text, p => p.DuplicateOf),
        new("response_headers", ColumnType.Text, p => PageColumns.Text(p.ResponseHeaders), Exported: false),
        new("redirect_target", ColumnType.Text, p => p.RedirectTarget, Exported: false),
        new("truncated", ColumnType.Flag, p => p.Truncated, Exported: false),
        new("body_bytes", ColumnType.Integer, p => p.BodyBytes, Exported: false),
        new("outlinks", ColumnType.Integer, p => p.Outlinks),
        new("depth", ColumnType.Integer, p => p.Depth),
        new("etag", ColumnType.Text, p => p.Etag, Exported: false),
        new("last_modified", ColumnType.Text, p => p.LastModified, Exported: false),
        new("next_fetch", ColumnType.Time, p => p.NextFetch, Exported: false),
        new("page_type", ColumnType.Text, p => p.PageType),
        new("page_type_confidence", ColumnType.Integer, p => p.PageTypeConfidence),
        new("soft_404", ColumnType.Text, p => p.Soft404),
        new("rendered", ColumnType.Flag, p => p.Rendered),
        new("render_reason", ColumnType.Text, p => p.RenderReason is { } r ? StoreNames.Of(r) : null),
        new("render_details", ColumnType.Text, p => p.RenderDetails, Exported: false),
    ];

    public static readonly IReadOnlyDictionary<string, PageColumn> ByName = All.ToDictionary(c => c.Name, StringComparer.Ordinal);

    /// <summary>A whole number column's value as a long (null stays null).</summary>
    public static long? Integer(object? value) => value switch
    {
        null => null,
        int i => i,
        long l => l,
        _ => throw new InvalidCastException($"{value.GetType().Name} is not a whole number"),
    };
}
