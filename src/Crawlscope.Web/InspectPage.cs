using System.Globalization;
using Crawlscope.Inspection;

namespace Crawlscope.Web;

/// <summary>
/// The report as a web page, laid out like the seed: raw queries and responses, badges, page info filters,
/// page details. It only renders the <see cref="InspectionReport"/>; every decision was made by the engine.
/// </summary>
/// <summary>The first links of a page each way, as the report shows them.</summary>
internal sealed record PageLinks(IReadOnlyList<LinkView> Out, IReadOnlyList<LinkView> In);

internal static class InspectPage
{
    /// <summary>Fields longer than this are shown shortened, with the whole text one click away.</summary>
    private const int PreviewChars = 300;
    /// <summary>At most this much of a field goes into the page, and this much of Markdown is rendered: a page of
    /// megabytes of Markdown would otherwise cost seconds of CPU and megabytes on every view. The whole text is a
    /// link away (<c>/inspect/text</c>).</summary>
    private const int FullTextChars = 200_000, RenderedChars = 64_000;

    /// <param name="notice">What an operator's action just did, shown above the report.</param>
    /// <param name="actions">The operator's forms for this report (a running crawl only), shown after the badges.</param>
    /// <param name="links">The page's first outlinks and inlinks, shown after the details.</param>
    /// <param name="home">What the home page shows under the lookup forms.</param>
    internal static string Render(string? url, int? shard, string? key, InspectionReport? report, string? error, string? notice = null,
        Action<HtmlBuilder>? actions = null, PageLinks? links = null, Action<HtmlBuilder>? home = null) =>
        PageLayout.Render(report is null ? "Crawler Inspector" : $"Crawler Inspector: {report.Url}", h =>
        {
            PageLayout.LookupForms(h, url ?? (key is null ? report?.Url : null), shard, key);
            if (error is not null) h.Element("p", error, ("class", "error"), ("id", "error"), ("role", "alert"));
            if (notice is not null) h.Element("p", notice, ("class", "notice"), ("id", "notice"), ("role", "status"));
            if (report is not null) Report(h, report, actions, links);
            home?.Invoke(h);
        });

    /// <summary>The primary reason, large, with its evidence, the store's condition that decided it, and the other
    /// reasons that hold too. Every text is the report's (crawled content among it), encoded by the builder.</summary>
    private static void Verdict(HtmlBuilder h, Verdict v)
    {
        h.Tag("section", ("id", "verdict"), ("class", v.Indexable ? "verdict pass" : "verdict fail"), ("data-reason", Vocabulary.StoreNames.Of(v.Reason)))
            .Element("h2", (v.Indexable ? "✅ " : "⛔ ") + v.Label, ("id", "verdict-label"))
            .Element("p", v.Evidence, ("id", "verdict-evidence"), ("class", "evidence"));
        if (v.Condition is not null)
            h.Tag("p", ("class", "decided-by")).Text("Decided by ").Element("code", v.Condition, ("id", "verdict-condition")).End("p");
        if (v.OtherReasons.Count > 0)
        {
            h.Tag("p", ("class", "other-reasons-title")).Text("Also:").End("p").Tag("ul", ("id", "other-reasons"));
            foreach (var o in v.OtherReasons)
                h.Tag("li", ("data-reason", Vocabulary.StoreNames.Of(o.Reason))).Element("strong", o.Label).Text(": " + o.Evidence).End("li");
            h.End("ul");
        }
        h.End("section");
    }

