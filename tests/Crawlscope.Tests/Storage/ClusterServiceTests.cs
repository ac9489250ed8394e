using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Crawlscope.SampleWeb;
using Crawlscope.Tests.Cli;
using Crawlscope.Tests.Operating;
using Crawlscope.Tests.Support;
using Crawlscope.Urls;

namespace Crawlscope.Tests.Storage;

/// <summary><c>crawlscope run</c> on the ClickHouse cluster: one service per shard range, and a URL submitted to
/// either reaching the worker that owns its shard through the store.</summary>
[Collection(ClickHouseCollection.Name)]
public sealed class ClusterServiceTests(ClickHouseCluster cluster)
{
    [Fact]
    public async Task AUrlSubmittedToAnyWorker_IsCrawledByTheWorkerOwningItsShard()
    {
        await using var web = await SampleWebServer.StartAsync(new SampleWebOptions { Hosts = 6, PagesPerHost = 20, Fast = true });
        string db = ClickHouseCluster.NewDatabase("service");
        var init = CliRunner.Run("store", "init", "--store", cluster.StoreUrl(db));
        Assert.True(init.ExitCode == 0, init.Stderr);
        string dir = Directory.CreateTempSubdirectory("crawlscope-cluster-service-").FullName;
        string resolve = Path.Combine(dir, "hosts");
        File.WriteAllText(resolve, web.ResolveFile);

        // A site in the upper half of the shards, submitted to the worker of the lower half.
        var keyer = UrlKeyer.Default;
        var target = SampleSites.Hosts.Take(6).Select(h => $"http://{h.Name}:{web.Port}/articles/7")
            .First(u => keyer.TryIdentify(u, out var id, out _) && id.Shard >= keyer.ShardCount / 2);
        int half = keyer.ShardCount / 2;
        var (lowPort, highPort) = (ServiceFixture.FreePort(), ServiceFixture.FreePort());
        RunningProcess Start(string range, int port) => RunningProcess.Start(["run", "--store", cluster.StoreUrl(db), "--worker-shards", range,
            "--state-dir", Path.Combine(dir, range), "--urls", $"http://127.0.0.1:{port}", "--resolve-file", resolve, "--allow-private-networks",
            "--max-depth", "0", "--delay", "0.05", .. web.Seeds]);
        using var low = Start($"0-{half - 1}", lowPort);
        using var high = Start($"{half}-{keyer.ShardCount - 1}", highPort);
        foreach (var p in new[] { low, high }) await p.WaitUntilAsync(r => r.Stdout.Contains("Crawler Inspector on", StringComparison.Ordinal), "a worker listening");

        using var http = new HttpClient();
        using var response = await http.PostAsync($"http://127.0.0.1:{lowPort}/api/urls",
            new StringContent(JsonSerializer.Serialize(new { urls = new[] { target } }), Encoding.UTF8, "application/json"));
        var answer = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement[0];
        Assert.Equal(("queued", "elsewhere"), (answer.GetProperty("status").GetString(), answer.GetProperty("state").GetString()));

        await ServiceFixture.EventuallyAsync(async () =>
        {
            var report = JsonDocument.Parse(await http.GetStringAsync($"http://127.0.0.1:{lowPort}/api/inspect?url={Uri.EscapeDataString(target)}")).RootElement;
            return report.GetProperty("badges").GetProperty("crawled").GetBoolean();
        }, "the URL crawled by the other worker and seen on the cluster", TimeSpan.FromSeconds(60));
        Assert.NotNull(await low.TerminateAsync(TimeSpan.FromSeconds(15)));
        Assert.NotNull(await high.TerminateAsync(TimeSpan.FromSeconds(15)));
        Assert.Equal((0, 0), (low.ExitCode, high.ExitCode));
        Directory.Delete(dir, true);
    }
}
