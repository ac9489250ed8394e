using System.Globalization;

namespace Crawlscope.Storage.ClickHouse;

/// <summary>The shards a crawl worker owns, <c>FROM-TO</c> inclusive (or one shard).</summary>
public sealed record ShardRange(int From, int To)
{
    public bool Contains(int shard) => shard >= From && shard <= To;

    public static ShardRange Parse(string text)
    {
        string[] parts = text.Split('-', 2, StringSplitOptions.TrimEntries);
        if (parts.Length == 1 && int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out int one)) return new(one, one);
        if (parts.Length == 2 && int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out int from)
            && int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out int to) && from <= to)
            return new(from, to);
        throw new FormatException($"not a shard range: '{text}' (FROM-TO, such as 0-49)");
    }

    public override string ToString() => From == To ? From.ToString(CultureInfo.InvariantCulture) : $"{From}-{To}";
}