    private static void Report(HtmlBuilder h, InspectionReport r, Action<HtmlBuilder>? actions, PageLinks? links)
    {
        Verdict(h, r.Verdict);
        h.Tag("p", ("class", "summary"), ("id", "summary")).Text(r.Summary).End("p");

        var b = r.Badges;
        h.Tag("section", ("id", "badges"), ("class", "badges"))
            .Element("span", "📄 " + b.IndexableLabel, ("id", "badge-indexable"), ("class", b.Indexable ? "badge pass" : "badge fail"))
            .Element("span", (b.Crawled ? "✅ " : "⏸ ") + b.CrawledLabel + (b.CrawledAt is { } at ? " " + RelativeTime.Ago(at, DateTimeOffset.UtcNow) : ""),
                ("id", "badge-crawled"), ("class", b.Crawled ? "badge pass" : "badge neutral"))
            .Element("span", "🤖 ROBOTS " + b.RobotsLabel, ("id", "badge-robots"), ("class", b.RobotsAllowed switch { true => "badge pass", false => "badge fail", null => "badge neutral" }))
            .End("section");
        actions?.Invoke(h);

        // The evidence behind the verdict, one click away: every query as sent and its raw answer.
        h.Tag("details", ("id", "checks")).Element("summary", "Raw Queries and Responses");
        for (int i = 0; i < r.Checks.Count; i++)
        {
            var c = r.Checks[i];
            h.Tag("article", ("class", "check"), ("data-check", c.Name))
                .Tag("h3").Text($"{i + 1}. {c.Name}");
            if (!c.Skipped) h.Tag("span", ("class", "elapsed")).Text($"{c.ElapsedMs.ToString("F2", CultureInfo.InvariantCulture)} ms").End("span");
            h.End("h3");
            if (c.Skipped)
            {
                h.Element("p", "ℹ️ " + c.Result, ("class", "skipped"));
            }
            else
            {
                Block(h, "Query:", c.Query, $"q{i}", "query");
                Block(h, "Response:", c.Response.Length == 0 ? "(no rows)" : c.Response, $"r{i}", "response");
                h.Element("p", c.Result, ("class", "result"));
            }
            h.End("article");
        }
        h.End("details");

        if (r.Filters.Count > 0)
        {
            h.Tag("section", ("id", "filters")).Element("h2", "Page Info Filters")
                .Tag("table").Tag("thead").Tag("tr").Element("th", "Filter").Element("th", "Status").Element("th", "Condition").Element("th", "Details").End("tr").End("thead").Tag("tbody");
            foreach (var f in r.Filters)
            {
                h.Tag("tr", ("data-filter", f.Name)).Element("td", f.Name)
                    .Element("td", f.Label, ("class", f.Passes ? "status pass" : "status fail"))
                    .Tag("td").Element("code", f.Condition).End("td")
                    .Element("td", f.Details).End("tr");
            }
            h.End("tbody").End("table").End("section");
        }

        if (r.Live is { } live) Live(h, r, live);
        if (r.Page is { } p) Details(h, r, p);
        if (r.Page is { } rp) RenderedSection(h, rp, null, "render");
        if (links is not null) Links(h, r, links);
    }

