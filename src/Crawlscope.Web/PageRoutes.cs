using Crawlscope.Inspection;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Crawlscope.Web;

/// <summary>The pages people read: lookup, report, the whole text of a long field, links, page indexing, crawl stats,
/// the overview, and the assets they need. Each route is one named handler.</summary>
internal sealed class PageRoutes(SiteReaders readers, InspectorSiteOptions options)
{
    public static void Map(WebApplication app, SiteReaders readers, InspectorSiteOptions options)
    {
        var pages = new PageRoutes(readers, options);
        app.MapGet("/assets/{name}", SiteAssets.Get).ExcludeFromDescription();
        app.MapGet("/favicon.ico", () => SiteAssets.Get("favicon.svg")).ExcludeFromDescription();
        app.MapGet("/", pages.HomeAsync).ExcludeFromDescription();
        app.MapGet("/inspect", pages.InspectAsync).ExcludeFromDescription();
        app.MapGet("/inspect/text", pages.TextAsync).ExcludeFromDescription();
        app.MapGet("/links", pages.LinksAsync).ExcludeFromDescription();
        app.MapGet("/crawl-stats", pages.CrawlStatsAsync).ExcludeFromDescription();
        app.MapGet("/indexing", pages.IndexingAsync).ExcludeFromDescription();
        app.MapGet("/overview", pages.OverviewAsync).ExcludeFromDescription();
    }

    /// <summary>Where to start: the pages by reason, each with an example to open, and the pages fetched last.</summary>
    private async Task<IResult> HomeAsync(CancellationToken ct)
    {
        var report = await readers.Indexing.ReportAsync(examples: 1, ct: ct);
        var recent = (await options.Store.InspectAsync(options.Store.Queries.RecentFetches, [("$limit", 10)], ct)).Rows
            .Select(r => (Url: (string)r["url"]!, Stamp: r["stamp"]?.ToString(), Status: r["http_code"]?.ToString())).ToList();
        return RouteInput.Html(InspectPage.Render(null, null, null, null, null, home: h => HomePage.Write(h, report, recent)));
    }

    private async Task<IResult> InspectAsync(HttpContext context, string? url, string? shard, string? key, string? notice, CancellationToken ct)
    {
        int? shardNumber = null;
        try
        {
            shardNumber = RouteInput.Shard(shard);
            var report = await readers.Inspector.LookupAsync(url, shardNumber, key, ct);
            PageLinks? pageLinks = report.Known
                ? new PageLinks(await readers.Links.ListAsync(report.Url, LinkDirection.Out, 20, 0, ct), await readers.Links.ListAsync(report.Url, LinkDirection.In, 20, 0, ct))
                : null;
            return RouteInput.Html(InspectPage.Render(url, shardNumber, key, report, null, notice, await ReportActionsAsync(context, options, report, ct), pageLinks));
        }
        catch (InspectionInputException ex)
        {
            return RouteInput.Html(InspectPage.Render(url, shardNumber, key, null, ex.Message), StatusCodes.Status400BadRequest);
        }
    }

    /// <summary>The whole text of one of a page's long fields, as plain text.</summary>
    private async Task<IResult> TextAsync(string? url, string? shard, string? key, string? field, CancellationToken ct)
    {
        try
        {
            var page = (await readers.Inspector.LookupAsync(url, RouteInput.Shard(shard), key, ct)).Page;
            string? text = field switch
            {
                "boilerpipe" => page?.BoilerpipeText,
                "markdown" => page?.Markdown,
                "readable" => page?.ReadableMarkdown,
                _ => throw new InspectionInputException("field must be boilerpipe, markdown or readable"),
            };
            return text is null ? Results.NotFound() : Results.Text(text, "text/plain; charset=utf-8");
        }
        catch (InspectionInputException ex)
        {
            return Results.Text(ex.Message, "text/plain; charset=utf-8", statusCode: StatusCodes.Status400BadRequest);
        }
    }

    private async Task<IResult> LinksAsync(string? url, string? direction, int? offset, CancellationToken ct)
    {
        try
        {
            var listed = await readers.Links.ListAsync(url, RouteInput.Direction(direction), LinksPage.PageSize, offset ?? 0, ct);
            return RouteInput.Html(LinksPage.Render(url!, RouteInput.Direction(direction), offset ?? 0, listed));
        }
        catch (InspectionInputException ex)
        {
            return Refused("Links", ex);
        }
    }

    private async Task<IResult> CrawlStatsAsync(string? host, CancellationToken ct) =>
        RouteInput.Html(CrawlStatsPage.Render(await readers.CrawlStats.ReportAsync(host, ct)));

    private async Task<IResult> IndexingAsync(string? host, string? prefix, string? reason, int? limit, int? offset, CancellationToken ct)
    {
        try
        {
            return RouteInput.Html(IndexingPage.Render(await readers.Indexing.ReportAsync(host, prefix, RouteInput.Reason(reason), limit ?? 100, offset ?? 0, ct: ct)));
        }
        catch (InspectionInputException ex)
        {
            return Refused("Page indexing", ex);
        }
    }

    /// <summary>The crawl's overview; with the live figures, the operator's forms and the audit log when a crawl runs here.</summary>
    private async Task<IResult> OverviewAsync(HttpContext context, string? notice, CancellationToken ct)
    {
        var overview = await options.Store.OverviewAsync(20, 60, ct);
        if (options.Operator is not { } op) return RouteInput.Html(OverviewPage.Render(overview, notice));
        var figures = await op.Figures().SampleAsync(ct);
        var actions = await op.RecentActionsAsync(20, ct);
        var forms = OperatorRoutes.Context(context, op);
        return RouteInput.Html(OverviewPage.Render(overview, notice, h =>
        {
            if (op.StoreProblem is { } problem) h.Element("p", problem, ("class", "error"), ("id", "store-problem"), ("role", "alert"));
            ActionForms.Live(h, figures);
            ActionForms.ForOverview(h, forms);
            ActionForms.AuditLog(h, actions);
        }));
    }

    private static IResult Refused(string title, InspectionInputException ex) =>
        RouteInput.Html(PageLayout.Render(title, h => h.Element("p", ex.Message, ("class", "error"), ("id", "error"), ("role", "alert"))),
            StatusCodes.Status400BadRequest);

    /// <summary>The operator's forms for a report, when a crawl runs in this process and the URL can be keyed.</summary>
    internal static async Task<Action<HtmlBuilder>?> ReportActionsAsync(HttpContext context, InspectorSiteOptions options, InspectionReport report, CancellationToken ct)
    {
        if (options.Operator is not { } op || !options.Keyer.TryIdentify(report.Url, out var id, out _)) return null;
        var forms = OperatorRoutes.Context(context, op);
        var banned = await op.BannedNamesAsync(ct);
        return h => ActionForms.ForReport(h, forms, report.Url, id.Host, id.Site, report.Badges.Crawled, banned);
    }
}
