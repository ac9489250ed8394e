namespace Crawlscope.Model;

/// <summary>Rows written for another store, in that store's own format: a table name and its encoded lines.</summary>
public readonly record struct ReplicaRows(string Table, string Lines);

/// <summary>Rows kept in the outbox until the other store has them.</summary>
public sealed record OutboxBatch(long LastId, IReadOnlyList<ReplicaRows> Rows);

/// <summary>
/// Encodes the embedded store's writes for a store it forwards them to (a crawl worker forwards to the cluster).
/// The embedded store writes the encoded rows into its outbox in the same transaction as the write itself, so
/// a killed worker loses nothing it stored, and ships them when it can.
/// </summary>
public interface IReplicaEncoder
{
    IEnumerable<ReplicaRows> Save(PageRecord page, FetchRecord fetch, IReadOnlyList<LinkRecord> links);
    IEnumerable<ReplicaRows> Discovered(IReadOnlyList<FrontierEntry> added);
    IEnumerable<ReplicaRows> Robots(StoredRobots robots);
    IEnumerable<ReplicaRows> SitemapEntries(string sitemapUrl, IReadOnlyList<string> keys);
}

/// <summary>How a worker's embedded store differs from a standalone one.</summary>
public sealed record WorkerStoreOptions(IReplicaEncoder Replica, Func<int, bool> OwnsShard);
