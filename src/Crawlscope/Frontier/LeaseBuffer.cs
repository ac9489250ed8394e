using Crawlscope.Model;

namespace Crawlscope.Frontier;

/// <summary>
/// URLs leased from the frontier ahead of need, per host. A host's next batch is leased in the background
/// while it still has URLs at hand, so the crawl loop never waits for the store: a lease is a write, and
/// waiting for it behind the writer's group commit would stall every host for up to a commit's length. Leased URLs not started when the crawl stops go
/// back to the queue through <see cref="IFrontier.RecoverLeasesAsync"/>, as after a kill.
/// </summary>
internal sealed class LeaseBuffer(IFrontier store, TimeProvider time, int batch, Action<string> refilled)
{
    private sealed class HostLeases
    {
        public readonly Queue<FrontierEntry> Ready = new();
        public Task<IReadOnlyList<FrontierEntry>>? Refill;
        public bool Exhausted;
        /// <summary>A URL was queued at the front since the last lease: lease again, whatever is at hand.</summary>
        public bool Recheck;
    }

    private readonly Dictionary<string, HostLeases> _hosts = new(StringComparer.Ordinal);

    /// <summary>What <see cref="TryTake"/> found for a host.</summary>
    public enum Take { Entry, Pending, Exhausted }

    /// <summary>
    /// The host's next leased URL (<see cref="Take.Entry"/>), or <see cref="Take.Pending"/> while a lease is on its
    /// way, or <see cref="Take.Exhausted"/> when the store had nothing ready for the host at the last lease.
    /// </summary>
    public Take TryTake(string host, out FrontierEntry entry)
    {
        entry = null!;
        if (!_hosts.TryGetValue(host, out var h)) _hosts[host] = h = new HostLeases();
        Collect(h);
        if ((h.Ready.Count < batch / 2 || h.Recheck) && h.Refill is null && (!h.Exhausted || h.Recheck)) Start(host, h);
        if (h.Ready.TryDequeue(out var next))
        {
            entry = next;
            return Take.Entry;
        }
        if (h.Refill is not null) return Take.Pending;
        // Asked again later (new links may have queued URLs since), the host gets a fresh lease; until then it holds
        // nothing here, so a broad crawl's finished hosts cost no memory.
        _hosts.Remove(host);
        return Take.Exhausted;
    }

    /// <summary>A URL of the host was queued at the front: the next lease is taken now and what it brings at the
    /// front goes ahead of the URLs at hand.</summary>
    public void Prioritize(string host)
    {
        if (!_hosts.TryGetValue(host, out var h)) return;
        h.Recheck = true;
        h.Exhausted = false;
    }

    /// <summary>Hosts with URLs leased or a lease on its way (or reserved for one).</summary>
    public int HostsHolding => _hosts.Count;

    public bool Holds(string host) => _hosts.ContainsKey(host);

    /// <summary>Counts the host as holding from now, before its first lease is taken, so the hosts let through by
    /// the count are not outnumbered by those arriving before their turn.</summary>
    public void Reserve(string host) => _hosts.TryAdd(host, new HostLeases());

    /// <summary>Whether URLs are leased and not yet started, or leases are on their way.</summary>
    public bool Holding => _hosts.Values.Any(h => h.Ready.Count > 0 || h.Refill is not null);

    /// <summary>Waits for leases on their way and puts every leased URL not started back in the queue.</summary>
    public async Task ReturnUnstartedAsync()
    {
        foreach (var h in _hosts.Values)
            if (h.Refill is { } refill)
            {
                try
                {
                    await refill;
                }
#pragma warning disable CA1031 // a failed lease leased nothing; the recovery below covers whatever it did
                catch (Exception)
                {
                }
#pragma warning restore CA1031
            }
        if (_hosts.Count > 0) await store.RecoverLeasesAsync(CancellationToken.None);
        _hosts.Clear();
    }

    private void Start(string host, HostLeases h)
    {
        h.Recheck = false;
        var refill = store.LeaseAsync(host, time.GetUtcNow(), batch, CancellationToken.None);
        h.Refill = refill;
        refill.ContinueWith(_ => refilled(host), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
    }

    private static void Collect(HostLeases h)
    {
        if (h.Refill is not { IsCompleted: true } refill) return;
        h.Refill = null;
        // A failed lease throws here, in the crawl loop, as it did when the loop leased itself.
        var leased = refill.GetAwaiter().GetResult();
        if (leased.Any(e => e.Priority < 0))
        {
            // Submitted URLs go ahead of those at hand (they were leased earlier at an ordinary priority).
            var held = h.Ready.ToList();
            h.Ready.Clear();
            foreach (var e in leased.Where(e => e.Priority < 0).Concat(held).Concat(leased.Where(e => e.Priority >= 0))) h.Ready.Enqueue(e);
        }
        else foreach (var e in leased) h.Ready.Enqueue(e);
        h.Exhausted = leased.Count == 0;
    }
}
