using Crawlscope.Urls;
using Crawlscope.Vocabulary;

namespace Crawlscope.Model;

/// <summary>A URL waiting in (or done with) the frontier. The frontier table is also the exact, persisted seen-set.</summary>
public sealed record FrontierEntry(
    UrlKey Key,
    string Url,
    string Host,
    int Shard,
    int Depth,
    int Priority,
    string? DiscoveredFrom,
    DateTimeOffset DiscoveredAt,
    int Attempts = 0,
    DateTimeOffset? NotBefore = null,
    int RedirectHops = 0,
    string? RedirectChain = null)
{
    /// <summary>A seed: depth 0, first in line.</summary>
    public static FrontierEntry Seed(UrlIdentity url, DateTimeOffset now) => new(url.Key, url.Original.Href, url.Host, url.Shard, 0, 0, null, now);

    /// <summary>A link found on <paramref name="from"/>: one deeper, discovered from it.</summary>
    public static FrontierEntry Outlink(UrlIdentity target, string href, FrontierEntry from, DateTimeOffset now) =>
        new(target.Key, href, target.Host, target.Shard, from.Depth + 1, from.Depth + 1, from.Key.Value, now);

    /// <summary>The target of a redirect from <paramref name="from"/>: same depth and priority, one hop further,
    /// the chain so far carried along (so a loop is seen).</summary>
    public static FrontierEntry Redirect(UrlIdentity target, string href, FrontierEntry from, RedirectPath chain, DateTimeOffset now) =>
        new(target.Key, href, target.Host, target.Shard, from.Depth, from.Priority, from.Key.Value, now, RedirectHops: from.RedirectHops + 1, RedirectChain: chain.Stored);

    /// <summary>A URL listed by a sitemap: depth 1, ahead of links (priority 0).</summary>
    public static FrontierEntry Sitemap(UrlIdentity url, string href, string sitemapUrl, DateTimeOffset now) =>
        new(url.Key, href, url.Host, url.Shard, 1, 0, sitemapUrl, now);

    /// <summary>A URL an operator submitted (crawl now, add seeds): depth 0, ahead of every other URL.</summary>
    public static FrontierEntry Submitted(UrlIdentity url, DateTimeOffset now) => new(url.Key, url.Original.Href, url.Host, url.Shard, 0, SubmittedPriority, null, now);

    /// <summary>The priority of submitted URLs: lower than any crawl gives (seeds and sitemaps 0, links their depth).</summary>
    public const int SubmittedPriority = -1;

    /// <summary>The keys this entry was redirected through, oldest first.</summary>
    public RedirectPath Redirects => RedirectPath.Parse(RedirectChain);
}

/// <summary>Where a URL stands in the frontier. The values are stored (the frontier's <c>state</c> column): never
/// renumber them, only add.</summary>
public enum FrontierState
{
    Queued = 0,
    InFlight = 1,
    Done = 2,
    /// <summary>Seen by this crawl worker, owned by another (on a cluster): handed over through the store.</summary>
    Elsewhere = 3,
}

/// <summary>What submitting a URL did: added it, queued a known URL again, or nothing (it was known and stays as it is).</summary>
public enum SubmitOutcome { Added, Requeued, Known }

/// <summary>The answer to a submission: what it did and where the URL stands now.</summary>
public sealed record Submission(SubmitOutcome Outcome, FrontierState State);

/// <summary>One URL of a host's queue, as <c>GET /api/queue</c> lists it.</summary>
public sealed record QueuedUrl(string Url, FrontierState State, int Priority, int Depth, int Attempts, DateTimeOffset NotBefore);

/// <summary>The frontier's size now: URLs waiting, URLs in flight, stored pages whose recrawl is due.</summary>
public sealed record QueueCounts(long Queued, long InFlight, long RecrawlsDue);

/// <summary>One thing an operator did, as the audit log keeps it: who (the token, or loopback when none is set),
/// what, on what, when; <paramref name="Site"/> for actions on one site (the daily quota counts them).</summary>
public sealed record OperatorAction(DateTimeOffset Stamp, string Actor, string Action, string Target, string? Site, string? Detail);

/// <summary>The keys a URL was reached through by redirects, oldest first (stored one per line with the frontier entry).</summary>
public sealed record RedirectPath(IReadOnlyList<string> Keys)
{
    public static RedirectPath Parse(string? stored) => new(stored is null ? [] : stored.Split('\n', StringSplitOptions.RemoveEmptyEntries));

    public bool Contains(string key) => Keys.Contains(key, StringComparer.Ordinal);

    /// <summary>This chain followed by one more hop.</summary>
    public RedirectPath Then(string key) => new([.. Keys, key]);