    /// <summary>Stored and live side by side, then the live filters: what changed since the crawl fetched the URL.</summary>
    private static void Live(HtmlBuilder h, InspectionReport stored, InspectionReport live)
    {
        h.Tag("section", ("id", "live-test")).Element("h2", "Live test: stored vs now")
            .Tag("table").Tag("thead").Tag("tr").Element("th", "").Element("th", "Stored").Element("th", "Live (fetched now)").End("tr").End("thead").Tag("tbody");
        void Row(string name, string? a, string? b) =>
            h.Tag("tr", ("data-compare", name), ("class", a == b ? "same" : "changed")).Element("th", name, ("scope", "row"))
                .Element("td", a ?? "none", ("class", "stored")).Element("td", b ?? "none", ("class", "live")).End("tr");
        Row("Verdict", $"{stored.Verdict.Label}: {stored.Verdict.Evidence}", $"{live.Verdict.Label}: {live.Verdict.Evidence}");
        Row("Indexable", stored.Badges.IndexableLabel, live.Badges.IndexableLabel);
        Row("Robots", stored.Badges.RobotsLabel, live.Badges.RobotsLabel);
        Row("HTTP status", stored.Page?.HttpStatus?.ToString(CultureInfo.InvariantCulture), live.Page?.HttpStatus?.ToString(CultureInfo.InvariantCulture));
        Row("Title", stored.Page?.MetaTitle, live.Page?.MetaTitle);
        Row("Canonical", stored.Page?.CanonicalUrl, live.Page?.CanonicalUrl);
        Row("Robots directives", stored.Page?.RobotsDirectives, live.Page?.RobotsDirectives);
        Row("Content type", stored.Page?.ContentType, live.Page?.ContentType);
        Row("Page type", stored.Page is { } sp ? PageTypeText(sp) : null, live.Page is { } lp ? PageTypeText(lp) : null);
        Row("Readable Markdown", stored.Page?.ReadableMarkdown?.Length.ToString("N0", CultureInfo.InvariantCulture) + " characters",
            live.Page?.ReadableMarkdown?.Length.ToString("N0", CultureInfo.InvariantCulture) + " characters");
        h.End("tbody").End("table");
        if (live.Page is { } livePage) RenderedSection(h, livePage, live.ScreenshotPng, "live-render");
        if (live.Filters.Count > 0)
        {
            h.Tag("table", ("id", "live-filters")).Tag("thead").Tag("tr").Element("th", "Filter (live)").Element("th", "Status").Element("th", "Details").End("tr").End("thead").Tag("tbody");
            foreach (var f in live.Filters)
                h.Tag("tr", ("data-filter", f.Name)).Element("td", f.Name).Element("td", f.Label, ("class", f.Passes ? "status pass" : "status fail")).Element("td", f.Details).End("tr");
            h.End("tbody").End("table");
        }
        h.End("section");
    }

    /// <summary>The page as a browser rendered it: why it was (or was not) rendered, raw against rendered, the links
    /// only rendering found, every request the page made with its status or the reason it was refused, its console
    /// errors, and (live tests) a screenshot. Every text here is crawled content or derived from it: encoded.</summary>
    private static void RenderedSection(HtmlBuilder h, PageDetails p, string? screenshotPng, string id)
    {
        if (p.RenderReason is null && screenshotPng is null) return;
        var a = p.Render;
        h.Tag("section", ("id", id), ("class", "rendered")).Element("h2", id == "render" ? "Rendered page" : "Rendered page (live)");
        string reason = a?.Reason ?? p.RenderReason ?? "";
        string described = Vocabulary.StoreNames.TryParse<Vocabulary.RenderReason>(reason, out var known) ? Rendering.RenderPolicy.Describe(known) : reason;
        string summary = p.Rendered
            ? $"Rendered in {a?.RenderMs.ToString("N0", CultureInfo.InvariantCulture)} ms: {described}" + (a?.ShellSignal is { } s ? $" ({s})" : "") + "."
            : a?.Failure is { } failure ? $"Kept as fetched: the render failed ({failure}); it was tried because {described}."
            : $"Not rendered: {described}.";
        h.Element("p", summary, ("id", id + "-summary"), ("data-reason", reason));
        if (a is not null)
        {
            h.Tag("table", ("id", id + "-compare")).Tag("thead").Tag("tr").Element("th", "").Element("th", "As fetched").Element("th", "As rendered").End("tr").End("thead").Tag("tbody");
            void Row(string name, Func<Rendering.RenderSide, string> value) =>
                h.Tag("tr", ("data-compare", name)).Element("th", name, ("scope", "row")).Element("td", value(a.Raw))
                    .Element("td", a.RenderedPage is { } rendered ? value(rendered) : "none").End("tr");
            Row("Bytes", s => s.Bytes.ToString("N0", CultureInfo.InvariantCulture));
            Row("Words", s => s.Words.ToString("N0", CultureInfo.InvariantCulture));
            Row("Links", s => s.Links.ToString("N0", CultureInfo.InvariantCulture));
            Row("Readable Markdown", s => s.ReadableChars.ToString("N0", CultureInfo.InvariantCulture) + " characters");
            Row("Content hash", s => s.ContentHash);
            h.End("tbody").End("table");
            if (a.LinksOnlyRenderedCount > 0)
            {
                h.Element("h3", $"Links found only after rendering ({a.LinksOnlyRenderedCount})").Tag("ul", ("id", id + "-links"));
                foreach (string link in a.LinksOnlyRendered) h.Tag("li").Link(PageLayout.InspectHref(link), link).End("li");
                h.End("ul");
            }
            string refused = a.SubrequestsRefused.Count == 0 ? "none refused"
                : string.Join(", ", a.SubrequestsRefused.Select(r => $"{r.Value} refused ({r.Key})"));
            h.Element("h3", $"Page resources: {a.SubrequestsFetched} fetched, {refused}");
            h.Tag("table", ("id", id + "-resources")).Tag("thead").Tag("tr").Element("th", "URL").Element("th", "Type").Element("th", "Status or refusal").End("tr").End("thead").Tag("tbody");
            foreach (var r in a.Resources)
                h.Tag("tr", ("class", r.Refused is null ? "fetched" : "refused"), ("data-refused", r.Refused)).Element("td", r.Url).Element("td", r.Type)
                    .Element("td", r.Status is { } status ? status.ToString(CultureInfo.InvariantCulture) : $"refused: {r.Refused}" + (r.Detail is { } d ? $" ({d})" : "")).End("tr");
            h.End("tbody").End("table");
            if (a.Console.Count > 0)
            {
                h.Element("h3", "Console").Tag("ul", ("id", id + "-console"));
                foreach (var line in a.Console) h.Element("li", $"{line.Type}: {line.Text}");
                h.End("ul");
            }
        }
        if (screenshotPng is not null)
            h.Tag("img", ("id", id + "-screenshot"), ("src", "data:image/png;base64," + screenshotPng), ("alt", "the page as the browser rendered it"), ("width", "640"));
        h.End("section");
    }

