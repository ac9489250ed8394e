using System.CommandLine;
using Crawlscope.Storage;

namespace Crawlscope.Cli.Commands;

/// <summary><c>crawlscope stats [--db PATH] [--json]</c>: pages by status, failure and drop reason; hosts; queue.</summary>
internal static class StatsCommand
{
    internal static Command Create(TextWriter stdout)
    {
        var db = CommonOptions.Db();
        var json = CommonOptions.Json();
        var command = new Command("stats", "Counts of the crawl store: pages by status, failure and drop reason, hosts, queue.") { db, json };
        command.SetAction(async (parse, ct) =>
        {
            string path = parse.GetValue(db)!;
            if (!File.Exists(path)) throw new CommandException($"no crawl store at {path}");
            await using var store = await SqliteCrawlStore.OpenAsync(path, ct);
            var stats = await store.StatsAsync(ct);
            if (parse.GetValue(json)) CliJson.Write(stdout, stats);
            else Write(stdout, stats);
            return CrawlscopeCli.Success;
        });
        return command;
    }

    internal static void Write(TextWriter o, CrawlStats s)
    {
        o.WriteLine($"pages {s.Pages}, queued {s.Queued}, in flight {s.Leased}, hosts {s.Hosts}, fetches {s.Fetches}, {s.Bytes / 1024.0 / 1024.0:F1} MB");
        o.WriteLine("by status:         " + string.Join(", ", s.ByStatus.Select(kv => $"{kv.Key} {kv.Value}")));
        o.WriteLine("by failure reason: " + (s.ByFailureReason.Count == 0 ? "none" : string.Join(", ", s.ByFailureReason.Select(kv => $"{kv.Key} {kv.Value}"))));
        o.WriteLine("by drop reason:    " + (s.ByDropReason.Count == 0 ? "none" : string.Join(", ", s.ByDropReason.Select(kv => $"{kv.Key} {kv.Value}"))));
    }
}
