using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Security.Authentication;
using Crawlscope.Vocabulary;

namespace Crawlscope.Fetching;

/// <summary>
/// The fetch stage: one GET, no automatic redirects (they are crawl decisions, followed through the frontier),
/// gzip/deflate/brotli, HTTP/2 where the server offers it, a body cap, connect and total timeouts, and the SSRF
/// guard in the connect callback. Every failure comes back as a <see cref="FetchResult"/> with a reason.
/// </summary>
public sealed class Fetcher : IDisposable
{
    private readonly HttpClient _client;
    private readonly FetchOptions _options;

    // A broad crawl moves on from a host after a few pages: an idle connection kept for the default minute would hold
    // a socket and two 4 KB buffers for each of the thousands of hosts visited in that minute (the 100,000-host
    // benchmark ran out of file descriptors). Five seconds at most still carries a polite crawl's next request.
    private static readonly TimeSpan MaxIdleConnection = TimeSpan.FromSeconds(5);

    /// <summary>How long a connection is kept idle when a host's requests are <paramref name="delay"/> apart: past its
    /// next request it only holds a socket and its buffers (docs/crawling.md, "What the rest was").</summary>
    public static TimeSpan IdleConnectionTimeout(TimeSpan delay) => TimeSpan.FromTicks(Math.Min(MaxIdleConnection.Ticks, delay.Ticks * 2 + TimeSpan.TicksPerSecond));

    /// <param name="options">How to fetch.</param>
    /// <param name="idleConnectionTimeout">How long an idle connection is kept for the host's next request; default 5 s.</param>
    /// <exception cref="ArgumentException">The user agent is not a valid header value (a line break would inject headers).</exception>
    public Fetcher(FetchOptions options, TimeSpan? idleConnectionTimeout = null)
    {
        if (HeaderValue.UserAgentProblem(options.UserAgent) is { } problem) throw new ArgumentException(problem, nameof(options));
        _options = options;
        var handler = new SocketsHttpHandler
        {
            AllowAutoRedirect = false,
            // When the raw exchange is kept (WARC), bodies are decoded here instead, so the archive holds them as received.
            AutomaticDecompression = options.KeepRawExchange ? DecompressionMethods.None : DecompressionMethods.All,
            ConnectTimeout = options.ConnectTimeout,
            ConnectCallback = SsrfGuard.Connect(options),
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
            PooledConnectionIdleTimeout = idleConnectionTimeout ?? MaxIdleConnection,
            MaxConnectionsPerServer = 8,
            UseCookies = false,
        };
        // For WARC, each archived request has a connection of its own, recorded after TLS: the archive then holds
        // the exact bytes exchanged.
        if (options.KeepRawExchange)
            handler.PlaintextStreamFilter = (context, _) => ValueTask.FromResult<Stream>(
                context.InitialRequestMessage.Options.TryGetValue(WireRecorder.Key, out var recorder) ? new RecordingStream(context.PlaintextStream, recorder) : context.PlaintextStream);
        _client = new HttpClient(handler)
        {
            Timeout = Timeout.InfiniteTimeSpan,
            DefaultRequestVersion = HttpVersion.Version20,
            DefaultVersionPolicy = HttpVersionPolicy.RequestVersionOrLower,
        };
    }

    public FetchOptions Options => _options;

    public async Task<FetchResult> FetchAsync(string url, IReadOnlyDictionary<string, string>? extraHeaders = null, CancellationToken ct = default)
    {
        var sw = Stopwatch.StartNew();
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(_options.TotalTimeout);
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, url);
            request.Headers.TryAddWithoutValidation("User-Agent", _options.UserAgent);
            request.Headers.TryAddWithoutValidation("Accept", "text/html,application/xhtml+xml;q=0.9,*/*;q=0.8");
            request.Headers.TryAddWithoutValidation("Accept-Language", "en;q=0.9,*;q=0.5");
            WireRecorder? recorder = null;
            if (_options.KeepRawExchange)
            {
                // HTTP/1.1 on a fresh connection, so that the recorded bytes are this exchange and nothing else.
                request.Headers.TryAddWithoutValidation("Accept-Encoding", "gzip, deflate, br");
                request.Version = HttpVersion.Version11;
                request.VersionPolicy = HttpVersionPolicy.RequestVersionExact;
                request.Headers.ConnectionClose = true;
                recorder = new WireRecorder(_options.MaxBodyBytes + 256 * 1024);
                request.Options.Set(WireRecorder.Key, recorder);
            }
            if (extraHeaders is not null)
                foreach (var (k, v) in extraHeaders) request.Headers.TryAddWithoutValidation(k, v);

            using var response = await _client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
            var headers = new Dictionary<string, string[]>(StringComparer.OrdinalIgnoreCase);
            foreach (var h in response.Headers) headers[h.Key] = h.Value.ToArray();
            foreach (var h in response.Content.Headers) headers[h.Key] = h.Value.ToArray();

