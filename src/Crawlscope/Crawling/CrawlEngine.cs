using System.Threading.Channels;
using Crawlscope.Classification;
using Crawlscope.Duplicates;
using Crawlscope.Fetching;
using Crawlscope.Frontier;
using Crawlscope.Politeness;
using Crawlscope.Robots;
using Crawlscope.Sitemaps;
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
        _scheduler = new HostScheduler(options.Politeness, _time);
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
        var scope = new CrawlScope(_options.ScopeRules, seeds.Count > 0 ? seeds : await StoredSitesAsync());
        var robots = new RobotsGate(_store, _fetcher, _agentToken, _time, _archive);
        var worker = new CrawlWorker(_options, _store, _keyer, _fetcher, robots, _scheduler, scope, _agentToken, _time, Progress, _archive);
        long stored = await _store.PageCountAsync(CancellationToken.None);

        // Everything the loop waits for arrives through one channel: a page processed (its host's slot is free
        // again), its save committed, a retry rescheduled, a lease arrived. The loop itself never waits for the
        // store's writer, a page waiting for its group commit does not hold a fetch slot, and the loop's work per
        // page does not grow with the number of pages in flight.
        var events = Channel.CreateUnbounded<Event>(new UnboundedChannelOptions { SingleReader = true });
        var leases = new LeaseBuffer(_store, _time, LeaseBatch, () => events.Writer.TryWrite(Event.Leased));
        int running = 0, saving = 0, rescheduling = 0;
        long savingBytes = 0;
        Task<bool>? readable = null;
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
                    if (running >= _options.Concurrency || saving >= MaxSaving || savingBytes >= MaxSavingBytes) break;
                    if (_options.MaxPages is { } m && stored + running + saving >= m) break;
                    if (!_scheduler.CanStart(host)) continue;
                    switch (leases.TryTake(host, out var entry))
                    {
                        case LeaseBuffer.Take.Exhausted:
                            hosts.Remove(host);
                            continue;
                        case LeaseBuffer.Take.Pending:
                            continue;
                    }
                    _scheduler.Started(host);
                    running++;
                    // Workers finish their page even when a stop is requested, so nothing is half-stored.
                    _ = Task.Run(() => worker.ProcessAsync(entry, CancellationToken.None))
                        .ContinueWith(t => events.Writer.TryWrite(new Event.Processed(entry, t)), TaskScheduler.Default);
                }
            }
            Progress.InFlight = running;
            Progress.ActiveHosts = hosts.Count;

            if (running == 0 && saving == 0 && rescheduling == 0 && !events.Reader.TryPeek(out _))
            {
                if (stop.IsCancellationRequested) { end = CrawlEnd.Cancelled; break; }
                if (_options.MaxPages is { } m && stored >= m) { end = CrawlEnd.MaxPages; break; }
                var next = await _store.NextReadyAsync(CancellationToken.None);
                if (next is null && !leases.Holding) break;
                hosts.UnionWith(await _store.QueuedHostsAsync(CancellationToken.None));
                hosts.UnionWith(leases.HostsHolding);
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

            if (!events.Reader.TryPeek(out _))
            {
                var nextSlot = hosts.Count == 0 ? _time.GetUtcNow() + TimeSpan.FromMilliseconds(250) : hosts.Min(h => _scheduler.NextStart(h));
                var slotWait = nextSlot - _time.GetUtcNow();
                if (slotWait < TimeSpan.FromMilliseconds(5)) slotWait = TimeSpan.FromMilliseconds(5);
                if (slotWait > TimeSpan.FromMilliseconds(250)) slotWait = TimeSpan.FromMilliseconds(250);
                readable ??= events.Reader.WaitToReadAsync().AsTask();
                await Task.WhenAny(readable, Task.Delay(slotWait, _time, CancellationToken.None));
                if (readable.IsCompleted) readable = null;
            }
            while (events.Reader.TryRead(out var happened))
            {
                switch (happened)
                {
                    case Event.Processed { Entry: var entry, Outcome: var processing }:
                    {
                        running--;
                        _scheduler.Finished(entry.Host);
                        hosts.Add(entry.Host);
                        var outcome = await processing;
                        if (outcome.Disposition == Disposition.Stored)
                        {
                            saving++;
                            savingBytes += outcome.SavingBytes;
                            _ = outcome.Saved.ContinueWith(_ => events.Writer.TryWrite(new Event.Saved(outcome)), TaskScheduler.Default);
                            break;
                        }
                        Progress.Record(outcome);
                        rescheduling++;
                        _ = _store.RescheduleAsync(entry.Key, _time.GetUtcNow() + (outcome.Wait ?? TimeSpan.Zero), entry.Attempts + 1, CancellationToken.None)
                            .ContinueWith(t => events.Writer.TryWrite(new Event.Rescheduled(t)), TaskScheduler.Default);
                        break;
                    }
                    case Event.Saved { Outcome: var outcome }:
                        saving--;
                        savingBytes -= outcome.SavingBytes;
                        stored++;
                        // A failed save throws here and ends the crawl, as a failed store should.
                        Progress.Record(outcome with { NewUrls = outcome.NewUrls + await outcome.Saved });
                        break;
                    case Event.Rescheduled { Done: var done }:
                        rescheduling--;
                        await done;
                        break;
                }
            }
        }
        await leases.ReturnUnstartedAsync();
        return end;
    }

    // URLs leased per host at a time; the next batch is leased when half are started.
    private const int LeaseBatch = 16;

    // Pages processed but not yet committed, at most: enough for two of the store's group commits, few enough
    // that a store falling behind stops the fetching instead of filling memory. With full extraction a page
    // carries tens of kilobytes of text, so their memory is bounded too: on the 50,000-page bench a 24 MB bound
    // gave 665-687 pages/s at 429-440 MB peak RSS, 8 MB 643 pages/s at 348 MB (--extract none is held by the
    // count, not the bytes).
    private const int MaxSaving = 1024;
    private const long MaxSavingBytes = 8L << 20;

    /// <summary>What the crawl loop hears about: a page processed, its save committed, a retry rescheduled, a lease arrived.</summary>
    private abstract record Event
    {
        public sealed record Processed(FrontierEntry Entry, Task<ProcessOutcome> Outcome) : Event;
        public sealed record Saved(ProcessOutcome Outcome) : Event;
        public sealed record Rescheduled(Task Done) : Event;
        public static readonly Event Leased = new LeaseArrived();
        private sealed record LeaseArrived : Event;
    }

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
