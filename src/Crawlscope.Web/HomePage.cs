using System.Globalization;
using Crawlscope.Inspection;
using Crawlscope.Vocabulary;

namespace Crawlscope.Web;

/// <summary>The home page under the lookup forms: the crawl's pages by reason, each with an example URL to inspect,
/// and the URLs fetched last.</summary>
internal static class HomePage
{
    internal static void Write(HtmlBuilder h, IndexingReport report, IReadOnlyList<(string Url, string? Stamp, string? Status)> recent)
    {
        h.Tag("section", ("id", "home-reasons")).Tag("h2").Text($"{report.Total:N0} URLs known: {report.Indexed:N0} indexed, {report.NotIndexed:N0} not ")
            .Link("/indexing", "(page indexing report)").End("h2");
        if (report.Reasons.Count == 0) h.Element("p", "Nothing crawled yet.", ("class", "skipped"));
        else
        {
            h.Tag("table", ("class", "reasons")).Tag("thead").Tag("tr").Element("th", "Reason").Element("th", "URLs").Element("th", "For example").End("tr").End("thead").Tag("tbody");
            foreach (var reason in report.Reasons)
            {
                h.Tag("tr", ("data-reason", StoreNames.Of(reason.Reason)))
                    .Tag("td").Link("/indexing?reason=" + StoreNames.Of(reason.Reason), reason.Label, ("class", reason.Indexed ? "status pass" : "status fail")).End("td")
                    .Element("td", reason.Count.ToString("N0", CultureInfo.InvariantCulture), ("class", "count")).Tag("td");
                if (reason.Examples.Count > 0) h.Link(PageLayout.InspectHref(reason.Examples[0]), reason.Examples[0], ("class", "example"));
                h.End("td").End("tr");
            }
            h.End("tbody").End("table");
        }
        h.End("section");
        h.Tag("section", ("id", "recent")).Element("h2", "Fetched last");
        if (recent.Count == 0) h.Element("p", "No fetch yet.", ("class", "skipped"));
        else
        {
            h.Tag("ul");
            foreach (var (url, stamp, status) in recent)
                h.Tag("li").Link(PageLayout.InspectHref(url), url).Text($" — {(status is null ? "no answer" : "HTTP " + status)}, {stamp}").End("li");
            h.End("ul");
        }
        h.End("section");
    }
}
