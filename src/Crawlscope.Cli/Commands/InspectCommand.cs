using System.CommandLine;
using Crawlscope.Inspection;
using Crawlscope.Urls;
using Spectre.Console;

namespace Crawlscope.Cli.Commands;

/// <summary>
/// <c>crawlscope inspect URL [--db PATH] [--json]</c> or <c>crawlscope inspect --shard N --key KEY</c>: what the
/// crawler knows about a URL and why it is or is not indexable, with the query behind every answer.
/// </summary>
internal static class InspectCommand
{
    internal static Command Create(TextWriter stdout)
    {
        var url = new Argument<string?>("url") { Description = "The URL to inspect (URL lookup).", Arity = ArgumentArity.ZeroOrOne };
        var shard = new Option<int?>("--shard") { Description = "Direct parameter lookup: the shard (with --key)." };
        var key = new Option<string?>("--key") { Description = "Direct parameter lookup: the stored key, src_unparsed (with --shard)." };
        var storeOptions = new StoreOptions();
        var json = CommonOptions.Json();
        var maxAge = CommonOptions.MaxAgeMonths();
        var shards = CommonOptions.Shards();
        var live = new Option<bool>("--live") { Description = "Also fetch the URL now (same robots and SSRF rules), extract and filter it, and show that next to the stored result; stores nothing." };
        var render = new Option<bool>("--render") { Description = "With --live: render the page in a browser even when its HTML is not an empty shell (a shell, or a page stored rendered, is rendered anyway)." };
        var screenshot = new Option<FileInfo?>("--screenshot") { Description = "With --live: write the rendered page's screenshot (PNG) to this file, when it was rendered." };
        var links = new Option<string?>("--links") { Description = "Instead of the report, the page's links: out (its outlinks) or in (pages linking to it), with anchor, rel, followed or why not, and the page there." };
        links.AcceptOnlyFromAmong("out", "in");
        var limit = new Option<int>("--limit") { Description = "With --links: how many (1-1000).", DefaultValueFactory = _ => 100 };
        var offset = new Option<int>("--offset") { Description = "With --links: from which link.", DefaultValueFactory = _ => 0 };
        var fetch = new FetchCliOptions();
        var command = new Command("inspect", "Explain what the crawler knows about a URL: the verdict with its evidence, five checks with their queries, badges, filters, page details.")
        {
            url, shard, key, json, maxAge, shards, live, render, screenshot, links, limit, offset,
        };
        storeOptions.AddTo(command);
        foreach (var option in fetch.All) command.Options.Add(option);
        command.SetAction(async (parse, ct) =>
        {
            var keyer = new UrlKeyer(PublicSuffixList.Default, UrlNormalizer.Default, parse.GetValue(shards));
            await using var store = await storeOptions.OpenAsync(parse, keyer, ct);
            var inspection = new InspectionOptions { MaxAgeMonths = parse.GetValue(maxAge) };
            var inspector = new UrlInspector(store, keyer, inspection);
            if (parse.GetValue(key) is not null && parse.GetValue(shard) is null) throw new CommandException("--key needs --shard", CrawlscopeCli.BadUsage);
            if (parse.GetValue(key) is null && parse.GetValue(url) is null) throw new CommandException("give a URL, or --shard and --key", CrawlscopeCli.BadUsage);
            InspectionReport report;
            try
            {
                report = await inspector.LookupAsync(parse.GetValue(url), parse.GetValue(shard), parse.GetValue(key), ct);
                if (parse.GetValue(links) is { } direction)
                {
                    var listed = await new LinkLister(store, keyer).ListAsync(report.Url, direction == "in" ? LinkDirection.In : LinkDirection.Out,
                        parse.GetValue(limit), parse.GetValue(offset), ct);
                    if (parse.GetValue(json)) CliJson.Write(stdout, listed);
                    else InspectionText.WriteLinks(stdout, report.Url, direction, listed);
                    return CrawlscopeCli.Success;
                }
            }
            catch (InspectionInputException ex)
            {
                throw new CommandException(ex.Message);
            }
            if (parse.GetValue(live))
            {
                if (!keyer.TryIdentify(report.Url, out var identity, out _)) throw new CommandException($"cannot fetch {report.Url}");
                var liveReport = await new LiveInspector(keyer, fetch.Build(parse), inspection)
                    .InspectAsync(identity, await store.BansAsync(ct), ct, renderRequested: parse.GetValue(render) || report.Page?.Rendered == true);
                report = report with { Live = liveReport };
                if (parse.GetValue(screenshot) is { } png && liveReport.ScreenshotPng is { } shot)
                    await File.WriteAllBytesAsync(png.FullName, Convert.FromBase64String(shot), ct);
            }
            if (parse.GetValue(json)) CliJson.Write(stdout, report);
            else
            {
                InspectionText.Write(stdout, report);
                if (report.Live is { } l)
                {
                    stdout.WriteLine();
                    stdout.WriteLine("==================== Live test (fetched now, not stored) ====================");
                    InspectionText.Write(stdout, l);
                    stdout.WriteLine();
                    stdout.WriteLine("Stored vs live");
                    InspectionText.Compare(stdout, report, l);
                }
            }
            return CrawlscopeCli.Success;
        });
        return command;
    }
}
