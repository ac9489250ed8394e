using Crawlscope.Archiving;
using Crawlscope.Model;
using Crawlscope.Classification;
using Crawlscope.Duplicates;
using Crawlscope.Extraction;
using Crawlscope.Extraction.MainContent;
using Crawlscope.Fetching;
using Crawlscope.Frontier;
using Crawlscope.Indexability;
using Crawlscope.Rendering;
using Crawlscope.Robots;
using Crawlscope.Storage;
using Crawlscope.Urls;
using Crawlscope.Vocabulary;

namespace Crawlscope.Crawling;

/// <summary>What became of one frontier entry.</summary>
internal enum Disposition { Stored, Retry, HostBackoff }

/// <summary>What became of one frontier entry. A stored entry's <see cref="Saved"/> completes when its
/// transaction commits, with the number of newly queued URLs; the worker does not wait for it, so the
/// next fetch need not wait for the store's group commit.</summary>
internal sealed record ProcessOutcome(Disposition Disposition, FailureReason? Failure, int? HttpCode, long Bytes, int NewUrls, TimeSpan? Wait = null)
{
    public Task<int> Saved { get; init; } = Task.FromResult(0);

    /// <summary>About how much memory the save holds until it commits (its text and links).</summary>
    public long SavingBytes { get; init; }

    /// <summary>For a host backoff: how long the server asked to wait, if it said.</summary>
    public TimeSpan? RetryAfter { get; init; }

    /// <summary>URLs the save handed to the frontier (some may have been seen before).</summary>
    public int Discovered { get; init; }

    /// <summary>What the host's answers said about politeness, for the crawl loop to apply; null when robots.txt was
    /// not read (a failure before it).</summary>
    public HostReport? Host { get; init; }
}

/// <summary>What a host said about politeness while one of its URLs was crawled: its robots.txt crawl-delay, and
/// whether the server answered without throttling or failing (which ends its run of backoffs). A throttling answer
/// is the outcome's <see cref="Disposition.HostBackoff"/>.</summary>
internal sealed record HostReport(double? CrawlDelaySeconds, bool Answered);

