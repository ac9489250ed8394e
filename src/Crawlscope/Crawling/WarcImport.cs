using System.Text;
using Crawlscope.Archiving;
using Crawlscope.Fetching;
using Crawlscope.Frontier;
using Crawlscope.Model;
using Crawlscope.Urls;
using Crawlscope.Vocabulary;

namespace Crawlscope.Crawling;

/// <summary>What an import did: records read, pages stored, records skipped, and every error with its offset.</summary>
public sealed record WarcImportResult(long Records, long Pages, long Skipped, IReadOnlyList<WarcReadError> Errors);

/// <summary>
/// <c>import-warc</c>: loads the <c>response</c> records of WARC files (ours and others') into the store, each
/// through the crawl worker's own stages 7-10 (extract, classify, store), so an imported page has exactly the
/// fields a crawl would give it. The pages' links are stored but not queued; requests, metadata, and what our own
/// archives mark as no page (robots.txt, sitemaps, a rendered page's scripts) are counted and skipped. A revisit of an
/// identical payload takes the body of the response it repeats, in this file or an earlier one of the same import.
/// </summary>
public sealed class WarcImport(ICrawlStore store, UrlKeyer keyer, CrawlOptions? options = null, TimeProvider? time = null)
{
    // Kept across the files of one import: a revisit may repeat a response of an earlier file.
    private readonly RepeatedBodies _bodies = new();

    public async Task<WarcImportResult> ImportAsync(string path, Action<string>? progress = null, CancellationToken ct = default)
    {
        // Depth 0 and no seeds: the scope queues nothing. The processor needs no fetcher and no scheduler.
        var crawl = options ?? new CrawlOptions();
        var importOptions = new CrawlOptions { MaxDepth = 0, MaxAttempts = 1, Extract = crawl.Extract, ShardCount = keyer.ShardCount, Fetch = crawl.Fetch };
        var clock = time ?? TimeProvider.System;
        var processor = new PageProcessor(importOptions, store, keyer, new CrawlScope(importOptions.ScopeRules, []), clock, new CrawlProgress(clock));
        long records = 0, pages = 0, skipped = 0;
        var errors = new List<WarcReadError>();
        await foreach (var (record, error) in WarcReader.ReadAsync(path, ct))
        {
            if (error is not null)
            {
                errors.Add(error);
                continue;
            }
            records++;
            var (page, problem) = Response(record!, _bodies, importOptions.Fetch.MaxBodyBytes);
            if (problem is not null) errors.Add(problem);
            if (page is not { } p)
            {
                if (problem is null) skipped++;
                continue;
            }
            var stamp = DateTimeOffset.TryParse(record!.Headers.GetValueOrDefault("WARC-Date"), out var d) ? d : clock.GetUtcNow();
            var entry = FrontierEntry.Seed(p.Id, stamp);
            await store.EnqueueAsync([entry], ct);
            await (await processor.ProcessAsync(entry, p.Fetched, ct)).Saved;
            pages++;
            if (pages % 1000 == 0) progress?.Invoke($"import-warc: {pages:N0} pages from {records:N0} records");
        }
        return new WarcImportResult(records, pages, skipped, errors);
    }

    /// <summary>The page a record holds: a response (or a revisit of an identical payload, whose body an earlier
    /// response of the file gave) for a URL that can be keyed. Neither page nor problem: a record to skip (requests,
    /// metadata, robots.txt, which the crawl keeps apart too).</summary>
    private ((UrlIdentity Id, FetchResult Fetched)? Page, WarcReadError? Problem) Response(WarcRecord record, RepeatedBodies bodies, int maxBody)
    {
        bool identicalRevisit = record.Type == "revisit" &&
            record.Headers.GetValueOrDefault("WARC-Profile", "").EndsWith("/revisit/identical-payload-digest", StringComparison.Ordinal);
        if ((record.Type != "response" && !identicalRevisit) ||
            !record.Headers.GetValueOrDefault("Content-Type", "").StartsWith("application/http", StringComparison.OrdinalIgnoreCase))
            return (null, null);
        // Not a page: marked so by our archives, or a robots.txt in anyone's. Its body is kept all the same, since a
        // page's revisit may repeat it.
        bool notAPage = record.Headers.TryGetValue(WarcArchive.PurposeField, out var purpose) && purpose != Vocabulary.StoreNames.Of(FetchPurpose.Page)
            || record.TargetUri is { } target && Uri.TryCreate(target.Trim('<', '>'), UriKind.Absolute, out var parsedTarget) && parsedTarget.AbsolutePath == "/robots.txt";
        if (notAPage)
        {
            if (!identicalRevisit && record.Headers.GetValueOrDefault("WARC-Payload-Digest") is { } digest && PayloadOf(record) is { } payload) bodies.Keep(digest, payload);
            return (null, null);
        }
        string? payloadDigest = record.Headers.GetValueOrDefault("WARC-Payload-Digest");
        byte[]? repeated = null;
        if (identicalRevisit && (payloadDigest is null || !bodies.TryGet(payloadDigest, out repeated)))
            return (null, new WarcReadError(record.Offset, $"revisit of {record.TargetUri}: the response it repeats ({payloadDigest ?? "no payload digest"}) is not in this file; skipped"));
        if (record.TargetUri is not { } uri || !keyer.TryIdentify(uri.Trim('<', '>'), out var id, out _))
            return (null, new WarcReadError(record.Offset, $"response for a URL that cannot be keyed: {record.TargetUri} ({(record.TargetUri is null ? "no WARC-Target-URI" : "not http(s)")})"));
        if (!TryParseResponse(record, id.Original.Href, maxBody, repeated, out var fetched, out var problem, out var rawBody))
            return (null, new WarcReadError(record.Offset, problem));
        if (!identicalRevisit && payloadDigest is not null) bodies.Keep(payloadDigest, rawBody);
        return ((id, fetched), null);
    }

