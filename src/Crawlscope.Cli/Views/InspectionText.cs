using System.CommandLine;
using Crawlscope.Inspection;
using Spectre.Console;

namespace Crawlscope.Cli.Views;

/// <summary>
/// The report laid out as the seed's inspector page with Spectre.Console tables; long fields shortened with
/// their length noted. Crawled text is printed as plain text (never as Spectre markup) with control
/// characters replaced, so a page cannot move the cursor or recolour the terminal.
/// </summary>
internal static class InspectionText
{
    internal static void WriteLinks(TextWriter o, string url, string direction, IReadOnlyList<LinkView> links)
    {
        o.WriteLine($"{(direction == "in" ? "pages linking to" : "links of")} {Safe(url)}: {links.Count}");
        foreach (var l in links)
            o.WriteLine($"  {(l.Followed ? "followed" : "not followed" + (l.Reason is null ? "" : $" ({l.Reason})")),-28} {l.TargetState,-18} {Safe(l.Url)}" +
                (l.Rel.Length > 0 ? $" [{l.Rel}]" : "") + (l.Anchor.Length > 0 ? $" \"{Shorten(l.Anchor, 80, flatten: true)}\"" : ""));
    }

    internal static void Write(TextWriter o, InspectionReport r)
    {
        var console = ConsoleFor(o);
        console.Write(new Rule("[bold]🕷️ Crawler Inspector[/]").LeftJustified());
        var v = r.Verdict;
        console.Write(new Text($"{(v.Indexable ? "INDEXED" : "NOT INDEXED")}: {v.Label} [{Vocabulary.StoreNames.Of(v.Reason)}]\n",
            new Style(v.Indexable ? Color.Green : Color.Red, decoration: Decoration.Bold)));
        console.Write(new Text($"  {Safe(v.Evidence)}\n" + (v.Condition is null ? "" : $"  decided by: {v.Condition}\n") +
            string.Concat(v.OtherReasons.Select(o => $"  also: {o.Label} [{Vocabulary.StoreNames.Of(o.Reason)}]: {Safe(o.Evidence)}\n"))));
        console.Write(new Text($"URL: {Safe(r.Url)}\n{Safe(r.Summary)}\n\n"));
        console.Write(new Rule("Raw Queries and Responses").LeftJustified());
        int n = 1;
        foreach (var c in r.Checks)
        {
            var body = new Grid().AddColumn();
            if (c.Skipped) body.AddRow(new Text("ℹ️ " + c.Result));
            else
            {
                body.AddRow(new Text("Query:", new Style(decoration: Decoration.Bold)));
                body.AddRow(new Text(Safe(c.Query)));
                body.AddRow(new Text("Response:", new Style(decoration: Decoration.Bold)));
                body.AddRow(new Text(c.Response.Length == 0 ? "(no rows)" : Shorten(c.Response, 600, flatten: false)));
                body.AddRow(new Text("=> " + Safe(c.Result)));
            }
            console.Write(new Panel(body) { Header = new PanelHeader($"{n++}. {c.Name}{(c.Skipped ? "" : $" ({c.ElapsedMs:F2} ms)")}"), Expand = true });
        }
        var b = r.Badges;
        console.Write(new Text($"\n[📄 {b.IndexableLabel}]  [✅ {b.CrawledLabel}{(b.CrawledAt is { } at ? " " + RelativeTime.Ago(at, DateTimeOffset.UtcNow) : "")}]  [🤖 ROBOTS {b.RobotsLabel}]\n\n",
            new Style(decoration: Decoration.Bold)));
        if (r.Filters.Count > 0)
        {
            var filters = new Table { Title = new TableTitle("Page Info Filters") }.AddColumns("Filter", "Status", "Condition", "Details");
            foreach (var f in r.Filters)
                filters.AddRow(new Text(f.Name), new Text(f.Label, new Style(f.Passes ? Color.Green : Color.Red)), new Text(f.Condition), new Text(Safe(f.Details)));
            console.Write(filters);
        }
        if (r.Page is { } p) console.Write(Details(r, p));
        if (r.Page is { RenderReason: not null } rp) console.Write(Rendered(rp));
    }

