namespace Crawlscope.Storage;

/// <summary>
/// The writer's view of the hosts table and the feed of hosts that gained a queued URL. A frontier row names its
/// host by number; the writer keeps the numbers it has committed so a URL's insert needs no lookup, and a number
/// taken in a transaction that rolled back is forgotten with it. The numbers are a cache of at most
/// <see cref="MaxIds"/> hosts (emptied when full), so a broad crawl's memory does not grow with every host it met.
/// Hosts whose URLs were queued are handed to the crawl loop through <see cref="TakeQueued"/> once their
/// transaction has committed, so the loop learns of new hosts without scanning the frontier. The writer (under the
/// store's lock) is the only user of everything but <see cref="TakeQueued"/>.
/// </summary>
internal sealed class FrontierHosts
{
    internal const int MaxIds = 65_536;
    private readonly Dictionary<string, long> _ids = new(StringComparer.Ordinal);
    private readonly Dictionary<string, long> _uncommittedIds = new(StringComparer.Ordinal);
    private readonly HashSet<string> _uncommittedQueued = new(StringComparer.Ordinal);
    private HashSet<string> _queued = new(StringComparer.Ordinal);
    private readonly Lock _queuedGate = new();

    /// <summary>A transaction starts: what one that failed took is dropped.</summary>
    public void Begin()
    {
        _uncommittedIds.Clear();
        _uncommittedQueued.Clear();
    }

    public bool TryGetId(string name, out long id) => _ids.TryGetValue(name, out id) || _uncommittedIds.TryGetValue(name, out id);

    public void Numbered(string name, long id) => _uncommittedIds[name] = id;

    /// <summary>A URL of the host is queued by the current transaction.</summary>
    public void Queued(string name) => _uncommittedQueued.Add(name);

    public void Committed()
    {
        if (_ids.Count + _uncommittedIds.Count > MaxIds) _ids.Clear();
        foreach (var (name, id) in _uncommittedIds) _ids[name] = id;
        if (_uncommittedQueued.Count > 0)
            lock (_queuedGate) _queued.UnionWith(_uncommittedQueued);
        Begin();
    }

    /// <summary>Hosts queued outside a transaction of the writer's (a requeue), published at once.</summary>
    public void QueuedNow(IEnumerable<string> names)
    {
        lock (_queuedGate) _queued.UnionWith(names);
    }

    /// <summary>The hosts that gained a queued URL since the last call.</summary>
    public IReadOnlyCollection<string> TakeQueued()
    {
        lock (_queuedGate)
        {
            if (_queued.Count == 0) return [];
            var taken = _queued;
            _queued = new HashSet<string>(StringComparer.Ordinal);
            return taken;
        }
    }
}
