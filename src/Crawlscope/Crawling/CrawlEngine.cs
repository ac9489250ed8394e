using Crawlscope.Model;
using Crawlscope.Fetching;
using Crawlscope.Frontier;
using Crawlscope.Politeness;
using Crawlscope.Robots;
using Crawlscope.Urls;

namespace Crawlscope.Crawling;

/// <summary>Why a crawl stopped.</summary>
public enum CrawlEnd { Finished, MaxPages, Cancelled }

/// <summary>
/// The crawl loop. Data flows one way (docs/architecture.md): URL → key → shard → frontier (seen?) →
/// politeness → robots → fetch → extract → classify → store → links back to the frontier. The loop hands
/// ready hosts' next URLs to workers, at most <see cref="CrawlOptions.Concurrency"/> at a time; everything a
/// worker learns is in the store before the URL is marked done, so a killed crawl resumes where it stopped.
/// </summary>
public sealed class CrawlEngine : IDisposable
{
    private readonly CrawlOptions _options;
    private readonly IFrontierStore _store;
    private readonly UrlKeyer _keyer;
    private readonly TimeProvider _time;
    private readonly Fetcher _fetcher;
    private readonly string _agentToken;
    private readonly Archiving.WarcArchive? _archive;
    private PageRendering? _rendering;

    /// <exception cref="ArgumentException">The options have problems (<see cref="CrawlOptions.Problems"/>), every one named.</exception>
    public CrawlEngine(CrawlOptions options, IFrontierStore store, UrlKeyer keyer, TimeProvider? time = null, CrawlControl? control = null)
    {
        if (options.Problems() is { Count: > 0 } problems) throw new ArgumentException("crawl options: " + string.Join("; ", problems), nameof(options));
        Control = control ?? new CrawlControl();
        _options = options;
        _store = store;
        _keyer = keyer;
        _time = time ?? TimeProvider.System;
        _fetcher = new Fetcher(options.WarcDirectory is null ? options.Fetch : options.Fetch.WithRawExchange(), Fetcher.IdleConnectionTimeout(options.Delay));
        _archive = options.WarcDirectory is null ? null : new Archiving.WarcArchive(options.WarcDirectory, options.WarcMaxFileBytes, _time);
        _agentToken = RobotsAgent.ProductToken(options.Fetch.UserAgent);
        Progress = new CrawlProgress(_time);
    }

    public CrawlProgress Progress { get; }

    /// <summary>The crawl's options (its fetch settings serve the live test).</summary>
    public CrawlOptions Options => _options;

    /// <summary>The running crawl's scope (null until <see cref="RunAsync"/> has started): seeds added while it runs go here.</summary>
    public CrawlScope? Scope { get; private set; }

    /// <summary>Pauses, and wake-ups when URLs are submitted while the crawl runs.</summary>
    public CrawlControl Control { get; }

    /// <summary>Crawls from <paramref name="seeds"/> (added when not seen before) until the frontier is empty,
    /// --max-pages is reached, or <paramref name="stop"/> fires (in-flight pages are finished first).</summary>
    public async Task<CrawlEnd> RunAsync(IReadOnlyList<UrlIdentity> seeds, CancellationToken stop)
    {
        while (true)
        {
            try
            {
                return await RunOnceAsync(seeds, stop);
            }
            catch (Exception ex) when (_options.Continuous && !stop.IsCancellationRequested && _store is IStoreSpace space && space.IsFull(ex, out string condition))
            {
                // A service keeps its inspector up and waits for space; what was leased goes back to the queue when the
                // run starts again, so nothing is lost. A one-off crawl ends with the condition in one line.
                Control.SetStoreProblem(condition);
                if (!await WaitForRoomAsync(space, stop)) return CrawlEnd.Cancelled;
                Control.SetStoreProblem(null);
            }
        }
    }

    /// <summary>How often a paused service looks for space again.</summary>
    internal TimeSpan RoomProbeInterval { get; init; } = TimeSpan.FromSeconds(5);

    private async Task<bool> WaitForRoomAsync(IStoreSpace space, CancellationToken stop)
    {
        try
        {
            do await Task.Delay(RoomProbeInterval, _time, stop);
            while (!await space.HasRoomAsync(stop));
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    private async Task<CrawlEnd> RunOnceAsync(IReadOnlyList<UrlIdentity> seeds, CancellationToken stop)
    {
        if (_rendering is not null) await _rendering.DisposeAsync();
        await _store.RecoverLeasesAsync(CancellationToken.None);
        var now = _time.GetUtcNow();
        await _store.EnqueueAsync(seeds.Select(s => FrontierEntry.Seed(s, now)).ToList(), CancellationToken.None);

        // A recrawl without seeds keeps to the sites already in the store; a continuous crawl to both.
        var scope = new CrawlScope(_options.ScopeRules, seeds.Count > 0 && !_options.Continuous ? seeds : [.. seeds, .. await StoredSeedsAsync()]);
        Scope = scope;
        var robots = new RobotsGate(_store, _fetcher, _agentToken, _time, _archive);
        _rendering = _options.Render.Mode == Rendering.RenderMode.Never ? null : new PageRendering(_options.Render, _fetcher, robots, _options.Fetch.UserAgent, _archive, _time);
        var worker = new CrawlWorker(_options, _store, _keyer, _fetcher, robots, scope, _agentToken, _time, Progress, _archive, Control, _rendering);
        ExtractionWarmUp.Start(_options);
        long stored = await _store.PageCountAsync(CancellationToken.None);
        // A run's own scheduler: one that ended on a full store left requests counted in flight that will never finish.
        return await new CrawlLoop(_options, _store, _time, new HostScheduler(_options.Politeness, _time), worker, Progress, Control, stored, stop).RunAsync();
    }

    private async Task<IReadOnlyList<UrlIdentity>> StoredSeedsAsync() =>
        (await _store.SeedUrlsAsync(CancellationToken.None)).Select(u => _keyer.TryIdentify(u, out var id, out _) ? id : null).OfType<UrlIdentity>().ToList();

    /// <summary>Browsers started by this crawl's renderer (0 when none was needed).</summary>
    public int BrowserLaunches => _rendering?.Renderer.Launches ?? 0;

    /// <summary>How long this crawl's first render took, the browser's start included (null when none was made).</summary>
    public TimeSpan? FirstRender => _rendering?.Renderer.FirstRender;

    public void Dispose()
    {
        // The browser first: a stopped crawl leaves no browser process behind.
        _rendering?.DisposeAsync().AsTask().GetAwaiter().GetResult();
        _fetcher.Dispose();
        _archive?.DisposeAsync().AsTask().GetAwaiter().GetResult();
    }
}
