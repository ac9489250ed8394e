using System.Collections.Concurrent;

namespace Crawlscope.Crawling;

/// <summary>
/// What an operator changes in a running crawl: a pause of the whole crawl or of single hosts, and a wake-up when
/// URLs were submitted. The web answers on its own threads and the crawl loop reads on its own, so every member is
/// safe to call from any thread. A pause stops new fetches; the pages in flight finish.
/// </summary>
public sealed class CrawlControl
{
    private readonly ConcurrentDictionary<string, bool> _pausedHosts = new(StringComparer.OrdinalIgnoreCase);
    private volatile bool _paused;
    private readonly ConcurrentQueue<string> _submittedHosts = new();
    private TaskCompletionSource _wake = NewWake();

    public bool Paused => _paused;

    public IReadOnlyCollection<string> PausedHosts => _pausedHosts.Keys.Order(StringComparer.Ordinal).ToList();

    public bool IsPaused(string host) => _paused || (!_pausedHosts.IsEmpty && _pausedHosts.ContainsKey(host));

    /// <returns><see langword="false"/> when it was paused already.</returns>
    public bool Pause()
    {
        bool changed = !_paused;
        _paused = true;
        return changed;
    }

    /// <returns><see langword="false"/> when it was not paused.</returns>
    public bool Resume()
    {
        bool changed = _paused;
        _paused = false;
        Wake();
        return changed;
    }

    public bool PauseHost(string host) => _pausedHosts.TryAdd(host, true);

    public bool ResumeHost(string host)
    {
        bool changed = _pausedHosts.TryRemove(host, out _);
        Wake();
        return changed;
    }

    /// <summary>Something changed (URLs submitted, a pause lifted): an idle loop looks for work now.</summary>
    public void Wake() => Interlocked.Exchange(ref _wake, NewWake()).TrySetResult();

    /// <summary>Completes at the next <see cref="Wake"/>.</summary>
    internal Task Woken => Volatile.Read(ref _wake).Task;

    /// <summary>A URL of <paramref name="host"/> was queued at the front: the loop leases it ahead of what it holds.</summary>
    public void Submitted(string host)
    {
        _submittedHosts.Enqueue(host);
        Wake();
    }

    internal bool TryTakeSubmitted(out string host) => _submittedHosts.TryDequeue(out host!);

    private volatile string? _storeProblem;

    /// <summary>Why the crawl cannot go on now although nobody paused it (the store's disk is full); null when it can.
    /// Shown on the overview and /readyz, logged by the service.</summary>
    public string? StoreProblem => _storeProblem;

    internal void SetStoreProblem(string? problem) => _storeProblem = problem;

    private long _banChanges;

    /// <summary>A ban was added or lifted: the crawl reads the bans again before its next page, not seconds later.</summary>
    public void BansChanged() => Interlocked.Increment(ref _banChanges);

    internal long BanChanges => Interlocked.Read(ref _banChanges);

    private static TaskCompletionSource NewWake() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}
