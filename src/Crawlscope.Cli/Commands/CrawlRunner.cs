using Crawlscope.Crawling;
using Crawlscope.Model;
using Crawlscope.Urls;

namespace Crawlscope.Cli.Commands;

/// <summary>Runs a crawl with a progress line and a summary; shared by crawl and demo. When the stop token fires
/// (Ctrl+C, SIGTERM) the pages in flight are finished and stored within a few seconds (what is not done by then stays
/// leased and is crawled on the next start), the rest handed back to the frontier, the summary printed, and the exit
/// code is 130.</summary>
internal static class CrawlRunner
{
    internal static async Task<int> RunAsync(CrawlOptions options, IFrontierStore store, UrlKeyer keyer, IReadOnlyList<UrlIdentity> seeds,
        TextWriter stdout, TextWriter stderr, CancellationToken stop)
    {
        using var announce = stop.Register(() => stderr.WriteLine("crawlscope: stopping after the pages in flight (Ctrl+C again to quit at once)"));
        using var engine = new CrawlEngine(options, store, keyer);
        var run = engine.RunAsync(seeds, stop);
        // On a terminal: a live table; otherwise (pipes, CI, tests): one log line every few seconds.
        bool live = ReferenceEquals(stdout, Console.Out) && !Console.IsOutputRedirected && !Console.IsErrorRedirected;
        if (live) await LiveDisplay.ShowAsync(engine.Progress, run);
        else
        {
            using var ticker = new PeriodicTimer(TimeSpan.FromSeconds(2));
            while (await Task.WhenAny(run, ticker.WaitForNextTickAsync().AsTask()) != run)
            {
                var p = engine.Progress;
                stderr.WriteLine($"crawl: {p.Pages} pages ({p.PagesPerSecond:F1}/s), {p.InFlight} in flight, {p.ActiveHosts} hosts queued, " +
                                 $"{p.Errors} errors, {p.Bytes / 1024.0 / 1024.0:F1} MB, {(DateTimeOffset.UtcNow - p.Started).TotalSeconds:F0} s");
            }
        }
        var end = await run;
        var stats = await store.StatsAsync();
        var pr = engine.Progress;
        stdout.WriteLine($"crawl {(end == CrawlEnd.Cancelled ? "interrupted" : end == CrawlEnd.MaxPages ? "stopped at --max-pages" : "finished")}: " +
                         $"{pr.Pages} pages this run in {(DateTimeOffset.UtcNow - pr.Started).TotalSeconds:F1} s ({pr.PagesPerSecond:F1} pages/s), {pr.Retries} retries");
        StatsCommand.Write(stdout, stats);
        if (pr.Rendered + pr.RenderFailures > 0)
            stdout.WriteLine($"rendered in a browser: {pr.Rendered:N0} pages" + (pr.RenderFailures > 0 ? $", {pr.RenderFailures:N0} renders failed (kept as fetched)" : "") +
                             (engine.FirstRender is { } first ? $"; the first took {first.TotalSeconds:F1} s, the browser's start included" : ""));
        else if (options.Render.Mode != Rendering.RenderMode.Never && engine.BrowserLaunches == 0 && stats.Pages > 0)
            stdout.WriteLine("rendered in a browser: none (no page's HTML was an empty shell)");
        if (pr.LinksNotFollowed is { Count: > 0 } refused)
            stdout.WriteLine($"links not queued this run: {string.Join(", ", refused.OrderByDescending(r => r.Value).Select(r => $"{r.Key} {r.Value:N0}"))}");
        return end == CrawlEnd.Cancelled ? CrawlscopeCli.Interrupted : CrawlscopeCli.Success;
    }
}
