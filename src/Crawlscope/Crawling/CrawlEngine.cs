using System.Threading.Channels;
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

        // Workers report through one channel, twice per stored page: when the page is processed (its host's slot
        // is free again) and when its transaction has committed. A page waiting for the store's group commit
        // does not hold a fetch slot, and the loop's work per page does not grow with the number in flight.
        var completions = Channel.CreateUnbounded<Completion>(new UnboundedChannelOptions { SingleReader = true });
        int running = 0, saving = 0;
        Task<bool>? readable = null;
        // URLs leased a few at a time per host and started one by one: the loop is single-threaded, and a lease
        // waits for the store's writer, so one lease per page capped the crawl at about 900 pages/s.
        var leased = new Dictionary<string, Queue<FrontierEntry>>(StringComparer.Ordinal);
        var hosts = new HashSet<string>(await _store.QueuedHostsAsync(CancellationToken.None), StringComparer.Ordinal);
        DateTimeOffset nextHostRefresh = DateTimeOffset.MinValue;
        CrawlEnd end = CrawlEnd.Finished;

        while (true)
        {
            bool canStart = !stop.IsCancellationRequested && (_options.MaxPages is not { } max || stored + running + saving < max);
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
                    if (running >= _options.Concurrency || saving >= MaxSaving) break;
                    if (_options.MaxPages is { } m && stored + running + saving >= m) break;
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
                    running++;
                    // Workers finish their page even when a stop is requested, so nothing is half-stored.
                    _ = Task.Run(() => worker.ProcessAsync(entry, CancellationToken.None))
                        .ContinueWith(t => completions.Writer.TryWrite(new Completion(entry, t, Saved: false)), TaskScheduler.Default);
                }
            }
            Progress.InFlight = running;
            Progress.ActiveHosts = hosts.Count;

            if (running == 0 && saving == 0)
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

            if (!completions.Reader.TryPeek(out _))
            {
                var nextSlot = hosts.Count == 0 ? _time.GetUtcNow() + TimeSpan.FromMilliseconds(250) : hosts.Min(h => _scheduler.NextStart(h));
                var slotWait = nextSlot - _time.GetUtcNow();
                if (slotWait < TimeSpan.FromMilliseconds(5)) slotWait = TimeSpan.FromMilliseconds(5);
                if (slotWait > TimeSpan.FromMilliseconds(250)) slotWait = TimeSpan.FromMilliseconds(250);
                readable ??= completions.Reader.WaitToReadAsync().AsTask();
                await Task.WhenAny(readable, Task.Delay(slotWait, _time, CancellationToken.None));
                if (readable.IsCompleted) readable = null;
            }
            while (completions.Reader.TryRead(out var done))
            {
                var entry = done.Entry;
                var outcome = await done.Processed;
                if (done.Saved)
                {
                    saving--;
                    stored++;
                    Progress.Record(outcome with { NewUrls = outcome.NewUrls + await outcome.Saved });
                    continue;
                }
                running--;
                _scheduler.Finished(entry.Host);
                hosts.Add(entry.Host);
                if (outcome.Disposition == Disposition.Stored)
                {
                    saving++;
                    var processed = done.Processed;
                    _ = outcome.Saved.ContinueWith(_ => completions.Writer.TryWrite(new Completion(entry, processed, Saved: true)), TaskScheduler.Default);
                    continue;
                }
                Progress.Record(outcome);
                await _store.RescheduleAsync(entry.Key, _time.GetUtcNow() + (outcome.Wait ?? TimeSpan.Zero), entry.Attempts + 1, CancellationToken.None);
            }
        }
        // URLs leased but not started go back to the queue (a killed crawl gets them back from RecoverLeases).
        foreach (var entry in leased.Values.SelectMany(q => q))
            await _store.RescheduleAsync(entry.Key, entry.NotBefore ?? _time.GetUtcNow(), entry.Attempts, CancellationToken.None);
        return end;
    }

    private const int LeaseBatch = 8;

    // Pages processed but not yet committed, at most: enough for two of the store's group commits, few enough
    // that a store falling behind stops the fetching instead of filling memory.
    private const int MaxSaving = 512;

    /// <summary>A worker's report: its page was processed (<paramref name="Saved"/> false) or its save committed.</summary>
    private sealed record Completion(FrontierEntry Entry, Task<ProcessOutcome> Processed, bool Saved);

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
