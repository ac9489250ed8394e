using Crawlscope.Fetching;
using Crawlscope.Robots;
using Crawlscope.Storage;
using Crawlscope.Urls;

namespace Crawlscope.Crawling;

/// <summary>Why a crawl stopped.</summary>
public enum CrawlEnd { Finished, MaxPages, Cancelled }

/// <summary>
/// The crawl loop. Data flows one way (docs/architecture.md): URL → key → shard → frontier (seen?) →
/// politeness → robots → fetch → extract → classify → store → links back to the frontier. The loop hands
/// ready hosts' next URLs to workers, at most <see cref="CrawlOptions.Concurrency"/> at a time; everything a
/// worker learns is in the store before the URL is marked done, so a killed crawl resumes where it stopped.
/// </summary>
public sealed class CrawlEngine : IDisposable
{
    private readonly CrawlOptions _options;
    private readonly ICrawlStore _store;
    private readonly UrlKeyer _keyer;
    private readonly TimeProvider _time;
    private readonly Fetcher _fetcher;
    private readonly HostScheduler _scheduler;
    private readonly string _agentToken;
    private readonly Archiving.WarcArchive? _archive;

    public CrawlEngine(CrawlOptions options, ICrawlStore store, UrlKeyer keyer, TimeProvider? time = null)
    {
        _options = options;
        _store = store;
        _keyer = keyer;
        _time = time ?? TimeProvider.System;
        _fetcher = new Fetcher(options.WarcDirectory is null ? options.Fetch : options.Fetch.WithRawExchange());
        _archive = options.WarcDirectory is null ? null : new Archiving.WarcArchive(options.WarcDirectory, options.WarcMaxFileBytes);
        _scheduler = new HostScheduler(options, _time);
        _agentToken = RobotsAgent.ProductToken(options.Fetch.UserAgent);
    }

    public CrawlProgress Progress { get; } = new();