    /// <summary>Why the page was rendered or not, raw against rendered, and the requests it made.</summary>
    private static Table Rendered(PageDetails p)
    {
        var table = new Table { Title = new TableTitle("Rendered Page") }.AddColumns("Property", "Value");
        var a = p.Render;
        string reason = a?.Reason ?? p.RenderReason!;
        string described = Vocabulary.StoreNames.TryParse<Vocabulary.RenderReason>(reason, out var known) ? Rendering.RenderPolicy.Describe(known) : reason;
        var rows = new List<(string, string)> { ("Rendered", p.Rendered ? $"yes, in {a?.RenderMs:N0} ms" : "no"), ("Why", $"{reason}: {described}") };
        if (a is not null)
        {
            if (a.ShellSignal is { } signal) rows.Add(("Shell signal", signal));
            if (a.Failure is { } failure) rows.Add(("Render failure", failure));
            string Side(Rendering.RenderSide? s) => s is null ? "none" : $"{s.Bytes:N0} bytes, {s.Words:N0} words, {s.Links:N0} links, {s.ReadableChars:N0} readable characters";
            rows.Add(("As fetched", Side(a.Raw)));
            rows.Add(("As rendered", Side(a.RenderedPage)));
            rows.Add(("Links only rendered", a.LinksOnlyRenderedCount == 0 ? "none" : $"{a.LinksOnlyRenderedCount}: {string.Join(", ", a.LinksOnlyRendered.Take(5))}"));
            rows.Add(("Requests", $"{a.SubrequestsFetched} fetched; " + (a.SubrequestsRefused.Count == 0 ? "none refused" : string.Join(", ", a.SubrequestsRefused.Select(r => $"{r.Value} refused ({r.Key})")))));
            foreach (var r in a.Resources.Take(10))
                rows.Add(("  " + r.Type, $"{r.Url} → {(r.Status is { } status ? status.ToString(System.Globalization.CultureInfo.InvariantCulture) : $"refused: {r.Refused} ({r.Detail})")}"));
            if (a.Console.Count > 0) rows.Add(("Console", string.Join(" | ", a.Console.Take(5).Select(c => $"{c.Type}: {c.Text}"))));
        }
        foreach (var (name, value) in rows) table.AddRow(new Text(name, new Style(decoration: Decoration.Bold)), new Text(Safe(value)));
        return table;
    }

    private static Table Details(InspectionReport r, PageDetails p)
    {
        var details = new Table { Title = new TableTitle("Page Details") }.AddColumns("Property", "Value");
        foreach (var (name, value) in new (string, string)[]
                 {
                     ("URL", p.Url),
                     ("Last Crawled", p.LastCrawled is { } lc ? $"{lc:yyyy-MM-dd HH:mm:ss} ({p.LastCrawledAgo})" : "never"),
                     ("First Indexed", p.FirstIndexed is { } fi ? $"{fi:yyyy-MM-dd HH:mm:ss} ({p.FirstIndexedAgo})" : "never"),
                     ("HTTP Status Code", p.HttpStatus?.ToString() ?? p.FailureReason ?? "none"),
                     ("Meta Title", p.MetaTitle ?? "null"),
                     ("Meta Description", p.MetaDescription ?? "null"),
                     ("Meta Canonical", p.MetaCanonical ?? "null"),
                     ("Boilerpipe Text", Shorten(p.BoilerpipeText, 300)),
                     ("Markdown", Shorten(p.Markdown, 300)),
                     ("Readable Markdown", Shorten(p.ReadableMarkdown, 300)),
                     ("Page Type", p.PageType is null ? "none" : $"{p.PageType}{(p.PageTypeConfidence is { } c ? $" ({c} % confident)" : "")}"),
                     ("Shard", $"{p.Shard} ({r.ShardNode})"),
                     ("Root Hash", p.RootHash.ToString()),
                     ("Unparsed URL", p.UnparsedUrl),
                     ("Content Type", p.ContentType ?? "null"),
                     ("Failure / Drop Reason", $"{p.FailureReason ?? "none"} / {p.HistoryDropReason ?? "none"}"),
                     ("Outlinks / Inlinks", $"{p.Outlinks} / {p.Inlinks}"),
                     ("Referring Pages", p.ReferringPages.Count == 0 ? "none" : string.Join(", ", p.ReferringPages.Take(5))),
                     ("Sitemaps", p.Sitemaps.Count == 0 ? "none" : string.Join(", ", p.Sitemaps)),
                     ("Redirect Chain", p.RedirectChain.Count == 0 ? "none" : string.Join(" | ", p.RedirectChain)),
                     ("Duplicate Of", p.DuplicateOf ?? "none"),
                     ("Near-duplicates", p.NearDuplicates.Count == 0 ? "none" : string.Join(", ", p.NearDuplicates)),
                     ("Crawl History", string.Join("; ", p.CrawlHistory.Take(5).Select(h => $"{h.Stamp:yyyy-MM-dd HH:mm:ss} {h.HttpStatus?.ToString() ?? h.FailureReason}"))),
                 })
            details.AddRow(new Text(name, new Style(decoration: Decoration.Bold)), new Text(Safe(value)));
        return details;
    }