    private static void Links(HtmlBuilder h, InspectionReport r, PageLinks links)
    {
        string Href(string direction) => $"/links?url={Uri.EscapeDataString(r.Url)}&direction={direction}";
        h.Tag("section", ("id", "links")).Element("h2", "Links");
        h.Tag("h3").Text($"Outlinks ({r.Page?.Outlinks ?? 0}) ").Link(Href("out"), "all", ("id", "all-outlinks")).End("h3");
        LinksPage.Table(h, links.Out, LinkDirection.Out, "outlinks");
        h.Tag("h3").Text($"Inlinks ({r.Page?.Inlinks ?? 0}) ").Link(Href("in"), "all", ("id", "all-inlinks")).End("h3");
        LinksPage.Table(h, links.In, LinkDirection.In, "inlinks");
        h.End("section");
    }

    private static void Details(HtmlBuilder h, InspectionReport r, PageDetails p)
    {
        h.Tag("section", ("id", "details")).Element("h2", "Page Details")
            .Tag("table").Tag("thead").Tag("tr").Element("th", "Property").Element("th", "Value").End("tr").End("thead").Tag("tbody");
        void Row(string name, string? value) => h.Tag("tr", ("data-property", name)).Element("th", name, ("scope", "row")).Element("td", value ?? "null").End("tr");
        // Stored keys shown as the URLs they name, each opening its inspection, the key beside it.
        void LinkRow(string name, IReadOnlyList<string> keys)
        {
            h.Tag("tr", ("data-property", name)).Element("th", name, ("scope", "row")).Tag("td");
            if (keys.Count == 0) h.Text("none");
            for (int i = 0; i < keys.Count; i++)
            {
                if (i > 0) h.Tag("br");
                string url = UrlInspector.UrlOf(keys[i]);
                h.Link(PageLayout.InspectHref(url), url).Text(" ").Element("span", keys[i], ("class", "label key"));
            }
            h.End("td").End("tr");
        }

        h.Tag("tr", ("data-property", "URL")).Element("th", "URL", ("scope", "row")).Tag("td")
            .Link(SafeExternalHref(p.Url), p.Url, ("rel", "nofollow noopener noreferrer"), ("id", "page-url")).End("td").End("tr");
        Row("Last Crawled", p.LastCrawled is { } lc ? $"{lc:yyyy-MM-dd HH:mm:ss} ({p.LastCrawledAgo})" : "never");
        Row("First Indexed", p.FirstIndexed is { } fi ? $"{fi:yyyy-MM-dd HH:mm:ss} ({p.FirstIndexedAgo})" : "never");
        Row("HTTP Status Code", p.HttpStatus?.ToString(CultureInfo.InvariantCulture) ?? p.FailureReason);
        Row("Meta Title", p.MetaTitle);
        Row("Meta Description", p.MetaDescription);
        LinkRow("Meta Canonical", string.IsNullOrEmpty(p.MetaCanonical) ? [] : [p.MetaCanonical]);
        string textHref = $"/inspect/text?shard={p.Shard.ToString(CultureInfo.InvariantCulture)}&key={Uri.EscapeDataString(p.UnparsedUrl)}&field=";
        LongRow(h, "Boilerpipe Text", p.BoilerpipeText, "boilerpipe", textHref, markdown: false);
        LongRow(h, "Markdown", p.Markdown, "markdown", textHref, markdown: true);
        LongRow(h, "Readable Markdown", p.ReadableMarkdown, "readable", textHref, markdown: true);
        Row("Page Type", PageTypeText(p));
        Row("Shard", $"{p.Shard} ({r.ShardNode})");
        Row("Root Hash", p.RootHash.ToString(CultureInfo.InvariantCulture));
        Row("Unparsed URL", p.UnparsedUrl);
        Row("Content Type", p.ContentType);
        Row("Failure Reason", p.FailureReason ?? "none");
        Row("History Drop Reason", p.HistoryDropReason ?? "none");
        Row("Spam Score", $"{p.MlSpamScore}{(p.SpamSignals is { Length: > 0 } s ? $" ({s})" : "")}");
        Row("Robots Directives", p.RobotsDirectives ?? "none");
        Row("Language", p.Lang);
        Row("Truncated", p.Truncated ? "yes (body cap reached)" : "no");
        Row("Outlinks / Inlinks", $"{p.Outlinks} / {p.Inlinks}");
        if (p.RedirectTargetUrl is { } target)
            h.Tag("tr", ("data-property", "Redirect Target")).Element("th", "Redirect Target", ("scope", "row")).Tag("td")
                .Link(PageLayout.InspectHref(target), target, ("id", "redirect-target")).End("td").End("tr");
        LinkRow("Referring Pages", p.ReferringPages);
        Row("Sitemaps", p.Sitemaps.Count == 0 ? "none" : string.Join(", ", p.Sitemaps));
        Row("Redirect Chain", p.RedirectChain.Count == 0 ? "none" : string.Join(" | ", p.RedirectChain));
        LinkRow("Duplicate Of", p.DuplicateOf is null ? [] : [p.DuplicateOf]);
        LinkRow("Near-duplicates", p.NearDuplicates);

        HeadersRow(h, p);
        HistoryRow(h, p);
        h.End("tbody").End("table").End("section");
    }

