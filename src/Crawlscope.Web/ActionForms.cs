using System.Globalization;
using Crawlscope.Operating;
using Crawlscope.Model;

namespace Crawlscope.Web;

/// <summary>What a page needs to offer the operator's actions: the anti-forgery field, and the crawl's pause state.</summary>
internal sealed record ActionContext(string FormField, string Token, bool Paused, IReadOnlyCollection<string> PausedHosts);

/// <summary>
/// The operator's forms: on a report (crawl now, ban or unban the host or the domain, pause the host) and on the
/// overview (pause the crawl, add seeds), each a POST carrying the anti-forgery token; and the live figures and the
/// audit log of the overview. Rendering only: the routes act.
/// </summary>
internal static class ActionForms
{
    /// <param name="banned">The names banned now: each of host and domain is offered Ban or Unban, whichever applies.</param>
    internal static void ForReport(HtmlBuilder h, ActionContext a, string url, string host, string site, bool crawled, IReadOnlySet<string> banned)
    {
        h.Tag("section", ("id", "actions")).Element("h2", "Act on this URL");
        Form(h, a, "/actions/crawl", "crawl-now")
            .Tag("input", ("type", "hidden"), ("name", "url"), ("value", url))
            .Tag("input", ("type", "hidden"), ("name", "recrawl"), ("value", crawled ? "true" : "false"))
            .Element("button", crawled ? "Recrawl now" : "Crawl now", ("type", "submit"), ("id", "crawl-now-button")).End("form");
        Form(h, a, "/actions/live", "live-test")
            .Tag("input", ("type", "hidden"), ("name", "url"), ("value", url))
            .Tag("label").Tag("input", ("type", "checkbox"), ("name", "render"), ("value", "true"), ("id", "live-render")).Text(" render in a browser").End("label")
            .Element("button", "Test live URL", ("type", "submit"), ("id", "live-test-button")).End("form");
        var names = new[] { ("host", host), ("domain", site) }.DistinctBy(n => n.Item2).ToList();
        if (names.Any(n => !banned.Contains(n.Item2)))
        {
            Form(h, a, "/actions/ban", "ban")
                .Tag("input", ("type", "hidden"), ("name", "return"), ("value", url))
                .Tag("label", ("for", "ban-reason")).Text("Reason").End("label")
                .Tag("input", ("id", "ban-reason"), ("name", "reason"), ("type", "text"), ("size", "30"), ("placeholder", "why (kept in the audit log)"));
            foreach (var (kind, name) in names.Where(n => !banned.Contains(n.Item2)))
                h.Element("button", $"Ban {kind} {name}", ("type", "submit"), ("name", "name"), ("value", name), ("id", "ban-" + kind));
            h.End("form");
        }
        if (names.Any(n => banned.Contains(n.Item2)))
        {
            Form(h, a, "/actions/unban", "unban").Tag("input", ("type", "hidden"), ("name", "return"), ("value", url));
            foreach (var (kind, name) in names.Where(n => banned.Contains(n.Item2)))
                h.Element("button", $"Unban {kind} {name}", ("type", "submit"), ("name", "name"), ("value", name), ("id", "unban-" + kind));
            h.End("form");
        }
        bool hostPaused = a.PausedHosts.Contains(host, StringComparer.OrdinalIgnoreCase);
        Form(h, a, hostPaused ? "/actions/resume" : "/actions/pause", "pause-host")
            .Tag("input", ("type", "hidden"), ("name", "host"), ("value", host))
            .Tag("input", ("type", "hidden"), ("name", "return"), ("value", url))
            .Element("button", hostPaused ? $"Resume host {host}" : $"Pause host {host}", ("type", "submit"), ("id", "pause-host-button")).End("form");
        h.End("section");
    }

    internal static void ForOverview(HtmlBuilder h, ActionContext a)
    {
        h.Tag("section", ("id", "controls")).Element("h3", "Steer the crawl");
        Form(h, a, a.Paused ? "/actions/resume" : "/actions/pause", "pause-crawl")
            .Element("button", a.Paused ? "Resume crawl" : "Pause crawl", ("type", "submit"), ("id", "pause-crawl-button")).End("form");
        if (a.PausedHosts.Count > 0)
        {
            h.Tag("div", ("id", "paused-hosts")).Text("Paused hosts:");
            foreach (var host in a.PausedHosts)
                Form(h, a, "/actions/resume", "resume-" + host).Tag("input", ("type", "hidden"), ("name", "host"), ("value", host))
                    .Element("button", $"Resume {host}", ("type", "submit")).End("form");
            h.End("div");
        }
        h.Tag("p").Link("/bans", "Bans", ("id", "bans-link")).End("p");
        Form(h, a, "/actions/seeds", "add-seeds")
            .Tag("label", ("for", "seeds")).Text("Add seeds (one URL per line)").End("label")
            .Element("textarea", "", ("id", "seeds"), ("name", "urls"), ("rows", "3"), ("cols", "70"))
            .Element("button", "Add seeds", ("type", "submit"), ("id", "add-seeds-button")).End("form");
        h.End("section");
    }

