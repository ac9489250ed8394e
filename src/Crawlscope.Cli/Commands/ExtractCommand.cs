using System.CommandLine;
using Crawlscope.Model;
using Crawlscope.Classification;
using Crawlscope.Extraction;
using Crawlscope.Urls;

namespace Crawlscope.Cli.Commands;

/// <summary><c>crawlscope extract FILE|- --url URL [--content-type TYPE] [--json]</c>: every extracted field of one page.</summary>
internal static class ExtractCommand
{
    private sealed record RobotsJson(bool Noindex, bool Nofollow);
    private sealed record LinksJson(int Count, IReadOnlyList<PageLink> List);
    private sealed record PageTypeJson(string Type, double Confidence, string Signals);
    private sealed record ExtractJson(string Url, string? Title, string? Headline, string? Description, string? Canonical, RobotsJson Robots, string? Lang,
        LinksJson Links, PageTypeJson PageType, string ReadableSource, string BoilerpipeText, string Markdown, string ReadableMarkdown, string ContentHash, string? Simhash,
        int MlSpamScore, IReadOnlyList<SpamSignal> SpamSignals, IReadOnlyDictionary<string, double> SpamFeatures,
        string Encoding, bool Truncated);

    internal static Command Create(TextWriter stdout, TextReader stdin)
    {
        var file = new Argument<string>("file") { Description = "An HTML file, or - for standard input." };
        var url = new Option<string>("--url") { Description = "The page's URL (resolves links and the canonical).", Required = true };
        var contentType = new Option<string?>("--content-type") { Description = "The Content-Type header, for its charset." };
        var json = CommonOptions.Json();
        var scorer = new Option<string>("--readable-scorer")
        {
            Description = "Who picks the readable Markdown's blocks: rules (hand-written, default) or learned (the block scorer).", DefaultValueFactory = _ => "rules",
        };
        scorer.AcceptOnlyFromAmong("rules", "learned");
        var command = new Command("extract", "Extract title, description, canonical, texts, Markdown, links and spam score from a page.")
        {
            file, url, contentType, json, scorer,
        };
        command.SetAction((parse, ct) =>
        {
            if (!WebUrl.TryParse(parse.GetValue(url), null, out var pageUrl, out string? urlError) || pageUrl.Scheme is not ("http" or "https"))
                throw new CommandException($"--url is not a valid http(s) URL ({urlError ?? "unsupported scheme"})", CrawlscopeCli.BadUsage);
            byte[] body = Read(parse.GetValue(file)!, stdin);
            if (LooksBinary(body)) throw new CommandException("the input looks binary, not HTML (it holds NUL bytes)");

            var options = new PageExtractorOptions
            {
                Scorer = parse.GetValue(scorer) == "learned" ? Extraction.MainContent.ReadableScorer.Learned : Extraction.MainContent.ReadableScorer.Rules,
            };
            bool truncated = body.Length > options.MaxHtmlBytes;
            ExtractedPage page;
            try
            {
                // SIGTERM or Ctrl+C stops the extraction inside its walks (a hostile page could otherwise hold on for long).
                page = new PageExtractor(options).Extract(body, pageUrl, parse.GetValue(contentType), cancellation: ct);
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                throw new CommandException("stopped before the page was extracted", CrawlscopeCli.Interrupted);
            }
            var spam = SpamClassifier.Classify(page);
            var report = new ExtractJson(pageUrl.Href, page.Title, page.Headline, page.Description, page.Canonical, new RobotsJson(page.Robots.NoIndex, page.Robots.NoFollow),
                page.Language, new LinksJson(page.Links.Count, page.Links),
                new PageTypeJson(page.PageType!.Name, page.PageType.Confidence, page.PageType.SignalText), page.ReadableSource, page.BoilerpipeText, page.Markdown, page.ReadableMarkdown,
                page.ContentHash, page.SimHash?.ToString("x16"), spam.Level, spam.Signals, spam.Features, $"{page.EncodingName} ({page.EncodingSource}{(page.IgnoredCharset is { } ignored ? $"; ignored charset {ignored}" : "")})", truncated);
            if (parse.GetValue(json))
            {
                CliJson.Write(stdout, report);
                return Task.FromResult(CrawlscopeCli.Success);
            }
            TextTable.Write(stdout,
            [
                ("url", report.Url),
                ("title", report.Title ?? "(none)"),
                ("headline", report.Headline ?? "(none)"),
                ("description", report.Description ?? "(none)"),
                ("canonical", report.Canonical ?? "(none)"),
                ("robots", $"noindex={report.Robots.Noindex.ToString().ToLowerInvariant()} nofollow={report.Robots.Nofollow.ToString().ToLowerInvariant()}"),
                ("lang", report.Lang ?? "(none)"),
                ("links", report.Links.Count.ToString()),
                ("page_type", $"{report.PageType.Type} (confidence {report.PageType.Confidence:0.00}; {report.PageType.Signals})"),
                ("readable_source", report.ReadableSource),
                ("encoding", report.Encoding + (truncated ? $", over {options.MaxHtmlBytes / 1024 / 1024} MiB: parsed without its scripts' and styles' contents, and cut at that if still over" : "")),
                ("content_hash", report.ContentHash),
                ("simhash", report.Simhash ?? "(none)"),
                ("ml_spam_score", spam.Level + (spam.Signals.Count > 0 ? " (" + string.Join(", ", spam.Signals.Select(s => s.Name)) + ")" : "")),
            ]);
            Section(stdout, "Boilerpipe Text", report.BoilerpipeText);
            Section(stdout, "Readable Markdown", report.ReadableMarkdown);
            Section(stdout, "Markdown", report.Markdown);
            return Task.FromResult(CrawlscopeCli.Success);
        });
        return command;
    }

    private static void Section(TextWriter output, string name, string text)
    {
        output.WriteLine();
        output.WriteLine($"== {name} ({text.Length} chars)");
        output.WriteLine(text.TrimEnd());
    }

    private static byte[] Read(string path, TextReader stdin)
    {
        if (path == "-")
        {
            using var ms = new MemoryStream();
            if (stdin == Console.In) Console.OpenStandardInput().CopyTo(ms);
            else ms.Write(System.Text.Encoding.UTF8.GetBytes(stdin.ReadToEnd()));
            return ms.ToArray();
        }
        if (!File.Exists(path)) throw new CommandException($"file not found: {path}");
        return File.ReadAllBytes(path);
    }

    private static bool LooksBinary(byte[] body)
    {
        if (body.Length >= 2 && ((body[0] == 0xFF && body[1] == 0xFE) || (body[0] == 0xFE && body[1] == 0xFF))) return false; // UTF-16
        int n = Math.Min(body.Length, 4096);
        for (int i = 0; i < n; i++)
            if (body[i] == 0) return true;
        return false;
    }
}
