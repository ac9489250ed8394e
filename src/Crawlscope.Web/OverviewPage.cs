using System.Globalization;
using Crawlscope.Model;

namespace Crawlscope.Web;

/// <summary>The crawl overview: counts, pages by status and drop reason, busiest hosts, recent failures and a
/// throughput chart drawn as inline SVG on the server (no script, no chart library, nothing from a CDN).</summary>
internal static class OverviewPage
{
    /// <summary>A cluster crawl's workers and the store's servers (nothing for the embedded store).</summary>
    private static void Cluster(HtmlBuilder h, CrawlOverview o)
    {
        if (o.Workers is { Count: > 0 } workers)
        {
            h.Tag("section", ("id", "workers")).Element("h3", "Workers").Tag("table")
                .Tag("tr").Element("th", "Worker").Element("th", "Shards").Element("th", "Queued").Element("th", "In flight").Element("th", "Pages/s (last minute)").Element("th", "Not on every replica yet")
                .Element("th", "Last heartbeat").End("tr");
            foreach (var w in workers)
                h.Tag("tr").Element("td", w.Worker + (w.Departed ? " (left)" : "")).Element("td", w.Shards).Element("td", w.Queued.ToString("N0", CultureInfo.InvariantCulture))
                    .Element("td", w.InFlight.ToString("N0", CultureInfo.InvariantCulture)).Element("td", w.PagesPerSecond.ToString("N1", CultureInfo.InvariantCulture))
                    .Element("td", w.Unshipped.ToString("N0", CultureInfo.InvariantCulture))
                    .Element("td", w.Heartbeat.ToString("yyyy-MM-dd HH:mm:ss'Z'", CultureInfo.InvariantCulture)).End("tr");
            h.End("table").End("section");
        }
        if (o.Nodes is { Count: > 0 } nodes)
        {
            h.Tag("section", ("id", "store-nodes")).Element("h3", "Store nodes").Tag("table")
                .Tag("tr").Element("th", "Node").Element("th", "Shard").Element("th", "Replica").Element("th", "State").Element("th", "Replication queue").End("tr");
            foreach (var n in nodes)
                h.Tag("tr").Element("td", n.Address).Element("td", n.Shard ?? "").Element("td", n.Replica ?? "")
                    .Element("td", n.Up ? "up" : $"down: {n.Problem}", ("class", n.Up ? "up" : "down")).Element("td", n.ReplicationQueue.ToString("N0", CultureInfo.InvariantCulture)).End("tr");
            h.End("table").End("section");
        }
    }

