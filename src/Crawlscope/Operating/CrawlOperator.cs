using Crawlscope.Fetching;
using Crawlscope.Inspection;
using Crawlscope.Model;
using Crawlscope.Classification;
using Crawlscope.Crawling;
using Crawlscope.Frontier;
using Crawlscope.Robots;
using Crawlscope.Urls;
using Crawlscope.Vocabulary;

namespace Crawlscope.Operating;

/// <summary>What an operator asks of a URL: crawl it (new URLs only), crawl it again now, or add it as a seed.</summary>
public enum SubmitKind { CrawlNow, RecrawlNow, Seed }

/// <summary>What became of a submitted URL.</summary>
public enum SubmitStatus { Queued, Known, Refused }

/// <summary>The answer for one submitted URL: <c>queued</c>, <c>known</c> (with where it stands) or <c>refused</c> (with why).</summary>
public sealed record SubmitAnswer(string Url,
    [property: System.Text.Json.Serialization.JsonConverter(typeof(SnakeCaseEnumConverter<SubmitStatus>))] SubmitStatus Status,
    string? Reason = null, string? State = null)
{
    [System.Text.Json.Serialization.JsonIgnore]
    public bool Queued => Status == SubmitStatus.Queued;
}

/// <summary>A live test's answer: the stored report with its live part, or why it was refused.</summary>
public sealed record LiveTest(InspectionReport? Report, string? Refused);

/// <summary>An operator action's answer: what it did, or why it was refused (in a person's words). Bad input is a
/// refusal, never an exception.</summary>
public sealed record OperatorAnswer<T>(T? Value, string? Refused)
{
    public static OperatorAnswer<T> Done(T value) => new(value, null);
    public static OperatorAnswer<T> Refuse(string why) => new(default, why);
}

/// <summary>One ban as the operator lists it: whether the name is a host or a registrable domain, and who banned it
/// (from the audit log; null for the CLI).</summary>
public sealed record BanEntry(string Name, string Kind, string? Reason, string? By, DateTimeOffset At);

/// <summary>Limits on what operators may ask.</summary>
public sealed record OperatorOptions
{
    /// <summary>URLs one site may have crawled or recrawled on request per 24 hours (Search Console has a quota too). Default 50.</summary>
    public int DailyQuotaPerSite { get; init; } = 50;
    /// <summary>URLs one request may submit. Default 1,000.</summary>
    public int MaxUrlsPerRequest { get; init; } = 1000;
}

/// <summary>
/// The operator's actions on a running crawl, each checked, carried out through the store or the crawl's control,
/// and written to the audit log: submit URLs (scope, robots.txt as stored, the daily quota), bans, pauses. The web
/// page and the JSON API call the same methods, so they answer alike.
/// </summary>
public sealed class CrawlOperator(IFrontierStore store, UrlKeyer keyer, CrawlEngine engine, string userAgent, OperatorOptions? options = null, TimeProvider? time = null)
{
    // Every request that makes the crawler fetch from a site counts: crawl now, recrawl now, seeds, live tests.
    private static readonly string[] QuotaActions =
        [.. new[] { OperatorActionKind.CrawlNow, OperatorActionKind.RecrawlNow, OperatorActionKind.AddSeed, OperatorActionKind.LiveTest }.Select(StoreNames.Of)];
    // The quota's check and its audit row are one step: submissions (and live tests) take turns, so parallel requests
    // cannot all pass the check before any is recorded.
    private readonly SemaphoreSlim _quotaTurn = new(1, 1);
    private readonly OperatorOptions _options = options ?? new OperatorOptions();
    private readonly TimeProvider _time = time ?? TimeProvider.System;
    private readonly string _agent = RobotsAgent.ProductToken(userAgent);

    public OperatorOptions Options => _options;

    /// <summary>Whether the whole crawl is paused.</summary>
    public bool Paused => engine.Control.Paused;

