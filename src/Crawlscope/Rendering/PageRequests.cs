using System.Collections.Concurrent;
using Crawlscope.Fetching;
using Crawlscope.Vocabulary;
using Microsoft.Playwright;

namespace Crawlscope.Rendering;

/// <summary>
/// The route handler of one rendered page: the first navigation of its main frame gets the document the crawler
/// fetched; every later request is screened (scheme, resource type, count, bytes) and then answered by the
/// <see cref="ISubresourceGate"/> or refused, and recorded either way. WebSockets are always refused.
/// </summary>
internal sealed class PageRequests(RenderOptions options, ISubresourceGate gate, FetchResult document)
{
    // What rendering needs: scripts and the data they fetch. Images, media, fonts, beacons, prefetches, manifests,
    // frames and every other navigation are refused.
    private static readonly HashSet<string> Needed = new(StringComparer.Ordinal) { "script", "fetch", "xhr" };
    private static readonly HashSet<string> NotPassedOn = new(StringComparer.OrdinalIgnoreCase)
    {
        "content-length", "content-encoding", "transfer-encoding", "connection", "keep-alive", "set-cookie",
    };

    private readonly ConcurrentQueue<RenderedResource> _resources = new();
    private readonly ConcurrentDictionary<ResourceRefusal, int> _refused = new();
    private int _fetched;
    private int _documentServed, _requests, _kept;
    private long _bytes;

    public IFrame? MainFrame { get; set; }

    /// <summary>Requests of the page being answered now (the page has not settled while one is).</summary>
    public int InFlight => Volatile.Read(ref _inFlight);
    private int _inFlight;

    /// <summary>When a request of the page last began or was answered (<see cref="Environment.TickCount64"/>).</summary>
    public long LastActivity => Volatile.Read(ref _lastActivity);
    private long _lastActivity = Environment.TickCount64;

    public IReadOnlyList<RenderedResource> Resources => _resources.ToArray();

    /// <summary>Subrequests answered, and refused by reason: every one, though only the first are kept in full.</summary>
    public (int Fetched, IReadOnlyDictionary<ResourceRefusal, int> Refused) Counts => (_fetched, new Dictionary<ResourceRefusal, int>(_refused));

    public async Task HandleAsync(IRoute route, CancellationToken ct)
    {
        var request = route.Request;
        try
        {
            if (request.IsNavigationRequest && request.Frame == MainFrame && Interlocked.Exchange(ref _documentServed, 1) == 0)
            {
                await route.FulfillAsync(new RouteFulfillOptions { Status = document.StatusCode ?? 200, BodyBytes = document.Body, Headers = PassedOn(document) });
                return;
            }
            if (Screen(request) is { } refusal)
            {
                await RefuseAsync(route, request, refusal.Reason, refusal.Detail);
                return;
            }
            Interlocked.Increment(ref _inFlight);
            Volatile.Write(ref _lastActivity, Environment.TickCount64);
            SubresourceAnswer answer;
            try
            {
                answer = await gate.FetchAsync(request.Url, ct);
            }
            finally
            {
                Volatile.Write(ref _lastActivity, Environment.TickCount64);
                Interlocked.Decrement(ref _inFlight);
            }
            if (answer.Fetched is not { StatusCode: { } status } fetched)
            {
                await RefuseAsync(route, request, answer.Refusal ?? ResourceRefusal.FetchFailed, answer.Detail);
                return;
            }
            if (Interlocked.Add(ref _bytes, fetched.Body.Length) > options.MaxSubrequestBytes)
            {
                await RefuseAsync(route, request, ResourceRefusal.TooLarge, $"the page's subrequests passed {options.MaxSubrequestBytes} bytes");
                return;
            }
            Interlocked.Increment(ref _fetched);
            Record(new RenderedResource(request.Url, request.ResourceType, status, fetched.Body.Length, null, null));
            await route.FulfillAsync(new RouteFulfillOptions { Status = status, BodyBytes = fetched.Body, Headers = PassedOn(fetched) });
        }
        catch (Exception ex) when (ex is PlaywrightException or OperationCanceledException or ObjectDisposedException)
        {
            // The page was closed while its request was answered: nothing is left to answer.
        }
#pragma warning disable CA1031 // a request left unanswered would hold the page until its time cap: refused instead
        catch (Exception ex)
#pragma warning restore CA1031
        {
            try
            {
                await RefuseAsync(route, request, ResourceRefusal.FetchFailed, $"{ex.GetType().Name}: {ex.Message}");
            }
            catch (PlaywrightException)
            {
            }
        }
    }

    public void RefuseWebSocket(IWebSocketRoute ws)
    {
        _refused.AddOrUpdate(ResourceRefusal.ResourceType, 1, (_, n) => n + 1);
        Record(new RenderedResource(ws.Url, "websocket", null, 0, ResourceRefusal.ResourceType, "WebSockets are not opened"));
        _ = ws.CloseAsync().ContinueWith(_ => { }, TaskScheduler.Default);
    }

    private (ResourceRefusal Reason, string Detail)? Screen(IRequest request)
    {
        if (!request.Url.StartsWith("http://", StringComparison.OrdinalIgnoreCase) && !request.Url.StartsWith("https://", StringComparison.OrdinalIgnoreCase))
            return (ResourceRefusal.Scheme, "only http(s) is fetched");
        if (request.IsNavigationRequest) return (ResourceRefusal.Navigation, "the page may not navigate, open frames or popups");
        bool needed = Needed.Contains(request.ResourceType) || (options.Stylesheets && request.ResourceType == "stylesheet");
        if (!needed) return (ResourceRefusal.ResourceType, $"{request.ResourceType} is not needed to render");
        if (Interlocked.Increment(ref _requests) > options.MaxSubrequests) return (ResourceRefusal.TooMany, $"more than {options.MaxSubrequests} requests");
        return null;
    }

    private async Task RefuseAsync(IRoute route, IRequest request, ResourceRefusal reason, string? detail)
    {
        _refused.AddOrUpdate(reason, 1, (_, n) => n + 1);
        Record(new RenderedResource(request.Url, request.ResourceType, null, 0, reason, detail));
        // A navigation of the page itself answered "204 No Content" leaves the page where it is; aborted, it would
        // replace the page with the browser's error page.
        if (request.IsNavigationRequest && request.Frame == MainFrame) await route.FulfillAsync(new RouteFulfillOptions { Status = 204 });
        else await route.AbortAsync("blockedbyclient");
    }

    private void Record(RenderedResource resource)
    {
        if (Interlocked.Increment(ref _kept) <= BrowserRenderer.MaxResourcesKept) _resources.Enqueue(resource);
    }

    private static Dictionary<string, string> PassedOn(FetchResult fetched)
    {
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var (name, values) in fetched.Headers)
            if (!NotPassedOn.Contains(name) && values.Length > 0) headers[name] = string.Join(", ", values);
        return headers;
    }
}
