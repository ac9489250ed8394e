using System.CommandLine;
using Crawlscope.Storage.ClickHouse;
using Crawlscope.Urls;

namespace Crawlscope.Cli.Commands;

/// <summary><c>crawl --store URL --coordinator etcd://HOST:PORT</c>: the worker claims shard ranges through a lease
/// (<see cref="RangeLeases"/>) and crawls each in its own state dir; the workers spread the ranges evenly among
/// themselves (<see cref="RangeBalance"/>: a lone worker crawls them all, a joining one is handed a share, a dead one's
/// are claimed by the others). It stops fetching if it cannot renew the lease, hands its ranges back when it stops,
/// and ends when every range it holds is done.</summary>
internal static class LeasedCrawl
{
    /// <summary>The command's two flags for it.</summary>
    internal sealed class Flags
    {
        public readonly Option<string?> Coordinator = new("--coordinator")
        {
            Description = "With --store: etcd://HOST:PORT; shard ranges are claimed through leases instead of --worker-shards (a dead worker's range is taken over within the lease's 5 s).",
        };

        public readonly Option<int> Ranges = new("--ranges")
        {
            Description = "With --coordinator: the ranges the shards are cut into, spread evenly over the live workers (every worker must give the same number).", DefaultValueFactory = _ => 4,
        };

        public void AddTo(Command command)
        {
            command.Options.Add(Coordinator);
            command.Options.Add(Ranges);
        }
    }

    public static async Task<int> RunAsync(CrawlCommand.Options o, Flags flags, ParseResult parse, string coordinator, List<string> seeds, TextWriter stdout,
        TextWriter stderr, CancellationToken ct)
    {
        if (o.Store.Cluster(parse) is not { } address)
            throw new CommandException("--coordinator goes with --store (a cluster crawl)", CrawlscopeCli.BadUsage);
        if (parse.GetValue(o.WorkerShards) is not null)
            throw new CommandException("--coordinator hands out the shard ranges: leave out --worker-shards", CrawlscopeCli.BadUsage);
        Uri endpoint;
        try
        {
            endpoint = RangeLeases.Endpoint(coordinator);
        }
        catch (FormatException ex)
        {
            throw new CommandException("--coordinator: " + ex.Message, CrawlscopeCli.BadUsage);
        }
        var options = o.Build(parse);
        var keyer = new UrlKeyer(PublicSuffixList.Default, UrlNormalizer.Default, options.ShardCount);
        IReadOnlyList<ShardRange> ranges;
        try
        {
            ranges = RangeLeases.Ranges(keyer.ShardCount, parse.GetValue(flags.Ranges));
        }
        catch (ArgumentException ex)
        {
            throw new CommandException(ex.Message, CrawlscopeCli.BadUsage);
        }
        var identities = CrawlCommand.Identify(seeds, options, keyer);
        string worker = $"{Environment.MachineName}:{Environment.ProcessId}";
        RangeLeases leases;
        try
        {
            leases = await RangeLeases.ConnectAsync(endpoint, address.Database, worker, ct: ct);
        }
        catch (ClickHouseException ex)
        {
            throw new CommandException(ex.Message);
        }
        await using (leases)
        {
            stderr.WriteLine($"crawlscope: worker {worker} sharing {ranges.Count} shard ranges with the others through {endpoint.Authority}");
            string stateRoot = parse.GetValue(o.StateDir) ?? CrawlCommand.StateRoot;
            using var fenced = CancellationTokenSource.CreateLinkedTokenSource(ct, leases.Lost);
            var held = new Dictionary<ShardRange, RangeCrawl>();
            try
            {
                // Workers started together see each other before the first claim, so the first does not take every range.
                await Task.Delay(Step * 2, fenced.Token);
                while (true)
                {
                    if (held.Values.FirstOrDefault(r => r.Crawl.IsFaulted) is { } failed) await failed.Crawl; // a range's error ends the worker
                    if (held.Count > 0 && held.Values.All(r => r.Crawl.IsCompleted)) break; // every range it holds is done
                    await BalanceAsync(leases, ranges, held, (range, epoch) => RangeCrawl.Start(fenced.Token, stop =>
                        CrawlRangeAsync(address, options, keyer, identities, range, epoch, stateRoot, stdout, stderr, stop)), stderr, fenced.Token);
                    await Task.Delay(Step, fenced.Token);
                }
            }
            catch (OperationCanceledException) when (fenced.IsCancellationRequested)
            {
            }
            finally
            {
                foreach (var crawl in held.Values) await crawl.StopAsync();
            }
            if (leases.Lost.IsCancellationRequested && !ct.IsCancellationRequested)
                throw new CommandException($"lost the lease on shards {string.Join(", ", held.Keys)} (the coordinator did not answer within its TTL): stopped fetching so that another worker can take them");
            return ct.IsCancellationRequested && held.Count > 0 ? CrawlscopeCli.Interrupted : CrawlscopeCli.Success;
        }
    }

