using System.Collections.Concurrent;
using Crawlscope.Fetching;
using Crawlscope.Robots;
using Crawlscope.Model;
using Crawlscope.Urls;
using Crawlscope.Telemetry;
using Crawlscope.Vocabulary;

namespace Crawlscope.Robots;

/// <summary>The robots verdict for a URL, with the rules' source for the record.</summary>
/// <param name="Fresh">True for the one caller that should read the host's sitemaps (they were not read yet).</param>
internal sealed record RobotsCheck(RobotsDecision Decision, RobotsRules Rules, string HostKey, bool SsrfBlocked, bool Fresh);

/// <summary>
/// The robots stage: robots.txt is fetched once per host (scheme, host and port), applied with the status
/// semantics of <see cref="RobotsFetchPolicy"/>, kept in the store for 24 hours (so a restart does not fetch it
/// again) and in memory for the hosts in use: a broad crawl meets hosts by the hundred thousand, so the memory
/// holds at most <see cref="MaxCachedHosts"/> of them and one that was dropped is read from the store again.
/// </summary>
internal sealed class RobotsGate(IRobotsCache store, Fetcher fetcher, string agentToken, TimeProvider time, Archiving.WarcArchive? archive = null)
{
    internal const int MaxCachedHosts = 20_000;
    private readonly Lock _trimming = new();
    private readonly ConcurrentDictionary<string, (RobotsRules Rules, DateTimeOffset Expires, bool SitemapsRead)> _cache = new();
    // One fetch or store read per host at a time; hosts share a fixed set of locks, so they cost no memory per host.
    private readonly SemaphoreSlim[] _locks = Enumerable.Range(0, 256).Select(_ => new SemaphoreSlim(1, 1)).ToArray();
    // Hosts whose robots.txt could not be fetched because the SSRF guard refused the address: their pages are
    // recorded as ssrf_blocked, not as disallowed.
    private readonly ConcurrentDictionary<string, bool> _blocked = new();
    // Hosts whose sitemaps some worker of this process has taken on and not finished (then the rules say so).
    private readonly ConcurrentDictionary<string, bool> _sitemapsClaimed = new();

    /// <summary>Hosts whose rules are held in memory now.</summary>
    internal int CachedHosts => _cache.Count;

    public static string HostKey(WebUrl url) => HostOrigin.Of(url).Key;

    public async Task<RobotsCheck> CheckAsync(WebUrl url, CancellationToken ct)
    {
        var (rules, sitemapsRead) = await RulesAsync(url, ct);
        string key = HostKey(url);
        bool readSitemaps = !sitemapsRead && _sitemapsClaimed.TryAdd(key, true);
        return new RobotsCheck(rules.Check(agentToken, url.PathAndQuery), rules, key, _blocked.ContainsKey(key), readSitemaps);
    }

    /// <summary>The rules in force for the URL's host, and whether its sitemaps have been read already.</summary>
    public async Task<(RobotsRules Rules, bool SitemapsRead)> RulesAsync(WebUrl url, CancellationToken ct)
    {
        string key = HostKey(url);
        var now = time.GetUtcNow();
        if (_cache.TryGetValue(key, out var cached) && cached.Expires > now)
        {
            CrawlMetrics.RobotsFrom("memory");
            return (cached.Rules, cached.SitemapsRead);
        }

        var gate = _locks[(int)((uint)StringComparer.Ordinal.GetHashCode(key) % (uint)_locks.Length)];
        await gate.WaitAsync(ct);
        try
        {
            if (_cache.TryGetValue(key, out cached) && cached.Expires > now)
            {
                CrawlMetrics.RobotsFrom("memory");
                return (cached.Rules, cached.SitemapsRead);
            }
            var stored = await store.GetRobotsAsync(key, ct);
            if (stored is not null && stored.ExpiresAt > now)
            {
                CrawlMetrics.RobotsFrom("store");
                var rules = Rebuild(stored);
                Remember(key, (rules, stored.ExpiresAt, stored.SitemapsRead));
                return (rules, stored.SitemapsRead);
            }
            CrawlMetrics.RobotsFrom("network");
            var fresh = await FetchAsync(url, stored, ct);
            Remember(key, (fresh.Rules, fresh.ExpiresAt, false));
            return (fresh.Rules, false);
        }
        finally
        {
            gate.Release();
        }
    }

