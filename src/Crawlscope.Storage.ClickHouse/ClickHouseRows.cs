using Crawlscope.Vocabulary;
using Crawlscope.Duplicates;
using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Crawlscope.Urls;
using Crawlscope.Model;

namespace Crawlscope.Storage.ClickHouse;

/// <summary>
/// Records as ClickHouse JSONEachRow lines, and rows read back as records. Strings are written as UTF-8 JSON
/// (only quotes, backslashes and control characters escaped), which every ClickHouse version reads.
/// </summary>
public sealed class ClickHouseRows(UrlKeyer keyer, string worker = "", TimeProvider? time = null) : IReplicaEncoder
{
    private readonly TimeProvider _time = time ?? TimeProvider.System;
    private static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
    private long _lastMicros;
    private long _epoch;

    // Microseconds since 1970 fit in 51 bits until 2041; the claim epoch takes the 12 bits above them.
    private const int EpochShift = 51;
    private const long MaxEpoch = (1L << (63 - EpochShift)) - 1;

    /// <summary>How many times the shard range these rows belong to was claimed, this claim included (0 with static
    /// ranges). It is the highest part of every version, so rows of a later owner of the range replace rows of an
    /// earlier one, whatever their clocks, even when the earlier one wakes from a pause and writes after it.</summary>
    public long Epoch
    {
        get => Volatile.Read(ref _epoch);
        set
        {
            if (value < 0 || value > MaxEpoch) throw new ArgumentOutOfRangeException(nameof(value), value, $"a shard range's claim epoch must be 0 to {MaxEpoch}");
            Volatile.Write(ref _epoch, value);
        }
    }

    /// <summary>Increasing per process and across restarts (microseconds of the store's clock, under the claim epoch),
    /// so the latest write of a key wins in ReplacingMergeTree.</summary>
    public long NextVersion()
    {
        long now = _time.GetUtcNow().ToUnixTimeMilliseconds() * 1000;
        while (true)
        {
            long last = Volatile.Read(ref _lastMicros);
            long next = Math.Max(now, last + 1);
            if (Interlocked.CompareExchange(ref _lastMicros, next, last) == last) return (Epoch << EpochShift) | next;
        }
    }

    public IEnumerable<ReplicaRows> Save(PageRecord page, FetchRecord fetch, IReadOnlyList<LinkRecord> links)
    {
        yield return new("pages", Page(page, NextVersion()));
        yield return new("fetches", Line(w =>
        {
            w.WriteNumber("shard", page.Shard);
            // A fetch's id is fixed here, so a batch shipped twice collapses to one row per fetch.
            w.WriteNumber("id", (ulong)NextVersion());
            w.WriteString("src_unparsed", fetch.SrcUnparsed);
            w.WriteString("url", fetch.Url);
            w.WriteString("stamp", ClickHouseSql.DateTimeText(fetch.Stamp));
            Nullable(w, "http_code", fetch.HttpCode);
            w.WriteString("failure_reason", fetch.Failure?.Text);
            w.WriteNumber("elapsed_ms", fetch.ElapsedMs);
            w.WriteNumber("bytes", fetch.Bytes);
            w.WriteString("content_type", fetch.ContentType);
            w.WriteString("location", fetch.Location);
        }));
        if (links.Count > 0)
            yield return new("links", Lines(links, (w, l) =>
            {
                w.WriteNumber("shard", page.Shard);
                w.WriteString("source", l.Source);
                w.WriteString("target", l.Target);
                w.WriteString("anchor", l.Anchor);
                w.WriteNumber("nofollow", l.NoFollow ? 1 : 0);
                w.WriteString("refusal", l.Refusal is { } refusal ? StoreNames.Of(refusal) : null);
            }));
        // As in the embedded store, only originals are in the near-duplicate index.
        if (page.SimHash is long simhash && page.DuplicateOf is null)
            yield return new("simhash_bands", Lines(Enumerable.Range(0, SimHashBands.Count).ToList(), (w, band) =>
            {
                w.WriteNumber("shard", page.Shard);
                w.WriteNumber("band", band);
                w.WriteNumber("value", SimHashBands.Value(simhash, band));
                w.WriteString("src_unparsed", page.SrcUnparsed);
                w.WriteNumber("simhash", simhash);
            }));
    }

