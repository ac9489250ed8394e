namespace Crawlscope.Politeness;

/// <summary>
/// Hosts with URLs to crawl, ordered by when each may next start a request: the crawl loop takes the hosts whose
/// time has come and never walks the others, so choosing the next fetch costs O(log hosts) however many hosts
/// and URLs are queued (the ready queue of Heritrix's and StormCrawler's frontiers). A host is in it at most once,
/// at its earliest time; a later time for a host already in it is ignored, an earlier one moves it forward.
/// </summary>
internal sealed class ReadyHosts
{
    private readonly PriorityQueue<string, DateTimeOffset> _queue = new();
    // Each host's current time. The queue may also hold older entries of a host that moved forward: they are
    // skipped when they reach the top (their time is not the host's current one).
    private readonly Dictionary<string, DateTimeOffset> _due = new(StringComparer.Ordinal);

    public int Count => _due.Count;

    public bool Contains(string host) => _due.ContainsKey(host);

    /// <summary>Adds the host at <paramref name="at"/>, or moves it forward to it.</summary>
    public void Add(string host, DateTimeOffset at)
    {
        if (_due.TryGetValue(host, out var current) && current <= at) return;
        _due[host] = at;
        _queue.Enqueue(host, at);
        // Entries left behind by moves forward are dropped when they outnumber the hosts (a rebuild is O(n)).
        if (_queue.Count > 2 * _due.Count + 1024) Rebuild();
    }

    /// <summary>The earliest host whose time is at or before <paramref name="now"/>, taken out.</summary>
    public bool TryTakeDue(DateTimeOffset now, out string host)
    {
        while (_queue.TryPeek(out host!, out var at))
        {
            if (!_due.TryGetValue(host, out var current) || current != at)
            {
                _queue.Dequeue();
                continue;
            }
            if (at > now) return false;
            _queue.Dequeue();
            _due.Remove(host);
            return true;
        }
        return false;
    }

    /// <summary>When the earliest host may start; null when there is none.</summary>
    public DateTimeOffset? NextDue
    {
        get
        {
            while (_queue.TryPeek(out var host, out var at))
            {
                if (_due.TryGetValue(host, out var current) && current == at) return at;
                _queue.Dequeue();
            }
            return null;
        }
    }

    private void Rebuild()
    {
        _queue.Clear();
        foreach (var (host, at) in _due) _queue.Enqueue(host, at);
    }
}