    /// <summary>Why the crawl cannot go on although nobody paused it (the store's disk is full); null when it can.</summary>
    public string? StoreProblem => engine.Control.StoreProblem;

    /// <summary>The hosts paused one by one.</summary>
    public IReadOnlyCollection<string> PausedHosts => engine.Control.PausedHosts;

    /// <summary>A sampler of the crawl's live figures (one per watcher: each keeps its previous sample).</summary>
    public CrawlFiguresSampler Figures() => new(store, engine);

    /// <summary>The audit log, newest first.</summary>
    public Task<IReadOnlyList<OperatorAction>> RecentActionsAsync(int limit, CancellationToken ct = default) => store.RecentActionsAsync(limit, ct);

    /// <summary>A host's URLs waiting or in flight, in the order they will be fetched.</summary>
    public Task<IReadOnlyList<QueuedUrl>> QueueAsync(string host, int limit, CancellationToken ct = default) =>
        store.QueueAsync(host.Trim().ToLowerInvariant(), limit, ct);

    /// <summary>The names banned now.</summary>
    public async Task<IReadOnlySet<string>> BannedNamesAsync(CancellationToken ct = default) =>
        (await store.BansAsync(ct)).Select(b => b.Name).ToHashSet(StringComparer.OrdinalIgnoreCase);

    /// <summary>The bans with their kind and who made them (the audit log's latest ban of each name), by name.</summary>
    public async Task<IReadOnlyList<BanEntry>> BansAsync(CancellationToken ct = default)
    {
        var bans = await store.BansAsync(ct);
        var by = (await store.RecentActionsAsync(1000, ct))
            .Where(a => StoreNames.TryParse<OperatorActionKind>(a.Action, out var kind) && kind == OperatorActionKind.Ban)
            .GroupBy(a => a.Target, StringComparer.OrdinalIgnoreCase)
            .ToDictionary(g => g.Key, g => g.First().Actor, StringComparer.OrdinalIgnoreCase);
        return bans.Select(b => new BanEntry(b.Name,
                keyer.TryIdentify($"http://{b.Name}/", out var id, out _) && id.Site == b.Name ? "domain" : "host",
                b.Reason, by.GetValueOrDefault(b.Name), b.Created))
            .OrderBy(b => b.Name, StringComparer.Ordinal).ToList();
    }

    /// <summary>Submits URLs; each is answered on its own, and a URL answered <c>queued</c> is committed to the store.
    /// Refused whole when there are more than the request limit.</summary>
    public async Task<OperatorAnswer<IReadOnlyList<SubmitAnswer>>> SubmitAsync(IReadOnlyList<string> urls, SubmitKind kind, string actor, CancellationToken ct = default)
    {
        if (urls.Count > _options.MaxUrlsPerRequest)
            return OperatorAnswer<IReadOnlyList<SubmitAnswer>>.Refuse($"at most {_options.MaxUrlsPerRequest:N0} URLs per request, not {urls.Count:N0}");
        var answers = new List<SubmitAnswer>(urls.Count);
        await _quotaTurn.WaitAsync(ct);
        try
        {
            foreach (var url in urls) answers.Add(await SubmitOneAsync(url ?? "", kind, actor, ct));
        }
        finally
        {
            _quotaTurn.Release();
        }
        return OperatorAnswer<IReadOnlyList<SubmitAnswer>>.Done(answers);
    }

