using System.IO.Hashing;
using System.Text;

namespace Crawlscope.Urls;

/// <summary>
/// The root hash of a site and the shard it lives on. root_hash = XxHash64 (seed 0) of the UTF-8 bytes of the
/// lower-case punycode registrable domain, top bit cleared so it fits a signed 64-bit column;
/// shard = root_hash mod shard count. Every page of a site therefore lands on one shard.
/// </summary>
public static class SiteHash
{
    public const int DefaultShardCount = UrlDefaults.ShardCount;

    public static long RootHash(string site) =>
        (long)(XxHash64.HashToUInt64(Encoding.UTF8.GetBytes(site)) & 0x7FFF_FFFF_FFFF_FFFFUL);

    public static int Shard(long rootHash, int shardCount)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(shardCount, 1);
        return (int)(rootHash % shardCount);
    }
}
