using Crawlscope.Inspection;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Scalar.AspNetCore;

namespace Crawlscope.Web;

/// <summary>The inspector's JSON API, described by the OpenAPI document. Each route is one named handler; a parameter
/// that is not one answers 400 with what was wrong.</summary>
internal sealed class ApiRoutes(SiteReaders readers, InspectorSiteOptions options)
{
    /// <summary>The API reference's page; the OpenAPI document's operations are grouped by these tags.</summary>
    internal const string ReferencePath = "/reference", InspectionTag = "Inspection", ReportsTag = "Reports", OperatorTag = "Operator actions";

    public static void Map(WebApplication app, SiteReaders readers, InspectorSiteOptions options)
    {
        var api = new ApiRoutes(readers, options);
        app.MapOpenApi();
        // A browsable reference of the document (Scalar, served from the package: no CDN).
        app.MapScalarApiReference(ReferencePath, (o, context) => o.WithTitle("Crawlscope API").DisableDefaultFonts()
            .WithNonce(SiteSecurity.ScriptNonce(context)).WithOpenApiRoutePattern("/openapi/{documentName}.json"));
        var inspection = app.MapGroup("/api").WithTags(InspectionTag);
        var reports = app.MapGroup("/api").WithTags(ReportsTag);
        inspection.MapGet("/inspect", api.InspectAsync).WithName("Inspect")
            .WithSummary("Inspect one URL (url=) or one stored key (shard= and key=): the five checks with their queries and raw responses, badges, filters, page details.");
        inspection.MapGet("/indexing", api.IndexingAsync).WithName("Indexing")
            .WithSummary("The page indexing report: every URL known, counted by its primary reason (the inspector's verdict), with example URLs, the daily history and the SQL of each count; host= and prefix= narrow it, reason= lists that reason's URLs (limit=, offset=).");
        inspection.MapGet("/links", api.LinksAsync).WithName("Links")
            .WithSummary("A page's links, out (its outlinks) or in (the pages linking to it): URL, anchor text, rel, whether the crawl followed each and why not, and the state of the page at the other end; paged by limit= and offset=.");
        reports.MapGet("/crawl-stats", api.CrawlStatsAsync).WithName("CrawlStats")
            .WithSummary("The crawl stats report from the fetch history: requests per day by response class, by content type, by purpose (discovery, recrawl), by host; fetches without an answer by failure; each host's robots.txt; mean response time; the SQL of each count. host= narrows it to one host.");
        reports.MapGet("/stats", api.StatsAsync).WithName("Stats")
            .WithSummary("Counts of the crawl store: pages by status, failure and drop reason, hosts, queue.");
    }

    private Task<Results<Ok<InspectionReport>, BadRequest<ApiError>>> InspectAsync(string? url, string? shard, string? key, CancellationToken ct) =>
        Answer(() => readers.Inspector.LookupAsync(url, RouteInput.Shard(shard), key, ct));

    private Task<Results<Ok<IndexingReport>, BadRequest<ApiError>>> IndexingAsync(string? host, string? prefix, string? reason, int? limit, int? offset,
        CancellationToken ct) =>
        Answer(() => readers.Indexing.ReportAsync(host, prefix, RouteInput.Reason(reason), limit ?? 100, offset ?? 0, ct: ct));

    private Task<Results<Ok<IReadOnlyList<LinkView>>, BadRequest<ApiError>>> LinksAsync(string? url, string? direction, int? limit, int? offset, CancellationToken ct) =>
        Answer(() => readers.Links.ListAsync(url, RouteInput.Direction(direction), limit ?? 100, offset ?? 0, ct));

    private async Task<Ok<CrawlStatsReport>> CrawlStatsAsync(string? host, CancellationToken ct) => TypedResults.Ok(await readers.CrawlStats.ReportAsync(host, ct));

    private async Task<Ok<Model.CrawlStats>> StatsAsync(CancellationToken ct) => TypedResults.Ok(await options.Store.StatsAsync(ct));

    /// <summary>The read's answer, or 400 with the caller's mistake.</summary>
    private static async Task<Results<Ok<T>, BadRequest<ApiError>>> Answer<T>(Func<Task<T>> read)
    {
        try
        {
            return TypedResults.Ok(await read());
        }
        catch (InspectionInputException ex)
        {
            return TypedResults.BadRequest(new ApiError(ex.Message));
        }
    }
}
