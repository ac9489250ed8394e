using System.Threading.Channels;
using Crawlscope.Frontier;
using Crawlscope.Politeness;
using Crawlscope.Storage;

namespace Crawlscope.Crawling;

/// <summary>
/// The crawl loop of one run: steps 4 and 5 of docs/architecture.md (take a ready host's next URL from the
/// frontier, if politeness lets it start) and the bookkeeping of pages in flight. It is one task that never waits
/// for the store: everything it waits for arrives through one channel (a page processed, its save committed, a
/// retry rescheduled, a lease arrived), so a page waiting for its group commit does not hold a fetch slot and the
/// loop's work per page does not grow with the number of pages in flight.
/// </summary>
internal sealed class CrawlLoop
{
    // Pages processed but not yet committed, at most: enough for two of the store's group commits, few enough that
    // a store falling behind stops the fetching instead of filling memory. With full extraction a page carries tens
    // of kilobytes of text, so their bytes are bounded too (--extract none is held by the count).
    private const int MaxSaving = 1024;
    private const long MaxSavingBytes = 8L << 20;
    // URLs leased per host at a time; the next batch is leased when half are started.
    private const int LeaseBatch = 16;
    private static readonly TimeSpan HostRefresh = TimeSpan.FromMilliseconds(250), MinWait = TimeSpan.FromMilliseconds(5);

    private readonly CrawlOptions _options;
    private readonly ICrawlStore _store;
    private readonly TimeProvider _time;
    private readonly HostScheduler _scheduler;
    private readonly CrawlWorker _worker;
    private readonly CrawlProgress _progress;
    private readonly CrawlControl _control;
    private readonly CancellationToken _stop;
    private readonly Channel<Event> _events = Channel.CreateUnbounded<Event>(new UnboundedChannelOptions { SingleReader = true });
    private readonly LeaseBuffer _leases;
    private readonly HashSet<string> _hosts = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> _runningByHost = new(StringComparer.Ordinal);
    private int _running, _saving, _rescheduling;
    private long _savingBytes, _stored;
    private DateTimeOffset _nextHostRefresh = DateTimeOffset.MinValue, _nextRecrawlCheck = DateTimeOffset.MinValue;
    private Task<bool>? _readable;

    public CrawlLoop(CrawlOptions options, ICrawlStore store, TimeProvider time, HostScheduler scheduler, CrawlWorker worker, CrawlProgress progress,
        CrawlControl control, long stored, CancellationToken stop)
    {
        (_options, _store, _time, _scheduler, _worker, _progress, _control, _stored, _stop) = (options, store, time, scheduler, worker, progress, control, stored, stop);
        _leases = new LeaseBuffer(store, time, LeaseBatch, () => _events.Writer.TryWrite(Event.Leased));
    }

    /// <summary>Runs until the frontier is empty (never, when continuous), --max-pages is reached, or a stop is asked
    /// for and the pages in flight are done; leased URLs not started go back to the frontier.</summary>
    public async Task<CrawlEnd> RunAsync()
    {
        _hosts.UnionWith(await _store.QueuedHostsAsync(CancellationToken.None));
        CrawlEnd? end;
        do
        {
            if (_options.Continuous) await QueueDueRecrawlsAsync();
            TakeSubmitted();
            if (MayStart()) await StartReadyAsync();
            _progress.InFlight = _running;
            _progress.ActiveHosts = _hosts.Count;
            _progress.HostsFetching = _runningByHost.Count;
            end = Idle ? await WaitWhileIdleAsync() : await HandleEventsAsync();
        } while (end is null);
        await _leases.ReturnUnstartedAsync();
        return end.Value;
    }

    private bool Idle => _running == 0 && _saving == 0 && _rescheduling == 0 && !_events.Reader.TryPeek(out _);

    private bool UnderMaxPages => _options.MaxPages is not { } max || _stored + _running + _saving < max;

    private bool MayStart() => !_stop.IsCancellationRequested && UnderMaxPages && !_control.Paused;

    /// <summary>A continuous crawl queues again, every <see cref="CrawlOptions.RecrawlCheck"/>, the stored pages whose
    /// recrawl is due (the store computed when, page by page).</summary>
    private async Task QueueDueRecrawlsAsync()
    {
        var now = _time.GetUtcNow();
        if (now < _nextRecrawlCheck) return;
        _nextRecrawlCheck = now + _options.RecrawlCheck;
        _progress.RecrawlsQueued(await _store.RequeueDueAsync(now, now, CancellationToken.None));
        _nextHostRefresh = DateTimeOffset.MinValue;
    }

    /// <summary>Hosts of URLs an operator queued at the front: leased again now, so the URL goes ahead of those held.</summary>
    private void TakeSubmitted()
    {
        while (_control.TryTakeSubmitted(out var host))
        {
            _hosts.Add(host);
            _leases.Prioritize(host);
        }
    }

    /// <summary>Steps 4 and 5: each ready host whose politeness allows it starts its next leased URL, within the limits
    /// on pages in flight and pages waiting for their commit.</summary>
    private async Task StartReadyAsync()
    {
        if (_time.GetUtcNow() >= _nextHostRefresh)
        {
            // New links add hosts; a periodic refresh picks them up without tracking every insert.
            _hosts.UnionWith(await _store.QueuedHostsAsync(CancellationToken.None));
            _nextHostRefresh = _time.GetUtcNow() + HostRefresh;
        }
        foreach (var host in _hosts.ToList())
        {
            if (_running >= _options.Concurrency || _saving >= MaxSaving || _savingBytes >= MaxSavingBytes || !UnderMaxPages) break;
            if (!_scheduler.CanStart(host) || _control.IsPaused(host)) continue;
            switch (_leases.TryTake(host, out var entry))
            {
                case LeaseBuffer.Take.Exhausted:
                    _hosts.Remove(host);
                    continue;
                case LeaseBuffer.Take.Pending:
                    continue;
            }
            _scheduler.Started(host);
            _running++;
            _runningByHost[host] = _runningByHost.GetValueOrDefault(host) + 1;
            // Workers finish their page even when a stop is requested, so nothing is half-stored.
            _ = Task.Run(() => _worker.ProcessAsync(entry, CancellationToken.None))
                .ContinueWith(t => _events.Writer.TryWrite(new Event.Processed(entry, t)), TaskScheduler.Default);
        }
    }