    public string Stored => string.Join('\n', Keys);
}

/// <summary>The latest state of one URL: what the inspector shows (column names follow the seed).</summary>
public sealed record PageRecord
{
    public required string SrcUnparsed { get; init; }
    public required string Url { get; init; }
    public required int Shard { get; init; }
    public required long RootHash { get; init; }
    public required string Host { get; init; }
    public required string Site { get; init; }
    public int? DownloadHttpCode { get; init; }
    public DateTimeOffset? DownloadStamp { get; init; }
    public DateTimeOffset? FirstIndexed { get; init; }
    public string? ContentType { get; init; }
    public FailureReason? FailureReason { get; init; }
    public DropReason? HistoryDropReason { get; init; }
    public int MlSpamScore { get; init; }
    public IReadOnlyList<SpamSignal>? SpamSignals { get; init; }
    public string? MetaTitle { get; init; }
    public string? MetaDescription { get; init; }
    /// <summary>The canonical in key form, so it compares with <see cref="SrcUnparsed"/>.</summary>
    public string? MetaCanonical { get; init; }
    public bool RobotsNoIndex { get; init; }
    public bool RobotsNoFollow { get; init; }
    public string? RobotsSources { get; init; }
    public string? Lang { get; init; }
    public string? BoilerpipeText { get; init; }
    public string? Markdown { get; init; }
    public string? ReadableMarkdown { get; init; }
    public string? ContentHash { get; init; }
    public long? SimHash { get; init; }
    public string? DuplicateOf { get; init; }
    public IReadOnlyDictionary<string, string>? ResponseHeaders { get; init; }
    public string? RedirectTarget { get; init; }
    public bool Truncated { get; init; }
    public long? BodyBytes { get; init; }
    public int Outlinks { get; init; }
    public int Depth { get; init; }
    public string? Etag { get; init; }
    public string? LastModified { get; init; }
    public DateTimeOffset? NextFetch { get; init; }
    /// <summary>article, forum, product, collection, listing, documentation or service: the profile the readable
    /// Markdown was extracted with; null when no readable Markdown was made.</summary>
    public string? PageType { get; init; }
    /// <summary>The page-type classifier's confidence, in percent.</summary>
    public int? PageTypeConfidence { get; init; }
    /// <summary>What showed that a page answered 200 is really "not found"; null when it is not a soft 404.</summary>
    public string? Soft404 { get; init; }
    /// <summary>Whether the stored content is the page as a browser rendered it.</summary>
    public bool Rendered { get; init; }
    /// <summary>Why the page was rendered or not; null when no decision was made (not a 200 HTML page).</summary>
    public RenderReason? RenderReason { get; init; }
    /// <summary>The render's account as JSON (raw vs rendered, resources, console); null when not rendered.</summary>
    public string? RenderDetails { get; init; }

    /// <summary>A stored row as a record, read column by name; each store says how it reads text, integers and times.</summary>
    public static PageRecord FromColumns(Func<string, string?> text, Func<string, long?> integer, Func<string, DateTimeOffset?> time) => new()
    {
        SrcUnparsed = text("src_unparsed")!, Url = text("url")!, Shard = (int)integer("shard")!, RootHash = integer("root_hash")!.Value, Host = text("host")!, Site = text("site")!,
        DownloadHttpCode = (int?)integer("download_http_code"), DownloadStamp = time("download_stamp"), FirstIndexed = time("first_indexed"),
        ContentType = text("content_type"), FailureReason = StoreNames.Parse<FailureReason>(text("failure_reason")),
        HistoryDropReason = StoreNames.Parse<DropReason>(text("history_drop_reason")),
        MlSpamScore = (int)(integer("ml_spam_score") ?? 0), SpamSignals = PageColumns.SpamSignals(text("spam_signals")), MetaTitle = text("meta_title"), MetaDescription = text("meta_description"),
        MetaCanonical = text("meta_canonical"), RobotsNoIndex = integer("robots_noindex") == 1, RobotsNoFollow = integer("robots_nofollow") == 1,
        RobotsSources = text("robots_sources"), Lang = text("lang"), BoilerpipeText = text("boilerpipe_text"), Markdown = text("markdown"),
        ReadableMarkdown = text("readable_markdown"), ContentHash = text("content_hash"), SimHash = integer("simhash"), DuplicateOf = text("duplicate_of"),
        ResponseHeaders = PageColumns.Headers(text("response_headers")), RedirectTarget = text("redirect_target"), Truncated = integer("truncated") == 1, BodyBytes = integer("body_bytes"),
        Outlinks = (int)(integer("outlinks") ?? 0), Depth = (int)(integer("depth") ?? 0), Etag = text("etag"), LastModified = text("last_modified"),
        NextFetch = time("next_fetch"), PageType = text("page_type"), PageTypeConfidence = (int?)integer("page_type_confidence"),
        Soft404 = text("soft_404"), Rendered = integer("rendered") == 1, RenderReason = StoreNames.Parse<RenderReason>(text("render_reason")),
        RenderDetails = text("render_details"),
    };
}

