using System.Collections.Concurrent;
using System.Net;
using System.Text;
using Crawlscope.Crawling;
using Crawlscope.Fetching;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Crawlscope.Tests.Support;

/// <summary>A web server on 127.0.0.1 that serves what a test tells it to, under any host name, and counts every
/// request by host and path: the hostile pages of the sweep, reproduced.</summary>
public sealed class HostileWeb : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentDictionary<string, (int Status, string? ContentType, byte[] Body, (string, string)[] Headers)> _responses = new();

    private HostileWeb(WebApplication app) => _app = app;

    public int Port { get; private set; }

    /// <summary>Requests so far, by "host/path?query".</summary>
    public ConcurrentDictionary<string, int> Hits { get; } = new();

    public static async Task<HostileWeb> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        var web = new HostileWeb(app);
        app.Run(async context =>
        {
            string key = context.Request.Host.Host + context.Request.Path + context.Request.QueryString;
            web.Hits.AddOrUpdate(key, 1, (_, n) => n + 1);
            if (!web._responses.TryGetValue(key, out var r))
            {
                context.Response.StatusCode = 404;
                return;
            }
            context.Response.StatusCode = r.Status;
            if (r.ContentType is not null) context.Response.Headers.ContentType = r.ContentType;
            foreach (var (name, value) in r.Headers) context.Response.Headers[name] = value;
            await context.Response.Body.WriteAsync(r.Body);
        });
        await app.StartAsync();
        web.Port = new Uri(app.Urls.First()).Port;
        return web;
    }

    public string Url(string host, string pathAndQuery) => $"http://{host}:{Port}{pathAndQuery}";

    public int HitsOf(string host, string pathAndQuery) => Hits.GetValueOrDefault(host + pathAndQuery);

    public HostileWeb Serve(string host, string pathAndQuery, int status, string? contentType, byte[] body, params (string, string)[] headers)
    {
        _responses[host + pathAndQuery] = (status, contentType, body, headers);
        return this;
    }

    public HostileWeb Html(string host, string pathAndQuery, string html, string contentType = "text/html; charset=utf-8") =>
        Serve(host, pathAndQuery, 200, contentType, Encoding.UTF8.GetBytes(html));

    public HostileWeb Robots(string host, string text) => Serve(host, "/robots.txt", 200, "text/plain", Encoding.UTF8.GetBytes(text));

    /// <summary>Crawl options for these hosts: loopback allowed for them only, no delay.</summary>
    public CrawlOptions Options(params string[] hosts) => new()
    {
        Delay = TimeSpan.Zero,
        Concurrency = 8,
        RetryBase = TimeSpan.FromMilliseconds(50),
        Fetch = new FetchOptions
        {
            AllowPrivateNetworks = true,
            Resolve = hosts.ToDictionary(h => h, _ => IPAddress.Loopback),
            TotalTimeout = TimeSpan.FromSeconds(10),
        },
    };

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();
}
