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
        var app = Services(options).Build();
        var inspector = new UrlInspector(options.Store, options.Keyer, options.Inspection);
        UseSecurity(app, options);
        MapPages(app, inspector, options);
        MapApi(app, inspector, options);
        return app;
    }

    private static WebApplicationBuilder Services(InspectorSiteOptions options)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls(options.Urls);
        builder.Services.ConfigureHttpJsonOptions(o => ReportJson.Configure(o.SerializerOptions));
        builder.Services.AddHostFiltering(o =>
        {
            o.AllowedHosts = AllowedHosts(options);
            o.IncludeFailureMessage = true;
        });
        builder.Services.AddOpenApi(o => o.AddDocumentTransformer((doc, _, _) =>
        {
            doc.Info = new() { Title = "Crawlscope inspector API", Version = "v1", Description = "Why a URL is or is not indexable, with the store queries behind every answer." };
            return Task.CompletedTask;
        }));
        return builder;
    }

    /// <summary>Host filtering, the security headers on every response, and the token when one is set.</summary>
    private static void UseSecurity(WebApplication app, InspectorSiteOptions options)
    {
        app.UseHostFiltering();
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
    }

    /// <summary>The pages people read: lookup, report, the whole text of a long field, the overview, assets.</summary>
    private static void MapPages(WebApplication app, UrlInspector inspector, InspectorSiteOptions options)
    {
        app.MapGet("/assets/{name}", (string name) => Asset(name)).ExcludeFromDescription();
        app.MapGet("/favicon.ico", () => Asset("favicon.svg")).ExcludeFromDescription();
        app.MapGet("/", () => Html(InspectPage.Render(null, null, null, null, null))).ExcludeFromDescription();
        app.MapGet("/inspect", async (string? url, string? shard, string? key, CancellationToken ct) =>
        {
            int? shardNumber = null;
            try
            {
                shardNumber = Shard(shard);
                var report = await inspector.LookupAsync(url, shardNumber, key, ct);
                return Html(InspectPage.Render(url, shardNumber, key, report, null));
            }
            catch (InspectionInputException ex)
            {
                return Html(InspectPage.Render(url, shardNumber, key, null, ex.Message), StatusCodes.Status400BadRequest);
            }
        }).ExcludeFromDescription();
        app.MapGet("/inspect/text", async (string? url, string? shard, string? key, string? field, CancellationToken ct) =>
        {
            try
            {
                var page = (await inspector.LookupAsync(url, Shard(shard), key, ct)).Page;
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
        }).ExcludeFromDescription();
        app.MapGet("/overview", async (CancellationToken ct) => Html(OverviewPage.Render(await options.Store.OverviewAsync(20, 60, ct)))).ExcludeFromDescription();
    }

    /// <summary>The JSON API, described by the OpenAPI document.</summary>
    private static void MapApi(WebApplication app, UrlInspector inspector, InspectorSiteOptions options)
    {
        app.MapOpenApi();

        app.MapGet("/api/inspect", async Task<Results<Ok<InspectionReport>, BadRequest<ApiError>>> (string? url, string? shard, string? key, CancellationToken ct) =>
            {
                try
                {
                    return TypedResults.Ok(await inspector.LookupAsync(url, Shard(shard), key, ct));
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
    }

    /// <summary>The shard parameter; a value that is not a number is the caller's mistake, said in words.</summary>
    private static int? Shard(string? text) =>
        string.IsNullOrEmpty(text) ? null
        : int.TryParse(text, System.Globalization.NumberStyles.Integer, System.Globalization.CultureInfo.InvariantCulture, out int shard) ? shard
        : throw new InspectionInputException($"shard must be a whole number, not \"{(text.Length > 40 ? text[..40] + "…" : text)}\"");

    /// <summary>The Host header values to answer: the addresses listened on (all loopback names for a loopback
    /// address) and the configured names; anything when listening on every interface with no names given.</summary>
    internal static List<string> AllowedHosts(InspectorSiteOptions options)
    {
        var hosts = new List<string>(options.AllowedHosts);
        foreach (var url in options.Urls.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            int scheme = url.IndexOf("://", StringComparison.Ordinal);
            string authority = scheme < 0 ? url : url[(scheme + 3)..];
            authority = authority.Split('/')[0];
            string host = authority.StartsWith('[') ? authority[..(authority.IndexOf(']') + 1)] : authority.Split(':')[0];
            if (host is "*" or "+" or "0.0.0.0" or "[::]")
            {
                if (options.AllowedHosts.Count == 0) return ["*"];
                continue;
            }
            if (host is "localhost" or "[::1]" || host.StartsWith("127.", StringComparison.Ordinal)) hosts.AddRange(["localhost", "127.0.0.1", "[::1]"]);
            hosts.Add(host);
        }
        return hosts.Distinct(StringComparer.OrdinalIgnoreCase).ToList();
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
