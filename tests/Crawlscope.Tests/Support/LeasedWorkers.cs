using System.Diagnostics;
using Crawlscope.SampleWeb;
using Crawlscope.Tests.Cli;

namespace Crawlscope.Tests.Support;

/// <summary>
/// <c>./crawlscope crawl --coordinator</c> workers started together over the sample web: the ones that claimed a range,
/// the one left waiting, an owner killed without a word and the time its range took to change hands, the others'
/// clean end; and the check that no stored page was requested more than twice.
/// </summary>
public sealed class LeasedWorkers : IDisposable
{
    public const string Claimed = "crawlscope: claimed shards ";

    private LeasedWorkers(List<RunningProcess> all) => All = all;

    public List<RunningProcess> All { get; }
    public List<RunningProcess> Owners => [.. All.Where(w => w.Stderr.Contains(Claimed, StringComparison.Ordinal))];

    /// <summary>The worker arguments every worker is given (the same command, as an operator would start them).</summary>
    public static string[] Arguments(SampleWebServer web, string storeUrl, string coordinator, int ranges, string dir, string resolveFile, string delay) =>
        ["crawl", .. web.Seeds, "--store", storeUrl, "--coordinator", coordinator, "--ranges", ranges.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "--state-dir", Path.Combine(dir, "state"), "--resolve-file", resolveFile, "--allow-private-networks", "--delay", delay, "--concurrency", "4",
            "--max-depth", "4", "--timeout", "5"];

    /// <summary>Starts <paramref name="count"/> workers and waits (up to a minute) until <paramref name="claims"/> of them claimed a range.</summary>
    public static async Task<LeasedWorkers> StartAsync(string[] args, int count, int claims)
    {
        var workers = new LeasedWorkers([.. Enumerable.Range(0, count).Select(_ => RunningProcess.Start(args))]);
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (workers.Owners.Count < claims && DateTime.UtcNow < deadline) await Task.Delay(50);
        return workers;
    }

    /// <summary>Kills the owner of <paramref name="range"/> with SIGKILL and returns it and how long until
    /// <paramref name="waiting"/> claimed the range (up to 30 s).</summary>
    public async Task<(RunningProcess Victim, TimeSpan Takeover)> KillOwnerAsync(string range, RunningProcess waiting)
    {
        var victim = Owners.Single(w => w.Stderr.Contains(Claimed + range, StringComparison.Ordinal));
        Xunit.Assert.False(victim.HasExited, "the owner finished its range before it could be killed: the crawl is too short for the test");
        victim.KillHard();
        var sinceKill = Stopwatch.StartNew();
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (!waiting.Stderr.Contains(Claimed, StringComparison.Ordinal) && DateTime.UtcNow < deadline) await Task.Delay(20);
        return (victim, sinceKill.Elapsed);
    }

    /// <summary>Waits for every worker but <paramref name="victim"/> to end, each with exit 0.</summary>
    public async Task AssertTheOthersEndCleanlyAsync(RunningProcess victim)
    {
        foreach (var w in All.Where(w => w != victim))
        {
            var took = await w.WaitForExitAsync(TimeSpan.FromMinutes(4), Stopwatch.StartNew());
            Xunit.Assert.True(took is not null, "a worker did not finish:\n" + w.Stderr[^Math.Min(2000, w.Stderr.Length)..]);
            Xunit.Assert.True(w.ExitCode == 0, w.Stderr[^Math.Min(2000, w.Stderr.Length)..]);
        }
    }

    /// <summary>No stored page (of <paramref name="storedUrls"/>) was requested more than twice, by the server's count
    /// (the error host answers by retry count and is left out). Returns the line to log.</summary>
    public static string AssertNoStoredPageRequestedMoreThanTwice(IEnumerable<string> storedUrls, IReadOnlyDictionary<string, int> hits)
    {
        var stored = storedUrls.Select(u => new Uri(u)).Select(u => u.Host + u.PathAndQuery).ToHashSet();
        var errorHosts = SampleSites.Hosts.Where(h => h.Kind == SiteKind.Errors).Select(h => h.Name + "/").ToList();
        var pageHits = hits.Where(h => stored.Contains(h.Key) && !errorHosts.Any(e => h.Key.StartsWith(e, StringComparison.Ordinal))).ToList();
        Xunit.Assert.True(pageHits.Count > 100, $"{pageHits.Count} stored pages matched the server's requests");
        var most = pageHits.MaxBy(h => h.Value);
        Xunit.Assert.True(most.Value <= 2, $"{most.Key} was requested {most.Value} times");
        return $"{pageHits.Count} pages requested, {pageHits.Count(h => h.Value == 2)} of them twice; most: {most.Key} {most.Value} times";
    }

    public void Dispose()
    {
        foreach (var w in All) w.Dispose();
    }
}
