using System.CommandLine;
using Crawlscope.Storage.ClickHouse;

namespace Crawlscope.Cli.Commands;

/// <summary><c>crawlscope store init --store clickhouse://...</c>: creates the cluster schema (idempotent, versioned).</summary>
internal static class StoreCommand
{
    internal static Command Create(TextWriter stdout)
    {
        var storeOptions = new StoreOptions();
        var init = new Command("init", "Create the crawl schema on every node of a ClickHouse cluster (safe to run again).");
        init.Options.Add(storeOptions.Store);
        init.SetAction(async (p, ct) =>
        {
            if (storeOptions.Cluster(p) is not { } address)
                throw new CommandException("give the cluster: --store clickhouse://HOST:PORT[,HOST:PORT...]/DATABASE?cluster=NAME (the embedded store needs no init)", CrawlscopeCli.BadUsage);
            try
            {
                foreach (var (node, version) in await ClickHouseCrawlStore.InitAsync(address, ct))
                    stdout.WriteLine($"{node}: schema version {version}");
            }
            catch (ClickHouseException ex)
            {
                throw new CommandException(ex.Message);
            }
            return CrawlscopeCli.Success;
        });
        return new Command("store", "Manage the crawl store.") { init };
    }
}