    /// <summary>Discovered URLs, without <c>added_us</c>: <see cref="Shipped"/> adds it when the rows are sent.</summary>
    public IEnumerable<ReplicaRows> Discovered(IReadOnlyList<FrontierEntry> added)
    {
        if (added.Count == 0) yield break;
        yield return new("discovered", Lines(added, (w, e) =>
        {
            w.WriteNumber("shard", e.Shard);
            w.WriteString("src_unparsed", e.Key.Value);
            w.WriteString("url", e.Url);
            w.WriteString("host", e.Host);
            w.WriteNumber("depth", e.Depth);
            w.WriteNumber("priority", e.Priority);
            w.WriteString("discovered_from", e.DiscoveredFrom);
            w.WriteString("discovered_at", ClickHouseSql.DateTimeText(e.DiscoveredAt));
            w.WriteString("worker", worker);
        }));
    }

    /// <summary>The lines as sent: discovered rows get the time they are shipped (<c>added_us</c>), which is
    /// what other workers' pulls follow.</summary>
    internal static string Shipped(ReplicaRows rows, long addedUs)
    {
        if (rows.Table != "discovered") return rows.Lines;
        var sb = new StringBuilder(rows.Lines.Length + 64);
        string suffix = ",\"added_us\":" + addedUs.ToString(CultureInfo.InvariantCulture) + "}";
        foreach (var line in rows.Lines.AsSpan().EnumerateLines())
        {
            if (line.IsEmpty) continue;
            sb.Append(line[..^1]).Append(suffix).Append('\n');
        }
        return sb.ToString();
    }

    public IEnumerable<ReplicaRows> Robots(StoredRobots robots)
    {
        yield return new("robots", Line(w =>
        {
            w.WriteNumber("shard", ShardOfHostKey(robots.HostKey));
            w.WriteString("host_key", robots.HostKey);
            w.WriteString("fetched_at", ClickHouseSql.DateTimeText(robots.FetchedAt));
            w.WriteString("expires_at", ClickHouseSql.DateTimeText(robots.ExpiresAt));
            Nullable(w, "status", robots.Status);
            w.WriteString("body", robots.Body is null ? null : Encoding.UTF8.GetString(robots.Body));
            w.WriteString("action", robots.Action);
            w.WriteString("reason", robots.Reason);
            w.WriteString("last_good_body", robots.LastGoodBody is null ? null : Encoding.UTF8.GetString(robots.LastGoodBody));
            w.WriteNumber("sitemaps_read", robots.SitemapsRead ? 1 : 0);
            w.WriteNumber("version", (ulong)NextVersion());
        }));
    }

    public IEnumerable<ReplicaRows> SitemapEntries(string sitemapUrl, IReadOnlyList<string> keys)
    {
        if (keys.Count == 0) yield break;
        yield return new("sitemap_entries", Lines(keys, (w, k) =>
        {
            w.WriteNumber("shard", UrlKey.TryParse(k, out var key) ? keyer.Locate(key).Shard : 0);
            w.WriteString("src_unparsed", k);
            w.WriteString("sitemap", sitemapUrl);
        }));
    }

    internal string Ban(string name, string? reason, bool deleted) => Line(w =>
    {
        w.WriteNumber("shard", ShardOfName(name));
        w.WriteString("name", name);
        w.WriteString("reason", reason);
        w.WriteString("created", ClickHouseSql.DateTimeText(_time.GetUtcNow()));
        w.WriteNumber("deleted", deleted ? 1 : 0);
        w.WriteNumber("version", (ulong)NextVersion());
    });

    internal string Action(OperatorAction a) => Line(w =>
    {
        w.WriteNumber("shard", a.Site is { } site ? ShardOfName(site) : 0);
        w.WriteNumber("id", (ulong)NextVersion());
        w.WriteString("stamp", ClickHouseSql.DateTimeText(a.Stamp));
        w.WriteString("actor", a.Actor);
        w.WriteString("action", a.Action);
        w.WriteString("target", a.Target);
        w.WriteString("site", a.Site);
        w.WriteString("detail", a.Detail);
    });

    internal string Worker(string shards, int firstShard, long queued, long leased, long unshipped, long cursorUs, bool departed) => Line(w =>
    {
        w.WriteNumber("shard", firstShard);
        w.WriteString("worker", worker);
        w.WriteString("shards", shards);
        w.WriteNumber("queued", queued);
        w.WriteNumber("leased", leased);
        w.WriteNumber("unshipped", unshipped);
        w.WriteNumber("cursor_us", (ulong)cursorUs);
        w.WriteNumber("departed", departed ? 1 : 0);
        w.WriteString("heartbeat", ClickHouseSql.DateTimeText(_time.GetUtcNow()));
        w.WriteNumber("version", (ulong)NextVersion());
    });