/// <summary>The shortest and longest time between two fetches of a stored page.</summary>
public sealed record RecrawlBounds(TimeSpan Shortest, TimeSpan Longest);

/// <summary>One request made for a URL (the crawl history).</summary>
/// <summary>One exchange in a URL's fetch history; <paramref name="Failure"/> is null when nothing failed.</summary>
public sealed record FetchRecord(string SrcUnparsed, string Url, DateTimeOffset Stamp, int? HttpCode, FetchFailure? Failure,
    double ElapsedMs, long Bytes, string? ContentType, string? Location);

public sealed record LinkRecord(string Source, string Target, string Anchor, bool NoFollow)
{
    /// <summary>Why the crawl did not follow it; null when it did (the target was queued, or was known already).</summary>
    public LinkRefusal? Refusal { get; init; }
}

public sealed record StoredRobots(string HostKey, DateTimeOffset FetchedAt, DateTimeOffset ExpiresAt, int? Status, byte[]? Body,
    string Action, string Reason, byte[]? LastGoodBody, bool SitemapsRead = false);

public sealed record BanRecord(string Name, string? Reason, DateTimeOffset Created);

/// <summary>Counts for <c>crawlscope stats</c> and the crawl summary.</summary>
public sealed record CrawlStats(
    long Pages,
    long Queued,
    long Leased,
    long Hosts,
    IReadOnlyDictionary<string, long> ByStatus,
    IReadOnlyDictionary<string, long> ByFailureReason,
    IReadOnlyDictionary<string, long> ByDropReason,
    long Fetches,
    long Bytes);

/// <summary>Pages stored for one host, and how many of them failed.</summary>
public sealed record HostCount(string Host, long Pages, long Failures);

/// <summary>One failed fetch, for the overview's "recent failures".</summary>
public sealed record RecentFailure(DateTimeOffset Stamp, string Url, string Reason, int? HttpCode);

/// <summary>Fetches in one time bucket of the crawl, for the throughput chart.</summary>
public sealed record ThroughputPoint(DateTimeOffset Start, double Seconds, long Fetches);

/// <summary>The crawl overview page's data: the counts, the busiest hosts, recent failures, throughput over time.</summary>
/// <param name="Workers">A cluster crawl's workers (empty for the embedded store).</param>
/// <param name="Nodes">A cluster store's servers (empty for the embedded store).</param>
public sealed record CrawlOverview(CrawlStats Stats, IReadOnlyList<HostCount> TopHosts, IReadOnlyList<RecentFailure> RecentFailures, IReadOnlyList<ThroughputPoint> Throughput,
    IReadOnlyList<WorkerStatus>? Workers = null, IReadOnlyList<StoreNode>? Nodes = null);

/// <summary>A crawl worker as its last heartbeat shows it: its shard range, its queue, rows not yet on every replica.</summary>
public sealed record WorkerStatus(string Worker, string Shards, long Queued, long InFlight, long Unshipped, DateTimeOffset Heartbeat, bool Departed)
{
    /// <summary>Fetches of the worker's shards over the last minute, per second.</summary>
    public double PagesPerSecond { get; init; }
}

/// <summary>One server of a cluster store: where it answers, its shard and replica (from its macros, when it has
/// them), whether it answered, and its replication queue.</summary>
public sealed record StoreNode(string Address, string? Shard, string? Replica, bool Up, long ReplicationQueue, string? Problem);

/// <summary>An inspector query as sent (text and bound parameters), its rows, the raw response and the time taken.</summary>
public sealed record RawQueryResult(string Sql, IReadOnlyList<(string Name, object? Value)> Parameters, IReadOnlyList<IReadOnlyDictionary<string, object?>> Rows,
    string RawResponse, double ElapsedMs)
{
    /// <summary>The query with its parameters written after it, as the inspector shows it.</summary>
    public string Display => Parameters.Count == 0 ? Sql
        : Sql + "\n-- " + string.Join(", ", Parameters.Select(p => $"{p.Name} = {Literal(p.Value)}"));

    private static string Literal(object? v) => v switch
    {
        null => "NULL",
        string s => "'" + s.Replace("'", "''") + "'",
        _ => Convert.ToString(v, System.Globalization.CultureInfo.InvariantCulture) ?? "NULL",
    };
}
