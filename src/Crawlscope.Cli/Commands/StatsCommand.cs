using System.CommandLine;
using Crawlscope.Model;
using Crawlscope.Urls;

namespace Crawlscope.Cli.Commands;

/// <summary><c>crawlscope stats [--db PATH | --store URL] [--json]</c>: pages by status, failure and drop reason; hosts; queue.</summary>
internal static class StatsCommand
{
    internal static Command Create(TextWriter stdout)
    {
        var storeOptions = new StoreOptions();
        var shards = CommonOptions.Shards();
        var json = CommonOptions.Json();
        var command = new Command("stats", "Counts of the crawl store: pages by status, failure and drop reason, hosts, queue.") { json, shards };
        storeOptions.AddTo(command);
        command.SetAction(async (parse, ct) =>
        {
            await using var store = await storeOptions.OpenAsync(parse, new UrlKeyer(PublicSuffixList.Default, UrlNormalizer.Default, parse.GetValue(shards)), ct);
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