            await using var stream = await response.Content.ReadAsStreamAsync(timeout.Token);
            var (body, truncated) = await ReadCappedAsync(stream, _options.MaxBodyBytes, response.Content.Headers.ContentLength, timeout.Token);
            if (!_options.KeepRawExchange)
                return new FetchResult(url, (int)response.StatusCode, headers, body, truncated, null, sw.Elapsed.TotalMilliseconds);
            // Every archived request has a recorded connection of its own; an exchange that was not recorded is not archived.
            var raw = recorder is { Received.Length: > 0 } ? new RawExchange(recorder.Sent.ToArray(), recorder.Received.ToArray(), body) : null;
            var (decoded, cut) = Decode(body, response.Content.Headers.ContentEncoding, _options.MaxBodyBytes);
            return new FetchResult(url, (int)response.StatusCode, headers, decoded, truncated || cut, null, sw.Elapsed.TotalMilliseconds) { Raw = raw };
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            return FetchResult.Failed(url, new(FailureReason.Timeout, $"no complete answer within {_options.TotalTimeout.TotalSeconds:F0} s"), sw.Elapsed.TotalMilliseconds);
        }
        catch (HttpRequestException ex)
        {
            return FetchResult.Failed(url, new(Classify(ex), Describe(ex)), sw.Elapsed.TotalMilliseconds);
        }
        catch (IOException ex)
        {
            return FetchResult.Failed(url, new(ex is SsrfBlockedException ? FailureReason.SsrfBlocked : FailureReason.Network, ex.Message), sw.Elapsed.TotalMilliseconds);
        }
    }

    private static FailureReason Classify(HttpRequestException ex)
    {
        for (Exception? e = ex; e is not null; e = e.InnerException)
        {
            switch (e)
            {
                case SsrfBlockedException: return FailureReason.SsrfBlocked;
                case AuthenticationException: return FailureReason.Tls;
                case SocketException { SocketErrorCode: SocketError.HostNotFound or SocketError.NoData or SocketError.TryAgain }: return FailureReason.Dns;
                case SocketException { SocketErrorCode: SocketError.TimedOut }: return FailureReason.Timeout;
                case SocketException: return FailureReason.Connect;
                case TimeoutException: return FailureReason.Timeout;
            }
        }
        return ex.HttpRequestError switch
        {
            HttpRequestError.NameResolutionError => FailureReason.Dns,
            HttpRequestError.ConnectionError => FailureReason.Connect,
            HttpRequestError.SecureConnectionError => FailureReason.Tls,
            _ => FailureReason.Network,
        };
    }

    private static string Describe(Exception ex)
    {
        var inner = ex;
        while (inner.InnerException is not null) inner = inner.InnerException;
        return inner == ex ? ex.Message : $"{ex.Message} ({inner.Message})";
    }

    /// <summary>Reads at most <paramref name="max"/> bytes. The read buffer is pooled, and the body buffer is sized
    /// from Content-Length when the server sends one (a hint only: the cap and the bytes read decide) and then
    /// handed over as it is.</summary>
    private static async Task<(byte[] Body, bool Truncated)> ReadCappedAsync(Stream stream, int max, long? contentLength, CancellationToken ct)
    {
        using var ms = new MemoryStream(contentLength is > 0 ? (int)Math.Min(contentLength.Value, max) : 16 * 1024);
        var buffer = System.Buffers.ArrayPool<byte>.Shared.Rent(32 * 1024);
        try
        {
            while (true)
            {
                int n = await stream.ReadAsync(buffer, ct);
                if (n == 0) return (Bytes(ms), false);
                int room = max - (int)ms.Length;
                if (n > room)
                {
                    ms.Write(buffer, 0, room);
                    return (Bytes(ms), true);
                }
                ms.Write(buffer, 0, n);
            }
        }
        finally
        {
            System.Buffers.ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>The stream's bytes; its own buffer when the body filled it exactly (Content-Length was right), so a large
    /// body is not held twice.</summary>
    private static byte[] Bytes(MemoryStream ms) => ms.Length == ms.Capacity ? ms.GetBuffer() : ms.ToArray();

    /// <summary>Undoes the content codings (last applied first), keeping at most <paramref name="max"/> bytes.
    /// An unknown coding or a broken stream leaves the body as received.</summary>
    internal static (byte[] Body, bool Truncated) Decode(byte[] body, ICollection<string> codings, int max)
    {
        if (codings.Count == 0 || body.Length == 0) return (body, false);
        byte[] current = body;
        bool truncated = false;
        foreach (var coding in codings.Reverse())
        {
            try
            {
                using var input = new MemoryStream(current);
                using Stream decoder = coding.Trim().ToLowerInvariant() switch
                {
                    "gzip" or "x-gzip" => new System.IO.Compression.GZipStream(input, System.IO.Compression.CompressionMode.Decompress),
                    "deflate" => new System.IO.Compression.ZLibStream(input, System.IO.Compression.CompressionMode.Decompress),
                    "br" => new System.IO.Compression.BrotliStream(input, System.IO.Compression.CompressionMode.Decompress),
                    _ => Stream.Null,
                };
                if (decoder == Stream.Null) return (current, truncated);
                using var output = new MemoryStream();
                var buffer = new byte[16 * 1024];
                int n;
                while ((n = decoder.Read(buffer)) > 0)
                {
                    int room = max - (int)output.Length;
                    if (n > room)
                    {
                        output.Write(buffer, 0, room);
                        truncated = true;
                        break;
                    }
                    output.Write(buffer, 0, n);
                }
                current = output.ToArray();
            }
            catch (InvalidDataException)
            {
                return (current, truncated);
            }
        }
        return (current, truncated);
    }

    public void Dispose() => _client.Dispose();
}
