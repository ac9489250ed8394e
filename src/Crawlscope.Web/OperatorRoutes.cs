using System.Net;
using System.Text.Json;
using Crawlscope.Inspection;
using Crawlscope.Operating;
using Crawlscope.Model;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Crawlscope.Vocabulary;

namespace Crawlscope.Web;

/// <summary>Bodies of the crawl's API.</summary>
public sealed record UrlsRequest(IReadOnlyList<string>? Urls);
public sealed record HostRequest(string? Host);
public sealed record BanRequest(string? Name, string? Reason);
/// <param name="Render">Render the page in a browser even when its HTML is not an empty shell (it is rendered
/// anyway when it is one, or when the stored page was rendered); the answer then carries a screenshot.</param>
public sealed record LiveRequest(string? Url, bool? Render = null);
public sealed record QueueEntry(string Url, string State, int Priority, int Depth, int Attempts, DateTimeOffset NotBefore);
public sealed record PauseState(bool Paused, bool Changed, IReadOnlyCollection<string> PausedHosts);

/// <summary>
/// The routes of a running crawl (<c>crawlscope run</c>): the operator's forms (POST, anti-forgery token), the JSON
/// API (token as Bearer when one is set), the live event stream, and the probes. Every action goes through the
/// <see cref="CrawlOperator"/>, which checks it and writes it to the audit log.
/// </summary>
internal static class OperatorRoutes
{
    internal static void Map(WebApplication app, CrawlOperator op, InspectorSiteOptions options)
    {
        MapForms(app, op, options);
        MapApi(app, op, options);
        app.MapGet("/bans", async (HttpContext context, string? notice, CancellationToken ct) =>
        {
            var bans = await BansAsync(op, options, ct);
            var forms = Context(context, op);
            return Results.Content(PageLayout.Render("Bans", h =>
            {
                if (notice is not null) h.Element("p", notice, ("class", "notice"), ("id", "notice"), ("role", "status"));
                ActionForms.Bans(h, forms, bans);
            }), "text/html; charset=utf-8");
        }).ExcludeFromDescription();
        app.MapGet("/api/events", (HttpContext context, IHostApplicationLifetime life) => EventsAsync(context, op, life.ApplicationStopping))
            .WithName("Events").WithSummary("Server-Sent Events: one `figures` event a second with the live overview's figures (pages/s, queue, hosts, errors, recrawls due, pause state).")
            .Produces(StatusCodes.Status200OK, contentType: "text/event-stream").Guarded();
    }

    /// <summary>Who did it, for the audit log: the token when one is set, else the caller's address (loopback by default).</summary>
    internal static string Actor(HttpContext context, InspectorSiteOptions options)
    {
        if (!string.IsNullOrEmpty(options.Token)) return context.Request.Headers.Authorization.Count > 0 ? "token (api)" : "token (page)";
        var ip = context.Connection.RemoteIpAddress;
        return ip is null || IPAddress.IsLoopback(ip) ? "loopback" : ip.ToString();
    }

    internal static ActionContext Context(HttpContext context, CrawlOperator op)
    {
        var tokens = context.RequestServices.GetRequiredService<IAntiforgery>().GetAndStoreTokens(context);
        return new ActionContext(tokens.FormFieldName, tokens.RequestToken!, op.Control.Paused, op.Control.PausedHosts);
    }

