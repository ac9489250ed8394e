using System.CommandLine;
using Crawlscope.Model;
using Crawlscope.Vocabulary;
using System.Diagnostics;
using System.Globalization;
using Crawlscope.Export;
using Crawlscope.Inspection;
using Crawlscope.Urls;

namespace Crawlscope.Cli.Commands;

/// <summary>
/// <c>crawlscope export --format warc|wet|jsonl|parquet --out PATH [--db PATH] [--where indexable|all] [--since DATE]
/// [--fields a,b] [--text readable|boilerpipe|markdown]</c>: stored pages out, streamed.
/// </summary>
internal static class ExportCommand
{
    internal static Command Create(TextWriter stdout, TextWriter stderr)
    {
        var format = new Option<string>("--format") { Description = "warc (metadata and text records; responses are archived by crawl --warc), wet (Common Crawl's plain-text WARC), jsonl or parquet.", Required = true };
        format.AcceptOnlyFromAmong("warc", "wet", "jsonl", "parquet");
        var output = new Option<string>("--out") { Description = "The file to write (- for standard output, jsonl only); WARC and WET records are gzipped when its name ends in .gz.", Required = true };
        var storeOptions = new StoreOptions();
        var shards = CommonOptions.Shards();
        var where = new Option<string>("--where")
        {
            Description = "all pages; indexable or not-indexable (the inspector's filters); or reason=NAME, the pages whose primary reason is NAME (" +
                          string.Join(", ", IndexingReasons.PageReasons.Append(IndexingReason.Indexed).Select(r => StoreNames.Of(r))) + ").",
            DefaultValueFactory = _ => "all",
        };
        where.Validators.Add(r =>
        {
            string value = r.GetValueOrDefault<string>() ?? "all";
            if (value is "all" or "indexable" or "not-indexable") return;
            if (value.StartsWith("reason=", StringComparison.Ordinal) && StoreNames.TryParse<IndexingReason>(value["reason=".Length..], out var reason)
                && reason is not (IndexingReason.Unknown or IndexingReason.Queued)) return;
            r.AddError($"--where must be all, indexable, not-indexable or reason=NAME with NAME one of {string.Join(", ", IndexingReasons.PageReasons.Append(IndexingReason.Indexed).Select(x => StoreNames.Of(x)))}");
        });
        var host = new Option<string?>("--host") { Description = "Only this host's pages (www.example.com)." };
        var site = new Option<string?>("--site") { Description = "Only this registrable domain's pages (example.com, its hosts together)." };
        var since = new Option<string?>("--since") { Description = "Only pages fetched at or after this date (ISO 8601, UTC unless an offset is given)." };
        var fields = new Option<string?>("--fields") { Description = $"Comma-separated fields for jsonl and parquet (default all: {string.Join(",", PageExport.Fields)})." };
        var text = new Option<string>("--text") { Description = "The text of WET records.", DefaultValueFactory = _ => "readable" };
        text.AcceptOnlyFromAmong("readable", "boilerpipe", "markdown");
        var maxAge = CommonOptions.MaxAgeMonths();
        var command = new Command("export", "Export stored pages as WARC, WET, JSON Lines or Parquet, streamed (memory stays flat).")
        {
            format, output, where, since, fields, text, maxAge, shards, host, site,
        };
        storeOptions.AddTo(command);
        command.SetAction(async (parse, ct) =>
        {
            DateTimeOffset? from = Since(parse.GetValue(since));
            var chosen = Fields(parse.GetValue(fields));
            string target = parse.GetValue(output)!;
            string kind = parse.GetValue(format)!;
            if (target == "-" && kind != "jsonl") throw new CommandException("only jsonl can go to standard output", CrawlscopeCli.BadUsage);

            var inspection = new InspectionOptions { MaxAgeMonths = parse.GetValue(maxAge) };
            string chosenWhere = parse.GetValue(where) ?? "all";
            var selection = new ExportSelection(chosenWhere == "indexable", from, inspection.MaxAgeMonths)
            {
                NotIndexableOnly = chosenWhere == "not-indexable",
                Reason = chosenWhere.StartsWith("reason=", StringComparison.Ordinal) ? StoreNames.Parse<IndexingReason>(chosenWhere["reason=".Length..]) : null,
                Host = parse.GetValue(host)?.Trim().ToLowerInvariant(),
                Site = parse.GetValue(site)?.Trim().ToLowerInvariant(),
            };
            var exportText = parse.GetValue(text) switch { "boilerpipe" => ExportText.Boilerpipe, "markdown" => ExportText.Markdown, _ => ExportText.Readable };

            await using var store = await storeOptions.OpenAsync(parse, new UrlKeyer(PublicSuffixList.Default, UrlNormalizer.Default, parse.GetValue(shards)), ct);
            var (condition, parameters) = PageExport.Condition(selection, UrlInspector.IndexabilityConditions(store, inspection), store.Queries);
            var context = new ExportContext((await store.BansAsync(ct)).Select(b => b.Name).ToHashSet(StringComparer.OrdinalIgnoreCase), DateTimeOffset.UtcNow,
                inspection.MaxAgeMonths);
            Stream stream = target == "-" ? Console.OpenStandardOutput() : new FileStream(target, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16, useAsync: true);
            await using (stream)
            {
                IPageExportWriter writer = kind switch
                {
                    "wet" => new WetExportWriter(stream, Path.GetFileName(target), exportText),
                    "warc" => new WarcExportWriter(stream, Path.GetFileName(target), chosen, exportText, context: context),
                    "parquet" => new ParquetExportWriter(stream, chosen, context),
                    _ => new JsonlExportWriter(stream, chosen, context),
                };
                var sw = Stopwatch.StartNew();
                long read;
                await using (writer) read = await CopyAsync(store.PagesAsync(condition, parameters, ct), writer, stderr, ct);
                if (target != "-")
                    stdout.WriteLine($"exported {writer.Count:N0} of {read:N0} selected pages as {kind} to {target} in {sw.Elapsed.TotalSeconds:F1} s");
                if (writer is WarcFileExportWriter { LeftOut.Count: > 0 } warc)
                    stdout.WriteLine($"left out {warc.LeftOut.Values.Sum():N0}: " + string.Join(", ", warc.LeftOut.OrderByDescending(r => r.Value).Select(r => $"{r.Value:N0} {r.Key}")));
            }
            return CrawlscopeCli.Success;
        });
        return command;
    }