    /// <summary>The body of a response record as archived (before transfer and content decoding); null without a head end.</summary>
    private static byte[]? PayloadOf(WarcRecord record)
    {
        int split = record.Block.AsSpan().IndexOf("\r\n\r\n"u8);
        return split < 0 ? null : record.Block[(split + 4)..];
    }

    /// <summary>Revisits of identical payloads carry no body: the bodies of the responses they may repeat are kept
    /// here by payload digest (the latest ones, bounded in count and bytes), as archives put the original first.</summary>
    private sealed class RepeatedBodies
    {
        private const int MaxCount = 2_000;
        private const long MaxBytes = 64L << 20;
        private readonly Dictionary<string, byte[]> _bodies = new(StringComparer.Ordinal);
        private readonly Queue<string> _order = new();
        private long _bytes;

        public bool TryGet(string digest, out byte[]? body) => _bodies.TryGetValue(digest, out body);

        public void Keep(string digest, byte[] body)
        {
            if (!_bodies.TryAdd(digest, body)) return;
            _order.Enqueue(digest);
            _bytes += body.Length;
            while (_order.Count > MaxCount || _bytes > MaxBytes)
                if (_bodies.Remove(_order.Dequeue(), out var dropped)) _bytes -= dropped.Length;
        }
    }

    /// <summary>The HTTP response in a record's block: status line, header fields, body (de-chunked, content decoding
    /// undone). A revisit's block is the head only; <paramref name="repeatedBody"/> is then the body it repeats.</summary>
    internal static bool TryParseResponse(WarcRecord record, string url, int maxBody, byte[]? repeatedBody, out FetchResult fetched, out string problem, out byte[] rawBody)
    {
        fetched = null!;
        rawBody = [];
        var block = record.Block;
        int split = block.AsSpan().IndexOf("\r\n\r\n"u8);
        if (split < 0)
        {
            problem = "response record without an HTTP header end";
            return false;
        }
        var lines = Encoding.Latin1.GetString(block, 0, split).Split("\r\n");
        var status = lines[0].Split(' ', 3);
        if (status.Length < 2 || !status[0].StartsWith("HTTP/", StringComparison.Ordinal) || !int.TryParse(status[1], out int code))
        {
            problem = $"response record with a bad status line: {lines[0]}";
            return false;
        }
        var headers = new Dictionary<string, List<string>>(StringComparer.OrdinalIgnoreCase);
        foreach (var line in lines.Skip(1))
        {
            int colon = line.IndexOf(':');
            if (colon <= 0) continue;
            string name = line[..colon].Trim();
            if (!headers.TryGetValue(name, out var values)) headers[name] = values = [];
            values.Add(line[(colon + 1)..].Trim());
        }
        byte[] body = repeatedBody ?? block[(split + 4)..];
        rawBody = body;
        if (headers.TryGetValue("Transfer-Encoding", out var te) && te.Any(v => v.Contains("chunked", StringComparison.OrdinalIgnoreCase)))
            body = Dechunk(body);
        bool truncated = record.Truncated || body.Length > maxBody;
        if (truncated) body = body[..maxBody];
        if (headers.TryGetValue("Content-Encoding", out var ce))
        {
            var (decoded, cut) = Fetcher.Decode(body, ce.SelectMany(v => v.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)).ToList(), maxBody);
            body = decoded;
            truncated |= cut;
        }
        fetched = new FetchResult(url, code, headers.ToDictionary(h => h.Key, h => h.Value.ToArray(), StringComparer.OrdinalIgnoreCase), body, truncated,
            null, 0);
        problem = "";
        return true;
    }

    /// <summary>Undoes chunked transfer coding (archives made by proxies keep it); a malformed tail keeps what was read.</summary>
    private static byte[] Dechunk(byte[] data)
    {
        using var output = new MemoryStream();
        int at = 0;
        while (at < data.Length)
        {
            int lineEnd = data.AsSpan(at).IndexOf("\r\n"u8);
            if (lineEnd < 0) break;
            string sizeText = Encoding.ASCII.GetString(data, at, lineEnd).Split(';')[0].Trim();
            if (!int.TryParse(sizeText, System.Globalization.NumberStyles.HexNumber, null, out int size) || size < 0) break;
            at += lineEnd + 2;
            if (size == 0) break;
            int take = Math.Min(size, data.Length - at);
            output.Write(data, at, take);
            at += take + 2;
        }
        return output.ToArray();
    }
}
