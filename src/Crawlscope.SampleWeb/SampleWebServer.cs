using System.IO.Compression;
using System.Net;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Crawlscope.SampleWeb;

/// <summary>
/// A deterministic synthetic web on 127.0.0.1 (Kestrel). Every host of <see cref="SampleSites"/> is served by
/// one listener and told apart by the Host header; a resolve file maps the names to 127.0.0.1. Pages, links,
/// errors and delays depend only on host, path and the configured page count, so every crawl sees the same web.
/// </summary>
public sealed class SampleWebServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly SampleWebOptions _options;
    private readonly Dictionary<string, int> _hits = new();
    // In fast mode (bench) responses that do not depend on the hit count are built once, so the benchmark
    // measures the crawler, not the page generator.
    // The cache is bounded, so that a 50,000-page benchmark measures the crawler's memory, not the server's:
    // robots.txt, sitemaps and home pages come first and stay; later pages are built per request.
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, SampleResponse> _cache = new();
    private const int MaxCached = 2_000;

    private SampleWebServer(WebApplication app, SampleWebOptions options)
    {
        _app = app;
        _options = options;
    }

    public int Port { get; private set; }

    /// <summary>http://HOST:PORT/ for every host: the crawl seeds.</summary>
    public IReadOnlyList<string> Seeds => _options.Broad ? [$"http://{SampleSites.GeneratedName(0)}:{Port}/"]
        : SampleSites.Hosts.Take(_options.Hosts).Select(h => $"http://{h.Name}:{Port}/").ToList();

    public string SeedArticleUrl => $"http://www.pickl.test:{Port}{SampleSites.SeedArticlePath}";

    /// <summary>Hosts-file lines mapping every sample host to 127.0.0.1.</summary>
    public string ResolveFile => string.Join('\n', (_options.Broad ? SampleSites.GeneratedNames(_options.Hosts) : SampleSites.Hosts.Select(h => h.Name)).Select(h => $"127.0.0.1 {h}")) + "\n";

    /// <summary>Requests served so far per path (for politeness and once-only tests).</summary>
    public IReadOnlyDictionary<string, int> Hits
    {
        get
        {
            lock (_hits) return new Dictionary<string, int>(_hits);
        }
    }

    /// <summary>When each request to a host arrived (for politeness tests).</summary>
    public Dictionary<string, List<DateTimeOffset>> Arrivals { get; } = new();

    public static async Task<SampleWebServer> StartAsync(SampleWebOptions? options = null, CancellationToken ct = default)
    {
        options ??= new SampleWebOptions();
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(k => k.Listen(IPAddress.Loopback, options.Port));
        var app = builder.Build();
        var server = new SampleWebServer(app, options);
        app.Run(server.HandleAsync);
        await app.StartAsync(ct);
        server.Port = new Uri(app.Urls.First()).Port;
        return server;
    }

    private async Task HandleAsync(HttpContext context)
    {
        string host = context.Request.Host.Host.ToLowerInvariant();
        string path = context.Request.Path.Value ?? "/";
        string pathAndQuery = path + context.Request.QueryString.Value;
        var site = _options.Broad
            ? SampleSites.GeneratedIndex(host, _options.Hosts) is null ? null : new SampleHost(host, SiteKind.Blog)
            : SampleSites.Find(host);
        int hit = 1;
        // A benchmark's server keeps no per-request record (a million-page crawl would grow it by a million
        // entries), except for the error host, whose answers depend on the hit count.
        if (_options.KeepHits || site?.Kind == SiteKind.Errors)
            lock (_hits)
            {
                _hits[host + pathAndQuery] = hit = _hits.GetValueOrDefault(host + pathAndQuery) + 1;
                if (!Arrivals.TryGetValue(host, out var list)) Arrivals[host] = list = [];
                list.Add(DateTimeOffset.UtcNow);
            }
        SampleResponse response;
        if (site is null) response = SampleResponse.Html(404, "<html><body>unknown host</body></html>");
        else if (_options.Fast && site.Kind != SiteKind.Errors)
            response = _cache.TryGetValue(host + pathAndQuery, out var cached) ? cached
                : _cache.Count < MaxCached ? _cache.GetOrAdd(host + pathAndQuery, _ => SamplePages.Respond(site, path, context.Request.QueryString.Value ?? "", hit, _options, Port))
                : SamplePages.Respond(site, path, context.Request.QueryString.Value ?? "", hit, _options, Port);
        else response = SamplePages.Respond(site, path, context.Request.QueryString.Value ?? "", hit, _options, Port);
        if (response.Delay > TimeSpan.Zero) await Task.Delay(response.Delay, context.RequestAborted);
        // Article pages carry an ETag and answer a matching If-None-Match with 304 (conditional GET on recrawl).
        if (response.Status == 200 && path.StartsWith("/articles/", StringComparison.Ordinal))
        {
            string etag = "\"" + Convert.ToHexStringLower(System.Security.Cryptography.SHA1.HashData(response.Body))[..16] + "\"";
            context.Response.Headers.ETag = etag;
            if (context.Request.Headers.IfNoneMatch.ToString() == etag)
            {
                context.Response.StatusCode = 304;
                return;
            }
        }
        context.Response.StatusCode = response.Status;
        foreach (var (name, value) in response.Headers) context.Response.Headers[name] = value;
        if (response.ContentType is not null) context.Response.ContentType = response.ContentType;
        byte[] body = response.Body;
        if (response.Gzip)
        {
            using var ms = new MemoryStream();
            using (var gz = new GZipStream(ms, CompressionLevel.Fastest, leaveOpen: true)) gz.Write(body);
            body = ms.ToArray();
            context.Response.Headers["Content-Encoding"] = "gzip";
        }
        context.Response.ContentLength = body.Length;
        await context.Response.Body.WriteAsync(body, context.RequestAborted);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}