    private static DateTimeOffset? Since(string? text)
    {
        if (text is null) return null;
        return DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var parsed)
            ? parsed : throw new CommandException($"--since: not a date: {text}", CrawlscopeCli.BadUsage);
    }

    private static IReadOnlyList<string> Fields(string? text)
    {
        try
        {
            return PageExport.SelectFields(text?.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        }
        catch (ArgumentException ex)
        {
            throw new CommandException("--fields: " + ex.Message, CrawlscopeCli.BadUsage);
        }
    }

    /// <summary>Writes every selected page, saying how far it got every two seconds; returns how many were read.</summary>
    private static async Task<long> CopyAsync(IAsyncEnumerable<PageRecord> pages, IPageExportWriter writer, TextWriter stderr, CancellationToken ct)
    {
        var sw = Stopwatch.StartNew();
        long read = 0;
        var nextReport = TimeSpan.FromSeconds(2);
        await foreach (var page in pages.WithCancellation(ct))
        {
            await writer.WriteAsync(page, ct);
            read++;
            if (sw.Elapsed < nextReport) continue;
            stderr.WriteLine($"export: {read:N0} pages read, {writer.Count:N0} written, {sw.Elapsed.TotalSeconds:F0} s");
            nextReport = sw.Elapsed + TimeSpan.FromSeconds(2);
        }
        return read;
    }
}
