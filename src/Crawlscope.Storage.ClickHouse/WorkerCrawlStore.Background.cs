using System.Globalization;
using Crawlscope.Urls;
using Crawlscope.Model;

namespace Crawlscope.Storage.ClickHouse;

// The worker's background: shipping the outbox and confirming it on every replica, pulling what other workers
// handed over, the heartbeat, and deciding when the whole crawl is done.
public sealed partial class WorkerCrawlStore
{
    // --- the background: ship, pull, heartbeat, and decide when the whole crawl is done ----------------------

    private async Task BackgroundAsync()
    {
        var backoff = ShipEvery;
        var lastBeat = DateTimeOffset.MinValue;
        while (!_stop.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(backoff, _stop.Token);
            }
            catch (OperationCanceledException)
            {
                break;
            }
            try
            {
                await ShipAllAsync(_stop.Token);
                if (_cluster.Time.GetUtcNow() - lastBeat >= HeartbeatEvery)
                {
                    await PullAsync(_stop.Token);
                    await HeartbeatAndCheckAsync(_stop.Token);
                    lastBeat = _cluster.Time.GetUtcNow();
                }
                if (_lastError is not null) _log($"cluster reachable again; shipping resumed");
                _lastError = null;
                backoff = ShipEvery;
            }
            catch (OperationCanceledException) when (_stop.IsCancellationRequested)
            {
                break;
            }
#pragma warning disable CA1031 // the cluster being away is expected; rows stay in the outbox and are sent again
            catch (Exception ex)
#pragma warning restore CA1031
            {
                Failed(ex);
                backoff = TimeSpan.FromMilliseconds(Math.Min(10_000, backoff.TotalMilliseconds * 2));
            }
        }
    }

    /// <summary>Ships the outbox, oldest rows first, until it is empty. A batch that fails stays in the outbox
    /// and is sent again whole; the cluster's tables replace rows they already have. On replicated tables a batch
    /// leaves the outbox only once every replica of its shard has it (<see cref="ReplicationWatch"/>); one that a
    /// replica has not confirmed within <see cref="ResendAfter"/> is sent again, so losing the only replica that
    /// held it loses nothing.</summary>
    private async Task ShipAllAsync(CancellationToken ct)
    {
        // The background and a flush may ship at once; the unconfirmed batches are one sequence.
        await _shipping.WaitAsync(ct);
        try
        {
            await ShipNewAsync(ct);
            await ConfirmAsync(ct);
        }
        finally
        {
            _shipping.Release();
        }
    }

    private async Task ShipNewAsync(CancellationToken ct)
    {
        while (await _local.OutboxAsync(ShipBytes, ct, afterId: _sentUpTo) is { } batch)
        {
            await _cluster.InsertAsync(batch.Rows, ct);
            var mark = await _watch.MarkAsync(ct);
            if (mark is null && _unconfirmed.Count == 0) await _local.ShippedAsync(batch.LastId, ct);
            else _unconfirmed.Enqueue(new UnconfirmedBatch(_sentUpTo, batch.LastId) { Mark = mark, SentAt = _cluster.Time.GetUtcNow() });
            _sentUpTo = batch.LastId;
        }
    }

    /// <summary>How long a replica may take to confirm a batch before it is sent again, unless the worker is told otherwise.</summary>
    public static readonly TimeSpan DefaultResendAfter = TimeSpan.FromSeconds(30);

    /// <summary>How long a replica may take to confirm a batch before it is sent again.</summary>
    public TimeSpan ResendAfter { get; init; } = DefaultResendAfter;

    private sealed class UnconfirmedBatch(long afterId, long lastId)
    {
        public long AfterId { get; } = afterId;
        public long LastId { get; } = lastId;
        public ReplicationMark? Mark { get; set; }
        public DateTimeOffset SentAt { get; set; }
    }

    private async Task ConfirmAsync(CancellationToken ct)
    {
        while (_unconfirmed.TryPeek(out var oldest))
        {
            if (oldest.Mark is null || await _watch.HoldsAsync(oldest.Mark, ct))
            {
                await _local.ShippedAsync(oldest.LastId, ct);
                _unconfirmed.Dequeue();
                continue;
            }
            if (_cluster.Time.GetUtcNow() - oldest.SentAt < ResendAfter) return;
            long rows = 0;
            foreach (var unconfirmed in _unconfirmed)
            {
                long after = unconfirmed.AfterId;
                while (await _local.OutboxAsync(ShipBytes, ct, afterId: after, upToId: unconfirmed.LastId) is { } part)
                {
                    await _cluster.InsertAsync(part.Rows, ct, deduplicate: false);
                    rows += part.Rows.Count;
                    after = part.LastId;
                }
                unconfirmed.Mark = await _watch.MarkAsync(ct);
                unconfirmed.SentAt = _cluster.Time.GetUtcNow();
            }
            _log($"sent {rows:N0} rows again: a replica had not confirmed them within {ResendAfter.TotalSeconds:F0} s");
            return;
        }
    }

    /// <summary>Ships everything written so far, now (tests and shutdown; normally the background does it).</summary>
    internal Task FlushAsync(CancellationToken ct = default) => ShipAllAsync(ct);

    /// <summary>Queues what other workers handed to this worker's shards since the cursor (the seen-set drops
    /// URLs already known), then moves the cursor. Returns how many were new.</summary>
    private async Task<int> PullAsync(CancellationToken ct)
    {
        int added = 0;
        while (true)
        {
            var rows = await _cluster.PullAsync(_shards.From, _shards.To, _worker, Math.Max(0, _cursorUs - PullOverlapUs), PullLimit, ct);
            if (rows.Count == 0) break;
            added += await _local.EnqueueHandedOverAsync(rows.Select(r => r.Entry).ToList(), ct);
            long newest = rows.Max(r => r.AddedUs);
            bool advanced = newest > _cursorUs;
            _cursorUs = Math.Max(_cursorUs, newest);
            await _local.SetMetaAsync("pull_cursor_us", _cursorUs.ToString(CultureInfo.InvariantCulture), ct);
            if (rows.Count < PullLimit || !advanced) break;
        }
        return added;
    }

    /// <summary>
    /// Reports this worker's state, then decides whether the crawl is over: every live worker idle (nothing
    /// queued, in flight or unshipped) and nothing handed to any of them after its cursor, on two checks in a
    /// row. The cursor is read before the queue, so a pull that lands between the two shows as queued work.
    /// </summary>
    private async Task HeartbeatAndCheckAsync(CancellationToken ct, bool departed = false)
    {
        long cursor = _cursorUs;
        var (queued, leased) = await _local.FrontierCountsAsync(ct);
        long unshipped = await _local.OutboxCountAsync(ct);
        await _cluster.HeartbeatAsync(_shards, queued, leased, unshipped, cursor, departed, ct);
        if (queued + leased + unshipped > 0)
        {
            _quietChecks = 0;
            return;
        }
        var now = _cluster.Time.GetUtcNow();
        bool quiet = true;
        foreach (var w in await _cluster.WorkersAsync(ct))
        {
            if (w.Departed || now - w.Heartbeat > StaleAfter) continue;
            if (!w.Idle || await _cluster.PendingForAsync(w, ct) > 0)
            {
                quiet = false;
                break;
            }
        }
        _quietChecks = quiet ? _quietChecks + 1 : 0;
        if (_quietChecks >= 2) _finished = true;
    }

    /// <summary>Counts a failed exchange with the cluster and says so, once per distinct error.</summary>
    private void Failed(Exception ex)
    {
        ShipFailures++;
        if (ex.Message != _lastError) _log($"cluster write failed, will retry (rows are kept): {ex.Message}");
        _lastError = ex.Message;
    }

    /// <summary>Ships, pulls and reports once, now (at open, and on the way out, when the worker says it left:
    /// a worker stopped on purpose, by --max-pages or Ctrl+C, is not waited for; one that was killed is, until it
    /// comes back or goes silent for two minutes). A leased range is never said to have left: another worker takes
    /// it over, and until then its queue is work the others must wait for.</summary>
    private async Task SyncAsync(CancellationToken ct, bool leaving = false)
    {
        try
        {
            await ShipAllAsync(ct);
            if (!leaving) await PullAsync(ct);
            await HeartbeatAndCheckAsync(ct, departed: leaving && !RangeOutlivesWorker);
        }
        catch (ClickHouseException ex)
        {
            Failed(ex);
        }
    }
}
