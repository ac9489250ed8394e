using System.Globalization;
using Crawlscope.Model;
using Crawlscope.Classification;
using Crawlscope.Extraction;
using Crawlscope.Fetching;
using Crawlscope.Frontier;
using Crawlscope.Urls;
using Crawlscope.Vocabulary;

namespace Crawlscope.Crawling;

/// <summary>
/// Step 11, the record: what is stored for a URL after each kind of answer, built in one place. Columns a refetch
/// does not change (first indexed, the drop reason so far) carry over from the previous record; reasons stay
/// typed until the store writes them.
/// </summary>
internal static class PageRecords
{
    /// <summary>The identity columns, carrying over what a refetch does not change.</summary>
    public static PageRecord Identity(FrontierEntry entry, UrlIdentity identity, PageRecord? previous) => new()
    {
        SrcUnparsed = entry.Key.Value,
        Url = identity.Normalized.Href,
        Shard = identity.Shard,
        RootHash = identity.RootHash,
        Host = identity.Host,
        Site = identity.Site,
        Depth = entry.Depth,
        FirstIndexed = previous?.FirstIndexed,
        HistoryDropReason = previous?.HistoryDropReason,
    };

    /// <summary>An extracted page, before the indexability decision sets its history columns.</summary>
    public static PageRecord Fetched(FrontierEntry entry, UrlIdentity identity, PageRecord? previous, FetchResult fetched, ExtractedPage page,
        SpamVerdict spam, string? canonicalKey, string? duplicateOf, RecrawlPolicy recrawl, DateTimeOffset now) => Identity(entry, identity, previous) with
    {
        DownloadHttpCode = fetched.StatusCode,
        DownloadStamp = now,
        ContentType = fetched.ContentType,
        FailureReason = null,
        MlSpamScore = spam.Level,
        SpamSignals = spam.Signals.Count == 0 ? null : spam.Signals,
        MetaTitle = page.Title,
        MetaDescription = page.Description,
        MetaCanonical = canonicalKey,
        RobotsNoIndex = page.Robots.NoIndex,
        RobotsNoFollow = page.Robots.NoFollow,
        RobotsSources = page.Robots.Sources.Count == 0 ? null : string.Join("; ", page.Robots.Sources),
        Lang = page.Language,
        BoilerpipeText = page.BoilerpipeText,
        Markdown = page.Markdown,
        ReadableMarkdown = page.ReadableMarkdown,
        PageType = page.PageType?.Name,
        PageTypeConfidence = page.PageType is { } type ? (int)Math.Round(type.Confidence * 100) : null,
        Soft404 = fetched.StatusCode == 200 ? page.Soft404 : null,
        ContentHash = page.ContentHash,
        SimHash = (long?)page.SimHash,
        DuplicateOf = duplicateOf,
        ResponseHeaders = Headers(fetched),
        Truncated = fetched.Truncated,
        BodyBytes = fetched.Body.Length,
        Etag = fetched.Header("ETag"),
        LastModified = fetched.Header("Last-Modified"),
        NextFetch = recrawl.NextFetch(previous, page.ContentHash, now),
    };

    /// <summary>A URL that gave no page: the failure, the drop reason decided for it, what the server said if anything.</summary>
    public static PageRecord Failure(FrontierEntry entry, UrlIdentity identity, PageRecord? previous, FetchResult? fetched, FailureReason reason,
        DropReason? historyDropReason, RecrawlPolicy recrawl, DateTimeOffset now) => Identity(entry, identity, previous) with
    {
        NextFetch = recrawl.NextCheck(previous, now),
        DownloadHttpCode = fetched?.StatusCode,
        DownloadStamp = fetched?.StatusCode is null ? previous?.DownloadStamp : now,
        ContentType = fetched?.ContentType,
        FailureReason = reason,
        HistoryDropReason = historyDropReason,
        ResponseHeaders = fetched?.StatusCode is null ? null : Headers(fetched),
        BodyBytes = fetched?.Body.Length ?? 0,
        Truncated = fetched?.Truncated ?? false,
    };

