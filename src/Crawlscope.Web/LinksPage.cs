using System.Globalization;
using Crawlscope.Inspection;

namespace Crawlscope.Web;

/// <summary>A page's links as a table: each URL opens its inspection; anchor text, rel, followed or why not, and the
/// state of the page at the other end. Paged.</summary>
internal static class LinksPage
{
    internal const int PageSize = 100;

    internal static string Render(string url, LinkDirection direction, int offset, IReadOnlyList<LinkView> links) =>
        PageLayout.Render($"Links {(direction == LinkDirection.Out ? "from" : "to")} {url}", h =>
        {
            h.Tag("p").Link(PageLayout.InspectHref(url), "← back to the inspection of " + url).End("p");
            h.Element("h2", $"{(direction == LinkDirection.Out ? "Outlinks of" : "Pages linking to")} {url}: {offset + 1} to {offset + links.Count}");
            Table(h, links, direction, "links-table");
            h.Tag("p");
            string Href(int from) => $"/links?url={Uri.EscapeDataString(url)}&direction={(direction == LinkDirection.Out ? "out" : "in")}&offset={from.ToString(CultureInfo.InvariantCulture)}";
            if (offset > 0) h.Link(Href(Math.Max(0, offset - PageSize)), "← previous", ("id", "previous")).Text(" ");
            if (links.Count == PageSize) h.Link(Href(offset + PageSize), "next →", ("id", "next"));
            h.End("p");
        });

    /// <summary>The table both the inspection page (its first links) and this page show.</summary>
    internal static void Table(HtmlBuilder h, IReadOnlyList<LinkView> links, LinkDirection direction, string id)
    {
        if (links.Count == 0)
        {
            h.Element("p", direction == LinkDirection.Out ? "No links stored for this page." : "No stored page links here.", ("class", "skipped"), ("id", id + "-empty"));
            return;
        }
        h.Tag("table", ("id", id), ("class", "links")).Tag("thead").Tag("tr").Element("th", "URL").Element("th", "Anchor").Element("th", "Rel")
            .Element("th", "Followed").Element("th", "Page there").End("tr").End("thead").Tag("tbody");
        foreach (var l in links)
        {
            h.Tag("tr", ("data-followed", l.Followed ? "true" : "false")).Tag("td").Link(PageLayout.InspectHref(l.Url), l.Url).End("td")
                .Element("td", l.Anchor).Element("td", l.Rel)
                .Element("td", l.Followed ? "followed" : "not followed" + (l.Reason is null ? "" : ": " + l.Reason), ("class", l.Followed ? "status pass" : "status fail"))
                .Element("td", l.TargetState).End("tr");
        }
        h.End("tbody").End("table");
    }
}
