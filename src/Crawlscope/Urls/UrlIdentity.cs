namespace Crawlscope.Urls;

/// <summary>Everything the crawl keys on for one URL: its normalised form, its site, its key and its shard.</summary>
public sealed record UrlIdentity(
    WebUrl Original,
    WebUrl Normalized,
    string Host,
    string? RegistrableDomain,
    string Site,
    UrlKey Key,
    long RootHash,
    int Shard);