/// <summary>
/// Steps 8-14 of docs/architecture.md for one fetched response, each one call to the class that does it, and the
/// records of step 6's refusals. It needs no fetcher and no scheduler: the crawl worker hands it what it fetched,
/// the live inspector what it fetched once, <c>import-warc</c> what an archive holds.
/// A page that fails in any step is stored with <c>processing_error</c> and the error, so one hostile page cannot
/// end the crawl or stay leased; only a store that cannot save that record either ends it.
/// </summary>
internal sealed class PageProcessor(CrawlOptions options, ICrawlStore store, UrlKeyer keyer, CrawlScope scope, TimeProvider time,
    CrawlProgress progress, WarcArchive? archive = null, CrawlControl? control = null, PageRendering? rendering = null)
{
    private readonly PageExtractor _extractor = new(options.ExtractorOptions());
    private readonly DuplicateFinder _duplicates = new(store, options.NearDuplicateBits);
    private readonly SiteTemplates? _templates = options.LearnsSiteTemplates ? new SiteTemplates() : null;
    private readonly BanList _bans = new(store, time, control is null ? null : () => control.BanChanges);
    private readonly OutlinkPolicy _outlinks = new(keyer, scope, options.FollowNoFollow, progress.LinkRefused);
    private readonly System.Diagnostics.Stopwatch _clock = System.Diagnostics.Stopwatch.StartNew();

    // Extraction is CPU-bound: running more of it at once than there are cores only adds parsed pages held in
    // memory and thread-pool threads, not throughput. Fetches stay as concurrent as the options allow.
    private readonly SemaphoreSlim _cpu = new(Environment.ProcessorCount, Environment.ProcessorCount);

    /// <summary>Step 6's refusals, stored without a fetch: a host whose address the SSRF guard refused as
    /// <c>ssrf_blocked</c>, a URL robots.txt disallows with the deciding rule. Null when the URL may be fetched.</summary>
    public async Task<ProcessOutcome?> RefusedAsync(FrontierEntry entry, UrlIdentity identity, RobotsCheck check, CancellationToken ct)
    {
        if (check.SsrfBlocked)
            return await FailedAsync(entry, new FetchFailure(FailureReason.SsrfBlocked, "the host's address is not public"), ct);
        if (check.Decision.Allowed) return null;
        var previous = await store.GetPageAsync(entry.Key.Value, ct);
        var blocked = PageRecords.Identity(entry, identity, previous) with
        {
            FailureReason = FailureReason.RobotsDisallowed,
            HistoryDropReason = IndexabilityDecision.DropIf(previous, DropReason.RobotsDisallowed),
            RobotsSources = $"robots.txt {check.Decision.Explanation}",
            NextFetch = options.Recrawl.NextCheck(previous, time.GetUtcNow()),
        };
        var fetch = new FetchRecord(entry.Key.Value, entry.Url, time.GetUtcNow(), null, new FetchFailure(FailureReason.RobotsDisallowed), 0, 0, null, null);
        return new ProcessOutcome(Disposition.Stored, blocked.FailureReason, null, 0, 0) { Saved = store.SaveAsync(blocked, fetch, [], [], ct) };
    }

    /// <summary>A URL that failed before any exchange (its host refused by the SSRF guard, a step before the fetch
    /// threw) is stored with the failure.</summary>
    public async Task<ProcessOutcome> FailedAsync(FrontierEntry entry, FetchFailure failure, CancellationToken ct) =>
        await FailAsync(entry, keyer.Identify(WebUrl.Parse(entry.Url)), await store.GetPageAsync(entry.Key.Value, ct), null, failure, null, ct);

    /// <summary>Steps 8-14 for a fetched response; the URL's stored record is read first.</summary>
    public async Task<ProcessOutcome> ProcessAsync(FrontierEntry entry, FetchResult fetched, CancellationToken ct) =>
        await ProcessAsync(entry, keyer.Identify(WebUrl.Parse(entry.Url)), fetched, await store.GetPageAsync(entry.Key.Value, ct), ct);

    /// <summary>Steps 8-14 for a fetched response, given the URL's identity and stored record (null when new).</summary>
    public async Task<ProcessOutcome> ProcessAsync(FrontierEntry entry, UrlIdentity identity, FetchResult fetched, PageRecord? previous, CancellationToken ct)
    {
        var url = identity.Original;
        try
        {
            return ResponseStatus.Of(fetched) switch                                                      // 8. status
            {
                var kind when ResponseStatus.IsTransient(kind) && entry.Attempts + 1 < options.MaxAttempts => Again(entry, fetched, kind),
                ResponseKind.Throttled or ResponseKind.ServerError =>
                    await FailAsync(entry, identity, previous, fetched, new(fetched.StatusCode == 429 ? FailureReason.Http4xx : FailureReason.Http5xx), DropReason.ServerErrors, ct),
                ResponseKind.NetworkError or ResponseKind.FetchFailed => await FailAsync(entry, identity, previous, fetched, fetched.Failure!, null, ct),
                ResponseKind.UnknownStatus => await FailAsync(entry, identity, previous, fetched, new(FailureReason.HttpUnknown), null, ct),
                ResponseKind.Redirect => await RedirectAsync(entry, identity, previous, fetched, ct),
                ResponseKind.NotModified when previous is not null => await NotModifiedAsync(entry, identity, previous, fetched, ct),
                ResponseKind.ClientError =>
                    await FailAsync(entry, identity, previous, fetched, new(FailureReason.Http4xx), fetched.StatusCode is 404 or 410 ? DropReason.Gone : null, ct),
                ResponseKind.NotHtml => await FailAsync(entry, identity, previous, fetched, new(FailureReason.UnsupportedType), null, ct),
                _ => await PageAsync(entry, identity, url, previous, fetched, ct),
            };
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            return await FailAsync(entry, identity, await store.GetPageAsync(entry.Key.Value, ct), null, ProcessingError(ex), null, ct);
        }
    }

    /// <summary>An answer worth trying again later: a retry after a backoff of its own, or (429/503) the whole host backed off.</summary>
    private ProcessOutcome Again(FrontierEntry entry, FetchResult fetched, ResponseKind kind)
    {
        var failure = fetched.StatusCode is { } code ? (code == 429 ? FailureReason.Http4xx : FailureReason.Http5xx) : fetched.Failure!.Reason;
        return kind == ResponseKind.Throttled
            ? new ProcessOutcome(Disposition.HostBackoff, failure, fetched.StatusCode, fetched.Body.Length, 0) { RetryAfter = fetched.RetryAfter(time.GetUtcNow()) }
            : new ProcessOutcome(Disposition.Retry, failure, fetched.StatusCode, fetched.Body.Length, 0, RetryWait(entry.Attempts));
    }

    private TimeSpan RetryWait(int attempts) => TimeSpan.FromSeconds(options.RetryBase.TotalSeconds * Math.Pow(2, attempts));

    /// <summary>Steps 9-14 for a page.</summary>
    private async Task<ProcessOutcome> PageAsync(FrontierEntry entry, UrlIdentity identity, WebUrl url, PageRecord? previous, FetchResult fetched, CancellationToken ct)
    {
        double t = _clock.Elapsed.TotalMilliseconds;
        ExtractedPage page;
        SpamVerdict spam;
        try
        {
            (page, spam) = await ExtractAndClassifyAsync(fetched, url, identity.Site, ct);                             // 9. extract, 10. classify (spam)
        }
        catch (TimeoutException)
        {
            return await FailAsync(entry, identity, previous, fetched,
                new(FailureReason.ProcessingTimeout, $"extraction took longer than {options.ProcessingBudget.TotalSeconds:F0} s"), null, ct);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            return await FailAsync(entry, identity, previous, fetched, ProcessingError(ex), null, ct);
        }
        Lap(ref t, "extract+classify");
        var render = rendering is null || fetched.StatusCode != 200 ? null : await RenderAsync(url, identity.Site, fetched, page, spam, ct);   // 9b. render
        if (render is not null)
        {
            (page, spam) = (render.Page, render.Spam);
            Lap(ref t, "render");
        }
        var duplicate = await _duplicates.FindAsync(entry.Key.Value, page, ct);                            // 10. duplicates
        bool banned = await _bans.IsBannedAsync(identity, ct);                                              // 10. bans
        Lap(ref t, "duplicates");
        var now = time.GetUtcNow();
        string? canonicalKey = page.Canonical is { } c && keyer.TryIdentify(c, out var canon, out _) ? canon.Key.Value : null;
        var record = PageRecords.Fetched(entry, identity, previous, fetched, page, spam, canonicalKey, duplicate.DuplicateOf, options.Recrawl, now);   // 11. record
        record = render is null ? record with { RenderReason = fetched.StatusCode == 200 ? RenderReason.Off : null }
            : record with { Rendered = render.Rendered, RenderReason = render.Reason, RenderDetails = render.Details };
        record = IndexabilityDecision.Decide(record, previous, banned, now);                  // 12. decide
        var outlinks = _outlinks.Select(entry, page.Links, banned, now, duplicate.DuplicateOf is null ? null : identity.Normalized); // 13. links
        record = record with { Outlinks = outlinks.Links.Count };
        Lap(ref t, "links");
        // 14. store. The archive is written before the store: a crash in between fetches the page again, and a WARC
        // may then hold it twice, which readers expect; the store never holds a page the archive lacks.
        await ArchiveAsync(fetched, now, PageRecords.WarcMetadata(record), null, ct);
        var saved = store.SaveAsync(record, PageRecords.Fetch(entry, fetched, now, null), outlinks.Links, outlinks.Discovered, ct);
        if (duplicate.PendingOriginal)
            _ = saved.ContinueWith(_ => _duplicates.Saved(entry.Key.Value), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        return new ProcessOutcome(Disposition.Stored, null, fetched.StatusCode, fetched.Body.Length, 0)
        {
            Saved = saved, SavingBytes = PageRecords.Footprint(record, outlinks), Discovered = outlinks.Discovered.Count,
        };
    }

    /// <summary>What rendering made of a page: the extraction used from here on (the rendered one when the render
    /// succeeded), and why it was or was not rendered.</summary>
    private sealed record RenderStep(ExtractedPage Page, SpamVerdict Spam, bool Rendered, RenderReason Reason, string? Details);

    /// <summary>Step 9b (docs/rendering.md): the policy decides from the raw extraction whether the page is rendered; a
    /// rendered DOM goes through the same extraction as a fetched one, and the policy learns whether it helped. A failed
    /// render keeps the page as fetched and records why.</summary>
    private async Task<RenderStep> RenderAsync(WebUrl url, string site, FetchResult fetched, ExtractedPage raw, SpamVerdict spam, CancellationToken ct)
    {
        var reason = rendering!.Policy.Decide(site, raw);
        if (!RenderPolicy.Renders(reason)) return new RenderStep(raw, spam, false, reason, null);
        string? signal = RenderPolicy.ShellSignal(raw);
        var result = await rendering.Renderer.RenderAsync(url.Href, fetched, rendering.Gate, rendering.Screenshots, ct);
        if (result.Screenshot is not null) rendering.LastScreenshot = result.Screenshot;
        bool noBrowser = result.NoBrowser;
        // A render that failed (its time cap, a crash) taught that rendering does not help this site's pages: a site
        // of hostile or broken scripts stops being rendered after its learning pages, as one whose renders add nothing.
        if (result.Html is null && !noBrowser) rendering.Policy.Learn(site, helped: false);
        if (!noBrowser) progress.Render(result.Html is not null);
        if (result.Html is null)
            return new RenderStep(raw, spam, false, noBrowser ? RenderReason.BrowserUnavailable : reason,
                RenderAccount.Of(reason, signal, result, fetched.Body.Length, raw, null).ToJson());
        try
        {
            var (page, renderedSpam) = await ExtractAndClassifyAsync(fetched with { Body = result.Html, Headers = RenderedHeaders(fetched.Headers) }, url, site, ct);
            rendering.Policy.Learn(site, RenderPolicy.Helped(raw, page));
            return new RenderStep(page, renderedSpam, true, reason, RenderAccount.Of(reason, signal, result, fetched.Body.Length, raw, page).ToJson());
        }
        catch (TimeoutException)
        {
            var failed = result with { Html = null, Failure = $"the rendered page's extraction took longer than {options.ProcessingBudget.TotalSeconds:F0} s" };
            return new RenderStep(raw, spam, false, reason, RenderAccount.Of(reason, signal, failed, fetched.Body.Length, raw, null).ToJson());
        }
    }

    /// <summary>The response's headers, with the rendered DOM's type: it is serialised as UTF-8.</summary>
    private static Dictionary<string, string[]> RenderedHeaders(IReadOnlyDictionary<string, string[]> headers)
    {
        var copy = headers.Where(h => !h.Key.Equals("Content-Type", StringComparison.OrdinalIgnoreCase)).ToDictionary(h => h.Key, h => h.Value, StringComparer.OrdinalIgnoreCase);
        copy["Content-Type"] = ["text/html; charset=utf-8"];
        return copy;
    }

    /// <summary>Extraction and classification on a CPU slot, within the processing budget. The budget (and the crawl's
    /// own stop) cancels the work inside the extractor's walks, so a page past it frees its CPU slot at once instead of
    /// holding it until a quadratic or endless walk ends. The readable Markdown leaves out the blocks the site's pages
    /// so far have in common (its template), and the page's blocks are then learnt for the pages after it.</summary>
    private async Task<(ExtractedPage, SpamVerdict)> ExtractAndClassifyAsync(FetchResult fetched, WebUrl url, string site, CancellationToken ct)
    {
        await _cpu.WaitAsync(ct);
        using var budget = CancellationTokenSource.CreateLinkedTokenSource(ct);
        long started = time.GetTimestamp();
        var work = Task.Run(() =>
        {
            var page = _extractor.Extract(fetched.Body, url, fetched.ContentType, fetched.Headers, _templates?.TemplateOf(site), budget.Token);
            _templates?.Learn(site, page.BlockFingerprints);
            return (page, SpamClassifier.Classify(page), time.GetElapsedTime(started));
        }, CancellationToken.None);
        _ = work.ContinueWith(_ => _cpu.Release(), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        try
        {
            var (extracted, spam, took) = await work.WaitAsync(options.ProcessingBudget, time, ct);
            // The work's own time decides too: a caller that looks late (a busy machine) still sees a page that overran.
            if (took > options.ProcessingBudget) throw new TimeoutException();
            return (extracted, spam);
        }
        catch (TimeoutException)
        {
            await budget.CancelAsync();
            throw;
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            throw new TimeoutException();
        }
    }

    /// <summary>A redirect: the target goes through the frontier (so a target seen before is not fetched again) when
    /// it passes the scope gate, is not a loop and is within the hop limit; the gate that refused it is recorded.</summary>
    private async Task<ProcessOutcome> RedirectAsync(FrontierEntry entry, UrlIdentity identity, PageRecord? previous, FetchResult fetched, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        await ArchiveAsync(fetched, now, [], null, ct);
        FailureReason reason = FailureReason.Redirected;
        string? targetKey = null, refused = null;
        var queue = new List<FrontierEntry>();
        if (fetched.Location is { } location && WebUrl.TryParse(location, identity.Normalized, out var next, out _) &&
            next.Scheme is "http" or "https" && keyer.TryIdentify(next.Href, out var target, out _))
        {
            targetKey = target.Key.Value;
            var chain = entry.Redirects.Then(entry.Key.Value);
            var verdict = scope.Check(target, entry.Depth);
            if (chain.Contains(targetKey)) reason = FailureReason.RedirectLoop;
            else if (entry.RedirectHops + 1 > options.MaxRedirects) reason = FailureReason.TooManyRedirects;
            else if (verdict != ScopeVerdict.Allowed) refused = $"target not followed: {StoreNames.Of(verdict)}";
            else queue.Add(FrontierEntry.Redirect(target, next.Href, entry, chain, now));
        }
        var record = PageRecords.Redirect(entry, identity, previous, fetched, reason, targetKey, IndexabilityDecision.DropIf(previous, DropReason.NowRedirects),
            options.Recrawl, now);
        var saved = store.SaveAsync(record, PageRecords.Fetch(entry, fetched, now, new FetchFailure(reason, refused), fetched.Location), [], queue, ct);
        return new ProcessOutcome(Disposition.Stored, record.FailureReason, fetched.StatusCode, fetched.Body.Length, 0) { Saved = saved, Discovered = queue.Count };
    }

    /// <summary>304 to a conditional GET: the stored page stands, fetched again now; a ban since then still counts.</summary>
    private async Task<ProcessOutcome> NotModifiedAsync(FrontierEntry entry, UrlIdentity identity, PageRecord previous, FetchResult fetched, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        var record = previous with { DownloadStamp = now, NextFetch = options.Recrawl.NextFetch(previous, previous.ContentHash, now) };
        await ArchiveAsync(fetched, now, [], (WarcArchive.ServerNotModified, entry.Url, previous.DownloadStamp), ct);
        if (await _bans.IsBannedAsync(identity, ct)) record = record with { HistoryDropReason = IndexabilityDecision.DropIf(previous, DropReason.Banned) };
        var saved = store.SaveAsync(record, PageRecords.Fetch(entry, fetched, now, null, contentType: previous.ContentType, bytes: 0), [], [], ct);
        return new ProcessOutcome(Disposition.Stored, null, 304, 0, 0) { Saved = saved };
    }

    /// <summary>A processing error is recorded with the exception's type and message.</summary>
    internal static FetchFailure ProcessingError(Exception ex) => new(FailureReason.ProcessingError, FetchResult.Describe(ex));

    /// <summary>A URL that gave no page is stored with its failure (and, when it was indexable, why it no longer is);
    /// <paramref name="fetched"/> is null when no exchange took place.</summary>
    private async Task<ProcessOutcome> FailAsync(FrontierEntry entry, UrlIdentity identity, PageRecord? previous, FetchResult? fetched,
        FetchFailure failure, DropReason? drop, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        if (fetched is not null) await ArchiveAsync(fetched, now, [], null, ct);
        var history = drop is { } d ? IndexabilityDecision.DropIf(previous, d) : previous?.HistoryDropReason;
        var record = PageRecords.Failure(entry, identity, previous, fetched, failure.Reason, history, options.Recrawl, now);
        var saved = store.SaveAsync(record, PageRecords.Fetch(entry, fetched, now, failure), [], [], ct);
        return new ProcessOutcome(Disposition.Stored, failure.Reason, fetched?.StatusCode, fetched?.Body.Length ?? 0, 0) { Saved = saved };
    }

    private Task ArchiveAsync(FetchResult fetched, DateTimeOffset stamp, IReadOnlyList<(string, string)> metadata,
        (string Profile, string RefersToUri, DateTimeOffset? RefersToDate)? revisit, CancellationToken ct) =>
        archive is null || fetched.Raw is null ? Task.CompletedTask : archive.WriteAsync(fetched, stamp, metadata, revisit, ct);

    private void Lap(ref double since, string stage)
    {
        double now = _clock.Elapsed.TotalMilliseconds;
        progress.Time(stage, now - since);
        since = now;
    }
}