    private async Task<SubmitAnswer> SubmitOneAsync(string url, SubmitKind kind, string actor, CancellationToken ct)
    {
        string shown = url.Length > 300 ? url[..300] + "…" : url;
        if (!keyer.TryIdentify(url, out var id, out var error)) return new SubmitAnswer(shown, SubmitStatus.Refused, $"invalid: {error}");
        if (engine.Scope is not { } scope) return new SubmitAnswer(shown, SubmitStatus.Refused, "the crawl is starting; try again in a moment");
        if (kind == SubmitKind.Seed)
        {
            if (CrawlScope.Patterns(scope.Options, id.Normalized.Href) is not ScopeVerdict.Allowed and var verdict)
                return new SubmitAnswer(shown, SubmitStatus.Refused, $"scope: {StoreNames.Of(verdict)}");
            scope.Add(id);
        }
        else if (scope.Check(id, 0) is not ScopeVerdict.Allowed and var verdict)
            return new SubmitAnswer(shown, SubmitStatus.Refused, $"scope: {StoreNames.Of(verdict)} (add it as a seed to widen the scope)");
        // The SSRF guard would refuse it at connect time: said now, with its own reason (not a robots.txt one).
        if (SsrfGuard.RefusalBeforeFetch(id.Host, engine.Options.Fetch) is { } ssrf) return new SubmitAnswer(shown, SubmitStatus.Refused, $"ssrf: {ssrf}");
        if (await RobotsRefusalAsync(id, ct) is { } robots) return new SubmitAnswer(shown, SubmitStatus.Refused, robots);
        var now = _time.GetUtcNow();
        string action = StoreNames.Of(kind switch { SubmitKind.CrawlNow => OperatorActionKind.CrawlNow, SubmitKind.RecrawlNow => OperatorActionKind.RecrawlNow, _ => OperatorActionKind.AddSeed });
        if (await store.CountActionsAsync(id.Site, QuotaActions, now.AddDays(-1), ct) >= _options.DailyQuotaPerSite)
            return new SubmitAnswer(shown, SubmitStatus.Refused, $"quota: {id.Site} has had its {_options.DailyQuotaPerSite} requested crawls of the last 24 hours");
        var audit = new OperatorAction(now, actor, action, id.Normalized.Href, id.Site, null);
        var result = await store.SubmitAsync(FrontierEntry.Submitted(id, now), kind != SubmitKind.CrawlNow, now, audit, ct);
        string state = StoreNames.Of(result.State);
        if (result.Outcome == SubmitOutcome.Known) return new SubmitAnswer(shown, SubmitStatus.Known, null, state);
        engine.Control.Submitted(id.Host);
        return new SubmitAnswer(shown, SubmitStatus.Queued, null, state);
    }

    /// <summary>
    /// The live test from the service: the URL fetched now with the running crawl's own fetch settings (user agent,
    /// resolve map, private-network rule, body cap, timeouts: nothing to repeat), through its robots gate, inspected
    /// beside the stored report. Counted in the site's daily quota, since it fetches from the site. Nothing is stored
    /// in the crawl store but the audit row.
    /// </summary>
    /// <param name="render">Render the page even when it is not an empty shell (a page whose stored copy was rendered is).</param>
    public async Task<LiveTest> LiveTestAsync(string url, UrlInspector inspector, string actor, bool render = false, CancellationToken ct = default)
    {
        if (!keyer.TryIdentify(url, out var id, out var error)) return new LiveTest(null, $"invalid: {error}");
        var now = _time.GetUtcNow();
        await _quotaTurn.WaitAsync(ct);
        try
        {
            if (await store.CountActionsAsync(id.Site, QuotaActions, now.AddDays(-1), ct) >= _options.DailyQuotaPerSite)
                return new LiveTest(null, $"quota: {id.Site} has had its {_options.DailyQuotaPerSite} requested fetches of the last 24 hours");
            await store.RecordAsync(new OperatorAction(now, actor, StoreNames.Of(OperatorActionKind.LiveTest), id.Normalized.Href, id.Site, null), ct);
        }
        finally
        {
            _quotaTurn.Release();
        }
        var stored = await inspector.InspectAsync(id, ct);
        var live = await new LiveInspector(keyer, engine.Options.Fetch, inspector.Options, _time, engine.Options.Render)
            .InspectAsync(id, await store.BansAsync(ct), ct, renderRequested: render || stored.Page?.Rendered == true);
        return new LiveTest(stored with { Live = live }, null);
    }

