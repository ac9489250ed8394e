using System.Threading.Channels;
using Crawlscope.Frontier;
using Crawlscope.Politeness;
using Crawlscope.Model;

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
    // Bodies in flight, about: pages are fetched ahead of the CPU slots that extract them, and each slot holds its body
    // (on the large-object heap past 85 KB). With 400 KB pages 64 slots cost 60-90 MB more peak RSS than 8, at the same
    // pages/s (docs/crawling.md), so the slots in use follow the recent body size; 20-170 KB pages keep all of them.
    private const long MaxBodyBytesInFlight = 12L << 20;
    private const double BodySizeWeight = 0.05;
    // URLs leased per host at a time; the next batch is leased when half are started.
    private const int LeaseBatch = 16;
    // Hosts holding leased URLs, at most this many times the pages in flight: a broad crawl has tens of thousands of
    // hosts ready at once, and leasing ahead for all of them held every one's URLs in memory (a gigabyte at 100,000
    // hosts); the others wait their turn, in order. Enough that a polite crawl (one page a second per host) still
    // fills every fetch slot: a slot cycles through its hosts while each waits out its delay.
    internal const int LeasedHostsPerSlot = 16;
    // Hosts with work held in memory, at most: a broad crawl queues hosts far faster than it crawls them (each page
    // links new ones), and held hosts (names in the ready and lease queues) grew with every host queued. Past this the
    // others stay in the store's queue alone and are read back, in the store's host order, whenever the hosts held
    // fall to half of it.
    internal const int DefaultMaxHostsHeld = 32_768;
    // The longest wait for an event while pages are in flight, and the shortest wait of all.
    private static readonly TimeSpan HostRefresh = TimeSpan.FromMilliseconds(250), MinWait = TimeSpan.FromMilliseconds(5);

    private readonly CrawlOptions _options;
    private readonly IFrontierStore _store;
    private readonly TimeProvider _time;
    private readonly HostScheduler _scheduler;
    private readonly CrawlWorker _worker;
    private readonly CrawlProgress _progress;
    private readonly CrawlControl _control;
    private readonly CancellationToken _stop;
    // Cancelled a grace period after a stop is asked: work in flight that has not finished by then (a page that never
    // answers, a crawl-delay between sitemap requests, a render) is abandoned; its URL stays leased and is crawled
    // again on the next start (RecoverLeasesAsync), so a stop takes seconds and loses nothing.
    private readonly CancellationTokenSource _abandon = new();
    internal static readonly TimeSpan StopGrace = TimeSpan.FromSeconds(5);
    private readonly Channel<Event> _events = Channel.CreateUnbounded<Event>(new UnboundedChannelOptions { SingleReader = true });
    private readonly LeaseBuffer _leases;
    // Hosts with URLs to crawl, by when politeness next lets each start. A host leaves it when taken and comes back
    // when it may start again, when its lease arrives, when one of its fetches ends (if it was at its limit), or
    // when a URL of it is queued (the store says so); the loop never walks every host.
    private readonly ReadyHosts _ready = new();
    // Hosts of URLs rescheduled for a retry, by when the retry is due.
    private readonly PriorityQueue<string, DateTimeOffset> _retries = new();
    // Hosts taken from the ready queue while the operator had them paused.
    private readonly HashSet<string> _pausedHosts = new(StringComparer.Ordinal);
    // Hosts taken from the ready queue while as many hosts as allowed held leases, first come first served.
    private readonly Queue<string> _waitingForLease = new();
    private readonly Dictionary<string, int> _runningByHost = new(StringComparer.Ordinal);
    private int _running, _saving, _rescheduling;
    private long _savingBytes, _stored;
    private DateTimeOffset _nextRecrawlCheck = DateTimeOffset.MinValue;
    // Reading the store's queued hosts back: where the next read starts, whether hosts with work may be in the store
    // and not held (a run starts so), and whether one was left out since the pass over the store began.
    private long _hostsReadAfter;
    private bool _hostsNotHeld = true, _leftOutThisPass;
    private Task<bool>? _readable;

    public CrawlLoop(CrawlOptions options, IFrontierStore store, TimeProvider time, HostScheduler scheduler, CrawlWorker worker, CrawlProgress progress,
        CrawlControl control, long stored, CancellationToken stop)
    {
        (_options, _store, _time, _scheduler, _worker, _progress, _control, _stored, _stop) = (options, store, time, scheduler, worker, progress, control, stored, stop);
        _leases = new LeaseBuffer(store, time, LeaseBatch, host => _events.Writer.TryWrite(new Event.Leased(host)));
    }

    /// <summary>Runs until the frontier is empty (never, when continuous), --max-pages is reached, or a stop is asked
    /// for and the pages in flight are done; leased URLs not started go back to the frontier.</summary>
    public async Task<CrawlEnd> RunAsync()
    {
        using var graceAfterStop = _stop.Register(() => _abandon.CancelAfter(StopGrace));
        CrawlEnd? end;
        do
        {
            if (_options.Continuous) await QueueDueRecrawlsAsync();
            // Hosts queued by an earlier run, or left out while the window was full; from the first read on the store
            // also tells which hosts gain URLs.
            if (_hostsNotHeld && HostsHeld < HostsPerRead) await ReadQueuedHostsAsync();
            TakeHostsWithNewWork();
            if (MayStart()) StartReady();
            _progress.InFlight = _running;
            _progress.ActiveHosts = HostsWithWork;
            _progress.HostsFetching = _runningByHost.Count;
            end = Idle ? await WaitWhileIdleAsync() : await HandleEventsAsync();
        } while (end is null);
        await _leases.ReturnUnstartedAsync();
        return end.Value;
    }

    private bool Idle => _running == 0 && _saving == 0 && _rescheduling == 0 && !_events.Reader.TryPeek(out _);

    private bool UnderMaxPages => _options.MaxPages is not { } max || _stored + _running + _saving < max;

    private bool MayStart() => !_stop.IsCancellationRequested && UnderMaxPages && !_control.Paused;

    /// <summary>Hosts the loop holds with work to do now: ready, fetching, waiting for a lease, or paused.</summary>
    private int HostsWithWork => _ready.Count + _runningByHost.Count + _waitingForLease.Count + _pausedHosts.Count;

    /// <summary>Hosts the loop holds in memory: those with work and those waiting for a retry.</summary>
    private int HostsHeld => HostsWithWork + _retries.Count;

    private int HostsPerRead => Math.Max(1, _options.MaxHostsHeld / 2);

    /// <summary>Hosts that gained URLs: into the ready queue, unless as many hosts as allowed are held and this one
    /// is not among them (then it waits in the store's queue for a read).</summary>
    private void AddHosts(IEnumerable<string> hosts)
    {
        foreach (var host in hosts)
        {
            if (HostsHeld >= _options.MaxHostsHeld && !_ready.Contains(host) && !_runningByHost.ContainsKey(host) && !_leases.Holds(host))
            {
                _hostsNotHeld = _leftOutThisPass = true;
                continue;
            }
            _ready.Add(host, _scheduler.NextStart(host));
        }
    }

    /// <summary>Reads the next hosts of the store's queue (up to half the window): ready ones into the ready queue,
    /// the others (retries) when their first URL is due. At the end of the queue the next read starts over, unless
    /// no host was left out meanwhile. Returns how many hosts with a URL ready now, and not paused, were read.</summary>
    private async Task<int> ReadQueuedHostsAsync()
    {
        if (_hostsReadAfter == 0) _leftOutThisPass = false;
        var hosts = await _store.QueuedHostsAsync(_hostsReadAfter, HostsPerRead, CancellationToken.None);
        var now = _time.GetUtcNow();
        int ready = 0;
        foreach (var (host, at, _) in hosts)
        {
            if (at > now) _retries.Enqueue(host, at);
            else
            {
                _ready.Add(host, _scheduler.NextStart(host));
                if (!_control.IsPaused(host)) ready++;
            }
        }
        if (hosts.Count < HostsPerRead)
        {
            _hostsReadAfter = 0;
            _hostsNotHeld = _leftOutThisPass;
        }
        else _hostsReadAfter = hosts[^1].Position;
        return ready;
    }

    /// <summary>A continuous crawl queues again, every <see cref="CrawlOptions.RecrawlCheck"/>, the stored pages whose
    /// recrawl is due (the store computed when, page by page); their hosts come through the store's feed.</summary>
    private async Task QueueDueRecrawlsAsync()
    {
        var now = _time.GetUtcNow();
        if (now < _nextRecrawlCheck) return;
        _nextRecrawlCheck = now + _options.RecrawlCheck;
        _progress.RecrawlsQueued(await _store.RequeueDueAsync(now, now, _options.Recrawl.Bounds, CancellationToken.None));
    }

    /// <summary>Hosts that have work again: URLs of theirs newly queued (new links, recrawls), submitted by an
    /// operator (leased again now, so the URL goes ahead of those held), a retry come due, a pause lifted.</summary>
    private void TakeHostsWithNewWork()
    {
        AddHosts(_store.TakeNewlyQueuedHosts());
        while (_control.TryTakeSubmitted(out var host))
        {
            // An operator's URL does not wait for its host's turn to hold leases.
            _leases.Reserve(host);
            _leases.Prioritize(host);
            _ready.Add(host, _scheduler.NextStart(host));
        }
        var now = _time.GetUtcNow();
        while (_retries.TryPeek(out var retried, out var due) && due <= now)
        {
            _retries.Dequeue();
            _ready.Add(retried, _scheduler.NextStart(retried));
        }
        while (_waitingForLease.Count > 0 && _leases.HostsHolding < MaxLeasedHosts)
        {
            var next = _waitingForLease.Dequeue();
            _ready.Add(next, _scheduler.NextStart(next));
            _leases.Reserve(next);
        }
        if (_pausedHosts.Count > 0)
            foreach (var resumed in _pausedHosts.Where(h => !_control.IsPaused(h)).ToList())
            {
                _pausedHosts.Remove(resumed);
                _ready.Add(resumed, _scheduler.NextStart(resumed));
            }
    }

    /// <summary>Steps 4 and 5: each host whose politeness allows it now starts its next leased URL, within the limits
    /// on pages in flight (fewer while bodies are large) and pages waiting for their commit.</summary>
    private void StartReady()
    {
        var now = _time.GetUtcNow();
        while (_running < FetchSlots && _saving < MaxSaving && _savingBytes < MaxSavingBytes && UnderMaxPages && _ready.TryTakeDue(now, out var host))
        {
            if (_control.IsPaused(host))
            {
                _pausedHosts.Add(host);
                continue;
            }
            if (!_scheduler.CanStart(host))
            {
                // At its limit of requests in flight it comes back when one ends; pushed back (a backoff), at its new time.
                if (!AtPerHostLimit(host)) _ready.Add(host, _scheduler.NextStart(host));
                continue;
            }
            if (!_leases.Holds(host) && _leases.HostsHolding >= MaxLeasedHosts)
            {
                _waitingForLease.Enqueue(host);
                continue;
            }
            // Exhausted: back when a URL of it is queued. Pending: back when its lease arrives.
            if (_leases.TryTake(host, out var entry) != LeaseBuffer.Take.Entry) continue;
            _scheduler.Started(host);
            _running++;
            _runningByHost[host] = _runningByHost.GetValueOrDefault(host) + 1;
            if (!AtPerHostLimit(host)) _ready.Add(host, _scheduler.NextStart(host));
            // Workers finish their page when a stop is requested, within the grace period; nothing is half-stored.
            _ = Task.Run(() => _worker.ProcessAsync(entry, _abandon.Token))
                .ContinueWith(t => _events.Writer.TryWrite(new Event.Processed(entry, t)), TaskScheduler.Default);
        }
    }

    private int MaxLeasedHosts => LeasedHostsPerSlot * _options.Concurrency;

    // The recent body size, a moving average of the pages fetched (0 until the first).
    private double _bodyBytes;

    /// <summary>Pages in flight allowed now: the options' concurrency, fewer while bodies are large (never fewer than
    /// four per core, so the CPU slots always have pages to take).</summary>
    private int FetchSlots => _bodyBytes <= 0 ? _options.Concurrency
        : (int)Math.Clamp(MaxBodyBytesInFlight / _bodyBytes, Math.Min(_options.Concurrency, 4 * Environment.ProcessorCount), _options.Concurrency);

    private bool AtPerHostLimit(string host) => _runningByHost.GetValueOrDefault(host) >= _options.PerHost;

    /// <summary>Nothing in flight: ends the run when it should, else sleeps until a host may start, a retry is due
    /// or the operator wakes it, whichever is first (5 ms to 1 s). A continuous crawl never finishes.</summary>
    private async Task<CrawlEnd?> WaitWhileIdleAsync()
    {
        if (_stop.IsCancellationRequested) return CrawlEnd.Cancelled;
        if (_options.MaxPages is { } m && _stored >= m) return CrawlEnd.MaxPages;
        var now = _time.GetUtcNow();
        var next = Earliest(_ready.NextDue, _retries.TryPeek(out _, out var retry) ? retry : null);
        if (next is null && !_leases.Holding && _waitingForLease.Count == 0)
        {
            // No host the loop knows of has work: the store has the last word (on a cluster, another worker may
            // still hand URLs over).
            next = await _store.NextReadyAsync(CancellationToken.None);
            if (next is null && !_options.Continuous) return CrawlEnd.Finished;
            if (next <= now)
            {
                // URLs ready for hosts the loop does not hold: read the store's queue from its start, and on from there.
                (_hostsReadAfter, _hostsNotHeld) = (0, true);
                do
                {
                    if (await ReadQueuedHostsAsync() > 0) return null;
                } while (_hostsReadAfter != 0);
                next = null; // only paused hosts have URLs ready: wait for a resume
            }
        }
        var wake = Earliest(next, now + TimeSpan.FromSeconds(1))!.Value;
        await DelayAsync(Clamp(wake - now, MinWait, TimeSpan.FromSeconds(1)), _stop);
        return null;
    }

    private static DateTimeOffset? Earliest(DateTimeOffset? a, DateTimeOffset? b) => a is null ? b : b is null ? a : a < b ? a : b;

    /// <summary>Waits for the next event or the next politeness slot (5 to 250 ms), then takes every event there is.</summary>
    private async Task<CrawlEnd?> HandleEventsAsync()
    {
        if (!_events.Reader.TryPeek(out _))
        {
            var nextSlot = Earliest(_ready.NextDue, _retries.TryPeek(out _, out var retry) ? retry : null) ?? _time.GetUtcNow() + HostRefresh;
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
                case Event.Leased { Host: var host }:
                    _ready.Add(host, _scheduler.NextStart(host));
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
        var outcome = processed.Outcome.IsCompletedSuccessfully ? HeedHost(entry.Host, processed.Outcome.Result) : null;
        _scheduler.Finished(entry.Host);
        _ready.Add(entry.Host, _scheduler.NextStart(entry.Host));
        // Abandoned at a stop: nothing of it was stored, and its URL, still leased, is crawled again on the next start.
        if (_abandon.IsCancellationRequested && processed.Outcome is { IsCanceled: true } or { Exception.InnerException: OperationCanceledException }) return;
        outcome ??= await processed.Outcome;
        if (outcome.Bytes > 0) _bodyBytes = _bodyBytes <= 0 ? outcome.Bytes : _bodyBytes + BodySizeWeight * (outcome.Bytes - _bodyBytes);
        if (outcome.Disposition == Disposition.Stored)
        {
            _saving++;
            _savingBytes += outcome.SavingBytes;
            _ = outcome.Saved.ContinueWith(_ => _events.Writer.TryWrite(new Event.Saved(outcome)), TaskScheduler.Default);
            return;
        }
        _progress.Record(outcome);
        _rescheduling++;
        var due = _time.GetUtcNow() + (outcome.Wait ?? TimeSpan.Zero);
        _retries.Enqueue(entry.Host, due);
        _ = _store.RescheduleAsync(entry.Key, due, entry.Attempts + 1, CancellationToken.None)
            .ContinueWith(t => _events.Writer.TryWrite(new Event.Rescheduled(t)), TaskScheduler.Default);
    }

    /// <summary>What the host said, applied to the scheduler (the loop is its one writer): its crawl-delay; a throttled
    /// host is backed off (the wait is the scheduler's), any other answer ends its run of backoffs.</summary>
    private ProcessOutcome HeedHost(string host, ProcessOutcome outcome)
    {
        if (outcome.Host is { } said)
        {
            _scheduler.SetCrawlDelay(host, said.CrawlDelaySeconds);
            if (said.Answered) _scheduler.Succeeded(host);
        }
        return outcome.Disposition == Disposition.HostBackoff ? outcome with { Wait = _scheduler.BackOff(host, outcome.RetryAfter) } : outcome;
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
        public sealed record Leased(string Host) : Event;
    }
}