    private static void MapForms(WebApplication app, CrawlOperator op, InspectorSiteOptions options)
    {
        app.MapPost("/actions/crawl", async (HttpContext context, [Microsoft.AspNetCore.Mvc.FromForm] string? url, [Microsoft.AspNetCore.Mvc.FromForm] string? recrawl, CancellationToken ct) =>
        {
            var answer = (await op.SubmitAsync([url ?? ""], recrawl == "true" ? SubmitKind.RecrawlNow : SubmitKind.CrawlNow, Actor(context, options), ct))[0];
            return BackTo(url, Describe(answer));
        }).ExcludeFromDescription();
        var inspector = new UrlInspector(options.Store, options.Keyer, options.Inspection);
        app.MapPost("/actions/live", async (HttpContext context, [Microsoft.AspNetCore.Mvc.FromForm] string? url, [Microsoft.AspNetCore.Mvc.FromForm] string? render, CancellationToken ct) =>
        {
            var test = await op.LiveTestAsync(url ?? "", inspector, Actor(context, options), render == "true", ct);
            if (test.Report is not { } report) return BackTo(url, "live test refused: " + test.Refused);
            return Results.Content(InspectPage.Render(report.Url, null, null, report, null, "live test done: the URL was fetched now; nothing of it is stored",
                await InspectorSite.ReportActionsAsync(context, options, report, ct)), "text/html; charset=utf-8");
        }).ExcludeFromDescription();
        app.MapPost("/actions/ban", async (HttpContext context, [Microsoft.AspNetCore.Mvc.FromForm] string? name, [Microsoft.AspNetCore.Mvc.FromForm] string? reason,
            [Microsoft.AspNetCore.Mvc.FromForm(Name = "return")] string? back, CancellationToken ct) =>
            BackTo(back, await Try(async () => $"banned {(await op.BanAsync(name ?? "", reason, Actor(context, options), ct)).Name}"))).ExcludeFromDescription();
        app.MapPost("/actions/unban", async (HttpContext context, [Microsoft.AspNetCore.Mvc.FromForm] string? name,
            [Microsoft.AspNetCore.Mvc.FromForm(Name = "return")] string? back, CancellationToken ct) =>
            BackTo(back, await Try(async () => await op.UnbanAsync(name ?? "", Actor(context, options), ct) ? $"unbanned {name}" : $"{name} was not banned"))).ExcludeFromDescription();
        app.MapPost("/actions/pause", async (HttpContext context, [Microsoft.AspNetCore.Mvc.FromForm] string? host,
            [Microsoft.AspNetCore.Mvc.FromForm(Name = "return")] string? back, CancellationToken ct) =>
            BackTo(back, await Try(async () => (await op.PauseAsync(host, Actor(context, options), ct) ? "paused " : "already paused: ") + (host ?? "the crawl")))).ExcludeFromDescription();
        app.MapPost("/actions/resume", async (HttpContext context, [Microsoft.AspNetCore.Mvc.FromForm] string? host,
            [Microsoft.AspNetCore.Mvc.FromForm(Name = "return")] string? back, CancellationToken ct) =>
            BackTo(back, await Try(async () => (await op.ResumeAsync(host, Actor(context, options), ct) ? "resumed " : "was not paused: ") + (host ?? "the crawl")))).ExcludeFromDescription();
        app.MapPost("/actions/seeds", async (HttpContext context, [Microsoft.AspNetCore.Mvc.FromForm] string? urls, CancellationToken ct) =>
        {
            var lines = (urls ?? "").Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            string notice = await Try(async () => string.Join("; ", (await op.SubmitAsync(lines, SubmitKind.Seed, Actor(context, options), ct)).Select(Describe)));
            return BackTo(null, lines.Length == 0 ? "no URL given" : notice);
        }).ExcludeFromDescription();
    }