    /// <summary>The shard of a ban's name (a host or a registrable domain): the shard of its site.</summary>
    internal int ShardOfName(string name)
    {
        string site = keyer.Suffixes.GetRegistrableDomain(name) ?? name;
        return SiteHash.Shard(SiteHash.RootHash(site), keyer.ShardCount);
    }

    private int ShardOfHostKey(string hostKey) =>
        keyer.TryIdentify(hostKey + "/", out var id, out _) ? id.Shard : 0;

    /// <summary>A page as a pages row, column by column from the one table (times as ClickHouse text, flags as 0 or 1).</summary>
    internal static string Page(PageRecord p, long version) => Line(w =>
    {
        foreach (var column in PageColumnTable.All)
        {
            object? value = column.Value(p);
            switch (column.Type)
            {
                case ColumnType.Text: w.WriteString(column.Name, (string?)value); break;
                case ColumnType.Integer: Nullable(w, column.Name, PageColumnTable.Integer(value)); break;
                case ColumnType.Time: Time(w, column.Name, (DateTimeOffset?)value); break;
                case ColumnType.Flag: w.WriteNumber(column.Name, (bool)value! ? 1 : 0); break;
            }
        }
        w.WriteNumber("version", (ulong)version);
    });

    /// <summary>A pages row (as <see cref="Row"/> reads it) as a record.</summary>
    internal static PageRecord ReadPage(IReadOnlyDictionary<string, object?> r) => PageRecord.FromColumns(
        c => r.GetValueOrDefault(c) as string,
        c => r.GetValueOrDefault(c) is { } v ? Convert.ToInt64(v, CultureInfo.InvariantCulture) : null,
        c => Time(r.GetValueOrDefault(c) as string));

    /// <summary>One JSONEachRow line as a row: strings stay strings (64-bit integers arrive quoted, and are
    /// converted where they are used), numbers become long or double, null stays null.</summary>
    internal static IReadOnlyDictionary<string, object?> Row(string line)
    {
        using var doc = JsonDocument.Parse(line);
        var row = new Dictionary<string, object?>(StringComparer.Ordinal);
        foreach (var p in doc.RootElement.EnumerateObject())
            row[p.Name] = p.Value.ValueKind switch
            {
                JsonValueKind.String => p.Value.GetString(),
                JsonValueKind.Number => p.Value.TryGetInt64(out long l) ? l : p.Value.GetDouble(),
                JsonValueKind.True => 1L,
                JsonValueKind.False => 0L,
                JsonValueKind.Null => null,
                _ => p.Value.GetRawText(),
            };
        return row;
    }

    internal static IReadOnlyList<IReadOnlyDictionary<string, object?>> Rows(string body) =>
        body.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(Row).ToList();

    /// <summary>ClickHouse's DateTime text (UTC) as a time.</summary>
    internal static DateTimeOffset? Time(string? text) =>
        text is not null && DateTimeOffset.TryParseExact(text, "yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture,
            DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var t) ? t : null;

    private static void Nullable(Utf8JsonWriter w, string name, long? value)
    {
        if (value is { } v) w.WriteNumber(name, v);
        else w.WriteNull(name);
    }

    private static void Time(Utf8JsonWriter w, string name, DateTimeOffset? t)
    {
        if (t is { } v) w.WriteString(name, ClickHouseSql.DateTimeText(v));
        else w.WriteNull(name);
    }

    private static string Line(Action<Utf8JsonWriter> write) => Lines([0], (w, _) => write(w));

    // One buffer and writer per thread, reused for every row: a page's row is several kilobytes, and a new buffer grew
    // to it by doubling for each. A write callback never encodes another row, so nothing reenters.
    [ThreadStatic] private static ArrayBufferWriter<byte>? t_buffer;
    [ThreadStatic] private static Utf8JsonWriter? t_writer;

    private static string Lines<T>(IReadOnlyList<T> items, Action<Utf8JsonWriter, T> write)
    {
        var buffer = t_buffer ??= new ArrayBufferWriter<byte>(16 * 1024);
        var w = t_writer ??= new Utf8JsonWriter(buffer, WriterOptions);
        buffer.ResetWrittenCount();
        try
        {
            foreach (var item in items)
            {
                w.Reset(buffer);
                w.WriteStartObject();
                write(w, item);
                w.WriteEndObject();
                w.Flush();
                buffer.Write("\n"u8);
            }
            return Encoding.UTF8.GetString(buffer.WrittenSpan);
        }
        finally
        {
            // A rare huge row (a page with a very long text) does not keep its buffer for the thread's life.
            if (buffer.Capacity > 1 << 20) (t_buffer, t_writer) = (null, null);
        }
    }
}
