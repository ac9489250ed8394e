using System.Reflection;
using Crawlscope.Inspection;
using Crawlscope.Storage;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Crawlscope.Web;

/// <summary>
/// The inspector's web face (<c>crawlscope serve</c>): server-rendered pages and a JSON API described by
/// OpenAPI, all rendering the same <see cref="InspectionReport"/> the CLI prints.
/// </summary>
public static class InspectorSite
{
    /// <summary>Sent with every response. No inline script or style is ever needed, so none is allowed.</summary>
    internal const string ContentSecurityPolicy =
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
        "form-action 'self'; base-uri 'none'; frame-ancestors 'none'";

    public static WebApplication Build(InspectorSiteOptions options)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls(options.Urls);
        builder.Services.ConfigureHttpJsonOptions(o => ReportJson.Configure(o.SerializerOptions));
        builder.Services.AddOpenApi(o => o.AddDocumentTransformer((doc, _, _) =>
        {
            doc.Info = new() { Title = "Crawlscope inspector API", Version = "v1", Description = "Why a URL is or is not indexable, with the store queries behind every answer." };
            return Task.CompletedTask;
        }));
        var app = builder.Build();
        var inspector = new UrlInspector(options.Store, options.Keyer, options.Inspection);

        app.Use(async (context, next) =>
        {
            var headers = context.Response.Headers;
            headers.ContentSecurityPolicy = ContentSecurityPolicy;
            headers.XContentTypeOptions = "nosniff";
            headers.XFrameOptions = "DENY";
            headers["Referrer-Policy"] = "no-referrer";
            headers["Cross-Origin-Opener-Policy"] = "same-origin";
            await next(context);
        });
        if (!string.IsNullOrEmpty(options.Token)) app.Use(new AccessToken(options.Token).InvokeAsync);

        app.MapOpenApi();
        app.MapGet("/assets/{name}", (string name) => Asset(name)).ExcludeFromDescription();
        app.MapGet("/favicon.ico", () => Asset("favicon.svg")).ExcludeFromDescription();
        app.MapGet("/", () => Html(InspectPage.Render(null, null, null, null, null))).ExcludeFromDescription();
        app.MapGet("/inspect", async (string? url, int? shard, string? key, CancellationToken ct) =>
        {
            try
            {
                var report = await inspector.LookupAsync(url, shard, key, ct);
                return Html(InspectPage.Render(url, shard, key, report, null));
            }
            catch (InspectionInputException ex)
            {
                return Html(InspectPage.Render(url, shard, key, null, ex.Message), StatusCodes.Status400BadRequest);
            }
        }).ExcludeFromDescription();
        app.MapGet("/overview", async (CancellationToken ct) => Html(OverviewPage.Render(await options.Store.OverviewAsync(20, 60, ct)))).ExcludeFromDescription();

        app.MapGet("/api/inspect", async Task<Results<Ok<InspectionReport>, BadRequest<ApiError>>> (string? url, int? shard, string? key, CancellationToken ct) =>
            {
                try
                {
                    return TypedResults.Ok(await inspector.LookupAsync(url, shard, key, ct));
                }
                catch (InspectionInputException ex)
                {
                    return TypedResults.BadRequest(new ApiError(ex.Message));
                }
            })
            .WithName("Inspect")
            .WithSummary("Inspect one URL (url=) or one stored key (shard= and key=): the five checks with their queries and raw responses, badges, filters, page details.");
        app.MapGet("/api/stats", async (CancellationToken ct) => TypedResults.Ok(await options.Store.StatsAsync(ct)))
            .WithName("Stats")
            .WithSummary("Counts of the crawl store: pages by status, failure and drop reason, hosts, queue.");
        return app;
    }

    private static IResult Html(string page, int status = StatusCodes.Status200OK) =>
        Results.Content(page, "text/html; charset=utf-8", System.Text.Encoding.UTF8, status);

    private static readonly Dictionary<string, (byte[] Bytes, string Type)> Assets = LoadAssets();

    private static Dictionary<string, (byte[], string)> LoadAssets()
    {
        var assembly = Assembly.GetExecutingAssembly();
        var result = new Dictionary<string, (byte[], string)>(StringComparer.Ordinal);
        const string prefix = "Crawlscope.Web.Assets.";
        foreach (var name in assembly.GetManifestResourceNames().Where(n => n.StartsWith(prefix, StringComparison.Ordinal)))
        {
            using var stream = assembly.GetManifestResourceStream(name)!;
            using var copy = new MemoryStream();
            stream.CopyTo(copy);
            string file = name[prefix.Length..];
            string type = Path.GetExtension(file) switch
            {
                ".css" => "text/css; charset=utf-8",
                ".js" => "text/javascript; charset=utf-8",
                ".svg" => "image/svg+xml",
                _ => "application/octet-stream",
            };
            result[file] = (copy.ToArray(), type);
        }
        return result;
    }

    private static IResult Asset(string name) =>
        Assets.TryGetValue(name, out var asset) ? Results.Bytes(asset.Bytes, asset.Type) : Results.NotFound();
}
