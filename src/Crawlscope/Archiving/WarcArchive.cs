using System.Text;
using Crawlscope.Fetching;

namespace Crawlscope.Archiving;

/// <summary>Why the crawl fetched what a record holds. Anything but a page is marked on its record (the named field
/// <c>Crawlscope-Purpose</c>), so <c>import-warc</c> knows a robots.txt, a sitemap or a rendered page's script is not
/// a page.</summary>
internal enum FetchPurpose { Page, Robots, Sitemap, Subresource }

/// <summary>
/// The crawl's WARC/1.1 files (<c>crawl --warc DIR</c>): a <c>warcinfo</c> record opens each file; every
/// fetched page gives a <c>request</c> and a <c>response</c> record (bytes as exchanged, body before content
/// decoding) and a <c>metadata</c> record with our extraction fields; a 304 or an exact duplicate gives a
/// <c>revisit</c> record instead of a response. Files roll over at <see cref="MaxFileBytes"/>. Records are
/// written one at a time (workers queue on a lock), each its own gzip member.
/// </summary>
internal sealed class WarcArchive : IAsyncDisposable
{
    public const string ServerNotModified = "http://netpreserve.org/warc/1.1/revisit/server-not-modified";
    public const string IdenticalPayload = "http://netpreserve.org/warc/1.1/revisit/identical-payload-digest";

    private readonly string _directory;
    private readonly string _prefix;
    private readonly SemaphoreSlim _lock = new(1, 1);
    private FileStream? _file;
    private WarcRecordWriter? _writer;
    private string _fileName = "";
    private int _sequence;
    // Payload digests of the responses archived so far (the latest 100,000), for identical-payload revisits.
    private readonly Dictionary<string, (string Uri, DateTimeOffset Date)> _payloads = new(StringComparer.Ordinal);
    private readonly Queue<string> _payloadOrder = new();
    private const int KeptPayloads = 100_000;

    private readonly TimeProvider _time;

    public WarcArchive(string directory, long maxFileBytes = 1L << 30, TimeProvider? time = null)
    {
        Directory.CreateDirectory(directory);
        _directory = directory;
        MaxFileBytes = maxFileBytes;
        _time = time ?? TimeProvider.System;
        _prefix = $"crawlscope-{_time.GetUtcNow():yyyyMMddHHmmssfff}-{Environment.ProcessId}";
    }

    public long MaxFileBytes { get; }
    public long Records { get; private set; }

    /// <summary>Archives a fetched page: request, response (or revisit) and metadata, in that order.</summary>
    /// <summary>The name of the field that marks a record that is not a page.</summary>
    public const string PurposeField = "Crawlscope-Purpose";

    public async Task WriteAsync(FetchResult fetched, DateTimeOffset stamp, IReadOnlyList<(string Name, string Value)> metadata,
        (string Profile, string RefersToUri, DateTimeOffset? RefersToDate)? revisit, CancellationToken ct, FetchPurpose purpose = FetchPurpose.Page)
    {
        if (fetched.Raw is not { } raw) return;
        string date = WarcRecordWriter.Date(stamp);
        string key = $"{fetched.Url}\n{stamp.ToUnixTimeMilliseconds()}";
        string requestId = WarcRecordWriter.RecordId("request:" + key), responseId = WarcRecordWriter.RecordId("response:" + key);
        string payloadDigest = WarcRecordWriter.Sha1Base32(raw.Payload);

        await _lock.WaitAsync(ct);
        try
        {
            var writer = await CurrentAsync(ct);
            revisit ??= IdenticalToEarlier(fetched.Url, stamp, payloadDigest, raw.Payload.Length);
            if (revisit is { } r) await writer.WriteAsync("revisit", Marked(RevisitHeaders(fetched.Url, date, responseId, payloadDigest, r), purpose), raw.ResponseHead(), ct);
            else
            {
                var headers = new List<(string, string)>
                {
                    ("WARC-Target-URI", fetched.Url), ("WARC-Date", date), ("WARC-Record-ID", responseId), ("WARC-Warcinfo-ID", WarcinfoId),
                    ("WARC-Payload-Digest", payloadDigest), ("Content-Type", "application/http;msgtype=response"),
                };
                // The body cap cut the response: say so, as the standard asks.
                if (fetched.Truncated) headers.Add(("WARC-Truncated", "length"));
                await writer.WriteAsync("response", Marked(headers, purpose), raw.Response, ct);
            }
            await writer.WriteAsync("request",
            [
                ("WARC-Target-URI", fetched.Url), ("WARC-Date", date), ("WARC-Record-ID", requestId), ("WARC-Concurrent-To", responseId),
                ("Content-Type", "application/http;msgtype=request"),
            ], raw.Request, ct);
            if (metadata.Count > 0)
            {
                await writer.WriteAsync("metadata",
                [
                    ("WARC-Target-URI", fetched.Url), ("WARC-Date", date), ("WARC-Record-ID", WarcRecordWriter.RecordId("metadata:" + key)),
                    ("WARC-Refers-To", responseId), ("WARC-Concurrent-To", responseId), ("Content-Type", "application/warc-fields"),
                ], WarcRecordWriter.Fields(metadata), ct);
            }
            Records = writer.Records;
        }
        finally
        {
            _lock.Release();
        }
    }

