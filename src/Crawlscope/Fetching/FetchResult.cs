using Crawlscope.Vocabulary;


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
    FetchFailure? Failure,
    double ElapsedMs)
{
    /// <summary>The exchange as sent and received, when <see cref="FetchOptions.KeepRawExchange"/> is on.</summary>
    public RawExchange? Raw { get; init; }

    public bool IsSuccess => Failure is null && StatusCode is not null;
    public string? ContentType => Header("Content-Type");
    public string? Location => Header("Location");

    public string? Header(string name)
    {
        foreach (var (key, values) in Headers)
            if (key.Equals(name, StringComparison.OrdinalIgnoreCase) && values.Length > 0) return values[0];
        return null;
    }

    public bool IsHtml => ContentType is null || ContentType.Contains("html", StringComparison.OrdinalIgnoreCase);

    /// <summary>How long the server asked to wait (Retry-After, in seconds or as a date); null when it did not say.</summary>
    public TimeSpan? RetryAfter(DateTimeOffset now)
    {
        string? value = Header("Retry-After");
        if (value is null) return null;
        if (int.TryParse(value, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out int seconds)) return TimeSpan.FromSeconds(seconds);
        if (DateTimeOffset.TryParse(value, System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.AssumeUniversal, out var date))
            return date > now ? date - now : TimeSpan.Zero;
        return null;
    }

    /// <summary>No answer: the exchange failed (or never started) for this reason.</summary>
    internal static FetchResult Failed(string url, FetchFailure failure, double elapsedMs) =>
        new(url, null, new Dictionary<string, string[]>(), [], false, failure, elapsedMs);

    /// <summary>How a processing error is recorded: the exception's type and message.</summary>
    internal static string Describe(Exception ex) => $"{ex.GetType().Name}: {ex.Message}";
}

/// <summary>
/// One HTTP exchange for a WARC file: the request and the response exactly as they crossed the connection
/// (head and body as transmitted, chunked framing included), and the payload: the body with the transfer
/// coding removed but the content coding kept, which the WARC payload digest is computed over.
/// </summary>
public sealed record RawExchange(byte[] Request, byte[] Response, byte[] Payload)
{
    /// <summary>The response head: status line and header fields, up to and including the blank line.</summary>
    public byte[] ResponseHead()
    {
        int end = Response.AsSpan().IndexOf("\r\n\r\n"u8);
        return end < 0 ? Response : Response[..(end + 4)];
    }
}
