namespace Crawlscope.Politeness;

/// <summary>
/// Per-host politeness: at most N requests in flight to a host and a minimum gap between request starts
/// (the larger of --delay and robots.txt crawl-delay), pushed back further by 429/503 backoff.
/// Owned by the crawl loop alone (one thread at a time): workers report what a host said (its crawl-delay,
/// a throttling answer, a success) in their outcome and the loop applies it here, so nothing is locked.
/// A host's state is forgotten once it says nothing a fresh one would not (no request in flight, its gap run out,
/// no crawl-delay, no backoff): memory follows the hosts being crawled, not every host ever met.
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
    // Forgetting walks every state, so it runs when their number has doubled since the last walk: O(1) per host.
    private int _forgetAt = 1024;

    /// <summary>Hosts whose state is held now.</summary>
    public int Count => _hosts.Count;

    private HostState State(string host)
    {
        if (!_hosts.TryGetValue(host, out var s))
        {
            if (_hosts.Count >= _forgetAt) ForgetIdle();
            _hosts[host] = s = new HostState { Gap = options.Delay, NextStart = DateTimeOffset.MinValue };
        }
        return s;
    }

    /// <summary>Drops the states a fresh one would replace exactly: a host asked about again starts as it would
    /// have anyway (free to start now, the default gap).</summary>
    internal void ForgetIdle()
    {
        var now = time.GetUtcNow();
        foreach (var (host, s) in _hosts)
            if (s.InFlight == 0 && s.Backoffs == 0 && s.Gap == options.Delay && s.NextStart <= now) _hosts.Remove(host);
        _forgetAt = Math.Max(1024, 2 * _hosts.Count);
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
