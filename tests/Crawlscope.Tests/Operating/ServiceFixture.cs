using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Crawlscope.SampleWeb;
using Crawlscope.Tests.Cli;

namespace Crawlscope.Tests.Operating;

/// <summary>
/// A real <c>./crawlscope run</c> over the sample web, configured by a TOML file as a user would, with a token; the
/// crawl stops at depth 1, so article pages deeper than that are URLs "the crawl has not reached".
/// </summary>
public class ServiceFixture : IAsyncLifetime
{
    public const string Token = "s3rvice-t0ken";
    public const string Host = "www.alpha-news.test", QuotaHost = "www.pickl.test";
    public const int DailyQuota = 5;
    /// <summary>The per-site daily quota this service runs with.</summary>
    protected virtual int Quota => DailyQuota;
    public SampleWebServer Web { get; private set; } = null!;
    public RunningProcess Service { get; private set; } = null!;
    public string Dir { get; } = Directory.CreateTempSubdirectory("crawlscope-service-").FullName;
    public string DbPath => Path.Combine(Dir, "service.db");
    public string BaseUrl { get; private set; } = "";
    public HttpClient Http { get; } = new() { Timeout = TimeSpan.FromSeconds(30) };

    public async Task InitializeAsync()
    {
        Web = await SampleWebServer.StartAsync(new SampleWebOptions { PagesPerHost = 40, Fast = true });
        int port = FreePort();
        BaseUrl = $"http://127.0.0.1:{port}";
        string config = Path.Combine(Dir, "crawlscope.toml");
        await File.WriteAllTextAsync(config, Config(Web.Port, port, DbPath).Replace($"daily_quota = {DailyQuota}", $"daily_quota = {Quota}"));
        Service = RunningProcess.Start("run", "--config", config, "--log-every", "1");
        await Service.WaitUntilAsync(p => p.Stdout.Contains("Crawler Inspector on", StringComparison.Ordinal), "the service listening");
        // The first crawl (the two seeds and their robots.txt) done.
        await EventuallyAsync(async () => (await Figures())!.Value.GetProperty("pages_this_run").GetInt64() >= 2 && (await Figures())!.Value.GetProperty("leased").GetInt64() == 0,
            "the first crawl to settle", TimeSpan.FromSeconds(60));
    }

    public static string Config(int webPort, int port, string db) => $"""
        # the service of the tests
        seeds = ["http://{Host}:{webPort}/", "http://{QuotaHost}:{webPort}/"]
        extract = "full"

        [scope]
        kind = "site"
        max_depth = 0

        [politeness]
        delay = 0.05
        concurrency = 8

        [fetch]
        allow_private_networks = true
        resolve = [{string.Join(", ", SampleSites.Hosts.Select(h => $"\"{h.Name}=127.0.0.1\""))}]
        timeout = 5

        [store]
        db = "{db}"

        [web]
        urls = "http://127.0.0.1:{port}"
        token = "{Token}"

        [recrawl]
        min = "1h"
        max = "2h"
        check = "2s"

        [operator]
        daily_quota = {DailyQuota}
        """;

    public string Url(string host, string path) => $"http://{host}:{Web.Port}{path}";

    /// <summary>A request to the service, with the token as Bearer unless <paramref name="token"/> is false.</summary>
    public async Task<(HttpStatusCode Status, string Body)> SendAsync(HttpMethod method, string path, object? json = null, bool token = true,
        Action<HttpRequestMessage>? adjust = null)
    {
        using var request = new HttpRequestMessage(method, BaseUrl + path);
        if (token) request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", Token);
        if (json is not null) request.Content = new StringContent(JsonSerializer.Serialize(json), Encoding.UTF8, "application/json");
        adjust?.Invoke(request);
        using var response = await Http.SendAsync(request);
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    public async Task<JsonElement> JsonAsync(HttpMethod method, string path, object? json = null)
    {
        var (status, body) = await SendAsync(method, path, json);
        Assert.True(status == HttpStatusCode.OK, $"{method} {path}: {(int)status} {body}");
        return JsonDocument.Parse(body).RootElement.Clone();
    }

    /// <summary>The first <c>figures</c> event of the live stream.</summary>
    public async Task<JsonElement?> Figures()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, BaseUrl + "/api/events");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", Token);
        using var response = await Http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
        var data = new StringBuilder();
        bool inFigures = false;
        while (await reader.ReadLineAsync() is { } line)
        {
            if (line == "event: figures") inFigures = true;
            else if (inFigures && line.StartsWith("data: ", StringComparison.Ordinal)) data.Append(line[6..]);
            else if (inFigures && line.Length > 0) data.Append(line);
            else if (inFigures && line.Length == 0 && data.Length > 0) return JsonDocument.Parse(data.ToString()).RootElement.Clone();
        }
        return null;
    }

    public static async Task EventuallyAsync(Func<Task<bool>> condition, string what, TimeSpan? within = null)
    {
        var deadline = DateTime.UtcNow + (within ?? TimeSpan.FromSeconds(30));
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"not within {(within ?? TimeSpan.FromSeconds(30)).TotalSeconds} s: {what}");
            await Task.Delay(200);
        }
    }

    public static int FreePort()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        int port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }

    public async Task DisposeAsync()
    {
        await Service.TerminateAsync(TimeSpan.FromSeconds(15));
        Service.Dispose();
        await Web.DisposeAsync();
        Http.Dispose();
        try
        {
            Directory.Delete(Dir, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