    /// <param name="live">The running crawl's live figures, controls and audit log (<c>crawlscope run</c> only).</param>
    internal static string Render(CrawlOverview o, string? notice = null, Action<HtmlBuilder>? live = null) => PageLayout.Render("Crawl overview", h =>
    {
        var s = o.Stats;
        h.Element("h2", "Crawl overview");
        if (notice is not null) h.Element("p", notice, ("class", "notice"), ("id", "notice"), ("role", "status"));
        live?.Invoke(h);
        h.Tag("dl", ("class", "counters"), ("id", "counters"));
        foreach (var (name, value) in new[]
                 {
                     ("Pages stored", s.Pages.ToString("N0", CultureInfo.InvariantCulture)), ("Queued", s.Queued.ToString("N0", CultureInfo.InvariantCulture)),
                     ("URLs leased", s.Leased.ToString("N0", CultureInfo.InvariantCulture)), ("Hosts", s.Hosts.ToString("N0", CultureInfo.InvariantCulture)),
                     ("Fetches", s.Fetches.ToString("N0", CultureInfo.InvariantCulture)), ("Downloaded", $"{s.Bytes / 1048576.0:F1} MB"),
                 })
            h.Tag("div").Element("dt", name).Element("dd", value).End("div");
        h.End("dl");

        Chart(h, o.Throughput);
        h.Tag("div", ("class", "columns"));
        Counts(h, "Pages by HTTP status", "by-status", "Status", s.ByStatus);
        Counts(h, "Pages by drop reason", "by-drop-reason", "history_drop_reason", s.ByDropReason);
        Counts(h, "Pages by failure reason", "by-failure-reason", "Reason", s.ByFailureReason);
        h.End("div");

        Cluster(h, o);
        h.Tag("section", ("id", "top-hosts")).Element("h3", "Top hosts").Tag("table")
            .Tag("tr").Element("th", "Host").Element("th", "Pages").Element("th", "Failed").End("tr");
        foreach (var host in o.TopHosts)
            h.Tag("tr").Element("td", host.Host).Element("td", host.Pages.ToString(CultureInfo.InvariantCulture)).Element("td", host.Failures.ToString(CultureInfo.InvariantCulture)).End("tr");
        h.End("table").End("section");

        h.Tag("section", ("id", "recent-failures")).Element("h3", "Recent failures").Tag("table")
            .Tag("tr").Element("th", "When").Element("th", "URL").Element("th", "Reason").Element("th", "HTTP").End("tr");
        foreach (var f in o.RecentFailures)
            h.Tag("tr").Element("td", f.Stamp.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture))
                .Tag("td").Link(PageLayout.InspectHref(f.Url), f.Url).End("td")
                .Element("td", f.Reason).Element("td", f.HttpCode?.ToString(CultureInfo.InvariantCulture) ?? "").End("tr");
        h.End("table").End("section");
    });

    private static void Counts(HtmlBuilder h, string title, string id, string keyName, IReadOnlyDictionary<string, long> counts)
    {
        h.Tag("section", ("id", id)).Element("h3", title).Tag("table").Tag("tr").Element("th", keyName).Element("th", "Pages").End("tr");
        if (counts.Count == 0) h.Tag("tr").Element("td", "none").Element("td", "0").End("tr");
        foreach (var (k, v) in counts) h.Tag("tr").Element("td", k).Element("td", v.ToString(CultureInfo.InvariantCulture)).End("tr");
        h.End("table").End("section");
    }

    private static void Chart(HtmlBuilder h, IReadOnlyList<ThroughputPoint> points)
    {
        h.Tag("section", ("id", "throughput")).Element("h3", "Throughput (fetches per second)");
        if (points.Count == 0)
        {
            h.Element("p", "No fetches yet.").End("section");
            return;
        }
        const int width = 720, height = 160;
        double max = points.Max(p => p.Fetches / p.Seconds);
        double barWidth = (double)width / points.Count;
        string F(double v) => v.ToString("F1", CultureInfo.InvariantCulture);
        h.Tag("svg", ("xmlns", "http://www.w3.org/2000/svg"), ("viewBox", $"0 0 {width} {height + 20}"), ("role", "img"), ("class", "chart"),
            ("aria-label", $"Fetches per second over {points.Count} intervals, peak {F(max)}"));
        for (int i = 0; i < points.Count; i++)
        {
            var p = points[i];
            double rate = p.Fetches / p.Seconds;
            double barHeight = max == 0 ? 0 : rate / max * height;
            h.Tag("rect", ("x", F(i * barWidth)), ("y", F(height - barHeight)), ("width", F(Math.Max(1, barWidth - 1))), ("height", F(barHeight)))
                .Element("title", $"{p.Start:HH:mm:ss} +{p.Seconds:F0}s: {p.Fetches} fetches ({F(rate)}/s)").End("rect");
        }
        h.Element("text", $"peak {F(max)}/s", ("x", "4"), ("y", (height + 16).ToString(CultureInfo.InvariantCulture)))
            .Element("text", $"{points[0].Start:HH:mm:ss} – {points[^1].Start.AddSeconds(points[^1].Seconds):HH:mm:ss} UTC", ("x", (width - 4).ToString(CultureInfo.InvariantCulture)),
                ("y", (height + 16).ToString(CultureInfo.InvariantCulture)), ("text-anchor", "end"))
            .End("svg").End("section");
    }
}
