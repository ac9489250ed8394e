using Crawlscope.Storage;

namespace Crawlscope.Fetching;

/// <summary>
/// One HTTP exchange: the status and headers as received, the body (decompressed, cut at the cap), or the
/// failure that stopped it. Network failures are values here, never exceptions.
/// </summary>
public sealed record FetchResult(
    string Url,
    int? StatusCode,
    IReadOnlyDictionary<string, string[]> Headers,
    byte[] Body,
    bool Truncated,
    FailureReason Failure,
    string? FailureDetail,
    double ElapsedMs)
{
    /// <summary>The exchange as sent and received, when <see cref="FetchOptions.KeepRawExchange"/> is on.</summary>
    public RawExchange? Raw { get; init; }

    public bool IsSuccess => Failure == FailureReason.None && StatusCode is not null;
    public string? ContentType => Header("Content-Type");
    public string? Location => Header("Location");

    public string? Header(string name)
    {
        foreach (var (key, values) in Headers)
            if (key.Equals(name, StringComparison.OrdinalIgnoreCase) && values.Length > 0) return values[0];
        return null;
    }

    public bool IsHtml => ContentType is null || ContentType.Contains("html", StringComparison.OrdinalIgnoreCase);

    internal static FetchResult Failed(string url, FailureReason reason, string detail, double elapsedMs) =>
        new(url, null, new Dictionary<string, string[]>(), [], false, reason, detail, elapsedMs);
}

/// <summary>
/// One HTTP exchange for a WARC file: the request head, the response head (status line and header fields as
/// received, in the order the HTTP stack reports them) and the body as received (content-encoded, de-chunked).
/// </summary>
public sealed record RawExchange(string RequestHead, string ResponseHead, byte[] Body, string? RemoteAddress);
