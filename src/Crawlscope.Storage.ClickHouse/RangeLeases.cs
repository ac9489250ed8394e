using dotnet_etcd;
using Etcdserverpb;
using Google.Protobuf;

namespace Crawlscope.Storage.ClickHouse;

/// <summary>
/// Shard ranges handed to workers through leases in etcd (<c>crawl --coordinator etcd://HOST:PORT</c>). The shards
/// are cut into equal ranges; a worker claims a free one by creating its key under its lease, in a transaction that
/// fails when the key exists (create revision 0), and keeps the lease alive every third of its TTL. A worker that dies
/// stops renewing and etcd deletes its key when the TTL ends, so another takes the range. A worker that cannot renew
/// stops fetching (<see cref="Lost"/>) a second before its TTL ends, so two owners never crawl a range at once; one
/// stopped on purpose revokes its lease, handing the range back at once. Every worker also keeps a presence key under
/// its lease, so each sees how many share the crawl and how the ranges are spread (<see cref="ViewAsync"/>,
/// <see cref="RangeBalance"/>).
/// </summary>
public sealed class RangeLeases : IAsyncDisposable
{
    /// <summary>How long a dead worker's ranges wait for another. Short, since a worker renews every third of it.</summary>
    public static readonly TimeSpan DefaultTtl = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan FenceMargin = TimeSpan.FromSeconds(1);

    private readonly EtcdClient _etcd;
    private readonly string _prefix, _claims, _workers;
    private readonly string _worker;
    private readonly TimeSpan _ttl;
    private readonly CancellationTokenSource _lost = new();
    private readonly CancellationTokenSource _stop = new();
    private long _lease;
    private Task _keepAlive = Task.CompletedTask;

    private RangeLeases(EtcdClient etcd, string prefix, string worker, TimeSpan ttl)
    {
        _etcd = etcd;
        _prefix = prefix + "ranges/";
        _claims = prefix + "claims/";
        _workers = prefix + "workers/";
        _worker = worker;
        _ttl = ttl;
    }

    /// <summary>The ranges the shards are cut into.</summary>
    public static IReadOnlyList<ShardRange> Ranges(int shardCount, int rangeCount)
    {
        if (rangeCount < 1 || rangeCount > shardCount) throw new ArgumentException($"--ranges must be 1 to {shardCount} (the shard count)");
        return [.. Enumerable.Range(0, rangeCount).Select(i => new ShardRange(i * shardCount / rangeCount, (i + 1) * shardCount / rangeCount - 1))];
    }

    /// <summary>Parses <c>etcd://HOST:PORT</c>; throws <see cref="FormatException"/> with a message for the user.</summary>
    public static Uri Endpoint(string text)
    {
        if (!text.StartsWith("etcd://", StringComparison.OrdinalIgnoreCase) || !Uri.TryCreate("http://" + text["etcd://".Length..], UriKind.Absolute, out var uri)
            || uri.PathAndQuery != "/" || uri.IsDefaultPort)
            throw new FormatException($"not a coordinator address: '{text}' (etcd://HOST:PORT, the etcd client port)");
        return uri;
    }

    /// <summary>Connects and takes a lease; <paramref name="crawl"/> names the crawl (its ranges' keys live under it).</summary>
    public static async Task<RangeLeases> ConnectAsync(Uri endpoint, string crawl, string worker, TimeSpan? ttl = null, CancellationToken ct = default)
    {
        var etcd = new EtcdClient(endpoint.ToString().TrimEnd('/'));
        var leases = new RangeLeases(etcd, $"/crawlscope/{crawl}/", worker, ttl ?? DefaultTtl);
        try
        {
            var grant = await etcd.LeaseGrantAsync(new LeaseGrantRequest { TTL = (long)leases._ttl.TotalSeconds }, cancellationToken: ct);
            leases._lease = grant.ID;
            await etcd.PutAsync(new PutRequest { Key = ByteString.CopyFromUtf8(leases._workers + worker), Value = ByteString.CopyFromUtf8(worker), Lease = grant.ID },
                cancellationToken: ct);
            leases._lost.CancelAfter(leases._ttl - FenceMargin);
            leases._keepAlive = Task.Run(leases.KeepAliveAsync, CancellationToken.None);
            return leases;
        }
        catch (Exception ex) when (ex is Grpc.Core.RpcException)
        {
            etcd.Dispose();
            throw new ClickHouseException($"the coordinator {endpoint.Authority} cannot be reached: {((Grpc.Core.RpcException)ex).Status.Detail}", true, ex);
        }
    }

    /// <summary>How many times the range last claimed has been claimed, this claim included: the high part of every row
    /// version the owner writes (<see cref="ClickHouseRows.Epoch"/>).</summary>
    public long Epoch { get; private set; }

    /// <summary>Cancelled when the lease could not be renewed in time: stop fetching.</summary>
    public CancellationToken Lost => _lost.Token;

    /// <summary>Claims the first free range, waiting (checking every second) until one is; null when cancelled.</summary>
    public async Task<ShardRange?> ClaimAsync(IReadOnlyList<ShardRange> ranges, CancellationToken ct)
    {
        while (!ct.IsCancellationRequested && !Lost.IsCancellationRequested)
        {
            foreach (var range in ranges)
            {
                if (await TryClaimAsync(range, ct) is not { } epoch) continue;
                Epoch = epoch;
                return range;
            }
            try
            {
                await Task.Delay(TimeSpan.FromSeconds(1), ct);
            }
            catch (OperationCanceledException)
            {
                return null;
            }
        }
        return null;
    }