    /// <summary>A redirect: the target in key form (when it could be keyed) and how it was followed.</summary>
    public static PageRecord Redirect(FrontierEntry entry, UrlIdentity identity, PageRecord? previous, FetchResult fetched, FailureReason reason,
        string? targetKey, DropReason? historyDropReason, RecrawlPolicy recrawl, DateTimeOffset now) => Identity(entry, identity, previous) with
    {
        NextFetch = recrawl.NextCheck(previous, now),
        DownloadHttpCode = fetched.StatusCode,
        DownloadStamp = now,
        ContentType = fetched.ContentType,
        FailureReason = reason,
        HistoryDropReason = historyDropReason,
        RedirectTarget = targetKey,
        ResponseHeaders = Headers(fetched),
        BodyBytes = fetched.Body.Length,
    };

    /// <summary>The crawl history's row for this request (the location only for a redirect).</summary>
    public static FetchRecord Fetch(FrontierEntry entry, FetchResult? fetched, DateTimeOffset now, FetchFailure? failure, string? location = null,
        string? contentType = null, long? bytes = null) =>
        new(entry.Key.Value, entry.Url, now, fetched?.StatusCode, failure, fetched?.ElapsedMs ?? 0, bytes ?? fetched?.Body.Length ?? 0,
            contentType ?? fetched?.ContentType, location);

    /// <summary>What the WARC metadata record of a page says: our extraction fields, one warc-fields line each.</summary>
    public static List<(string, string)> WarcMetadata(PageRecord p)
    {
        var fields = new List<(string, string)>();
        void Add(string name, string? value)
        {
            if (!string.IsNullOrEmpty(value)) fields.Add((name, value));
        }
        Add("src-unparsed", p.SrcUnparsed);
        Add("title", p.MetaTitle);
        Add("description", p.MetaDescription);
        Add("canonical", p.MetaCanonical);
        Add("lang", p.Lang);
        Add("page-type", p.PageType);
        Add("content-hash", p.ContentHash);
        Add("simhash", p.SimHash?.ToString(CultureInfo.InvariantCulture));
        Add("ml-spam-score", p.MlSpamScore.ToString(CultureInfo.InvariantCulture));
        Add("history-drop-reason", PageColumns.Text(p.HistoryDropReason));
        Add("duplicate-of", p.DuplicateOf);
        Add("outlinks", p.Outlinks.ToString(CultureInfo.InvariantCulture));
        return fields;
    }

    /// <summary>The characters a save holds (two bytes each), plus a little per row: enough to bound the memory of
    /// pages waiting for their commit, which with full extraction carry tens of kilobytes of text each.</summary>
    public static long Footprint(PageRecord r, Outlinks outlinks)
    {
        long chars = (r.BoilerpipeText?.Length ?? 0) + (r.Markdown?.Length ?? 0) + (r.ReadableMarkdown?.Length ?? 0)
                     + (r.MetaTitle?.Length ?? 0) + (r.MetaDescription?.Length ?? 0) + r.Url.Length + r.SrcUnparsed.Length;
        foreach (var (name, value) in r.ResponseHeaders ?? EmptyHeaders) chars += name.Length + value.Length;
        foreach (var l in outlinks.Links) chars += l.Target.Length + l.Anchor.Length;
        foreach (var d in outlinks.Discovered) chars += d.Url.Length + d.Key.Value.Length;
        return 2 * chars + 64L * (1 + outlinks.Links.Count + outlinks.Discovered.Count);
    }

    private static readonly Dictionary<string, string> EmptyHeaders = [];

    private static Dictionary<string, string> Headers(FetchResult f) => f.Headers.ToDictionary(h => h.Key, h => string.Join(", ", h.Value));
}