    /// <summary>The live figures, each in an element the live script updates from <c>/api/events</c>.</summary>
    internal static void Live(HtmlBuilder h, CrawlFigures f)
    {
        string N(long v) => v.ToString("N0", CultureInfo.InvariantCulture);
        h.Tag("section", ("id", "live"), ("data-events", "/api/events")).Element("h3", "Live")
            .Tag("dl", ("class", "counters"));
        foreach (var (name, field, value) in new[]
                 {
                     ("Pages/s", "pagesPerSecond", f.PagesPerSecond.ToString("F1", CultureInfo.InvariantCulture)), ("Pages this run", "pagesThisRun", N(f.PagesThisRun)),
                     ("Queue", "queued", N(f.Queued)), ("Requests in progress", "inFlight", N(f.InFlight)), ("URLs leased (in progress or ahead)", "leased", N(f.Leased)),
                     ("Hosts fetching", "hostsFetching", N(f.HostsFetching)), ("Hosts waiting", "hostsWaiting", N(f.HostsWaiting)), ("Recrawls due", "recrawlsDue", N(f.RecrawlsDue)),
                     ("Errors", "errors", N(f.Errors)), ("Redirects", "redirects", N(f.Redirects)), ("State", "state", f.Paused ? "paused" : "running"),
                 })
            h.Tag("div").Element("dt", name).Element("dd", value, ("data-live", field)).End("div");
        h.End("dl").Element("p", Counts(f.ErrorsByReason, "no errors"), ("data-live", "errorsByReason"), ("class", "errors-by-reason"))
            .Element("p", "Links not followed: " + Counts(f.LinksNotFollowed, "none"), ("data-live", "linksNotFollowed"))
            .End("section");
    }

    /// <summary>Counts by reason as one line (the live script writes the same form).</summary>
    private static string Counts(IReadOnlyDictionary<string, long> counts, string empty) =>
        counts.Count == 0 ? empty : string.Join(", ", counts.Select(e => $"{e.Key} {e.Value.ToString("N0", CultureInfo.InvariantCulture)}"));

    internal static void AuditLog(HtmlBuilder h, IReadOnlyList<OperatorAction> actions)
    {
        h.Tag("section", ("id", "operator-actions")).Element("h3", "Operator actions").Tag("table")
            .Tag("tr").Element("th", "When (UTC)").Element("th", "Who").Element("th", "Action").Element("th", "Target").Element("th", "Detail").End("tr");
        if (actions.Count == 0) h.Tag("tr").Element("td", "none yet").Element("td", "").Element("td", "").Element("td", "").Element("td", "").End("tr");
        foreach (var x in actions)
            h.Tag("tr").Element("td", x.Stamp.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture)).Element("td", x.Actor).Element("td", x.Action)
                .Element("td", x.Target).Element("td", x.Detail ?? "").End("tr");
        h.End("table").End("section");
    }

    /// <summary>Every ban with its kind, reason, author and time, each with its Unban button.</summary>
    internal static void Bans(HtmlBuilder h, ActionContext a, IReadOnlyList<BanEntry> bans)
    {
        h.Element("h2", $"Bans ({bans.Count})");
        if (bans.Count == 0)
        {
            h.Element("p", "Nothing is banned.", ("id", "no-bans"));
            return;
        }
        h.Tag("table", ("id", "bans")).Tag("thead").Tag("tr").Element("th", "Name").Element("th", "Kind").Element("th", "Reason").Element("th", "By")
            .Element("th", "When").Element("th", "").End("tr").End("thead").Tag("tbody");
        foreach (var b in bans)
        {
            h.Tag("tr", ("data-ban", b.Name)).Element("td", b.Name).Element("td", b.Kind).Element("td", b.Reason ?? "").Element("td", b.By ?? "command line")
                .Element("td", b.At.ToString("yyyy-MM-dd HH:mm 'UTC'", System.Globalization.CultureInfo.InvariantCulture)).Tag("td");
            Form(h, a, "/actions/unban", "unban-" + b.Name).Tag("input", ("type", "hidden"), ("name", "return"), ("value", "/bans"))
                .Element("button", "Unban", ("type", "submit"), ("name", "name"), ("value", b.Name)).End("form");
            h.End("td").End("tr");
        }
        h.End("tbody").End("table");
    }

    private static HtmlBuilder Form(HtmlBuilder h, ActionContext a, string action, string id) =>
        h.Tag("form", ("method", "post"), ("action", action), ("id", id), ("class", "action"))
            .Tag("input", ("type", "hidden"), ("name", a.FormField), ("value", a.Token));
}
