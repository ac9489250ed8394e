using System.CommandLine;
using Crawlscope.Archiving;
using Crawlscope.Crawling;
using Crawlscope.Extraction;
using Crawlscope.Storage;
using Crawlscope.Urls;

namespace Crawlscope.Cli.Commands;

/// <summary>
/// <c>crawlscope import-warc FILE... [--db PATH]</c>: pages from WARC files (ours and others') into the store,
/// extracted as a crawl would, so an existing archive can be inspected. Bad records are reported with their
/// offset and skipped; the exit code is 1 when any was.
/// </summary>
internal static class ImportWarcCommand
{
    internal static Command Create(TextWriter stdout, TextWriter stderr)
    {
        var files = new Argument<FileInfo[]>("file") { Description = "WARC files (.warc, .warc.gz).", Arity = ArgumentArity.OneOrMore };
        var storeOptions = new StoreOptions();
        var extract = new Option<string>("--extract") { Description = "full (every field) or none (metadata, links, content hash and spam score; no boilerpipe, Markdown, readable text or near-duplicates).", DefaultValueFactory = _ => "full" };
        extract.AcceptOnlyFromAmong("full", "none");
        var shards = CommonOptions.Shards();
        var command = new Command("import-warc", "Load the responses of WARC files into the store, extracting every page as a crawl would.") { files, extract, shards };
        storeOptions.AddTo(command);
        command.SetAction(async (parse, ct) =>
        {
            var keyer = new UrlKeyer(PublicSuffixList.Default, UrlNormalizer.Default, parse.GetValue(shards));
            var options = new CrawlOptions { Extract = parse.GetValue(extract) == "none" ? ExtractionParts.Metadata : ExtractionParts.All };
            using var crawlLock = storeOptions.Cluster(parse) is null ? CrawlLock.Acquire(parse.GetValue(storeOptions.Db)!) : null;
            await using var store = await storeOptions.OpenAsync(parse, keyer, ct, create: true);
            var import = new WarcImport(store, keyer, options);
            int failed = 0;
            foreach (var file in parse.GetValue(files)!)
            {
                if (!file.Exists)
                {
                    stderr.WriteLine($"crawlscope: {file.FullName}: no such file");
                    failed++;
                    continue;
                }
                var result = await import.ImportAsync(file.FullName, line => stderr.WriteLine(line), ct);
                foreach (var e in result.Errors) stderr.WriteLine($"crawlscope: {file.Name}: record at byte {e.Offset}: {e.Message}");
                stdout.WriteLine($"{file.Name}: {result.Records:N0} records, {result.Pages:N0} pages stored, {result.Skipped:N0} other records skipped, {result.Errors.Count} errors");
                failed += result.Errors.Count;
            }
            return failed == 0 ? CrawlscopeCli.Success : CrawlscopeCli.Failure;
        });
        return command;
    }
}
