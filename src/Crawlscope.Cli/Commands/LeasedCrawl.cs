using System.CommandLine;
using Crawlscope.Storage.ClickHouse;
using Crawlscope.Urls;

namespace Crawlscope.Cli.Commands;

/// <summary><c>crawl --store URL --coordinator etcd://HOST:PORT</c>: the worker claims a free shard range through a
/// lease (<see cref="RangeLeases"/>), waiting while every range has an owner, and crawls it; it stops fetching if it
/// cannot renew the lease, and hands the range back when it stops.</summary>
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
            Description = "With --coordinator: the ranges the shards are cut into (every worker must give the same number).", DefaultValueFactory = _ => 4,
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
            stderr.WriteLine($"crawlscope: worker {worker} claiming one of {ranges.Count} shard ranges from {endpoint.Authority}");
            if (await leases.ClaimAsync(ranges, ct) is not { } range) return CrawlscopeCli.Success;
            stderr.WriteLine($"crawlscope: claimed shards {range} (claim {leases.Epoch}; lease renewed every {RangeLeases.DefaultTtl.TotalSeconds / 3:F1} s)");
            using var fenced = CancellationTokenSource.CreateLinkedTokenSource(ct, leases.Lost);
            string stateDir = Path.Combine(parse.GetValue(o.StateDir) ?? CrawlCommand.StateRoot, $"shards-{range}");
            using var crawlLock = Storage.CrawlLock.Acquire(Path.Combine(stateDir, "worker"));
            int result;
            await using (var store = await CrawlCommand.OpenWorkerAsync(address, keyer, range, stateDir, stderr, fenced.Token, leases.Epoch))
                result = await CrawlRunner.RunAsync(options, store, keyer, identities, stdout, stderr, fenced.Token);
            if (leases.Lost.IsCancellationRequested && !ct.IsCancellationRequested)
                throw new CommandException($"lost the lease on shards {range} (the coordinator did not answer within its TTL): stopped fetching so that another worker can take them");
            return result;
        }
    }
}