    /// <summary>How often a worker looks at the spread of the ranges and takes a step (<see cref="RangeBalance"/>).</summary>
    private static readonly TimeSpan Step = TimeSpan.FromSeconds(1);

    /// <summary>One step towards an even spread: claim the free ranges this worker is short of and start crawling them,
    /// or stop crawling one and hand it back (one at a time: each is stopped gracefully first).</summary>
    private static async Task BalanceAsync(RangeLeases leases, IReadOnlyList<ShardRange> ranges, Dictionary<ShardRange, RangeCrawl> held,
        Func<ShardRange, long, RangeCrawl> start, TextWriter stderr, CancellationToken ct)
    {
        try
        {
            while (RangeBalance.Decide(ranges, await leases.ViewAsync(ct), leases.Worker) is { Range: { } range } move)
            {
                if (move.Kind == RangeMoveKind.Claim)
                {
                    if (await leases.TryClaimAsync(range, ct) is not { } epoch) return; // another was quicker: look again next step
                    stderr.WriteLine($"crawlscope: claimed shards {range} (claim {epoch}; lease renewed every {RangeLeases.DefaultTtl.TotalSeconds / 3:F1} s)");
                    held[range] = start(range, epoch);
                    continue;
                }
                if (held.Remove(range, out var crawl) && await crawl.StopAsync() is { } failure)
                    throw new CommandException($"the crawl of shards {range} failed while it was being handed back: {failure.Message}");
                await leases.ReleaseAsync(range, ct);
                stderr.WriteLine($"crawlscope: handed shards {range} back for a worker with fewer ranges");
                return;
            }
        }
        catch (Grpc.Core.RpcException)
        {
            // The coordinator is away: nothing moves; if it stays away past the lease's TTL the fence stops the worker.
        }
    }

    /// <summary>Crawls one claimed range in its own state dir, its rows carrying the claim's epoch, until the crawl is done or it is stopped.</summary>
    private static async Task<int> CrawlRangeAsync(ClickHouseAddress address, Crawling.CrawlOptions options, UrlKeyer keyer, IReadOnlyList<UrlIdentity> identities,
        ShardRange range, long epoch, string stateRoot, TextWriter stdout, TextWriter stderr, CancellationToken stop)
    {
        string stateDir = Path.Combine(stateRoot, $"shards-{range}");
        using var crawlLock = Storage.CrawlLock.Acquire(Path.Combine(stateDir, "worker"));
        await using var store = await CrawlCommand.OpenWorkerAsync(address, keyer, range, stateDir, stderr, stop, epoch);
        store.RangeOutlivesWorker = true;
        return await CrawlRunner.RunAsync(options, store, keyer, identities, stdout, stderr, stop);
    }

    /// <summary>The crawl of one held range, with its own stop (a range handed back stops alone).</summary>
    private sealed class RangeCrawl
    {
        private readonly CancellationTokenSource _stop;

        private RangeCrawl(CancellationTokenSource stop, Task<int> crawl) => (_stop, Crawl) = (stop, crawl);

        public Task<int> Crawl { get; }

        public static RangeCrawl Start(CancellationToken worker, Func<CancellationToken, Task<int>> crawl)
        {
            var stop = CancellationTokenSource.CreateLinkedTokenSource(worker);
            return new RangeCrawl(stop, Task.Run(() => crawl(stop.Token), CancellationToken.None));
        }

        /// <summary>Stops the crawl (pages in flight are finished and the rest shipped or kept in its state dir) and waits
        /// for it; what made it fail, if it did (every held crawl is stopped on the way out, whatever the others did).</summary>
        public async Task<Exception?> StopAsync()
        {
            await _stop.CancelAsync();
            Exception? failure = null;
            try
            {
                await Crawl;
            }
            catch (OperationCanceledException)
            {
            }
#pragma warning disable CA1031 // handed to the caller, which decides whether it ends the worker
            catch (Exception ex)
#pragma warning restore CA1031
            {
                failure = ex;
            }
            _stop.Dispose();
            return failure;
        }
    }
}
