using System.Globalization;
using Crawlscope.Inspection;
using Crawlscope.Model;
using Crawlscope.Vocabulary;

namespace Crawlscope.Web;

/// <summary>
/// The page indexing report as a web page: indexed and not indexed, each reason with its count and example URLs
/// (each opening its inspection), one reason's URLs paged, the daily history as a chart, and the SQL of every count.
/// </summary>
internal static class IndexingPage
{
    internal static string Render(IndexingReport r) =>
        PageLayout.Render("Page indexing" + (r.Host is null ? "" : $": {r.Host}"), h =>
        {
            h.Tag("form", ("id", "indexing-filter"), ("method", "get"), ("action", "/indexing"), ("class", "lookups"))
                .Tag("label", ("for", "host")).Text("Host").End("label")
                .Tag("input", ("id", "host"), ("name", "host"), ("type", "text"), ("value", r.Host), ("placeholder", "every host"))
                .Tag("label", ("for", "prefix")).Text("URL prefix").End("label")
                .Tag("input", ("id", "prefix"), ("name", "prefix"), ("type", "text"), ("size", "40"), ("value", r.Prefix), ("placeholder", "https://example.com/blog/"))
                .Element("button", "Filter", ("type", "submit")).End("form");

            h.Element("h2", "Page indexing").Tag("dl", ("class", "counters"), ("id", "indexing-counters"));
            Counter(h, "Known URLs", r.Total, "total");
            Counter(h, "Indexed", r.Indexed, "indexed");
            Counter(h, "Not indexed", r.NotIndexed, "not-indexed");
            h.End("dl");

            h.Tag("table", ("id", "reasons"), ("class", "reasons")).Tag("thead").Tag("tr")
                .Element("th", "Reason").Element("th", "URLs").Element("th", "Examples").End("tr").End("thead").Tag("tbody");
            foreach (var reason in r.Reasons)
            {
                string name = StoreNames.Of(reason.Reason);
                h.Tag("tr", ("data-reason", name))
                    .Tag("td").Link(Href(r.Host, r.Prefix, name, 0), reason.Label, ("class", reason.Indexed ? "status pass" : "status fail")).Text($" ({name})").End("td")
                    .Element("td", reason.Count.ToString("N0", CultureInfo.InvariantCulture), ("class", "count")).Tag("td");
                foreach (var url in reason.Examples) h.Tag("div").Link(PageLayout.InspectHref(url), url, ("class", "example")).End("div");
                h.End("td").End("tr");
            }
            h.End("tbody").End("table");

            if (r.Reason is { } listed && r.Urls is { } urls)
            {
                string name = StoreNames.Of(listed);
                h.Tag("section", ("id", "reason-urls")).Element("h2", $"{IndexingReasons.Label(listed)}: URLs {r.Offset + 1}–{r.Offset + urls.Count}").Tag("ol", ("start", (r.Offset + 1).ToString(CultureInfo.InvariantCulture)));
                foreach (var url in urls) h.Tag("li").Link(PageLayout.InspectHref(url), url).End("li");
                h.End("ol").Tag("p");
                if (r.Offset > 0) h.Link(Href(r.Host, r.Prefix, name, Math.Max(0, r.Offset - r.Limit)), "← previous", ("id", "previous")).Text(" ");
                if (urls.Count == r.Limit) h.Link(Href(r.Host, r.Prefix, name, r.Offset + r.Limit), "next →", ("id", "next"));
                h.End("p").End("section");
            }

            h.Element("h2", "By the day of the last fetch");
            Chart(h, r.Daily);

            h.Tag("details", ("id", "indexing-queries")).Element("summary", "The queries behind these counts");
            foreach (var q in r.Queries)
                h.Tag("article", ("class", "check")).Element("h3", $"{q.Name} ({q.ElapsedMs.ToString("F2", CultureInfo.InvariantCulture)} ms)").Element("pre", q.Sql).End("article");
            h.End("details");
        });

    private static void Counter(HtmlBuilder h, string label, long value, string id) =>
        h.Tag("div").Element("dt", label).Element("dd", value.ToString("N0", CultureInfo.InvariantCulture), ("id", "count-" + id)).End("div");

    private static string Href(string? host, string? prefix, string reason, int offset) =>
        "/indexing?reason=" + Uri.EscapeDataString(reason) + (host is null ? "" : "&host=" + Uri.EscapeDataString(host)) +
        (prefix is null ? "" : "&prefix=" + Uri.EscapeDataString(prefix)) + (offset > 0 ? "&offset=" + offset.ToString(CultureInfo.InvariantCulture) : "");

    /// <summary>Stacked bars, one a day: indexed below, not indexed above.</summary>
    private static void Chart(HtmlBuilder h, IReadOnlyList<DailyIndexing> days)
    {
        if (days.Count == 0)
        {
            h.Element("p", "No page has been fetched yet.", ("class", "skipped"));
            return;
        }
        BarChart.Write(h, "indexing-chart", "Indexed and not indexed pages by the day of their last fetch", ["indexed", "not-indexed"],
            days.Select(d => (d.Day, new[] { d.Indexed, d.NotIndexed })).ToList());
        h.Tag("p", ("class", "label")).Text("green: indexed · red: not indexed").End("p");
    }
}