    /// <summary>Where the stored and the live result differ, one line each.</summary>
    internal static void Compare(TextWriter o, InspectionReport stored, InspectionReport live)
    {
        var rows = new List<(string, string?, string?)>
        {
            ("Indexable", stored.Badges.IndexableLabel, live.Badges.IndexableLabel),
            ("Robots", stored.Badges.RobotsLabel, live.Badges.RobotsLabel),
            ("HTTP Status Code", stored.Page?.HttpStatus?.ToString() ?? stored.Page?.FailureReason, live.Page?.HttpStatus?.ToString() ?? live.Page?.FailureReason),
            ("Meta Title", stored.Page?.MetaTitle, live.Page?.MetaTitle),
            ("Meta Description", stored.Page?.MetaDescription, live.Page?.MetaDescription),
            ("Meta Canonical", stored.Page?.MetaCanonical, live.Page?.MetaCanonical),
            ("Readable Markdown", Shorten(stored.Page?.ReadableMarkdown, 60), Shorten(live.Page?.ReadableMarkdown, 60)),
            ("Page Type", stored.Page?.PageType, live.Page?.PageType),
        };
        foreach (var f in live.Filters)
            rows.Add(("Filter " + f.Name, stored.Filters.FirstOrDefault(s => s.Name == f.Name)?.Label, f.Label));
        foreach (var (name, a, b) in rows)
            o.WriteLine($"  {(a == b ? " " : "*")} {name,-26} stored: {Safe(a ?? "null")}  |  live: {Safe(b ?? "null")}");
    }

    /// <summary>A console writing to <paramref name="o"/>: colours on a terminal, plain and wide otherwise, so
    /// keys and URLs are not wrapped in files and pipes.</summary>
    private static IAnsiConsole ConsoleFor(TextWriter o)
    {
        bool terminal = ReferenceEquals(o, Console.Out) && !Console.IsOutputRedirected;
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(o),
            Ansi = terminal ? AnsiSupport.Detect : AnsiSupport.No,
            ColorSystem = terminal ? ColorSystemSupport.Detect : ColorSystemSupport.NoColors,
            Interactive = InteractionSupport.No,
        });
        if (!terminal) console.Profile.Width = 200;
        return console;
    }

    /// <summary>Control characters of crawled text (ESC and the rest of C0 and C1, except newline and tab) become U+FFFD.</summary>
    internal static string Safe(string s)
    {
        if (!s.Any(c => char.IsControl(c) && c is not '\n' and not '\t')) return s;
        return string.Create(s.Length, s, (span, src) =>
        {
            for (int i = 0; i < src.Length; i++) span[i] = char.IsControl(src[i]) && src[i] is not '\n' and not '\t' ? '\uFFFD' : src[i];
        });
    }

    private static string Shorten(string? s, int max, bool flatten = true)
    {
        if (s is null) return "null";
        string flat = Safe(flatten ? s.ReplaceLineEndings(" ") : s);
        return flat.Length <= max ? flat : flat[..max] + $"… ({s.Length} chars in all)";
    }
}