    private static void MapApi(WebApplication app, CrawlOperator op, InspectorSiteOptions options)
    {
        app.MapPost("/api/urls", (HttpContext c, UrlsRequest body, CancellationToken ct) => SubmitAsync(c, op, options, body, SubmitKind.CrawlNow, ct))
            .WithName("SubmitUrls").WithSummary("Queue URLs at the front of the crawl. Each is answered: queued, known (with its state), or refused (scope, robots.txt, quota, invalid).").Guarded();
        app.MapPost("/api/recrawl", (HttpContext c, UrlsRequest body, CancellationToken ct) => SubmitAsync(c, op, options, body, SubmitKind.RecrawlNow, ct))
            .WithName("Recrawl").WithSummary("Queue URLs again at the front, known or not (Recrawl now); answered like /api/urls.").Guarded();
        app.MapPost("/api/seeds", (HttpContext c, UrlsRequest body, CancellationToken ct) => SubmitAsync(c, op, options, body, SubmitKind.Seed, ct))
            .WithName("AddSeeds").WithSummary("Add seeds: their sites (or hosts, by the scope) join the crawl's scope at once, and they are queued at the front; answered like /api/urls.").Guarded();
        app.MapGet("/api/queue", async Task<Results<Ok<List<QueueEntry>>, BadRequest<ApiError>>> (string? host, int? limit, CancellationToken ct) =>
                string.IsNullOrWhiteSpace(host) ? TypedResults.BadRequest(new ApiError("host= is required"))
                : TypedResults.Ok((await op.Store.QueueAsync(host.Trim().ToLowerInvariant(), Math.Clamp(limit ?? 100, 1, 1000), ct))
                    .Select(q => new QueueEntry(q.Url, StoreNames.Of(q.State), q.Priority, q.Depth, q.Attempts, q.NotBefore)).ToList()))
            .WithName("Queue").WithSummary("A host's URLs waiting or in flight, in the order they will be fetched (at most limit=, default 100).").Guarded();
        app.MapPost("/api/pause", (HttpContext c, HostRequest? body, CancellationToken ct) => PauseAsync(c, op, options, body?.Host, true, ct))
            .WithName("Pause").WithSummary("Pause the whole crawl, or one host with {\"host\": \"...\"}: pages in flight finish, nothing new starts.").Guarded();
        app.MapPost("/api/resume", (HttpContext c, HostRequest? body, CancellationToken ct) => PauseAsync(c, op, options, body?.Host, false, ct))
            .WithName("Resume").WithSummary("Resume the whole crawl, or one host.").Guarded();
        var inspector = new UrlInspector(options.Store, options.Keyer, options.Inspection);
        app.MapPost("/api/inspect/live", async Task<Results<Ok<InspectionReport>, BadRequest<ApiError>>> (HttpContext c, LiveRequest body, CancellationToken ct) =>
            {
                var test = await op.LiveTestAsync(body.Url ?? "", inspector, Actor(c, options), body.Render == true, ct);
                return test.Report is { } report ? TypedResults.Ok(report) : TypedResults.BadRequest(new ApiError(test.Refused!));
            })
            .WithName("InspectLive").WithSummary("Test the live URL: fetch it now with the running crawl's settings and robots.txt, and answer the stored report with its live part beside it (duplicates are not evaluated live); counted in the site's daily quota.").Guarded();
        app.MapGet("/api/bans", async (CancellationToken ct) => TypedResults.Ok(await BansAsync(op, options, ct)))
            .WithName("Bans").WithSummary("Every ban: the name, whether it is a host or a registrable domain, the reason, who banned it (from the audit log; null for the CLI) and when.").Guarded();
        app.MapPost("/api/bans", async Task<Results<Ok<BanRecord>, BadRequest<ApiError>>> (HttpContext c, BanRequest body, CancellationToken ct) =>
            {
                try
                {
                    return TypedResults.Ok(await op.BanAsync(body.Name ?? "", body.Reason, Actor(c, options), ct));
                }
                catch (ArgumentException ex)
                {
                    return TypedResults.BadRequest(new ApiError(ex.Message));
                }
            })
            .WithName("Ban").WithSummary("Ban a host or a registrable domain (fh_dont_index = 1) with a reason; the crawl stops following its links.").Guarded();
        app.MapDelete("/api/bans/{name}", async Task<Results<Ok, NotFound<ApiError>, BadRequest<ApiError>>> (HttpContext c, string name, CancellationToken ct) =>
            {
                try
                {
                    return await op.UnbanAsync(name, Actor(c, options), ct) ? TypedResults.Ok() : TypedResults.NotFound(new ApiError($"{name} is not banned"));
                }
                catch (ArgumentException ex)
                {
                    return TypedResults.BadRequest(new ApiError(ex.Message));
                }
            })
            .WithName("Unban").WithSummary("Lift a ban.").Guarded();
        app.MapGet("/api/actions", async (int? limit, CancellationToken ct) => TypedResults.Ok(await op.Store.RecentActionsAsync(Math.Clamp(limit ?? 50, 1, 1000), ct)))
            .WithName("Actions").WithSummary("The audit log of operator actions, newest first.").Guarded();
    }

    private static async Task<Results<Ok<IReadOnlyList<SubmitAnswer>>, BadRequest<ApiError>>> SubmitAsync(HttpContext c, CrawlOperator op, InspectorSiteOptions options,
        UrlsRequest body, SubmitKind kind, CancellationToken ct)
    {
        if (body.Urls is not { Count: > 0 } urls) return TypedResults.BadRequest(new ApiError("give {\"urls\": [\"https://...\"]}"));
        try
        {
            return TypedResults.Ok(await op.SubmitAsync(urls, kind, Actor(c, options), ct));
        }
        catch (ArgumentException ex)
        {
            return TypedResults.BadRequest(new ApiError(ex.Message));
        }
    }

