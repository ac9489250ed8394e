using System.CommandLine;
using Crawlscope.Inspection;
using Crawlscope.Model;
using Crawlscope.Urls;
using Crawlscope.Vocabulary;

namespace Crawlscope.Cli.Commands;

/// <summary><c>crawlscope stats [--db PATH | --store URL] [--json]</c>: pages by status, failure and drop reason; hosts; queue.
/// With <c>--indexing</c>: the page indexing report (every URL known by its primary reason, with examples), for the crawl,
/// a host (<c>--host</c>) or a URL prefix (<c>--prefix</c>); <c>--reason NAME</c> lists that reason's URLs.</summary>
internal static class StatsCommand
{
    internal static Command Create(TextWriter stdout)
    {
        var storeOptions = new StoreOptions();
        var shards = CommonOptions.Shards();
        var json = CommonOptions.Json();
        var indexing = new Option<bool>("--indexing") { Description = "The page indexing report: every URL known, by its primary reason (the inspector's verdict), with examples." };
        var host = new Option<string?>("--host") { Description = "With --indexing: one host's URLs only." };
        var prefix = new Option<string?>("--prefix") { Description = "With --indexing: only stored pages whose URL starts with this." };
        var reason = new Option<string?>("--reason") { Description = "With --indexing: list this reason's URLs (" + string.Join(", ", IndexingReasons.All.Select(r => StoreNames.Of(r))) + ")." };
        var limit = new Option<int>("--limit") { Description = "With --reason: how many URLs (1-1000).", DefaultValueFactory = _ => 100 };
        var offset = new Option<int>("--offset") { Description = "With --reason: from which URL.", DefaultValueFactory = _ => 0 };
        reason.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<string?>() is { } name && !StoreNames.TryParse<IndexingReason>(name, out _))
                r.AddError($"--reason must be one of {string.Join(", ", IndexingReasons.All.Select(x => StoreNames.Of(x)))}");
        });
        var command = new Command("stats", "Counts of the crawl store: pages by status, failure and drop reason, hosts, queue; with --indexing, the page indexing report.")
            { json, shards, indexing, host, prefix, reason, limit, offset };
        storeOptions.AddTo(command);
        command.SetAction(async (parse, ct) =>
        {
            await using var store = await storeOptions.OpenAsync(parse, new UrlKeyer(PublicSuffixList.Default, UrlNormalizer.Default, parse.GetValue(shards)), ct);
            if (parse.GetValue(indexing))
            {
                var listed = parse.GetValue(reason) is { } name ? StoreNames.Parse<IndexingReason>(name) : null;
                IndexingReport report;
                try
                {
                    report = await new IndexingReporter(store).ReportAsync(parse.GetValue(host), parse.GetValue(prefix), listed, parse.GetValue(limit), parse.GetValue(offset), ct: ct);
                }
                catch (InspectionInputException ex)
                {
                    throw new CommandException(ex.Message);
                }
                if (parse.GetValue(json)) CliJson.Write(stdout, report);
                else Write(stdout, report);
                return CrawlscopeCli.Success;
            }
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

    internal static void Write(TextWriter o, IndexingReport r)
    {
        o.WriteLine($"page indexing{(r.Host is null ? "" : " of " + r.Host)}{(r.Prefix is null ? "" : " under " + r.Prefix)}: {r.Total} URLs known, {r.Indexed} indexed, {r.NotIndexed} not indexed");
        foreach (var reason in r.Reasons)
        {
            o.WriteLine($"  {reason.Count,8}  {reason.Label} [{StoreNames.Of(reason.Reason)}]");
            foreach (var url in reason.Examples) o.WriteLine($"            {url}");
        }
        if (r.Reason is { } listed && r.Urls is { } urls)
        {
            o.WriteLine($"{IndexingReasons.Label(listed)}: URLs {r.Offset + 1} to {r.Offset + urls.Count}");
            foreach (var url in urls) o.WriteLine("  " + url);
        }
    }
}
