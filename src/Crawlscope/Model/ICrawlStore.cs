using Crawlscope.Urls;


namespace Crawlscope.Model;

/// <summary>Where URLs enter a store: seeds, sitemap entries and an operator's submissions. A store with a frontier
/// queues them; the cluster store hands each to the worker that owns its shard.</summary>
public interface IUrlIntake
{
    /// <summary>Adds URLs not seen before; returns how many were new. A seen URL (any state) is never re-added, so
    /// 0 means every one was known already.</summary>
    Task<int> EnqueueAsync(IReadOnlyList<FrontierEntry> entries, CancellationToken ct = default);

    /// <summary>An operator's URL, committed before this returns: a new one is added ahead of every other; a known one
    /// waiting or done is queued again at the front when <paramref name="requeueKnown"/>, ready now; a URL in flight,
    /// or a known one without <paramref name="requeueKnown"/>, is left as it is (<see cref="SubmitOutcome.Known"/>).
    /// A URL added or queued again is written to the audit log as <paramref name="audit"/> (its detail the outcome) in
    /// the same transaction, so the daily quota counts every URL queued even after a kill; a store without one
    /// transaction across both writes the audit row first.</summary>
    Task<Submission> SubmitAsync(FrontierEntry entry, bool requeueKnown, DateTimeOffset now, OperatorAction? audit = null, CancellationToken ct = default);
}

/// <summary>
/// URLs waiting to be fetched, and the exact, persisted seen-set. The crawl loop leases and reschedules; seeds,
/// sitemaps and saved pages add URLs.
/// </summary>
public interface IFrontier : IUrlIntake
{

    /// <summary>Hosts with queued URLs, each with when its first becomes ready: up to <paramref name="limit"/> of them
    /// in the store's host order, after the host at <paramref name="after"/> (a <see cref="QueuedHost.Position"/>; 0
    /// from the start). Fewer than the limit means the end of the queue.</summary>
    Task<IReadOnlyList<QueuedHost>> QueuedHostsAsync(long after = 0, int limit = int.MaxValue, CancellationToken ct = default);

    /// <summary>Hosts that gained a queued URL (new, requeued for recrawl, submitted) since the last call, once
    /// committed: how the crawl loop learns of hosts without scanning the queue.</summary>
    IReadOnlyCollection<string> TakeNewlyQueuedHosts();

    /// <summary>Marks up to <paramref name="max"/> of the best ready URLs of a host as in flight and returns them,
    /// best first; empty when the host has none ready.</summary>
    Task<IReadOnlyList<FrontierEntry>> LeaseAsync(string host, DateTimeOffset now, int max, CancellationToken ct = default);

    /// <summary>Puts a leased URL back, to be tried again at <paramref name="notBefore"/>.</summary>
    Task RescheduleAsync(UrlKey key, DateTimeOffset notBefore, int attempts, CancellationToken ct = default);

    /// <summary>Queues again, ready at <paramref name="now"/>, every stored page whose next fetch is at or before
    /// <paramref name="dueBy"/> (recrawl). Returns how many. With <paramref name="bounds"/> (the crawl's recrawl
    /// intervals, which may have changed since pages were stored), a page's next fetch is first brought within them:
    /// at most the longest and at least the shortest interval after its last download.</summary>
    Task<int> RequeueDueAsync(DateTimeOffset dueBy, DateTimeOffset now, RecrawlBounds? bounds = null, CancellationToken ct = default);

    /// <summary>At the start of a run: every URL left in flight by a killed run goes back to the queue. Returns how many.</summary>
    Task<int> RecoverLeasesAsync(CancellationToken ct = default);

    /// <summary>When the earliest queued URL becomes ready; null when the queue is empty.</summary>
    Task<DateTimeOffset?> NextReadyAsync(CancellationToken ct = default);

    /// <summary>Up to <paramref name="limit"/> of a host's URLs waiting or in flight, in the order they will be leased.</summary>
    Task<IReadOnlyList<QueuedUrl>> QueueAsync(string host, int limit, CancellationToken ct = default);
}

/// <summary>The pages: each URL's latest state, written by the page processor, read by duplicates, the inspector and exports.</summary>
public interface IPageStore
{
    /// <summary>
    /// Stores a fetch outcome, its page state and links, queues the URLs it discovered (those not seen before),
    /// and marks the URL done — one transaction, so a crash can never keep a page but lose its outlinks.
    /// Returns how many discovered URLs were new.
    /// </summary>
    Task<int> SaveAsync(PageRecord page, FetchRecord fetch, IReadOnlyList<LinkRecord> links, IReadOnlyList<FrontierEntry> discovered, CancellationToken ct = default);

    /// <summary>The URL's latest state; null when it was never stored.</summary>
    Task<PageRecord?> GetPageAsync(string srcUnparsed, CancellationToken ct = default);

    /// <summary>Another page with this content hash, if any (exact duplicate); null when there is none.</summary>
    Task<string?> FindByContentHashAsync(string contentHash, string except, CancellationToken ct = default);

    /// <summary>Another page whose SimHash differs in at most <paramref name="maxDistance"/> bits; null when there is none.</summary>
    Task<string?> FindNearDuplicateAsync(long simHash, string except, int maxDistance, CancellationToken ct = default);

    /// <summary>Records that <paramref name="sitemapUrl"/> lists these keys.</summary>
    Task AddSitemapEntriesAsync(string sitemapUrl, IReadOnlyList<string> keys, CancellationToken ct = default);

