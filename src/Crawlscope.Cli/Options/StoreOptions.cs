using System.CommandLine;
using Crawlscope.Model;
using Crawlscope.Storage;
using Crawlscope.Storage.ClickHouse;
using Crawlscope.Urls;

namespace Crawlscope.Cli.Options;

/// <summary>
/// Where the crawl store is: <c>--db PATH</c> (the embedded SQLite file, the default) or
/// <c>--store clickhouse://HOST:PORT[,HOST:PORT...]/DATABASE?cluster=NAME</c> (the cluster). Every command that
/// reads or writes the store takes both, and opens it here.
/// </summary>
internal sealed class StoreOptions
{
    /// <summary>Where <c>crawlscope demo</c> writes its store (named when a command is pointed at a store that is not there).</summary>
    internal const string DemoStore = "crawlscope-demo.db";

    public readonly Option<string> Db = CommonOptions.Db();
    public readonly Option<string?> Store = new("--store")
    {
        Description = "The crawl store on a ClickHouse cluster: clickhouse://HOST:PORT[,HOST:PORT...]/DATABASE?cluster=NAME[&user=U&password=P] (HTTP ports; instead of --db).",
    };

    public StoreOptions()
    {
        Store.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<string?>() is not { } s) return;
            try
            {
                ClickHouseAddress.Parse(s);
            }
            catch (FormatException ex)
            {
                r.AddError(ex.Message);
            }
        });
    }

    public IEnumerable<Option> All => [Db, Store];

    public void AddTo(Command c)
    {
        foreach (var o in All) c.Options.Add(o);
    }

    /// <summary>The cluster address when --store was given, else null.</summary>
    public ClickHouseAddress? Cluster(ParseResult p) => p.GetValue(Store) is { } s ? ClickHouseAddress.Parse(s) : null;

    /// <summary>Opens the store. An embedded store must exist already unless <paramref name="create"/> (a command that
    /// writes); without it the store is only read; a cluster
    /// store must have its schema (<c>store init</c>).</summary>
    public async Task<ICrawlStore> OpenAsync(ParseResult p, UrlKeyer keyer, CancellationToken ct, bool create = false)
    {
        if (Cluster(p) is { } address)
        {
            try
            {
                return await ClickHouseCrawlStore.OpenAsync(address, keyer, ct: ct);
            }
            catch (ClickHouseException ex)
            {
                throw new CommandException(ex.Message);
            }
        }
        string path = p.GetValue(Db)!;
        if (Directory.Exists(path)) throw new CommandException($"--db {path} is a folder; give the store's file");
        if (!create && !File.Exists(path))
            throw new CommandException($"no crawl store at {path}" + (path != DemoStore && File.Exists(DemoStore) ? $" (the demo's is {DemoStore}: --db {DemoStore})" : ""));
        // Commands that only read open the store so that a file they cannot write can still be read.
        return create ? await SqliteCrawlStore.OpenAsync(path, ct) : await SqliteCrawlStore.OpenForReadingAsync(path, ct);
    }
}