    /// <summary>robots.txt as the store has it, read as the crawl reads it; a host whose robots.txt was never read (or
    /// whose copy expired) is let through, since the crawl reads it first.</summary>
    private async Task<string?> RobotsRefusalAsync(UrlIdentity id, CancellationToken ct)
    {
        var url = id.Normalized;
        if (await store.GetRobotsAsync(RobotsGate.HostKey(url), ct) is not { } stored || stored.ExpiresAt <= _time.GetUtcNow()) return null;
        var decision = RobotsGate.Rebuild(stored).Check(_agent, url.PathAndQuery);
        return decision.Allowed ? null : $"robots.txt: {decision.Explanation}";
    }

    /// <summary>Bans a host or a registrable domain; refused when the name is not one or the reason is too long.</summary>
    /// <returns>The ban as stored (answered without reading every ban back: adding one is one write).</returns>
    public async Task<OperatorAnswer<BanRecord>> BanAsync(string name, string? reason, string actor, CancellationToken ct = default)
    {
        if (!BanName.TryNormalize(name, out var normalized, out var error)) return OperatorAnswer<BanRecord>.Refuse(error);
        if (BanName.ReasonProblem(reason) is { } tooLong) return OperatorAnswer<BanRecord>.Refuse(tooLong);
        string? kept = string.IsNullOrWhiteSpace(reason) ? null : reason.Trim();
        await store.BanAsync(normalized, kept, Action(actor, OperatorActionKind.Ban, normalized, normalized, reason), ct);
        engine.Control.BansChanged();
        return OperatorAnswer<BanRecord>.Done(new BanRecord(normalized, kept, _time.GetUtcNow()));
    }

    /// <returns><see langword="false"/> when the name was not banned; refused when it is not a host or a domain.</returns>
    public async Task<OperatorAnswer<bool>> UnbanAsync(string name, string actor, CancellationToken ct = default)
    {
        if (!BanName.TryNormalize(name, out var normalized, out var error)) return OperatorAnswer<bool>.Refuse(error);
        bool removed = await store.UnbanAsync(normalized, Action(actor, OperatorActionKind.Unban, normalized, normalized, null), ct);
        engine.Control.BansChanged();
        return OperatorAnswer<bool>.Done(removed);
    }

    /// <summary>Pauses the whole crawl, or one host when <paramref name="host"/> is given; false when it was paused already.</summary>
    public Task<OperatorAnswer<bool>> PauseAsync(string? host, string actor, CancellationToken ct = default) =>
        SwitchAsync(host, actor, OperatorActionKind.Pause, engine.Control.Pause, engine.Control.PauseHost, ct);

    /// <summary>Resumes the whole crawl, or one host; false when it was not paused.</summary>
    public Task<OperatorAnswer<bool>> ResumeAsync(string? host, string actor, CancellationToken ct = default) =>
        SwitchAsync(host, actor, OperatorActionKind.Resume, engine.Control.Resume, engine.Control.ResumeHost, ct);

    private async Task<OperatorAnswer<bool>> SwitchAsync(string? host, string actor, OperatorActionKind kind, Func<bool> whole, Func<string, bool> oneHost,
        CancellationToken ct)
    {
        string? h = null;
        if (!string.IsNullOrWhiteSpace(host))
        {
            if (!BanName.TryNormalize(host, out var normalized, out var error)) return OperatorAnswer<bool>.Refuse(error);
            h = normalized;
        }
        bool changed = h is null ? whole() : oneHost(h);
        if (changed) await store.RecordAsync(Action(actor, kind, h ?? "crawl", null, null), ct);
        return OperatorAnswer<bool>.Done(changed);
    }

    private OperatorAction Action(string actor, OperatorActionKind kind, string target, string? site, string? detail) =>
        new(_time.GetUtcNow(), actor, StoreNames.Of(kind), target, site, detail);
}