    /// <summary>Claims <paramref name="range"/> if it is free: its epoch, or null when another holds it.</summary>
    public async Task<long?> TryClaimAsync(ShardRange range, CancellationToken ct)
    {
        var key = ByteString.CopyFromUtf8(_prefix + range);
        var claims = ByteString.CopyFromUtf8(_claims + range);
        var txn = new TxnRequest();
        txn.Compare.Add(new Compare { Key = key, Target = Compare.Types.CompareTarget.Create, Result = Compare.Types.CompareResult.Equal, CreateRevision = 0 });
        txn.Success.Add(new RequestOp { RequestPut = new PutRequest { Key = key, Value = ByteString.CopyFromUtf8(_worker), Lease = _lease } });
        // The claims key outlives leases; etcd counts its writes (its version), one per claim: the epoch.
        txn.Success.Add(new RequestOp { RequestPut = new PutRequest { Key = claims, Value = ByteString.CopyFromUtf8(_worker) } });
        txn.Success.Add(new RequestOp { RequestRange = new RangeRequest { Key = claims } });
        var answer = await _etcd.TransactionAsync(txn, cancellationToken: ct);
        return answer.Succeeded ? answer.Responses[2].ResponseRange.Kvs[0].Version : null;
    }

    /// <summary>Hands <paramref name="range"/> back (only if this worker's lease still holds it), for another to claim.</summary>
    public async Task ReleaseAsync(ShardRange range, CancellationToken ct)
    {
        var key = ByteString.CopyFromUtf8(_prefix + range);
        var txn = new TxnRequest();
        txn.Compare.Add(new Compare { Key = key, Target = Compare.Types.CompareTarget.Lease, Result = Compare.Types.CompareResult.Equal, Lease = _lease });
        txn.Success.Add(new RequestOp { RequestDeleteRange = new DeleteRangeRequest { Key = key } });
        await _etcd.TransactionAsync(txn, cancellationToken: ct);
    }

    /// <summary>Who holds which range and which workers are alive, read in one transaction (one revision).</summary>
    public async Task<RangeHolding> ViewAsync(CancellationToken ct = default)
    {
        var txn = new TxnRequest();
        txn.Success.Add(new RequestOp { RequestRange = PrefixRange(_prefix) });
        txn.Success.Add(new RequestOp { RequestRange = PrefixRange(_workers) });
        var answer = await _etcd.TransactionAsync(txn, cancellationToken: ct);
        var holders = answer.Responses[0].ResponseRange.Kvs.ToDictionary(kv => kv.Key.ToStringUtf8()[_prefix.Length..], kv => kv.Value.ToStringUtf8());
        var workers = answer.Responses[1].ResponseRange.Kvs.Select(kv => kv.Value.ToStringUtf8()).ToList();
        return new RangeHolding(holders, workers);
    }

    /// <summary>Every key under <paramref name="prefix"/> (etcd's range end: the prefix with its last byte raised).</summary>
    private static RangeRequest PrefixRange(string prefix)
    {
        var bytes = System.Text.Encoding.UTF8.GetBytes(prefix);
        var end = (byte[])bytes.Clone();
        end[^1]++;
        return new RangeRequest { Key = ByteString.CopyFrom(bytes), RangeEnd = ByteString.CopyFrom(end) };
    }

    /// <summary>This worker's name, as its keys carry it.</summary>
    public string Worker => _worker;

    /// <summary>Who holds each range now (worker names).</summary>
    public async Task<IReadOnlyDictionary<string, string>> HoldersAsync(CancellationToken ct = default) =>
        (await _etcd.GetRangeAsync(_prefix, cancellationToken: ct)).Kvs.ToDictionary(kv => kv.Key.ToStringUtf8()[_prefix.Length..], kv => kv.Value.ToStringUtf8());

    private async Task KeepAliveAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(_ttl / 3, _stop.Token);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            try
            {
                using var attempt = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
                attempt.CancelAfter(_ttl / 3);
                long ttl = 0;
                await _etcd.LeaseKeepAlive(new LeaseKeepAliveRequest { ID = _lease }, r => ttl = r.TTL, attempt.Token);
                // Each renewal moves the fence: it falls a second before the lease would end unrenewed.
                if (ttl > 0) _lost.CancelAfter(_ttl - FenceMargin);
            }
#pragma warning disable CA1031 // a renewal cut short by the stop, or an unreachable coordinator (the fence is for that)
            catch (Exception) when (_stop.IsCancellationRequested)
            {
                return;
            }
            catch (Exception)
            {
            }
#pragma warning restore CA1031
            if (_lost.IsCancellationRequested) return;
        }
    }

    /// <summary>Hands the ranges back at once (revokes the lease) and disconnects.</summary>
    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _keepAlive;
        if (!_lost.IsCancellationRequested)
        {
            try
            {
                using var revoke = new CancellationTokenSource(TimeSpan.FromSeconds(2));
                await _etcd.LeaseRevokeAsync(new LeaseRevokeRequest { ID = _lease }, cancellationToken: revoke.Token);
            }
#pragma warning disable CA1031 // the lease ends by its TTL anyway
            catch (Exception)
#pragma warning restore CA1031
            {
            }
        }
        _etcd.Dispose();
        _lost.Dispose();
        _stop.Dispose();
    }
}
