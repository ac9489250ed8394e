using System.Globalization;
using System.Text.Json;
using Crawlscope.Classification;
using Crawlscope.Extraction;
using Crawlscope.Duplicates;
using Crawlscope.Fetching;
using Crawlscope.Frontier;
using Crawlscope.Politeness;
using Crawlscope.Robots;
using Crawlscope.Sitemaps;
using Crawlscope.Storage;
using Crawlscope.Urls;

namespace Crawlscope.Crawling;

/// <summary>What became of one frontier entry.</summary>
internal enum Disposition { Stored, Retry, HostBackoff }

/// <summary>What became of one frontier entry. A stored entry's <see cref="Saved"/> completes when its
/// transaction commits, with the number of newly queued URLs; the worker does not wait for it, so the
/// next fetch need not wait for the store's group commit.</summary>
internal sealed record ProcessOutcome(Disposition Disposition, string? Failure, int? HttpCode, long Bytes, int NewUrls, TimeSpan? Wait = null)
{
    public Task<int> Saved { get; init; } = Task.FromResult(0);

    /// <summary>About how much memory the save holds until it commits (its text and links).</summary>
    public long SavingBytes { get; init; }
}

/// <summary>
/// Processes one URL through the stages of docs/architecture.md, in order: (5) robots gate, (6) fetch,
/// (7) extract, (8) classify, (9) store, (10) new links back to the frontier. Politeness (4) is the
/// scheduler's job before this is called.
/// </summary>
internal sealed class CrawlWorker(
    CrawlOptions options,
    ICrawlStore store,
    UrlKeyer keyer,
    Fetcher fetcher,
    RobotsGate robots,
    HostScheduler scheduler,
    CrawlScope scope,
    string agentToken,
    TimeProvider time,
    CrawlProgress progress,
    Archiving.WarcArchive? archive = null)
{
    private readonly SitemapDiscovery _sitemaps = new(store, fetcher, keyer, scope, robots, agentToken, time, archive);
    private readonly BanList _bans = new(store, time);
    private readonly UnsavedOriginals _unsaved = new();
    private readonly System.Diagnostics.Stopwatch _clock = System.Diagnostics.Stopwatch.StartNew();

    private double Lap(ref double since, string stage)
    {
        double now = _clock.Elapsed.TotalMilliseconds;
        progress.Time(stage, now - since);
        since = now;
        return now;
    }

    private readonly PageExtractor _extractor = new(new PageExtractorOptions { AgentToken = agentToken, Parts = options.Extract });

    // Extraction is CPU-bound: running more of it at once than there are cores only adds parsed pages held in
    // memory and thread-pool threads, not throughput. Fetches stay as concurrent as the options allow.
    private readonly SemaphoreSlim _cpu = new(Environment.ProcessorCount, Environment.ProcessorCount);

    /// <summary>Processes one entry. A page that fails in any stage is stored with <c>processing_error</c> and the
    /// error's message, so one hostile page cannot end the crawl or stay leased; only a store that cannot save
    /// that record either ends it.</summary>
    public Task<ProcessOutcome> ProcessAsync(FrontierEntry entry, CancellationToken ct) => GuardedAsync(entry, () => ProcessStagesAsync(entry, ct), ct);

    private async Task<ProcessOutcome> GuardedAsync(FrontierEntry entry, Func<Task<ProcessOutcome>> stages, CancellationToken ct)
    {
        try
        {
            return await stages();
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            var failed = FetchResult.Failed(entry.Url, FailureReason.ProcessingError, $"{ex.GetType().Name}: {ex.Message}", 0);
            var identity = keyer.Identify(WebUrl.Parse(entry.Url));
            return await SaveFailureAsync(entry, identity, await store.GetPageAsync(entry.Key.Value, ct), failed, FailureReason.ProcessingError, null, ct);
        }
    }

    private async Task<ProcessOutcome> ProcessStagesAsync(FrontierEntry entry, CancellationToken ct)
    {
        double t = _clock.Elapsed.TotalMilliseconds;
        var url = WebUrl.Parse(entry.Url);
        var identity = keyer.Identify(url);
        var previous = await store.GetPageAsync(entry.Key.Value, ct);
        Lap(ref t, "load previous");

        // 5. robots.txt
        var robotsCheck = await robots.CheckAsync(identity.Normalized, ct);
        scheduler.SetCrawlDelay(entry.Host, robotsCheck.Rules.ForAgent(agentToken).CrawlDelaySeconds);
        int fromSitemaps = 0;
        if (options.ReadSitemaps && robotsCheck.Fresh && !robotsCheck.SsrfBlocked)
        {
            // Sitemap requests happen while this worker holds the host's slot, each a politeness gap apart.
            var gap = scheduler.Gap(entry.Host);
            fromSitemaps = await _sitemaps.DiscoverAsync(identity.Normalized, robotsCheck.Rules, gap, ct);
            await robots.SitemapsReadAsync(robotsCheck.HostKey, ct);
            if (gap > TimeSpan.Zero) await Task.Delay(gap, time, ct);
        }
        Lap(ref t, "robots");
        if (robotsCheck.SsrfBlocked)
            return await SaveFailureAsync(entry, identity, previous, FetchResult.Failed(entry.Url, FailureReason.SsrfBlocked, "the host's address is not public", 0),
                FailureReason.SsrfBlocked, null, ct);
        if (!robotsCheck.Decision.Allowed)
        {
            var blocked = Base(entry, identity, previous) with
            {
                FailureReason = StoreNames.Of(FailureReason.RobotsDisallowed),
                HistoryDropReason = DropIf(previous, DropReason.RobotsDisallowed),
                RobotsSources = $"robots.txt {robotsCheck.Decision.Explanation}",
            };
            var saved = store.SaveAsync(blocked, new FetchRecord(entry.Key.Value, entry.Url, time.GetUtcNow(), null, blocked.FailureReason, 0, 0, null, null), [], [], ct);
            return new ProcessOutcome(Disposition.Stored, blocked.FailureReason, null, 0, 0) { Saved = saved };
        }

        // 6. fetch
        var fetched = await fetcher.FetchAsync(entry.Url, Conditional(previous), ct);
        Lap(ref t, "fetch");
        var outcome = await ProcessFetchedAsync(entry, identity, url, previous, fetched, ct);
        return outcome with { NewUrls = outcome.NewUrls + fromSitemaps };
    }

    /// <summary>
    /// Stages 7-10 for a response obtained elsewhere (<c>import-warc</c>): extract, classify, store, exactly as a
    /// crawl would have. Nothing is fetched and nothing discovered is queued beyond what the scope allows.
    /// </summary>
    internal Task<ProcessOutcome> ImportAsync(FrontierEntry entry, FetchResult fetched, CancellationToken ct) => GuardedAsync(entry, async () =>
    {
        var url = WebUrl.Parse(entry.Url);
        var identity = keyer.Identify(url);
        var previous = await store.GetPageAsync(entry.Key.Value, ct);
        return await ProcessFetchedAsync(entry, identity, url, previous, fetched, ct);
    }, ct);

    private async Task<ProcessOutcome> ProcessFetchedAsync(FrontierEntry entry, UrlIdentity identity, WebUrl url, PageRecord? previous, FetchResult fetched, CancellationToken ct)
    {
        double t = _clock.Elapsed.TotalMilliseconds;
        if (!fetched.IsSuccess)
        {
            if (fetched.Failure is FailureReason.Timeout or FailureReason.Connect or FailureReason.Network or FailureReason.Dns && entry.Attempts + 1 < options.MaxAttempts)
                return new ProcessOutcome(Disposition.Retry, StoreNames.Of(fetched.Failure), null, 0, 0, RetryWait(entry.Attempts));
            return await SaveFailureAsync(entry, identity, previous, fetched, fetched.Failure, null, ct);
        }

        int status = fetched.StatusCode!.Value;
        if (status is < 100 or > 599) return await SaveFailureAsync(entry, identity, previous, fetched, FailureReason.HttpUnknown, null, ct);
        if (status is 429 or 503)
        {
            if (entry.Attempts + 1 < options.MaxAttempts)
                return new ProcessOutcome(Disposition.HostBackoff, status == 429 ? "http_4xx" : "http_5xx", status, fetched.Body.Length, 0,
                    scheduler.BackOff(entry.Host, RetryAfter(fetched)));
            return await SaveFailureAsync(entry, identity, previous, fetched, status == 429 ? FailureReason.Http4xx : FailureReason.Http5xx, DropReason.ServerErrors, ct);
        }
        if (status >= 500)
        {
            if (entry.Attempts + 1 < options.MaxAttempts)
                return new ProcessOutcome(Disposition.Retry, "http_5xx", status, fetched.Body.Length, 0, RetryWait(entry.Attempts));
            return await SaveFailureAsync(entry, identity, previous, fetched, FailureReason.Http5xx, DropReason.ServerErrors, ct);
        }
        scheduler.Succeeded(entry.Host);
        if (status is >= 300 and < 400 && status != 304) return await RedirectAsync(entry, identity, previous, fetched, ct);
        if (status == 304 && previous is not null) return await NotModifiedAsync(entry, identity, previous, fetched, ct);
        if (status >= 400) return await SaveFailureAsync(entry, identity, previous, fetched, FailureReason.Http4xx, status is 404 or 410 ? DropReason.Gone : null, ct);
        if (!fetched.IsHtml) return await SaveFailureAsync(entry, identity, previous, fetched, FailureReason.UnsupportedType, null, ct);

        // 7. extract, 8. classify
        ExtractedPage page;
        SpamVerdict spam;
        try
        {
            (page, spam) = await ExtractAndClassifyAsync(fetched, url, ct);
        }
        catch (TimeoutException)
        {
            return await SaveFailureAsync(entry, identity, previous,
                fetched with { FailureDetail = $"extraction took longer than {options.ProcessingBudget.TotalSeconds:F0} s" }, FailureReason.ProcessingTimeout, null, ct);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            return await SaveFailureAsync(entry, identity, previous, fetched with { FailureDetail = $"{ex.GetType().Name}: {ex.Message}" }, FailureReason.ProcessingError, null, ct);
        }
        Lap(ref t, "extract+classify");
        string? canonicalKey = page.Canonical is { } c && keyer.TryIdentify(c, out var canon, out _) ? canon.Key.Value : null;
        string? duplicateOf = null;
        bool unsavedOriginal = false;
        if (page.SimHash is { } simHash && page.ReadableText.Length > 0)
        {
            // Pages not yet committed first: a page found there is in the store by the time the store is asked.
            duplicateOf = _unsaved.FindOrAdd(entry.Key.Value, page.ContentHash, simHash, options.NearDuplicateBits)
                          ?? await store.FindByContentHashAsync(page.ContentHash, entry.Key.Value, ct)
                          ?? await store.FindNearDuplicateAsync((long)simHash, entry.Key.Value, options.NearDuplicateBits, ct);
            unsavedOriginal = duplicateOf is null;
            if (!unsavedOriginal) _unsaved.Remove(entry.Key.Value);
        }

        Lap(ref t, "duplicates");
        var now = time.GetUtcNow();
        // A banned host or domain is fetched and stored (the inspector shows why it is not indexable), but is
        // never indexable and its links are not followed.
        bool banned = await _bans.IsBannedAsync(identity, ct);
        bool indexable = !banned && !page.Robots.NoIndex && spam.Level == 0 && duplicateOf is null && (canonicalKey is null || canonicalKey == entry.Key.Value);
        DropReason? drop = banned ? DropReason.Banned
            : page.Robots.NoIndex ? DropReason.NoIndex
            : canonicalKey is not null && canonicalKey != entry.Key.Value ? DropReason.CanonicalElsewhere
            : duplicateOf is not null ? DropReason.Duplicate
            : spam.Level > 0 ? DropReason.Spam : null;

        // 10. links (stored now, queued below)
        var links = new List<LinkRecord>();
        var discovered = new List<FrontierEntry>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var link in page.Links)
        {
            if (!keyer.TryIdentify(link.Url, out var target, out _) || !seen.Add(target.Key.Value)) continue;
            links.Add(new LinkRecord(entry.Key.Value, target.Key.Value, link.Text.Length > 500 ? link.Text[..500] : link.Text, link.NoFollow));
            if (banned || (link.NoFollow && !options.FollowNoFollow) || !scope.Allows(target, entry.Depth + 1)) continue;
            discovered.Add(new FrontierEntry(target.Key, link.Url, target.Host, target.Shard, entry.Depth + 1, entry.Depth + 1,
                entry.Key.Value, now));
        }

        // 9. store
        var record = Base(entry, identity, previous) with
        {
            DownloadHttpCode = status,
            DownloadStamp = now,
            FirstIndexed = previous?.FirstIndexed ?? (indexable ? now : null),
            ContentType = fetched.ContentType,
            FailureReason = null,
            HistoryDropReason = drop is { } d ? DropIf(previous, d) : null,
            MlSpamScore = spam.Level,
            SpamSignals = spam.Signals.Count == 0 ? null : JsonSerializer.Serialize(spam.Signals.Select(s => new { s.Name, s.Value, s.Threshold, s.Detail })),
            MetaTitle = page.Title,
            MetaDescription = page.Description,
            MetaCanonical = canonicalKey,
            RobotsNoIndex = page.Robots.NoIndex,
            RobotsNoFollow = page.Robots.NoFollow,
            RobotsSources = page.Robots.Sources.Count == 0 ? null : string.Join("; ", page.Robots.Sources),
            Lang = page.Language,
            BoilerpipeText = page.BoilerpipeText,
            Markdown = page.Markdown,
            ReadableMarkdown = page.ReadableMarkdown,
            ContentHash = page.ContentHash,
            SimHash = (long?)page.SimHash,
            DuplicateOf = duplicateOf,
            ResponseHeaders = Headers(fetched),
            Truncated = fetched.Truncated,
            BodyBytes = fetched.Body.Length,
            Outlinks = links.Count,
            Etag = fetched.Header("ETag"),
            LastModified = fetched.Header("Last-Modified"),
            NextFetch = NextFetch(previous, page.ContentHash, now),
        };
        Lap(ref t, "links");
        // The archive is written before the store: a crash in between fetches the page again, and a WARC may
        // then hold it twice, which readers expect; the store never holds a page the archive lacks.
        await ArchiveAsync(fetched, now, MetadataFields(record, spam.Level), null, ct);
        var saved = store.SaveAsync(record, new FetchRecord(entry.Key.Value, entry.Url, now, status, null, fetched.ElapsedMs, fetched.Body.Length, fetched.ContentType, null), links, discovered, ct);
        if (unsavedOriginal)
            _ = saved.ContinueWith(_ => _unsaved.Remove(entry.Key.Value), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        return new ProcessOutcome(Disposition.Stored, null, status, fetched.Body.Length, 0) { Saved = saved, SavingBytes = Footprint(record, links, discovered) };
    }

    /// <summary>Extraction and classification on a CPU slot, within the processing budget. A page past the budget
    /// keeps its CPU slot until its work ends (so runaway pages cannot pile up), but the crawl no longer waits for it.</summary>
    private async Task<(ExtractedPage, SpamVerdict)> ExtractAndClassifyAsync(FetchResult fetched, WebUrl url, CancellationToken ct)
    {
        await _cpu.WaitAsync(ct);
        var work = Task.Run(() =>
        {
            var page = _extractor.Extract(fetched.Body, url, fetched.ContentType, fetched.Headers);
            return (page, SpamClassifier.Classify(page));
        }, CancellationToken.None);
        _ = work.ContinueWith(_ => _cpu.Release(), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        return await work.WaitAsync(options.ProcessingBudget, time, ct);
    }

    private async Task<ProcessOutcome> RedirectAsync(FrontierEntry entry, UrlIdentity identity, PageRecord? previous, FetchResult fetched, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        await ArchiveAsync(fetched, now, [], null, ct);
        FailureReason reason = FailureReason.Redirected;
        string? targetKey = null, refused = null;
        var queue = new List<FrontierEntry>();
        if (fetched.Location is { } location && WebUrl.TryParse(location, WebUrl.Parse(entry.Url), out var next, out _) &&
            next.Scheme is "http" or "https" && keyer.TryIdentify(next.Href, out var target, out _))
        {
            targetKey = target.Key.Value;
            var chain = (entry.RedirectChain ?? "").Split('\n', StringSplitOptions.RemoveEmptyEntries).Append(entry.Key.Value).ToList();
            // A redirect target passes the same scope gate as a link: a page in scope cannot send the crawler elsewhere.
            var verdict = scope.Check(target, entry.Depth);
            if (chain.Contains(targetKey)) reason = FailureReason.RedirectLoop;
            else if (entry.RedirectHops + 1 > options.MaxRedirects) reason = FailureReason.TooManyRedirects;
            else if (verdict != ScopeVerdict.Allowed) refused = $"target not followed: {StoreNames.Of(verdict)}";
            else
                // Each hop goes through the frontier, so a target seen before is not fetched again.
                queue.Add(new FrontierEntry(target.Key, next.Href, target.Host, target.Shard, entry.Depth, entry.Priority, entry.Key.Value, now,
                    RedirectHops: entry.RedirectHops + 1, RedirectChain: string.Join('\n', chain)));
        }
        var record = Base(entry, identity, previous) with
        {
            DownloadHttpCode = fetched.StatusCode,
            DownloadStamp = now,
            ContentType = fetched.ContentType,
            FailureReason = StoreNames.Of(reason),
            HistoryDropReason = DropIf(previous, DropReason.NowRedirects),
            RedirectTarget = targetKey,
            ResponseHeaders = Headers(fetched),
            BodyBytes = fetched.Body.Length,
        };
        var saved = store.SaveAsync(record, new FetchRecord(entry.Key.Value, entry.Url, now, fetched.StatusCode,
            refused is null ? record.FailureReason : $"{record.FailureReason}: {refused}", fetched.ElapsedMs,
            fetched.Body.Length, fetched.ContentType, fetched.Location), [], queue, ct);
        return new ProcessOutcome(Disposition.Stored, record.FailureReason, fetched.StatusCode, fetched.Body.Length, 0) { Saved = saved };
    }

    private async Task<ProcessOutcome> NotModifiedAsync(FrontierEntry entry, UrlIdentity identity, PageRecord previous, FetchResult fetched, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        var record = previous with { DownloadStamp = now, NextFetch = NextFetch(previous, previous.ContentHash, now) };
        await ArchiveAsync(fetched, now, [], (Archiving.WarcArchive.ServerNotModified, entry.Url, previous.DownloadStamp), ct);
        if (await _bans.IsBannedAsync(identity, ct)) record = record with { HistoryDropReason = DropIf(previous, DropReason.Banned) };
        var saved = store.SaveAsync(record, new FetchRecord(entry.Key.Value, entry.Url, now, 304, null, fetched.ElapsedMs, 0, previous.ContentType, null), [], [], ct);
        return new ProcessOutcome(Disposition.Stored, null, 304, 0, 0) { Saved = saved };
    }

    private async Task<ProcessOutcome> SaveFailureAsync(FrontierEntry entry, UrlIdentity identity, PageRecord? previous, FetchResult fetched,
        FailureReason reason, DropReason? drop, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        await ArchiveAsync(fetched, now, [], null, ct);
        var record = Base(entry, identity, previous) with
        {
            DownloadHttpCode = fetched.StatusCode,
            DownloadStamp = fetched.StatusCode is null ? previous?.DownloadStamp : now,
            ContentType = fetched.ContentType,
            FailureReason = StoreNames.Of(reason),
            HistoryDropReason = drop is { } d ? DropIf(previous, d) : previous?.HistoryDropReason,
            ResponseHeaders = fetched.StatusCode is null ? null : Headers(fetched),
            BodyBytes = fetched.Body.Length,
            Truncated = fetched.Truncated,
        };
        var saved = store.SaveAsync(record, new FetchRecord(entry.Key.Value, entry.Url, now, fetched.StatusCode, record.FailureReason + (fetched.FailureDetail is { } detail ? ": " + detail : ""),
            fetched.ElapsedMs, fetched.Body.Length, fetched.ContentType, null), [], [], ct);
        return new ProcessOutcome(Disposition.Stored, record.FailureReason, fetched.StatusCode, fetched.Body.Length, 0) { Saved = saved };
    }

    /// <summary>The characters a save holds (two bytes each), plus a little per row: enough to bound the memory of
    /// pages waiting for their commit, which with full extraction carry tens of kilobytes of text each.</summary>
    private static long Footprint(PageRecord r, List<LinkRecord> links, List<FrontierEntry> discovered)
    {
        long chars = (r.BoilerpipeText?.Length ?? 0) + (r.Markdown?.Length ?? 0) + (r.ReadableMarkdown?.Length ?? 0) + (r.ResponseHeaders?.Length ?? 0)
                     + (r.SpamSignals?.Length ?? 0) + (r.MetaTitle?.Length ?? 0) + (r.MetaDescription?.Length ?? 0) + r.Url.Length + r.SrcUnparsed.Length;
        foreach (var l in links) chars += l.Target.Length + l.Anchor.Length;
        foreach (var d in discovered) chars += d.Url.Length + d.Key.Value.Length;
        return 2 * chars + 64L * (1 + links.Count + discovered.Count);
    }

    /// <summary>The identity columns, carrying over what a refetch does not change.</summary>
    private static PageRecord Base(FrontierEntry entry, UrlIdentity identity, PageRecord? previous) => new()
    {
        SrcUnparsed = entry.Key.Value,
        Url = identity.Normalized.Href,
        Shard = identity.Shard,
        RootHash = identity.RootHash,
        Host = identity.Host,
        Site = identity.Site,
        Depth = entry.Depth,
        FirstIndexed = previous?.FirstIndexed,
        HistoryDropReason = previous?.HistoryDropReason,
    };

    private Task ArchiveAsync(FetchResult fetched, DateTimeOffset stamp, IReadOnlyList<(string, string)> metadata,
        (string Profile, string RefersToUri, DateTimeOffset? RefersToDate)? revisit, CancellationToken ct) =>
        archive is null || fetched.Raw is null ? Task.CompletedTask : archive.WriteAsync(fetched, stamp, metadata, revisit, ct);

    /// <summary>What the metadata record of a page says: our extraction fields, one warc-fields line each.</summary>
    private static List<(string, string)> MetadataFields(PageRecord p, int spamScore)
    {
        var fields = new List<(string, string)>();
        void Add(string name, string? value)
        {
            if (!string.IsNullOrEmpty(value)) fields.Add((name, value));
        }
        Add("src-unparsed", p.SrcUnparsed);
        Add("title", p.MetaTitle);
        Add("description", p.MetaDescription);
        Add("canonical", p.MetaCanonical);
        Add("lang", p.Lang);
        Add("content-hash", p.ContentHash);
        Add("simhash", p.SimHash?.ToString(CultureInfo.InvariantCulture));
        Add("ml-spam-score", spamScore.ToString(CultureInfo.InvariantCulture));
        Add("history-drop-reason", p.HistoryDropReason);
        Add("duplicate-of", p.DuplicateOf);
        Add("outlinks", p.Outlinks.ToString(CultureInfo.InvariantCulture));
        return fields;
    }

    /// <summary>A drop reason is recorded when a page that was indexable stops being so.</summary>
    private static string? DropIf(PageRecord? previous, DropReason reason) =>
        previous is not null && WasIndexable(previous) ? StoreNames.Of(reason) : previous?.HistoryDropReason;

    private static bool WasIndexable(PageRecord p) =>
        p.DownloadHttpCode == 200 && p.HistoryDropReason is null && p.FailureReason is null && !p.RobotsNoIndex && p.MlSpamScore == 0 && p.DuplicateOf is null;

    private TimeSpan RetryWait(int attempts) => TimeSpan.FromSeconds(options.RetryBase.TotalSeconds * Math.Pow(2, attempts));

    private TimeSpan? RetryAfter(FetchResult fetched)
    {
        string? value = fetched.Header("Retry-After");
        if (value is null) return null;
        if (int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out int seconds)) return TimeSpan.FromSeconds(seconds);
        if (DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var date))
        {
            var wait = date - time.GetUtcNow();
            return wait > TimeSpan.Zero ? wait : TimeSpan.Zero;
        }
        return null;
    }

    private static IReadOnlyDictionary<string, string>? Conditional(PageRecord? previous)
    {
        if (previous is null || previous.DownloadHttpCode != 200) return null;
        var headers = new Dictionary<string, string>();
        if (previous.Etag is { } etag) headers["If-None-Match"] = etag;
        if (previous.LastModified is { } lm) headers["If-Modified-Since"] = lm;
        return headers.Count == 0 ? null : headers;
    }

    /// <summary>Recrawl interval: halve it when the content changed, double it when it did not; 1 to 30 days.</summary>
    private static DateTimeOffset NextFetch(PageRecord? previous, string? contentHash, DateTimeOffset now)
    {
        var interval = TimeSpan.FromDays(7);
        if (previous?.NextFetch is { } prevNext && previous.DownloadStamp is { } prevStamp)
        {
            var last = prevNext - prevStamp;
            interval = previous.ContentHash == contentHash ? last * 2 : last / 2;
        }
        if (interval < TimeSpan.FromDays(1)) interval = TimeSpan.FromDays(1);
        if (interval > TimeSpan.FromDays(30)) interval = TimeSpan.FromDays(30);
        return now + interval;
    }

    private static string Headers(FetchResult f) => JsonSerializer.Serialize(f.Headers.ToDictionary(h => h.Key, h => string.Join(", ", h.Value)));
}
