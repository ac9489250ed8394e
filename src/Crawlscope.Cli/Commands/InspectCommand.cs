using System.CommandLine;
using Crawlscope.Inspection;
using Crawlscope.Storage;
using Crawlscope.Urls;

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
        var db = CommonOptions.Db();
        var json = CommonOptions.Json();
        var maxAge = new Option<int>("--max-age-months") { Description = "Age cut-off of the indexability filter.", DefaultValueFactory = _ => 6 };
        var shards = CommonOptions.Shards();
        var live = new Option<bool>("--live") { Description = "Also fetch the URL now (same robots and SSRF rules), extract and filter it, and show that next to the stored result; stores nothing." };
        var fetch = new FetchCliOptions();
        var command = new Command("inspect", "Explain what the crawler knows about a URL: five checks with their queries, badges, filters, page details.")
        {
            url, shard, key, db, json, maxAge, shards, live,
        };
        foreach (var option in fetch.All) command.Options.Add(option);
        command.SetAction(async (parse, ct) =>
        {
            string path = parse.GetValue(db)!;
            if (!File.Exists(path)) throw new CommandException($"no crawl store at {path}");
            var keyer = new UrlKeyer(PublicSuffixList.Default, UrlNormalizer.Default, parse.GetValue(shards));
            await using var store = await SqliteCrawlStore.OpenAsync(path, ct);
            var inspection = new InspectionOptions { MaxAgeMonths = parse.GetValue(maxAge) };
            var inspector = new UrlInspector(store, keyer, inspection);
            if (parse.GetValue(key) is not null && parse.GetValue(shard) is null) throw new CommandException("--key needs --shard", CrawlscopeCli.BadUsage);
            if (parse.GetValue(key) is null && parse.GetValue(url) is null) throw new CommandException("give a URL, or --shard and --key", CrawlscopeCli.BadUsage);
            InspectionReport report;
            try
            {
                report = await inspector.LookupAsync(parse.GetValue(url), parse.GetValue(shard), parse.GetValue(key), ct);
            }
            catch (InspectionInputException ex)
            {
                throw new CommandException(ex.Message);
            }
            if (parse.GetValue(live))
            {
                if (!keyer.TryIdentify(report.Url, out var identity, out _)) throw new CommandException($"cannot fetch {report.Url}");
                var liveReport = await new LiveInspector(keyer, fetch.Build(parse), inspection).InspectAsync(identity, await store.BansAsync(ct), ct);
                report = report with { Live = liveReport };
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

/// <summary>The report laid out as the seed's inspector page, in plain text; long fields shortened with their length noted.</summary>
internal static class InspectionText
{
    internal static void Write(TextWriter o, InspectionReport r)
    {
        o.WriteLine("Crawler Inspector");
        o.WriteLine($"URL: {r.Url}");
        o.WriteLine($"{r.Summary}");
        o.WriteLine();
        o.WriteLine("Raw Queries and Responses");
        int n = 1;
        foreach (var c in r.Checks)
        {
            o.WriteLine();
            o.WriteLine($"{n++}. {c.Name}{(c.Skipped ? "" : $" ({c.ElapsedMs:F2} ms)")}");
            if (c.Skipped)
            {
                o.WriteLine($"   {c.Result}");
                continue;
            }
            o.WriteLine("   Query:");
            foreach (var line in c.Query.Split('\n')) o.WriteLine("     " + line);
            o.WriteLine("   Response:");
            foreach (var line in (c.Response.Length == 0 ? "(no rows)" : Shorten(c.Response, 600)).Split('\n')) o.WriteLine("     " + line);
            o.WriteLine($"   => {c.Result}");
        }
        o.WriteLine();
        var b = r.Badges;
        o.WriteLine($"[{b.Indexable}]  [{b.Crawled}{(b.CrawledAt is { } at ? " " + RelativeTime.Ago(at, DateTimeOffset.UtcNow) : "")}]  [ROBOTS {b.Robots}]");
        if (r.Filters.Count > 0)
        {
            o.WriteLine();
            o.WriteLine("Page Info Filters");
            int w1 = r.Filters.Max(f => f.Name.Length), w3 = r.Filters.Max(f => f.Condition.Length);
            o.WriteLine($"{"Filter".PadRight(w1)}  Status  {"Condition".PadRight(w3)}  Details");
            foreach (var f in r.Filters) o.WriteLine($"{f.Name.PadRight(w1)}  {f.Status,-6}  {f.Condition.PadRight(w3)}  {f.Details}");
        }
        if (r.Page is { } p)
        {
            o.WriteLine();
            o.WriteLine("Page Details");
            TextTable.Write(o,
            [
                ("URL", p.Url),
                ("Last Crawled", p.LastCrawled is { } lc ? $"{lc:yyyy-MM-dd HH:mm:ss} ({p.LastCrawledAgo})" : "never"),
                ("First Indexed", p.FirstIndexed is { } fi ? $"{fi:yyyy-MM-dd HH:mm:ss} ({p.FirstIndexedAgo})" : "never"),
                ("HTTP Status Code", p.HttpStatus?.ToString() ?? "none"),
                ("Meta Title", p.MetaTitle ?? "null"),
                ("Meta Description", p.MetaDescription ?? "null"),
                ("Meta Canonical", p.MetaCanonical ?? "null"),
                ("Boilerpipe Text", Shorten(p.BoilerpipeText, 300)),
                ("Markdown", Shorten(p.Markdown, 300)),
                ("Readable Markdown", Shorten(p.ReadableMarkdown, 300)),
                ("Shard", $"{p.Shard} ({r.ShardNode})"),
                ("Root Hash", p.RootHash.ToString()),
                ("Unparsed URL", p.UnparsedUrl),
                ("Content Type", p.ContentType ?? "null"),
                ("Outlinks / Inlinks", $"{p.Outlinks} / {p.Inlinks}"),
                ("Referring Pages", p.ReferringPages.Count == 0 ? "none" : string.Join(", ", p.ReferringPages.Take(5))),
                ("Sitemaps", p.Sitemaps.Count == 0 ? "none" : string.Join(", ", p.Sitemaps)),
                ("Redirect Chain", p.RedirectChain.Count == 0 ? "none" : string.Join(" | ", p.RedirectChain)),
                ("Duplicate Of", p.DuplicateOf ?? "none"),
                ("Near-duplicates", p.NearDuplicates.Count == 0 ? "none" : string.Join(", ", p.NearDuplicates)),
                ("Crawl History", string.Join("; ", p.CrawlHistory.Take(5).Select(h => $"{h.Stamp:yyyy-MM-dd HH:mm:ss} {h.HttpStatus?.ToString() ?? h.FailureReason}"))),
            ]);
        }
    }

    /// <summary>Where the stored and the live result differ, one line each.</summary>
    internal static void Compare(TextWriter o, InspectionReport stored, InspectionReport live)
    {
        var rows = new List<(string, string?, string?)>
        {
            ("Indexable", stored.Badges.Indexable, live.Badges.Indexable),
            ("Robots", stored.Badges.Robots, live.Badges.Robots),
            ("HTTP Status Code", stored.Page?.HttpStatus?.ToString() ?? stored.Page?.FailureReason, live.Page?.HttpStatus?.ToString() ?? live.Page?.FailureReason),
            ("Meta Title", stored.Page?.MetaTitle, live.Page?.MetaTitle),
            ("Meta Description", stored.Page?.MetaDescription, live.Page?.MetaDescription),
            ("Meta Canonical", stored.Page?.MetaCanonical, live.Page?.MetaCanonical),
            ("Readable Markdown", Shorten(stored.Page?.ReadableMarkdown, 60), Shorten(live.Page?.ReadableMarkdown, 60)),
        };
        foreach (var f in live.Filters)
            rows.Add(("Filter " + f.Name, stored.Filters.FirstOrDefault(s => s.Name == f.Name)?.Status, f.Status));
        foreach (var (name, a, b) in rows)
            o.WriteLine($"  {(a == b ? " " : "*")} {name,-26} stored: {a ?? "null"}  |  live: {b ?? "null"}");
    }

    private static string Shorten(string? s, int max)
    {
        if (s is null) return "null";
        string flat = s.ReplaceLineEndings(" ");
        return flat.Length <= max ? flat : flat[..max] + $"… ({s.Length} chars in all)";
    }
}