/// <summary>How big the sample web is and where it listens.</summary>
public sealed class SampleWebOptions
{
    /// <summary>Hosts served: the first N of <see cref="SampleSites.Hosts"/> (default all 21); more than those, that
    /// many generated blog hosts instead (<see cref="SampleSites.GeneratedName"/>).</summary>
    public int Hosts { get; init; } = SampleSites.Hosts.Count;

    /// <summary>Whether <see cref="SampleWebServer.Hits"/> and <see cref="SampleWebServer.Arrivals"/> are kept (tests read them).</summary>
    public bool KeepHits { get; init; } = true;

    /// <summary>Whether the hosts are generated ones (more were asked for than the 21 hand-made ones).</summary>
    public bool Broad => Hosts > SampleSites.Hosts.Count;
    /// <summary>Article pages per content host. Default 20.</summary>
    public int PagesPerHost { get; init; } = 20;
    /// <summary>0 picks a free port.</summary>
    public int Port { get; init; }
    /// <summary>The port the hostile scripts' requests to loopback aim at (a test's listener that counts connections);
    /// null: the sample web's own port.</summary>
    public int? ProbePort { get; init; }
    /// <summary>Serve without the slow responses and crawl-delays (for bench). Default false.</summary>
    public bool Fast { get; init; }
    /// <summary>The first host's home page also links two pages built to stall extraction (a million unclosed
    /// paragraphs; 80,000 unclosed nested tables), for `bench hostile`. Default false.</summary>
    public bool HostilePages { get; init; }
    /// <summary>Each page of a generated host also carries this many blocks of its own, found on no other page: a site
    /// whose template cannot be told from its content, to fill the template learner (`bench hostile --template-sites`).
    /// Default 0.</summary>
    public int TemplateBlocks { get; init; }
}

public sealed record SampleResponse(int Status, byte[] Body, string? ContentType, IReadOnlyList<(string Name, string Value)> Headers, TimeSpan Delay = default, bool Gzip = false)
{
    public static SampleResponse Html(int status, string html, params (string, string)[] headers) =>
        new(status, Encoding.UTF8.GetBytes(html), "text/html; charset=utf-8", headers);

    public static SampleResponse Text(int status, string text, string type = "text/plain; charset=utf-8") =>
        new(status, Encoding.UTF8.GetBytes(text), type, []);

    public static SampleResponse Redirect(int status, string location) =>
        new(status, [], null, [("Location", location)]);
}
