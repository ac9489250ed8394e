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
using Microsoft.AspNetCore.Mvc;
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
/// API (token as Bearer when one is set), the live event stream, and the bans page. Every action goes through the
/// <see cref="CrawlOperator"/>, which checks it, answers a refusal as a value, and writes it to the audit log; every
/// read too, so no route reaches past it into the store or the engine. Each route is one named handler.
/// </summary>
internal sealed class OperatorRoutes(CrawlOperator op, InspectorSiteOptions options)
{
    private readonly UrlInspector _inspector = new(options.Store, options.Keyer, options.Inspection);

    internal static void Map(WebApplication app, CrawlOperator op, InspectorSiteOptions options)
    {
        var routes = new OperatorRoutes(op, options);
        routes.MapForms(app);
        routes.MapApi(app);
        app.MapGet("/bans", routes.BansPageAsync).ExcludeFromDescription();
        app.MapGet("/api/events", (HttpContext context, IHostApplicationLifetime life) => EventsAsync(context, op, life.ApplicationStopping)).WithTags(ApiRoutes.ReportsTag)
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

    private string Actor(HttpContext context) => Actor(context, options);

    internal static ActionContext Context(HttpContext context, CrawlOperator op)
    {
        var tokens = context.RequestServices.GetRequiredService<IAntiforgery>().GetAndStoreTokens(context);
        return new ActionContext(tokens.FormFieldName, tokens.RequestToken!, op.Paused, op.PausedHosts);
    }

    // --- the forms: each acts, then goes back to the page it came from with what happened ---------------------------

    private void MapForms(WebApplication app)
    {
        app.MapPost("/actions/crawl", CrawlFormAsync).ExcludeFromDescription();
        app.MapPost("/actions/live", LiveFormAsync).ExcludeFromDescription();
        app.MapPost("/actions/ban", BanFormAsync).ExcludeFromDescription();
        app.MapPost("/actions/unban", UnbanFormAsync).ExcludeFromDescription();
        app.MapPost("/actions/pause", PauseFormAsync).ExcludeFromDescription();
        app.MapPost("/actions/resume", ResumeFormAsync).ExcludeFromDescription();
        app.MapPost("/actions/seeds", SeedsFormAsync).ExcludeFromDescription();
    }

    private async Task<IResult> CrawlFormAsync(HttpContext context, [FromForm] string? url, [FromForm] string? recrawl, CancellationToken ct)
    {
        var answer = await op.SubmitAsync([url ?? ""], recrawl == "true" ? SubmitKind.RecrawlNow : SubmitKind.CrawlNow, Actor(context), ct);
        return BackTo(url, answer.Value is { } answers ? Describe(answers[0]) : "refused: " + answer.Refused);
    }

    private async Task<IResult> LiveFormAsync(HttpContext context, [FromForm] string? url, [FromForm] string? render, CancellationToken ct)
    {
        var test = await op.LiveTestAsync(url ?? "", _inspector, Actor(context), render == "true", ct);
        if (test.Report is not { } report) return BackTo(url, "live test refused: " + test.Refused);
        return RouteInput.Html(InspectPage.Render(report.Url, null, null, report, null, "live test done: the URL was fetched now; nothing of it is stored",
            await PageRoutes.ReportActionsAsync(context, options, report, ct)));
    }

    private async Task<IResult> BanFormAsync(HttpContext context, [FromForm] string? name, [FromForm] string? reason, [FromForm(Name = "return")] string? back,
        CancellationToken ct)
    {
        var ban = await op.BanAsync(name ?? "", reason, Actor(context), ct);
        return BackTo(back, ban.Value is { } done ? $"banned {done.Name}" : "refused: " + ban.Refused);
    }

    private async Task<IResult> UnbanFormAsync(HttpContext context, [FromForm] string? name, [FromForm(Name = "return")] string? back, CancellationToken ct)
    {
        var unban = await op.UnbanAsync(name ?? "", Actor(context), ct);
        return BackTo(back, unban.Refused is { } why ? "refused: " + why : unban.Value ? $"unbanned {name}" : $"{name} was not banned");
    }

    private async Task<IResult> PauseFormAsync(HttpContext context, [FromForm] string? host, [FromForm(Name = "return")] string? back, CancellationToken ct)
    {
        var pause = await op.PauseAsync(host, Actor(context), ct);
        return BackTo(back, pause.Refused is { } why ? "refused: " + why : (pause.Value ? "paused " : "already paused: ") + (host ?? "the crawl"));
    }

    private async Task<IResult> ResumeFormAsync(HttpContext context, [FromForm] string? host, [FromForm(Name = "return")] string? back, CancellationToken ct)
    {
        var resume = await op.ResumeAsync(host, Actor(context), ct);
        return BackTo(back, resume.Refused is { } why ? "refused: " + why : (resume.Value ? "resumed " : "was not paused: ") + (host ?? "the crawl"));
    }

    private async Task<IResult> SeedsFormAsync(HttpContext context, [FromForm] string? urls, CancellationToken ct)
    {
        var lines = (urls ?? "").Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (lines.Length == 0) return BackTo(null, "no URL given");
        var answer = await op.SubmitAsync(lines, SubmitKind.Seed, Actor(context), ct);
        return BackTo(null, answer.Value is { } answers ? string.Join("; ", answers.Select(Describe)) : "refused: " + answer.Refused);
    }

    private async Task<IResult> BansPageAsync(HttpContext context, string? notice, CancellationToken ct)
    {
        var bans = await op.BansAsync(ct);
        var forms = Context(context, op);
        return RouteInput.Html(PageLayout.Render("Bans", h =>
        {
            if (notice is not null) h.Element("p", notice, ("class", "notice"), ("id", "notice"), ("role", "status"));
            ActionForms.Bans(h, forms, bans);
        }));
    }

    // --- the JSON API ----------------------------------------------------------------------------------------------

    private void MapApi(WebApplication app)
    {
        var actions = app.MapGroup("/api").WithTags(ApiRoutes.OperatorTag);
        var reports = app.MapGroup("/api").WithTags(ApiRoutes.ReportsTag);
        actions.MapPost("/urls", (HttpContext c, UrlsRequest body, CancellationToken ct) => SubmitAsync(c, body, SubmitKind.CrawlNow, ct))
            .WithName("SubmitUrls").WithSummary("Queue URLs at the front of the crawl. Each is answered: queued, known (with its state), or refused (scope, robots.txt, quota, invalid).").Guarded();
        actions.MapPost("/recrawl", (HttpContext c, UrlsRequest body, CancellationToken ct) => SubmitAsync(c, body, SubmitKind.RecrawlNow, ct))
            .WithName("Recrawl").WithSummary("Queue URLs again at the front, known or not (Recrawl now); answered like /api/urls.").Guarded();
        actions.MapPost("/seeds", (HttpContext c, UrlsRequest body, CancellationToken ct) => SubmitAsync(c, body, SubmitKind.Seed, ct))
            .WithName("AddSeeds").WithSummary("Add seeds: their sites (or hosts, by the scope) join the crawl's scope at once, and they are queued at the front; answered like /api/urls.").Guarded();
        reports.MapGet("/queue", QueueAsync)
            .WithName("Queue").WithSummary("A host's URLs waiting or in flight, in the order they will be fetched (at most limit=, default 100).").Guarded();
        actions.MapPost("/pause", (HttpContext c, HostRequest? body, CancellationToken ct) => SwitchAsync(op.PauseAsync(body?.Host, Actor(c), ct)))
            .WithName("Pause").WithSummary("Pause the whole crawl, or one host with {\"host\": \"...\"}: pages in flight finish, nothing new starts.").Guarded();
        actions.MapPost("/resume", (HttpContext c, HostRequest? body, CancellationToken ct) => SwitchAsync(op.ResumeAsync(body?.Host, Actor(c), ct)))
            .WithName("Resume").WithSummary("Resume the whole crawl, or one host.").Guarded();
        actions.MapPost("/inspect/live", LiveAsync)
            .WithName("InspectLive").WithSummary("Test the live URL: fetch it now with the running crawl's settings and robots.txt, and answer the stored report with its live part beside it (duplicates are not evaluated live); counted in the site's daily quota.").Guarded();
        actions.MapGet("/bans", async (CancellationToken ct) => TypedResults.Ok(await op.BansAsync(ct)))
            .WithName("Bans").WithSummary("Every ban: the name, whether it is a host or a registrable domain, the reason, who banned it (from the audit log; null for the CLI) and when.").Guarded();
        actions.MapPost("/bans", BanAsync)
            .WithName("Ban").WithSummary("Ban a host or a registrable domain (fh_dont_index = 1) with a reason; the crawl stops following its links.").Guarded();
        actions.MapDelete("/bans/{name}", UnbanAsync)
            .WithName("Unban").WithSummary("Lift a ban.").Guarded();
        actions.MapGet("/actions", async (int? limit, CancellationToken ct) => TypedResults.Ok(await op.RecentActionsAsync(Math.Clamp(limit ?? 50, 1, 1000), ct)))
            .WithName("Actions").WithSummary("The audit log of operator actions, newest first.").Guarded();
    }

    private async Task<Results<Ok<IReadOnlyList<SubmitAnswer>>, BadRequest<ApiError>>> SubmitAsync(HttpContext c, UrlsRequest body, SubmitKind kind, CancellationToken ct)
    {
        if (body.Urls is not { Count: > 0 } urls) return TypedResults.BadRequest(new ApiError("give {\"urls\": [\"https://...\"]}"));
        var answer = await op.SubmitAsync(urls, kind, Actor(c), ct);
        return answer.Value is { } answers ? TypedResults.Ok(answers) : TypedResults.BadRequest(new ApiError(answer.Refused!));
    }

    private async Task<Results<Ok<List<QueueEntry>>, BadRequest<ApiError>>> QueueAsync(string? host, int? limit, CancellationToken ct) =>
        string.IsNullOrWhiteSpace(host) ? TypedResults.BadRequest(new ApiError("host= is required"))
        : TypedResults.Ok((await op.QueueAsync(host, Math.Clamp(limit ?? 100, 1, 1000), ct))
            .Select(q => new QueueEntry(q.Url, StoreNames.Of(q.State), q.Priority, q.Depth, q.Attempts, q.NotBefore)).ToList());

    private async Task<Results<Ok<PauseState>, BadRequest<ApiError>>> SwitchAsync(Task<OperatorAnswer<bool>> action)
    {
        var answer = await action;
        return answer.Refused is { } why ? TypedResults.BadRequest(new ApiError(why)) : TypedResults.Ok(new PauseState(op.Paused, answer.Value, op.PausedHosts));
    }

    private async Task<Results<Ok<InspectionReport>, BadRequest<ApiError>>> LiveAsync(HttpContext c, LiveRequest body, CancellationToken ct)
    {
        var test = await op.LiveTestAsync(body.Url ?? "", _inspector, Actor(c), body.Render == true, ct);
        return test.Report is { } report ? TypedResults.Ok(report) : TypedResults.BadRequest(new ApiError(test.Refused!));
    }

    private async Task<Results<Ok<BanRecord>, BadRequest<ApiError>>> BanAsync(HttpContext c, BanRequest body, CancellationToken ct)
    {
        var ban = await op.BanAsync(body.Name ?? "", body.Reason, Actor(c), ct);
        return ban.Value is { } done ? TypedResults.Ok(done) : TypedResults.BadRequest(new ApiError(ban.Refused!));
    }

    private async Task<Results<Ok, NotFound<ApiError>, BadRequest<ApiError>>> UnbanAsync(HttpContext c, string name, CancellationToken ct)
    {
        var unban = await op.UnbanAsync(name, Actor(c), ct);
        if (unban.Refused is { } why) return TypedResults.BadRequest(new ApiError(why));
        return unban.Value ? TypedResults.Ok() : TypedResults.NotFound(new ApiError($"{name} is not banned"));
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
        var sampler = op.Figures();
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

    private static string Describe(SubmitAnswer a) => a.Status switch
    {
        SubmitStatus.Queued => $"queued {a.Url} at the front of the crawl",
        SubmitStatus.Known => $"{a.Url} is known already ({a.State})",
        _ => $"refused {a.Url}: {a.Reason}",
    };

    /// <summary>After a form: back to the report of <paramref name="url"/> (or the overview), with what happened.</summary>
    private static IResult BackTo(string? url, string notice)
    {
        string page = string.IsNullOrEmpty(url) ? "/overview?" : url == "/bans" ? "/bans?" : PageLayout.InspectHref(url) + "&";
        return Results.Redirect(page + "notice=" + Uri.EscapeDataString(notice.Length > 500 ? notice[..500] + "…" : notice), permanent: false, preserveMethod: false);
    }
}

internal static class GuardedRoutes
{
    /// <summary>What every route of the running crawl may also answer: 401 without the token (when one is set), 403
    /// from another site.</summary>
    public static RouteHandlerBuilder Guarded(this RouteHandlerBuilder route) =>
        route.Produces<ApiError>(StatusCodes.Status401Unauthorized).Produces<ApiError>(StatusCodes.Status403Forbidden);
}