    private static List<(string, string)> Marked(List<(string, string)> headers, FetchPurpose purpose)
    {
        if (purpose != FetchPurpose.Page) headers.Add((PurposeField, Vocabulary.StoreNames.Of(purpose)));
        return headers;
    }

    /// <summary>A revisit of the response archived earlier with the same payload, if there is one; else this payload is
    /// remembered (the latest ones) for later responses.</summary>
    private (string Profile, string RefersToUri, DateTimeOffset? RefersToDate)? IdenticalToEarlier(string url, DateTimeOffset stamp, string payloadDigest, int payloadLength)
    {
        if (payloadLength == 0) return null;
        if (_payloads.TryGetValue(payloadDigest, out var earlier)) return (IdenticalPayload, earlier.Uri, earlier.Date);
        _payloads[payloadDigest] = (url, stamp);
        _payloadOrder.Enqueue(payloadDigest);
        if (_payloadOrder.Count > KeptPayloads) _payloads.Remove(_payloadOrder.Dequeue());
        return null;
    }

    /// <summary>A revisit keeps the response head only; the payload is the one it refers to.</summary>
    private static List<(string, string)> RevisitHeaders(string url, string date, string responseId, string payloadDigest,
        (string Profile, string RefersToUri, DateTimeOffset? RefersToDate) r)
    {
        var headers = new List<(string, string)>
        {
            ("WARC-Target-URI", url), ("WARC-Date", date), ("WARC-Record-ID", responseId), ("WARC-Profile", r.Profile),
            ("WARC-Payload-Digest", payloadDigest), ("WARC-Refers-To-Target-URI", r.RefersToUri), ("Content-Type", "application/http;msgtype=response"),
        };
        if (r.RefersToDate is { } referred)
        {
            headers.Add(("WARC-Refers-To-Date", WarcRecordWriter.Date(referred)));
            // An identical payload was archived by this run, under an ID derived from its URL and time.
            if (r.Profile == IdenticalPayload)
                headers.Add(("WARC-Refers-To", WarcRecordWriter.RecordId($"response:{r.RefersToUri}\n{referred.ToUnixTimeMilliseconds()}")));
        }
        return headers;
    }

    private string WarcinfoId => WarcRecordWriter.RecordId("warcinfo:" + _fileName);

    private async Task<WarcRecordWriter> CurrentAsync(CancellationToken ct)
    {
        if (_writer is not null && _file!.Length < MaxFileBytes) return _writer;
        if (_file is not null) await _file.DisposeAsync();
        do _fileName = $"{_prefix}-{_sequence++:D5}.warc.gz";
        while (File.Exists(Path.Combine(_directory, _fileName)));
        _file = new FileStream(Path.Combine(_directory, _fileName), FileMode.CreateNew, FileAccess.Write, FileShare.Read, 1 << 16, useAsync: true);
        _writer = new WarcRecordWriter(_file, "1.1");
        await _writer.WriteWarcinfoAsync(_fileName, "a Crawlscope crawl: requests and responses as exchanged, extraction metadata", _time.GetUtcNow(), ct);
        return _writer;
    }

    public async ValueTask DisposeAsync()
    {
        await _lock.WaitAsync();
        try
        {
            if (_file is not null) await _file.DisposeAsync();
            _file = null;
        }
        finally
        {
            _lock.Release();
        }
    }
}
