using System.Globalization;
using Crawlscope.Inspection;

namespace Crawlscope.Web;

/// <summary>The crawl stats report as a web page: totals, requests per day by response (a chart and a table), by
/// content type, by host, failures without an answer, each host's robots.txt, and the SQL of each count.</summary>
internal static class CrawlStatsPage
{
    internal static readonly string[] Classes = ["2xx", "not_modified", "3xx", "4xx", "5xx", "other", "no_answer"];

    internal static string Render(CrawlStatsReport r) =>
        PageLayout.Render("Crawl stats" + (r.Host is null ? "" : $": {r.Host}"), h =>
        {
            h.Tag("form", ("id", "crawl-stats-filter"), ("method", "get"), ("action", "/crawl-stats"), ("class", "lookups"))
                .Tag("label", ("for", "host")).Text("Host").End("label")
                .Tag("input", ("id", "host"), ("name", "host"), ("type", "text"), ("value", r.Host), ("placeholder", "every host"))
                .Element("button", "Filter", ("type", "submit")).End("form");
            h.Element("h2", "Crawl stats").Tag("dl", ("class", "counters"), ("id", "crawl-counters"));
            Counter(h, "Requests", r.Requests.ToString("N0", CultureInfo.InvariantCulture), "requests");
            Counter(h, "Discovery", r.Discovery.ToString("N0", CultureInfo.InvariantCulture), "discovery");
            Counter(h, "Recrawl", r.Recrawl.ToString("N0", CultureInfo.InvariantCulture), "recrawl");
            Counter(h, "Mean response", r.MeanResponseMs.ToString("N1", CultureInfo.InvariantCulture) + " ms", "mean-ms");
            Counter(h, "Downloaded", (r.Bytes / 1024.0 / 1024.0).ToString("N1", CultureInfo.InvariantCulture) + " MB", "bytes");
            h.End("dl");

            h.Element("h2", "Requests per day, by response");
            var days = r.Daily.GroupBy(d => d.Day).OrderBy(g => g.Key, StringComparer.Ordinal)
                .Select(g => (g.Key, Classes.Select(c => g.Where(d => d.ResponseClass == c).Sum(d => d.Requests)).ToArray())).ToList();
            if (days.Count > 0) BarChart.Write(h, "crawl-chart", "Requests per day by response class", Classes.Select(c => "response-" + c).ToList(), days);
            h.Tag("table", ("id", "by-day")).Tag("thead").Tag("tr").Element("th", "Day");
            foreach (var c in Classes) h.Element("th", c);
            h.End("tr").End("thead").Tag("tbody");
            foreach (var (day, values) in days)
            {
                h.Tag("tr", ("data-day", day)).Element("td", day);
                foreach (var v in values) h.Element("td", v.ToString("N0", CultureInfo.InvariantCulture), ("class", "count"));
                h.End("tr");
            }
            h.End("tbody").End("table");

            Counts(h, "By content type", "by-type", r.ContentTypes);
            h.Element("h2", "By host").Tag("table", ("id", "by-host")).Tag("thead").Tag("tr").Element("th", "Host").Element("th", "Requests")
                .Element("th", "No answer").Element("th", "Mean ms").End("tr").End("thead").Tag("tbody");
            foreach (var host in r.Hosts)
                h.Tag("tr").Tag("td").Link("/crawl-stats?host=" + Uri.EscapeDataString(host.Host), host.Host).End("td")
                    .Element("td", host.Requests.ToString("N0", CultureInfo.InvariantCulture), ("class", "count"))
                    .Element("td", host.NoAnswer.ToString("N0", CultureInfo.InvariantCulture), ("class", "count"))
                    .Element("td", host.MeanMs.ToString("N1", CultureInfo.InvariantCulture), ("class", "count")).End("tr");
            h.End("tbody").End("table");
            Counts(h, "Fetches without an answer", "failures", r.Failures);
            h.Element("h2", "robots.txt by host").Tag("table", ("id", "robots")).Tag("thead").Tag("tr").Element("th", "Host").Element("th", "Status")
                .Element("th", "Read as").Element("th", "Fetched").End("tr").End("thead").Tag("tbody");
            foreach (var robots in r.Robots)
                h.Tag("tr").Element("td", robots.HostKey).Element("td", robots.Status?.ToString(CultureInfo.InvariantCulture) ?? "no answer")
                    .Element("td", robots.Action).Element("td", robots.FetchedAt).End("tr");
            h.End("tbody").End("table");
            h.Tag("details", ("id", "crawl-stats-queries")).Element("summary", "The queries behind these counts");
            foreach (var q in r.Queries) h.Tag("article", ("class", "check")).Element("h3", q.Name).Element("pre", q.Sql).End("article");
            h.End("details");
        });

    private static void Counter(HtmlBuilder h, string label, string value, string id) =>
        h.Tag("div").Element("dt", label).Element("dd", value, ("id", "stat-" + id)).End("div");

    private static void Counts(HtmlBuilder h, string title, string id, IReadOnlyList<FetchCount> counts)
    {
        h.Element("h2", title);
        if (counts.Count == 0)
        {
            h.Element("p", "none", ("class", "skipped"), ("id", id));
            return;
        }
        h.Tag("table", ("id", id)).Tag("tbody");
        foreach (var c in counts) h.Tag("tr").Element("td", c.Name).Element("td", c.Requests.ToString("N0", CultureInfo.InvariantCulture), ("class", "count")).End("tr");
        h.End("tbody").End("table");
    }
}
