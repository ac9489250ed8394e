using Crawlscope.Inspection;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Crawlscope.Web;

/// <summary>
/// The inspector's web face (<c>crawlscope serve</c>): server-rendered pages and a JSON API described by
/// OpenAPI, all rendering the same <see cref="InspectionReport"/> the CLI prints.
/// </summary>
public static class InspectorSite
{
    public static WebApplication Build(InspectorSiteOptions options)
    {
        MeterExport.Start();
        var app = Services(options).Build();
        var readers = SiteReaders.For(options);
        // Every error of the API is an RFC 9457 problem document, those the framework raises included (a body that is
        // not JSON, too deep, in an unknown charset, too large), never an empty 400 or a 500.
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        SiteSecurity.Use(app, options);
        PageRoutes.Map(app, readers, options);
        ApiRoutes.Map(app, readers, options);
        ProbeRoutes.Map(app, options);
        if (options.Operator is { } op) OperatorRoutes.Map(app, op, options);
        return app;
    }

    public const long MaxRequestBodyBytes = 2 * 1024 * 1024;

    private static WebApplicationBuilder Services(InspectorSiteOptions options)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls(options.Urls);
        // Requests are small (1,000 URLs fit in well under a megabyte): a body past the limit is refused (413) as it
        // arrives, so parallel huge bodies cannot take the service's memory (16 bodies of 29 MB took 4.1 GB).
        builder.WebHost.ConfigureKestrel(k => k.Limits.MaxRequestBodySize = MaxRequestBodyBytes);
        builder.Services.ConfigureHttpJsonOptions(o => ReportJson.Configure(o.SerializerOptions));
        builder.Services.AddProblemDetails(o => o.CustomizeProblemDetails = ApiProblems.Customize);
        builder.Services.AddAntiforgery(o =>
        {
            o.Cookie.Name = "crawlscope_antiforgery";
            o.Cookie.SameSite = SameSiteMode.Strict;
            o.Cookie.HttpOnly = true;
        });
        builder.Services.AddHostFiltering(o =>
        {
            o.AllowedHosts = AllowedHosts(options);
            o.IncludeFailureMessage = true;
        });
        builder.Services.AddOpenApi(o =>
        {
            o.AddDocumentTransformer((doc, _, _) =>
            {
                doc.Info = new() { Title = "Crawlscope inspector API", Version = "v1", Description = "Why a URL is or is not indexable, with the store queries behind every answer." };
                return Task.CompletedTask;
            });
            // shard= is read as text so that a wrong value gets the inspector's own message; it is a whole number.
            o.AddOperationTransformer((operation, _, _) =>
            {
                foreach (var parameter in operation.Parameters?.OfType<Microsoft.OpenApi.OpenApiParameter>() ?? [])
                    if (parameter.Name == "shard") parameter.Schema = new Microsoft.OpenApi.OpenApiSchema { Type = Microsoft.OpenApi.JsonSchemaType.Integer, Format = "int32", Minimum = "0" };
                return Task.CompletedTask;
            });
        });
        return builder;
    }

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
}
