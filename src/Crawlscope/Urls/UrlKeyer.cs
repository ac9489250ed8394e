using System.Diagnostics.CodeAnalysis;

namespace Crawlscope.Urls;

/// <summary>
/// Turns a URL into its <see cref="UrlIdentity"/>: normalise, find the site (the registrable domain from the
/// Public Suffix List, or the host itself for IP literals and hosts that are public suffixes), key, hash, shard.
/// </summary>
public sealed class UrlKeyer(PublicSuffixList suffixes, UrlNormalizer normalizer, int shardCount = SiteHash.DefaultShardCount)
{
    public static UrlKeyer Default { get; } = new(PublicSuffixList.Default, UrlNormalizer.Default);

    public int ShardCount { get; } = shardCount >= 1 ? shardCount : throw new ArgumentOutOfRangeException(nameof(shardCount), "shard count must be at least 1");

    public PublicSuffixList Suffixes => suffixes;

    public UrlIdentity Identify(WebUrl url)
    {
        WebUrl normalized = normalizer.Normalize(url);
        string? registrable = normalized.HostKind == HostKind.Domain ? suffixes.GetRegistrableDomain(normalized.Host) : null;
        string site = registrable ?? normalized.Host;
        long rootHash = SiteHash.RootHash(site);
        return new UrlIdentity(url, normalized, normalized.Host, registrable, site, UrlKey.From(normalized, site),
            rootHash, SiteHash.Shard(rootHash, ShardCount));
    }

    /// <summary>URLs longer than this (in characters, as given and as parsed) are refused: most servers refuse them
    /// too (8 KiB is a common request-line limit), and each would cost its length in memory and store at every
    /// link that points to it.</summary>
    public const int MaxUrlLength = 8 * 1024;

    public bool TryIdentify(string input, [NotNullWhen(true)] out UrlIdentity? identity, [NotNullWhen(false)] out string? error)
    {
        identity = null;
        if (input.Length > MaxUrlLength)
        {
            error = $"URL too long ({input.Length:N0} characters; the limit is {MaxUrlLength:N0})";
            return false;
        }
        return UrlNormalizer.TryParseCrawlable(input, out var url, out error) && TryIdentify(url, out identity, out error);
    }

    /// <summary>As <see cref="TryIdentify(string, out UrlIdentity?, out string?)"/> for a URL already parsed (a link
    /// resolved against its page): the same checks and identity, without parsing its serialisation again.</summary>
    public bool TryIdentify(WebUrl url, [NotNullWhen(true)] out UrlIdentity? identity, [NotNullWhen(false)] out string? error)
    {
        identity = null;
        if (!UrlNormalizer.IsCrawlable(url, out error)) return false;
        if (url.Href.Length > MaxUrlLength)
        {
            error = $"URL too long once encoded ({url.Href.Length:N0} characters; the limit is {MaxUrlLength:N0})";
            return false;
        }
        identity = Identify(url);
        return true;
    }

    /// <summary>The site and shard of a stored key, without going through URL parsing.</summary>
    public (string Site, long RootHash, int Shard) Locate(UrlKey key)
    {
        long rootHash = SiteHash.RootHash(key.Site);
        return (key.Site, rootHash, SiteHash.Shard(rootHash, ShardCount));
    }
}