    private static async Task<Results<Ok<PauseState>, BadRequest<ApiError>>> PauseAsync(HttpContext c, CrawlOperator op, InspectorSiteOptions options, string? host,
        bool pause, CancellationToken ct)
    {
        try
        {
            bool changed = pause ? await op.PauseAsync(host, Actor(c, options), ct) : await op.ResumeAsync(host, Actor(c, options), ct);
            return TypedResults.Ok(new PauseState(op.Control.Paused, changed, op.Control.PausedHosts));
        }
        catch (ArgumentException ex)
        {
            return TypedResults.BadRequest(new ApiError(ex.Message));
        }
    }

    /// <summary>One <c>figures</c> event a second until the client goes or the service stops.</summary>
    private static async Task EventsAsync(HttpContext context, CrawlOperator op, CancellationToken stopping)
    {
        using var both = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, stopping);
        var response = context.Response;
        response.ContentType = "text/event-stream";
        response.Headers.CacheControl = "no-store";
        var json = new JsonSerializerOptions();
        ReportJson.Configure(json);
        json.WriteIndented = false; // one event, one data line
        var sampler = new CrawlFiguresSampler(op.Store, op.Engine);
        try
        {
            await response.WriteAsync("retry: 2000\n\n", both.Token);
            while (!both.IsCancellationRequested)
            {
                var figures = await sampler.SampleAsync(both.Token);
                await response.WriteAsync($"event: figures\ndata: {JsonSerializer.Serialize(figures, json)}\n\n", both.Token);
                await response.Body.FlushAsync(both.Token);
                await Task.Delay(TimeSpan.FromSeconds(1), both.Token);
            }
        }
        catch (OperationCanceledException)
        {
            // The client left or the service is stopping.
        }
    }

    /// <summary>What every route of the running crawl may also answer: 401 without the token (when one is set), 403
    /// from another site.</summary>
    private static RouteHandlerBuilder Guarded(this RouteHandlerBuilder route) =>
        route.Produces<ApiError>(StatusCodes.Status401Unauthorized).Produces<ApiError>(StatusCodes.Status403Forbidden);

    private static string Describe(SubmitAnswer a) => a.Status switch
    {
        SubmitStatus.Queued => $"queued {a.Url} at the front of the crawl",
        SubmitStatus.Known => $"{a.Url} is known already ({a.State})",
        _ => $"refused {a.Url}: {a.Reason}",
    };

    private static async Task<string> Try(Func<Task<string>> act)
    {
        try
        {
            return await act();
        }
        catch (ArgumentException ex)
        {
            return "refused: " + ex.Message;
        }
    }

    /// <summary>After a form: back to the report of <paramref name="url"/> (or the overview), with what happened.</summary>
    private static IResult BackTo(string? url, string notice)
    {
        string page = string.IsNullOrEmpty(url) ? "/overview?" : url == "/bans" ? "/bans?" : PageLayout.InspectHref(url) + "&";
        return Results.Redirect(page + "notice=" + Uri.EscapeDataString(notice.Length > 500 ? notice[..500] + "…" : notice), permanent: false, preserveMethod: false);
    }

    /// <summary>The bans with their kind and who made them (the audit log's latest ban of each name).</summary>
    internal static async Task<IReadOnlyList<BanEntry>> BansAsync(CrawlOperator op, InspectorSiteOptions options, CancellationToken ct)
    {
        var bans = await op.Store.BansAsync(ct);
        var by = (await op.Store.RecentActionsAsync(1000, ct)).Where(a => a.Action == "ban").GroupBy(a => a.Target, StringComparer.OrdinalIgnoreCase)
            .ToDictionary(g => g.Key, g => g.First().Actor, StringComparer.OrdinalIgnoreCase);
        return bans.Select(b => new BanEntry(b.Name,
                options.Keyer.TryIdentify($"http://{b.Name}/", out var id, out _) && id.Site == b.Name ? "domain" : "host",
                b.Reason, by.GetValueOrDefault(b.Name), b.Created))
            .OrderBy(b => b.Name, StringComparer.Ordinal).ToList();
    }
}

/// <summary>One ban as the API lists it.</summary>
public sealed record BanEntry(string Name, string Kind, string? Reason, string? By, DateTimeOffset At);