    internal static string PageTypeText(PageDetails p) =>
        p.PageType is null ? "none (no readable Markdown)" : p.PageTypeConfidence is { } c ? $"{p.PageType} ({c} % confident)" : p.PageType;

    private static void HeadersRow(HtmlBuilder h, PageDetails p)
    {
        h.Tag("tr", ("data-property", "Response Headers")).Element("th", "Response Headers", ("scope", "row")).Tag("td");
        if (p.ResponseHeaders is null || p.ResponseHeaders.Count == 0) h.Text("none");
        else
        {
            h.Tag("details").Element("summary", $"{p.ResponseHeaders.Count} headers").Tag("pre", ("class", "headers"));
            foreach (var (name, value) in p.ResponseHeaders) h.Text($"{name}: {value}\n");
            h.End("pre").End("details");
        }
        h.End("td").End("tr");

    }

    private static void HistoryRow(HtmlBuilder h, PageDetails p)
    {
        h.Tag("tr", ("data-property", "Crawl History")).Element("th", "Crawl History", ("scope", "row")).Tag("td");
        if (p.CrawlHistory.Count == 0) h.Text("none");
        else
        {
            h.Tag("table", ("class", "history")).Tag("tr").Element("th", "When").Element("th", "Status").Element("th", "ms").Element("th", "Bytes").Element("th", "Location").End("tr");
            foreach (var e in p.CrawlHistory)
                h.Tag("tr").Element("td", e.Stamp.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture))
                    .Element("td", e.HttpStatus?.ToString(CultureInfo.InvariantCulture) ?? e.FailureReason)
                    .Element("td", e.ElapsedMs.ToString("F0", CultureInfo.InvariantCulture))
                    .Element("td", e.Bytes.ToString(CultureInfo.InvariantCulture))
                    .Element("td", e.Location ?? "").End("tr");
            h.End("table");
        }
        h.End("td").End("tr");
    }

    /// <summary>A query or response block with a copy button.</summary>
    private static void Block(HtmlBuilder h, string label, string text, string id, string kind) =>
        h.Tag("div", ("class", "label")).Text(label).Text(" ")
            .Element("button", "Copy", ("type", "button"), ("class", "copy"), ("data-copy", id)).End("div")
            .Element("pre", text, ("id", id), ("class", kind));

    /// <summary>A long field: a preview, the whole text behind a disclosure with a copy button, and for
    /// Markdown the sanitised rendering too.</summary>
    private static void LongRow(HtmlBuilder h, string name, string? text, string id, string textHref, bool markdown)
    {
        h.Tag("tr", ("data-property", name)).Element("th", name, ("scope", "row")).Tag("td");
        if (text is null) h.Text("null");
        else
        {
            string preview = text.Length <= PreviewChars ? text : text[..PreviewChars];
            string flat = preview.ReplaceLineEndings(" ");
            string length = text.Length.ToString("N0", CultureInfo.InvariantCulture);
            h.Tag("details", ("id", id))
                .Tag("summary").Text(text.Length <= PreviewChars ? flat : flat + "…")
                .Element("span", $" ({length} chars)", ("class", "length")).End("summary")
                .Element("button", "Copy", ("type", "button"), ("class", "copy"), ("data-copy", id + "-text"));
            if (text.Length > FullTextChars)
                h.Tag("p", ("class", "cut")).Text($"Showing the first {FullTextChars.ToString("N0", CultureInfo.InvariantCulture)} of {length} characters. ")
                    .Link(textHref + id, "Whole text", ("id", id + "-whole")).End("p");
            h.Element("pre", text.Length > FullTextChars ? text[..FullTextChars] : text, ("id", id + "-text"), ("class", "field"));
            if (markdown)
            {
                h.Tag("details", ("class", "rendered")).Element("summary", "Rendered");
                if (text.Length > RenderedChars)
                    h.Element("p", $"Rendered: the first {RenderedChars.ToString("N0", CultureInfo.InvariantCulture)} of {length} characters.", ("class", "cut"));
                h.Tag("div", ("class", "markdown-rendered"), ("id", id + "-rendered")).TrustedHtml(MarkdownHtml.Render(Head(text, RenderedChars))).End("div").End("details");
            }
            h.End("details");
        }
        h.End("td").End("tr");
    }

    /// <summary>At most <paramref name="max"/> characters of Markdown, cut at a paragraph break when there is one.</summary>
    private static string Head(string markdown, int max)
    {
        if (markdown.Length <= max) return markdown;
        int cut = markdown.LastIndexOf("\n\n", max, StringComparison.Ordinal);
        return markdown[..(cut > max / 2 ? cut : max)];
    }

    /// <summary>Only http(s) addresses become outgoing links; anything else is shown as text only.</summary>
    private static string SafeExternalHref(string url) =>
        Uri.TryCreate(url, UriKind.Absolute, out var u) && (u.Scheme == Uri.UriSchemeHttp || u.Scheme == Uri.UriSchemeHttps) ? u.AbsoluteUri : "#";
}
