using System.Text;
using Crawlscope.Fetching;
using Crawlscope.Robots;
using Crawlscope.Model;
using Crawlscope.Tests.Support;
using Crawlscope.Urls;

namespace Crawlscope.Tests.Robots;

public class RobotsGateMemoryTests
{
    /// <summary>A broad crawl meets more hosts than the gate keeps in memory: the memory stays bounded, and a host
    /// whose rules were dropped gets them again from the store (never from the network: the fetcher here can reach
    /// nothing), with the same verdicts.</summary>
    [Fact]
    public async Task MoreHostsThanTheMemoryHolds_StayBounded_AndDroppedHostsAreReadFromTheStore()
    {
        await using var db = await TempCrawlStore.OpenAsync("robots-memory");
        var now = DateTimeOffset.UtcNow;
        int hosts = RobotsGate.MaxCachedHosts + 5_000;
        string Host(int i) => $"h{i}.example";
        for (int i = 0; i < hosts; i++)
        {
            string key = RobotsGate.HostKey(WebUrl.Parse($"https://{Host(i)}/"));
            byte[] body = Encoding.UTF8.GetBytes($"User-agent: *\nDisallow: /private-{i % 7}/\n");
            await db.Store.SaveRobotsAsync(new StoredRobots(key, now, now.AddDays(1), 200, body, nameof(RobotsFetchAction.Parse), "parsed", null));
        }
        using var fetcher = new Fetcher(new FetchOptions { AllowPrivateNetworks = false, TotalTimeout = TimeSpan.FromMilliseconds(200) });
        var gate = new RobotsGate(db.Store, fetcher, "crawlscope", TimeProvider.System);

        for (int i = 0; i < hosts; i++)
        {
            var check = await gate.CheckAsync(WebUrl.Parse($"https://{Host(i)}/private-{i % 7}/x"), CancellationToken.None);
            Assert.False(check.Decision.Allowed, Host(i));
            Assert.InRange(gate.CachedHosts, 1, RobotsGate.MaxCachedHosts);
        }
        // The first hosts were dropped from memory long ago: read again from the store, same verdicts.
        for (int i = 0; i < 100; i++)
        {
            Assert.False((await gate.CheckAsync(WebUrl.Parse($"https://{Host(i)}/private-{i % 7}/y"), CancellationToken.None)).Decision.Allowed);
            Assert.True((await gate.CheckAsync(WebUrl.Parse($"https://{Host(i)}/public"), CancellationToken.None)).Decision.Allowed);
        }
    }
}