    /// <summary>Nothing in flight: ends the run when it should, else sleeps until a URL is due, a host's politeness
    /// gap ends or the operator wakes it, whichever is first (5 ms to 1 s). A continuous crawl never finishes.</summary>
    private async Task<CrawlEnd?> WaitWhileIdleAsync()
    {
        if (_stop.IsCancellationRequested) return CrawlEnd.Cancelled;
        if (_options.MaxPages is { } m && _stored >= m) return CrawlEnd.MaxPages;
        var next = await _store.NextReadyAsync(CancellationToken.None);
        if (next is null && !_leases.Holding && !_options.Continuous) return CrawlEnd.Finished;
        _hosts.UnionWith(await _store.QueuedHostsAsync(CancellationToken.None));
        _hosts.UnionWith(_leases.HostsHolding);
        var now = _time.GetUtcNow();
        var wake = next ?? now + TimeSpan.FromSeconds(1);
        foreach (var h in _hosts)
        {
            var slot = _scheduler.NextStart(h);
            if (slot > now && slot < wake) wake = slot;
        }
        await DelayAsync(Clamp(wake - now, MinWait, TimeSpan.FromSeconds(1)), _stop);
        return null;
    }

    /// <summary>Waits for the next event or the next politeness slot (5 to 250 ms), then takes every event there is.</summary>
    private async Task<CrawlEnd?> HandleEventsAsync()
    {
        if (!_events.Reader.TryPeek(out _))
        {
            var nextSlot = _hosts.Count == 0 ? _time.GetUtcNow() + HostRefresh : _hosts.Min(h => _scheduler.NextStart(h));
            _readable ??= _events.Reader.WaitToReadAsync().AsTask();
            await Task.WhenAny(_readable, Task.Delay(Clamp(nextSlot - _time.GetUtcNow(), MinWait, HostRefresh), _time, CancellationToken.None));
            if (_readable.IsCompleted) _readable = null;
        }
        while (_events.Reader.TryRead(out var happened))
        {
            switch (happened)
            {
                case Event.Processed processed: await OnProcessedAsync(processed); break;
                case Event.Saved { Outcome: var outcome }: await OnSavedAsync(outcome); break;
                case Event.Rescheduled { Done: var done }:
                    _rescheduling--;
                    await done;
                    break;
            }
        }
        return null;
    }

    /// <summary>A page is processed: its host's slot is free again; a stored page waits for its commit, a retry goes
    /// back to the frontier with its wait.</summary>
    private async Task OnProcessedAsync(Event.Processed processed)
    {
        var entry = processed.Entry;
        _running--;
        if (--_runningByHost[entry.Host] == 0) _runningByHost.Remove(entry.Host);
        _scheduler.Finished(entry.Host);
        _hosts.Add(entry.Host);
        var outcome = await processed.Outcome;
        if (outcome.Disposition == Disposition.Stored)
        {
            _saving++;
            _savingBytes += outcome.SavingBytes;
            _ = outcome.Saved.ContinueWith(_ => _events.Writer.TryWrite(new Event.Saved(outcome)), TaskScheduler.Default);
            return;
        }
        _progress.Record(outcome);
        _rescheduling++;
        _ = _store.RescheduleAsync(entry.Key, _time.GetUtcNow() + (outcome.Wait ?? TimeSpan.Zero), entry.Attempts + 1, CancellationToken.None)
            .ContinueWith(t => _events.Writer.TryWrite(new Event.Rescheduled(t)), TaskScheduler.Default);
    }

    private async Task OnSavedAsync(ProcessOutcome outcome)
    {
        _saving--;
        _savingBytes -= outcome.SavingBytes;
        _stored++;
        // A failed save throws here and ends the crawl, as a failed store should.
        int newUrls = await outcome.Saved;
        _progress.LinksAlreadySeen(outcome.Discovered - newUrls);
        _progress.Record(outcome with { NewUrls = outcome.NewUrls + newUrls });
    }

    private static TimeSpan Clamp(TimeSpan value, TimeSpan min, TimeSpan max) => value < min ? min : value > max ? max : value;

    private async Task DelayAsync(TimeSpan wait, CancellationToken stop)
    {
        try
        {
            var woken = _control.Woken;
            var delay = Task.Delay(wait, _time, stop);
            if (await Task.WhenAny(delay, woken) == delay) await delay;
        }
        catch (OperationCanceledException)
        {
            // A stop request ends the wait; the loop notices it.
        }
    }

    /// <summary>What the crawl loop hears about: a page processed, its save committed, a retry rescheduled, a lease arrived.</summary>
    private abstract record Event
    {
        public sealed record Processed(FrontierEntry Entry, Task<ProcessOutcome> Outcome) : Event;
        public sealed record Saved(ProcessOutcome Outcome) : Event;
        public sealed record Rescheduled(Task Done) : Event;
        public static readonly Event Leased = new LeaseArrived();
        private sealed record LeaseArrived : Event;
    }
}
