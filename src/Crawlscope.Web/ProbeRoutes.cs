using Crawlscope.Operating;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Crawlscope.Web;

/// <summary>Probes and metrics: <c>/healthz</c> (the process answers), <c>/readyz</c> (the store answers and the service
/// is not stopping), <c>/metrics</c>.</summary>
internal static class ProbeRoutes
{
    public static void Map(WebApplication app, InspectorSiteOptions options)
    {
        app.MapGet("/healthz", () => Results.Text("ok\n")).ExcludeFromDescription();
        app.MapGet("/readyz", (CancellationToken ct) => ReadyAsync(options, ct)).ExcludeFromDescription();
        var gauges = options.Operator is { } op ? new CrawlGauges(op) : null;
        app.MapGet("/metrics", (HttpContext context) => MetricsAsync(context, gauges)).ExcludeFromDescription();
    }

    private static async Task<IResult> ReadyAsync(InspectorSiteOptions options, CancellationToken ct)
    {
        if (options.Stopping.IsCancellationRequested)
            return Results.Text("stopping: finishing the pages in flight\n", statusCode: StatusCodes.Status503ServiceUnavailable);
        if (options.Operator?.StoreProblem is { } problem) return Results.Text(problem + "\n", statusCode: StatusCodes.Status503ServiceUnavailable);
        try
        {
            using var bound = CancellationTokenSource.CreateLinkedTokenSource(ct);
            bound.CancelAfter(TimeSpan.FromSeconds(5));
            await options.Store.QueueCountsAsync(DateTimeOffset.UtcNow, bound.Token);
            return Results.Text("ready\n");
        }
#pragma warning disable CA1031 // any failure of the store means not ready, said in the body
        catch (Exception ex)
        {
            return Results.Text($"store not answering: {ex.Message}\n", statusCode: StatusCodes.Status503ServiceUnavailable);
        }
#pragma warning restore CA1031
    }

    private static async Task MetricsAsync(HttpContext context, CrawlGauges? gauges)
    {
        if (gauges is not null) await gauges.UpdateAsync(context.RequestAborted);
        context.Response.ContentType = "text/plain; version=0.0.4; charset=utf-8";
        await Prometheus.Metrics.DefaultRegistry.CollectAndExportAsTextAsync(context.Response.Body, context.RequestAborted);
    }
}