    /// <summary>
    /// Streams the stored pages for which <paramref name="condition"/> (a constant condition in this store's SQL over
    /// the pages table, with <c>fh_dont_index</c> available; values bound as parameters) holds, in key order (so a
    /// site's pages come together). Rows are read as they are consumed, so memory stays flat however many match.
    /// </summary>
    IAsyncEnumerable<PageRecord> PagesAsync(string condition, IReadOnlyList<(string Name, object? Value)> parameters, CancellationToken ct = default);

    /// <summary>Pages stored so far (for --max-pages across restarts).</summary>
    Task<long> PageCountAsync(CancellationToken ct = default);

    /// <summary>The URLs of the stored pages at depth 0 (the seeds of earlier runs): a recrawl without seeds keeps to
    /// their sites.</summary>
    Task<IReadOnlyList<string>> SeedUrlsAsync(CancellationToken ct = default);
}

/// <summary>robots.txt copies per host (scheme, host and port), for the robots gate.</summary>
public interface IRobotsCache
{
    /// <summary>The stored copy; null when the host's robots.txt was never fetched.</summary>
    Task<StoredRobots?> GetRobotsAsync(string hostKey, CancellationToken ct = default);
    Task SaveRobotsAsync(StoredRobots robots, CancellationToken ct = default);
    /// <summary>Records that a host's sitemaps were read (so a restart does not read them again).</summary>
    Task MarkSitemapsReadAsync(string hostKey, CancellationToken ct = default);
}

/// <summary>The operator's bans (<c>fh_dont_index</c>) of hosts and registrable domains.</summary>
public interface IBanStore
{
    /// <summary>Bans the name; <paramref name="audit"/>, when given, is written to the audit log with it (one transaction
    /// where the store has them, the audit row first where it has not).</summary>
    Task BanAsync(string name, string? reason, OperatorAction? audit = null, CancellationToken ct = default);
    /// <summary>Lifts a ban; <paramref name="audit"/> is written with it when the name was banned.</summary>
    /// <returns><see langword="false"/> when the name was not banned.</returns>
    Task<bool> UnbanAsync(string name, OperatorAction? audit = null, CancellationToken ct = default);
    Task<IReadOnlyList<BanRecord>> BansAsync(CancellationToken ct = default);
}

/// <summary>Counts of the crawl, for <c>stats</c>, the crawl summary and the overview.</summary>
public interface ICrawlStats
{
    Task<CrawlStats> StatsAsync(CancellationToken ct = default);

    /// <summary>The overview: stats, the <paramref name="limit"/> busiest hosts and latest failures, and fetches
    /// over time in at most <paramref name="buckets"/> equal buckets.</summary>
    Task<CrawlOverview> OverviewAsync(int limit, int buckets, CancellationToken ct = default);

    /// <summary>The frontier's size and the recrawls due at <paramref name="now"/>; cheap enough to ask every second.</summary>
    Task<QueueCounts> QueueCountsAsync(DateTimeOffset now, CancellationToken ct = default);
}

/// <summary>The audit log of operator actions (crawl now, add seeds, bans, pauses).</summary>
public interface IOperatorLog
{
    Task RecordAsync(OperatorAction action, CancellationToken ct = default);

    /// <summary>The latest <paramref name="limit"/> actions, newest first.</summary>
    Task<IReadOnlyList<OperatorAction>> RecentActionsAsync(int limit, CancellationToken ct = default);

    /// <summary>How many of <paramref name="actions"/> were done on <paramref name="site"/> since <paramref name="since"/> (the daily quota).</summary>
    Task<long> CountActionsAsync(string site, IReadOnlyList<string> actions, DateTimeOffset since, CancellationToken ct = default);
}

/// <summary>What the inspector reads the store through: its queries in the store's SQL, run and shown as sent.</summary>
public interface IInspectionSource
{
    /// <summary>The inspector's queries and the indexability conditions, in this store's SQL.</summary>
    InspectionQueries Queries { get; }

    /// <summary>Where a shard lives: "local" for the embedded store, the node's address for a cluster.</summary>
    Task<string> ShardNodeAsync(int shard, CancellationToken ct = default);

    /// <summary>
    /// Runs one of the inspector's read queries and returns it as sent, with the raw response as the store
    /// produced it; parameters are bound, never spliced into the text.
    /// </summary>
    Task<RawQueryResult> InspectAsync(string sql, IReadOnlyList<(string Name, object? Value)> parameters, CancellationToken ct = default);
}

/// <summary>
/// The crawl store as every store honours it whole, keyed by <c>src_unparsed</c> and shard: embedded SQLite (the
/// default), the ClickHouse cluster, and a cluster worker's store. What readers open (inspect, serve, stats, export)
/// and what the page processor writes through. Stages take the one contract they need.
/// </summary>
public interface ICrawlStore : IUrlIntake, IPageStore, IRobotsCache, IBanStore, ICrawlStats, IInspectionSource, IOperatorLog, IAsyncDisposable;

/// <summary>A crawl store that also holds a frontier, so a crawl can run on it: the embedded store and a cluster
/// worker's (the cluster itself keeps none: its workers do).</summary>
public interface IFrontierStore : ICrawlStore, IFrontier;

/// <summary>Whether a store's disk has room: a store that says which of its failures mean a full disk lets a crawl
/// service pause until space returns instead of ending.</summary>
public interface IStoreSpace
{
    /// <summary>The failure (or one inside it) is the store's disk being full; <paramref name="condition"/> says so in one
    /// line, naming the store.</summary>
    bool IsFull(Exception error, out string condition);

    /// <summary>Whether there is room to write again (a probe that writes and removes a little, beside the store).</summary>
    Task<bool> HasRoomAsync(CancellationToken ct = default);
}

/// <summary>A host with queued URLs, when the first of them is ready, and its place in the store's host order.</summary>
public sealed record QueuedHost(string Host, DateTimeOffset Ready, long Position);
