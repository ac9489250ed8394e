namespace Crawlscope.Politeness;

/// <summary>
/// Per-host politeness: at most N requests in flight to a host and a minimum gap between request starts
/// (the larger of --delay and robots.txt crawl-delay), pushed back further by 429/503 backoff.
/// Owned by the crawl loop alone (one thread at a time): workers report what a host said (its crawl-delay,
/// a throttling answer, a success) in their outcome and the loop applies it here, so nothing is locked.
/// </summary>
internal sealed class HostScheduler(PolitenessOptions options, TimeProvider time)
{
    private sealed class HostState
    {
        public int InFlight;
        public DateTimeOffset NextStart;
        public TimeSpan Gap;
        public int Backoffs;
    }

    private readonly Dictionary<string, HostState> _hosts = new(StringComparer.Ordinal);

    private HostState State(string host)
    {
        if (!_hosts.TryGetValue(host, out var s)) _hosts[host] = s = new HostState { Gap = options.Delay, NextStart = DateTimeOffset.MinValue };
        return s;
    }

    /// <summary>Whether a request to the host may start now.</summary>
    public bool CanStart(string host) => State(host) is var s && s.InFlight < options.PerHost && s.NextStart <= time.GetUtcNow();

    /// <summary>When the host may next start a request (for waiting).</summary>
    public DateTimeOffset NextStart(string host) => State(host).NextStart;

    /// <summary>Requests to the host in flight now.</summary>
    public int InFlight(string host) => State(host).InFlight;

    public void Started(string host)
    {
        var s = State(host);
        s.InFlight++;
        s.NextStart = time.GetUtcNow() + s.Gap;
    }

    /// <summary>
    /// The gap also runs from the end of a response, so a server sees requests at least the gap apart even
    /// when a response takes a while to arrive.
    /// </summary>
    public void Finished(string host)
    {
        var s = State(host);
        s.InFlight--;
        var afterResponse = time.GetUtcNow() + s.Gap;
        if (afterResponse > s.NextStart) s.NextStart = afterResponse;
    }

    /// <summary>robots.txt crawl-delay for the host, capped.</summary>
    public void SetCrawlDelay(string host, double? seconds) => State(host).Gap = options.GapFor(seconds);

    public TimeSpan Gap(string host) => State(host).Gap;

    /// <summary>429/503: wait Retry-After when given, else exponentially longer each time. Returns the wait.</summary>
    public TimeSpan BackOff(string host, TimeSpan? retryAfter)
    {
        var s = State(host);
        s.Backoffs++;
        var wait = retryAfter ?? TimeSpan.FromSeconds(Math.Min(600, options.RetryBase.TotalSeconds * Math.Pow(2, s.Backoffs - 1)));
        if (wait > options.MaxRetryAfter) wait = options.MaxRetryAfter;
        var until = time.GetUtcNow() + wait;
        if (until > s.NextStart) s.NextStart = until;
        return wait;
    }

    public void Succeeded(string host) => State(host).Backoffs = 0;
}