    /// <summary>Keeps a host's rules in memory; when the memory is full, half of it (any half) is dropped first: the
    /// store still has those rules, and a crawl that works through hosts rarely comes back to one.</summary>
    private void Remember(string key, (RobotsRules Rules, DateTimeOffset Expires, bool SitemapsRead) entry)
    {
        if (_cache.Count >= MaxCachedHosts)
            lock (_trimming)
            {
                if (_cache.Count >= MaxCachedHosts)
                    foreach (var old in _cache.Keys.Take(MaxCachedHosts / 2).ToList()) _cache.TryRemove(old, out _);
            }
        _cache[key] = entry;
    }

    /// <summary>After a worker read the host's sitemaps: remembered in memory and in the store.</summary>
    public async Task SitemapsReadAsync(string hostKey, CancellationToken ct)
    {
        if (_cache.TryGetValue(hostKey, out var c)) _cache[hostKey] = c with { SitemapsRead = true };
        await store.MarkSitemapsReadAsync(hostKey, ct);
        _sitemapsClaimed.TryRemove(hostKey, out _);
    }

    /// <summary>The rules a stored copy stands for, as the crawl applies them (also what an operator's submission is checked against).</summary>
    internal static RobotsRules Rebuild(StoredRobots stored) => stored.Action switch
    {
        nameof(RobotsFetchAction.Parse) => RobotsParser.Parse(stored.Body ?? []),
        nameof(RobotsFetchAction.AllowAll) => RobotsRules.AllowAll,
        _ => stored.LastGoodBody is { } good ? RobotsParser.Parse(good) : RobotsRules.DisallowAll,
    };

    /// <summary>A robots.txt request, archived like every other exchange when the crawl writes WARC.</summary>
    private async Task<FetchResult> FetchArchivedAsync(string url, CancellationToken ct)
    {
        var result = await fetcher.FetchAsync(url, null, ct);
        if (archive is not null && result.Raw is not null) await archive.WriteAsync(result, time.GetUtcNow(), [], null, ct, Archiving.FetchPurpose.Robots);
        return result;
    }

    private async Task<RobotsVerdict> FetchAsync(WebUrl url, StoredRobots? previous, CancellationToken ct)
    {
        string robotsUrl = HostOrigin.Of(url).Url("/robots.txt");
        FetchResult result = await FetchArchivedAsync(robotsUrl, ct);
        int hop = 0;
        while (result.StatusCode is >= 300 and < 400 && result.Location is { } location && hop < RobotsFetchPolicy.MaxRedirects &&
               WebUrl.TryParse(location, WebUrl.Parse(result.Url), out var next, out _) && next.Scheme is "http" or "https")
        {
            hop++;
            result = await FetchArchivedAsync(next.Href, ct);
        }
        if (result.Failure?.Reason == FailureReason.SsrfBlocked) _blocked[HostKey(url)] = true;
        var lastGood = previous?.Action == nameof(RobotsFetchAction.Parse) ? previous.Body : previous?.LastGoodBody;
        var verdict = RobotsFetchPolicy.Resolve(result.IsSuccess ? result.StatusCode : null, result.Body, hop,
            lastGood is null ? null : RobotsParser.Parse(lastGood), time.GetUtcNow());
        // What is stored is what was parsed (the first 500 KiB), once: a parsed body is itself the last good one.
        bool parsed = verdict.Action == RobotsFetchAction.Parse;
        byte[] body = result.Body.Length > RobotsParser.MaxBytes ? result.Body[..RobotsParser.MaxBytes] : result.Body;
        await store.SaveRobotsAsync(new StoredRobots(HostKey(url), time.GetUtcNow(), verdict.ExpiresAt, result.StatusCode,
            parsed ? body : null, verdict.Action.ToString(), verdict.Reason, parsed ? null : lastGood), ct);
        return verdict;
    }
}