    /// <summary>Crawls from <paramref name="seeds"/> (added when not seen before) until the frontier is empty,
    /// --max-pages is reached, or <paramref name="stop"/> fires (in-flight pages are finished first).</summary>
    public async Task<CrawlEnd> RunAsync(IReadOnlyList<UrlIdentity> seeds, CancellationToken stop)
    {
        await _store.RecoverLeasesAsync(CancellationToken.None);
        var now = _time.GetUtcNow();
        await _store.EnqueueAsync(seeds.Select(s => new FrontierEntry(s.Key, s.Original.Href, s.Host, s.Shard, 0, 0, null, now)).ToList(), CancellationToken.None);

        // A recrawl without seeds keeps to the sites already in the store.
        var scope = new CrawlScope(_options, seeds.Count > 0 ? seeds : await StoredSitesAsync());
        var robots = new RobotsGate(_store, _fetcher, _agentToken, _time, _archive);
        var worker = new CrawlWorker(_options, _store, _keyer, _fetcher, robots, _scheduler, scope, _agentToken, _time, Progress, _archive);
        long stored = await _store.PageCountAsync(CancellationToken.None);

        var running = new Dictionary<Task<ProcessOutcome>, FrontierEntry>();
        // URLs leased a few at a time per host and started one by one: the loop is single-threaded, and a lease
        // waits for the store's writer, so one lease per page capped the crawl at about 900 pages/s.
        var leased = new Dictionary<string, Queue<FrontierEntry>>(StringComparer.Ordinal);
        var hosts = new HashSet<string>(await _store.QueuedHostsAsync(CancellationToken.None), StringComparer.Ordinal);
        DateTimeOffset nextHostRefresh = DateTimeOffset.MinValue;
        CrawlEnd end = CrawlEnd.Finished;

        while (true)
        {
            bool canStart = !stop.IsCancellationRequested && (_options.MaxPages is not { } max || stored + running.Count < max);
            if (canStart)
            {
                if (_time.GetUtcNow() >= nextHostRefresh)
                {
                    // New links add hosts; a periodic refresh picks them up without tracking every insert.
                    hosts.UnionWith(await _store.QueuedHostsAsync(CancellationToken.None));
                    nextHostRefresh = _time.GetUtcNow() + TimeSpan.FromMilliseconds(250);
                }
                foreach (var host in hosts.ToList())
                {
                    if (running.Count >= _options.Concurrency) break;
                    if (_options.MaxPages is { } m && stored + running.Count >= m) break;
                    if (!_scheduler.CanStart(host)) continue;
                    if (!leased.TryGetValue(host, out var queue) || queue.Count == 0)
                    {
                        long leaseStart = System.Diagnostics.Stopwatch.GetTimestamp();
                        var batch = await _store.LeaseAsync(host, _time.GetUtcNow(), LeaseBatch, CancellationToken.None);
                        Progress.Time("lease", System.Diagnostics.Stopwatch.GetElapsedTime(leaseStart).TotalMilliseconds);
                        if (batch.Count == 0)
                        {
                            hosts.Remove(host);
                            continue;
                        }
                        leased[host] = queue = new Queue<FrontierEntry>(batch);
                    }
                    var entry = queue.Dequeue();
                    _scheduler.Started(host);
                    // Workers finish their page even when a stop is requested, so nothing is half-stored.
                    running[Task.Run(() => worker.ProcessAsync(entry, CancellationToken.None))] = entry;
                }
            }
            Progress.InFlight = running.Count;
            Progress.ActiveHosts = hosts.Count;

            if (running.Count == 0)
            {
                if (stop.IsCancellationRequested) { end = CrawlEnd.Cancelled; break; }
                if (_options.MaxPages is { } m && stored >= m) { end = CrawlEnd.MaxPages; break; }
                var next = await _store.NextReadyAsync(CancellationToken.None);
                bool holding = leased.Values.Any(q => q.Count > 0);
                if (next is null && !holding) break;
                hosts.UnionWith(await _store.QueuedHostsAsync(CancellationToken.None));
                hosts.UnionWith(leased.Where(kv => kv.Value.Count > 0).Select(kv => kv.Key));
                // Sleep until a URL is due or a host's politeness gap ends, whichever is first (5 ms to 1 s).
                var wake = next ?? _time.GetUtcNow() + TimeSpan.FromSeconds(1);
                foreach (var h in hosts)
                {
                    var slot = _scheduler.NextStart(h);
                    if (slot > _time.GetUtcNow() && slot < wake) wake = slot;
                }
                var wait = wake - _time.GetUtcNow();
                await Delay(wait < TimeSpan.FromMilliseconds(5) ? TimeSpan.FromMilliseconds(5) : wait > TimeSpan.FromSeconds(1) ? TimeSpan.FromSeconds(1) : wait, stop);
                continue;
            }

            var nextSlot = hosts.Count == 0 ? _time.GetUtcNow() + TimeSpan.FromMilliseconds(250) : hosts.Min(h => _scheduler.NextStart(h));
            var slotWait = nextSlot - _time.GetUtcNow();
            if (slotWait < TimeSpan.FromMilliseconds(5)) slotWait = TimeSpan.FromMilliseconds(5);
            if (slotWait > TimeSpan.FromMilliseconds(250)) slotWait = TimeSpan.FromMilliseconds(250);
            var delay = Task.Delay(slotWait, _time, CancellationToken.None);
            await Task.WhenAny(running.Keys.Append(delay));
            foreach (var finished in running.Keys.Where(t => t.IsCompleted).ToList())
            {
                var entry = running[finished];
                running.Remove(finished);
                _scheduler.Finished(entry.Host);
                var outcome = await finished;
                Progress.Record(outcome);
                switch (outcome.Disposition)
                {
                    case Disposition.Stored:
                        stored++;
                        break;
                    default:
                        await _store.RescheduleAsync(entry.Key, _time.GetUtcNow() + (outcome.Wait ?? TimeSpan.Zero), entry.Attempts + 1, CancellationToken.None);
                        break;
                }
                hosts.Add(entry.Host);
            }
        }
        // URLs leased but not started go back to the queue (a killed crawl gets them back from RecoverLeases).
        foreach (var entry in leased.Values.SelectMany(q => q))
            await _store.RescheduleAsync(entry.Key, entry.NotBefore ?? _time.GetUtcNow(), entry.Attempts, CancellationToken.None);
        return end;
    }

    private const int LeaseBatch = 8;

    private async Task<IReadOnlyList<UrlIdentity>> StoredSitesAsync()
    {
        var rows = await _store.InspectAsync("SELECT DISTINCT url FROM pages WHERE depth = 0", [], CancellationToken.None);
        return rows.Rows.Select(r => _keyer.TryIdentify((string)r["url"]!, out var id, out _) ? id : null).OfType<UrlIdentity>().ToList();
    }

    private async Task Delay(TimeSpan wait, CancellationToken stop)
    {
        try
        {
            await Task.Delay(wait, _time, stop);
        }
        catch (OperationCanceledException)
        {
            // A stop request ends the wait; the loop notices it.
        }
    }

    public void Dispose()
    {
        _fetcher.Dispose();
        _archive?.DisposeAsync().AsTask().GetAwaiter().GetResult();
    }
}
