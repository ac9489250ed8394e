using System.Reflection;
using Crawlscope.Inspection;
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
        MeterExport.Start();
        var app = Services(options).Build();
        var inspector = new UrlInspector(options.Store, options.Keyer, options.Inspection);
        // Every error of the API is an RFC 9457 problem document, those the framework raises included (a body that is
        // not JSON, too deep, in an unknown charset, too large), never an empty 400 or a 500.
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        UseSecurity(app, options);
        MapPages(app, inspector, options);
        MapApi(app, inspector, options);
        MapOperations(app, options);
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
            // The API's answers are the crawl's state now (and may carry what a token guards): never kept by a cache.
            if (context.Request.Path.StartsWithSegments("/api")) headers.CacheControl = "no-store";
            await next(context);
        });
        app.Use(CrossSiteCheck);
        if (!string.IsNullOrEmpty(options.Token)) app.Use(new AccessToken(options.Token).InvokeAsync);
        app.UseAntiforgery();
    }

    /// <summary>A request that changes something and that a browser says comes from another site (its Origin is not
    /// this one, or Sec-Fetch-Site says cross-site) is refused before any route sees it; programs send neither header.</summary>
    private static async Task CrossSiteCheck(HttpContext context, RequestDelegate next)
    {
        var request = context.Request;
        if (!HttpMethods.IsGet(request.Method) && !HttpMethods.IsHead(request.Method) && !HttpMethods.IsOptions(request.Method))
        {
            string site = request.Headers["Sec-Fetch-Site"].ToString();
            string origin = request.Headers.Origin.ToString();
            // Browsers send Sec-Fetch-Site; under our no-referrer policy they send "Origin: null" even from our own
            // pages, so the origin decides only for clients without Sec-Fetch-Site.
            bool foreignOrigin = site.Length == 0 && origin.Length > 0 && !string.Equals(origin, $"{request.Scheme}://{request.Host}", StringComparison.OrdinalIgnoreCase);
            if (site is "cross-site" or "same-site" || foreignOrigin)
            {
                context.Response.StatusCode = StatusCodes.Status403Forbidden;
                await context.Response.WriteAsJsonAsync(new ApiError("refused: a request from another site may not act on the crawl"));
                return;
            }
        }
        await next(context);
    }

    /// <summary>Probes and metrics: <c>/healthz</c> (the process answers), <c>/readyz</c> (the store answers and the service is
    /// not stopping), <c>/metrics</c>.</summary>
    private static void MapOperations(WebApplication app, InspectorSiteOptions options)
    {
        app.MapGet("/healthz", () => Results.Text("ok\n")).ExcludeFromDescription();
        app.MapGet("/readyz", async (CancellationToken ct) =>
        {
            if (options.Stopping.IsCancellationRequested)
                return Results.Text("stopping: finishing the pages in flight\n", statusCode: StatusCodes.Status503ServiceUnavailable);
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
        }).ExcludeFromDescription();
        var gauges = options.Operator is { } op ? new CrawlGauges(op) : null;
        app.MapGet("/metrics", async (HttpContext context) =>
        {
            if (gauges is not null) await gauges.UpdateAsync(context.RequestAborted);
            context.Response.ContentType = "text/plain; version=0.0.4; charset=utf-8";
            await Prometheus.Metrics.DefaultRegistry.CollectAndExportAsTextAsync(context.Response.Body, context.RequestAborted);
        }).ExcludeFromDescription();
    }

    /// <summary>The pages people read: lookup, report, the whole text of a long field, the overview, assets.</summary>
    private static void MapPages(WebApplication app, UrlInspector inspector, InspectorSiteOptions options)
    {
        var links = new LinkLister(options.Store, options.Keyer);
        app.MapGet("/assets/{name}", (string name) => Asset(name)).ExcludeFromDescription();
        app.MapGet("/favicon.ico", () => Asset("favicon.svg")).ExcludeFromDescription();
        var reporter = new IndexingReporter(options.Store, options.Inspection);
        app.MapGet("/", async (CancellationToken ct) =>
        {
            // Where to start: the pages by reason, each with an example to open, and the pages fetched last.
            var report = await reporter.ReportAsync(examples: 1, ct: ct);
            var recent = (await options.Store.InspectAsync(options.Store.Queries.RecentFetches, [("$limit", 10)], ct)).Rows
                .Select(r => (Url: (string)r["url"]!, Stamp: r["stamp"]?.ToString(), Status: r["http_code"]?.ToString())).ToList();
            return Html(InspectPage.Render(null, null, null, null, null, home: h => HomePage.Write(h, report, recent)));
        }).ExcludeFromDescription();
        app.MapGet("/inspect", async (HttpContext context, string? url, string? shard, string? key, string? notice, CancellationToken ct) =>
        {
            int? shardNumber = null;
            try
            {
                shardNumber = Shard(shard);
                var report = await inspector.LookupAsync(url, shardNumber, key, ct);
                PageLinks? pageLinks = report.Known
                    ? new PageLinks(await links.ListAsync(report.Url, LinkDirection.Out, 20, 0, ct), await links.ListAsync(report.Url, LinkDirection.In, 20, 0, ct))
                    : null;
                return Html(InspectPage.Render(url, shardNumber, key, report, null, notice, await ReportActionsAsync(context, options, report, ct), pageLinks));
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
        app.MapGet("/links", async (string? url, string? direction, int? offset, CancellationToken ct) =>
        {
            try
            {
                var listed = await links.ListAsync(url, Direction(direction), LinksPage.PageSize, offset ?? 0, ct);
                return Html(LinksPage.Render(url!, Direction(direction), offset ?? 0, listed));
            }
            catch (InspectionInputException ex)
            {
                return Html(PageLayout.Render("Links", h => h.Element("p", ex.Message, ("class", "error"), ("id", "error"), ("role", "alert"))),
                    StatusCodes.Status400BadRequest);
            }
        }).ExcludeFromDescription();
        var crawlStats = new CrawlStatsReporter(options.Store);
        app.MapGet("/crawl-stats", async (string? host, CancellationToken ct) => Html(CrawlStatsPage.Render(await crawlStats.ReportAsync(host, ct)))).ExcludeFromDescription();
        app.MapGet("/indexing", async (string? host, string? prefix, string? reason, int? limit, int? offset, CancellationToken ct) =>
        {
            try
            {
                return Html(IndexingPage.Render(await IndexingAsync(reporter, host, prefix, reason, limit, offset, ct)));
            }
            catch (InspectionInputException ex)
            {
                return Html(PageLayout.Render("Page indexing", h => h.Element("p", ex.Message, ("class", "error"), ("id", "error"), ("role", "alert"))),
                    StatusCodes.Status400BadRequest);
            }
        }).ExcludeFromDescription();
        app.MapGet("/overview", async (HttpContext context, string? notice, CancellationToken ct) =>
        {
            var overview = await options.Store.OverviewAsync(20, 60, ct);
            if (options.Operator is not { } op) return Html(OverviewPage.Render(overview, notice));
            var figures = await new Operating.CrawlFiguresSampler(op.Store, op.Engine).SampleAsync(ct);
            var actions = await op.Store.RecentActionsAsync(20, ct);
            var forms = OperatorRoutes.Context(context, op);
            return Html(OverviewPage.Render(overview, notice, h =>
            {
                ActionForms.Live(h, figures);
                ActionForms.ForOverview(h, forms);
                ActionForms.AuditLog(h, actions);
            }));
        }).ExcludeFromDescription();
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
        var reporter = new IndexingReporter(options.Store, options.Inspection);
        app.MapGet("/api/indexing", async Task<Results<Ok<IndexingReport>, BadRequest<ApiError>>> (string? host, string? prefix, string? reason, int? limit, int? offset, CancellationToken ct) =>
            {
                try
                {
                    return TypedResults.Ok(await IndexingAsync(reporter, host, prefix, reason, limit, offset, ct));
                }
                catch (InspectionInputException ex)
                {
                    return TypedResults.BadRequest(new ApiError(ex.Message));
                }
            })
            .WithName("Indexing")
            .WithSummary("The page indexing report: every URL known, counted by its primary reason (the inspector's verdict), with example URLs, the daily history and the SQL of each count; host= and prefix= narrow it, reason= lists that reason's URLs (limit=, offset=).");
        var links = new LinkLister(options.Store, options.Keyer);
        app.MapGet("/api/links", async Task<Results<Ok<IReadOnlyList<LinkView>>, BadRequest<ApiError>>> (string? url, string? direction, int? limit, int? offset, CancellationToken ct) =>
            {
                try
                {
                    return TypedResults.Ok(await links.ListAsync(url, Direction(direction), limit ?? 100, offset ?? 0, ct));
                }
                catch (InspectionInputException ex)
                {
                    return TypedResults.BadRequest(new ApiError(ex.Message));
                }
            })
            .WithName("Links")
            .WithSummary("A page's links, out (its outlinks) or in (the pages linking to it): URL, anchor text, rel, whether the crawl followed each and why not, and the state of the page at the other end; paged by limit= and offset=.");
        var crawlStats = new CrawlStatsReporter(options.Store);
        app.MapGet("/api/crawl-stats", async (string? host, CancellationToken ct) => TypedResults.Ok(await crawlStats.ReportAsync(host, ct)))
            .WithName("CrawlStats")
            .WithSummary("The crawl stats report from the fetch history: requests per day by response class, by content type, by purpose (discovery, recrawl), by host; fetches without an answer by failure; each host's robots.txt; mean response time; the SQL of each count. host= narrows it to one host.");
        app.MapGet("/api/stats", async (CancellationToken ct) => TypedResults.Ok(await options.Store.StatsAsync(ct)))
            .WithName("Stats")
            .WithSummary("Counts of the crawl store: pages by status, failure and drop reason, hosts, queue.");
    }

    /// <summary>The report with its parameters read as the page and the API take them; a reason that is not one is
    /// the caller's mistake, said with the names there are.</summary>
    private static Task<IndexingReport> IndexingAsync(IndexingReporter reporter, string? host, string? prefix, string? reason, int? limit, int? offset,
        CancellationToken ct)
    {
        Vocabulary.IndexingReason? listed = null;
        if (!string.IsNullOrEmpty(reason))
        {
            if (!Vocabulary.StoreNames.TryParse<Vocabulary.IndexingReason>(reason, out var parsed))
                throw new InspectionInputException($"reason must be one of {string.Join(", ", Model.IndexingReasons.All.Select(r => Vocabulary.StoreNames.Of(r)))}");
            listed = parsed;
        }
        return reporter.ReportAsync(host, prefix, listed, limit ?? 100, offset ?? 0, ct: ct);
    }

    /// <summary>The operator's forms for a report, when a crawl runs in this process and the URL can be keyed.</summary>
    internal static async Task<Action<HtmlBuilder>?> ReportActionsAsync(HttpContext context, InspectorSiteOptions options, InspectionReport report, CancellationToken ct)
    {
        if (options.Operator is not { } op || !options.Keyer.TryIdentify(report.Url, out var id, out _)) return null;
        var forms = OperatorRoutes.Context(context, op);
        var banned = (await op.Store.BansAsync(ct)).Select(b => b.Name).ToHashSet(StringComparer.OrdinalIgnoreCase);
        return h => ActionForms.ForReport(h, forms, report.Url, id.Host, id.Site, report.Badges.Crawled, banned);
    }

    /// <summary>out (the default) or in.</summary>
    internal static LinkDirection Direction(string? text) => text switch
    {
        null or "" or "out" => LinkDirection.Out,
        "in" => LinkDirection.In,
        _ => throw new InspectionInputException("direction must be out or in"),
    };

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
