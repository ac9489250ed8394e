using System.Globalization;
using System.Text.Json;
using Crawlscope.Model;
using Crawlscope.Indexability;
using Crawlscope.Robots;
using Crawlscope.Urls;
using Crawlscope.Vocabulary;

namespace Crawlscope.Inspection;

/// <summary>
/// Builds the <see cref="InspectionReport"/> for a URL or a stored key: the five checks of the seed's inspector
/// (shard, crawled status, robots.txt, spam/ban, seen status), each with its query and raw response; the
/// verdict badges; the indexability filters evaluated by the store; and the page details.
/// </summary>
public sealed class UrlInspector(IInspectionSource store, UrlKeyer keyer, InspectionOptions? options = null, TimeProvider? time = null)
{
    private readonly InspectionOptions _options = options ?? new InspectionOptions();

    /// <summary>The options the verdicts are decided with (age cut-off, agent).</summary>
    public InspectionOptions Options => _options;
    private readonly TimeProvider _time = time ?? TimeProvider.System;
    private readonly InspectionQueries _queries = store.Queries;

    /// <summary>
    /// The lookup forms of every face (CLI, API, web page): a URL, or a shard and a stored key. Input that names
    /// no URL or key throws <see cref="InspectionInputException"/> with a message for the user.
    /// </summary>
    public Task<InspectionReport> LookupAsync(string? url, int? shard, string? key, CancellationToken ct = default)
    {
        if (!string.IsNullOrEmpty(key))
        {
            if (shard is not { } s) throw new InspectionInputException("a key lookup needs the shard too");
            if (s < 0 || s >= keyer.ShardCount) throw new InspectionInputException($"shard must be between 0 and {keyer.ShardCount - 1}");
            if (!UrlKey.TryParse(key, out var parsed)) throw new InspectionInputException($"not a stored key: {key}");
            return InspectAsync(s, parsed, ct);
        }
        if (string.IsNullOrWhiteSpace(url)) throw new InspectionInputException("give a URL, or a shard and a key");
        if (!keyer.TryIdentify(url, out var id, out var error)) throw new InspectionInputException($"not a valid http(s) URL: {url} ({error}){UrlHints.SchemeHint(url)}");
        return InspectAsync(id, ct);
    }

    /// <summary>The indexability filters' conditions in a store's dialect, for other readers of the store
    /// (exports) that must agree with the inspector on what "indexable" means.</summary>
    public static IReadOnlyList<string> IndexabilityConditions(IInspectionSource store, InspectionOptions? options = null) =>
        store.Queries.Filters((options ?? new InspectionOptions()).MaxAgeMonths).Select(f => f.Condition).ToList();

    /// <summary>URL lookup: parse, normalise and key the URL, then inspect.</summary>
    public Task<InspectionReport> InspectAsync(UrlIdentity identity, CancellationToken ct = default) =>
        InspectAsync(identity.Key, identity.Shard, identity.RootHash, identity.Site, identity.Host, identity.Normalized, ct);

    /// <summary>Direct parameter lookup: a shard and a stored key, bypassing URL parsing.</summary>
    public Task<InspectionReport> InspectAsync(int shard, UrlKey key, CancellationToken ct = default)
    {
        var (site, rootHash, _) = keyer.Locate(key);
        var url = key.ToUrl();
        return InspectAsync(key, shard, rootHash, site, url.Host, url, ct);
    }

    /// <summary>One lookup: what it is about, and its queries, all sent at once.</summary>
    private sealed record Lookup(UrlKey Key, int Shard, long RootHash, string Site, string HostKey, WebUrl Url, DateTimeOffset Now,
        Task<string> Node, Task<RawQueryResult> Crawled, Task<RawQueryResult> Robots, Task<RawQueryResult> Spam,
        IReadOnlyList<FilterDefinition> Definitions, IReadOnlyList<ReasonDefinition> Reasons, Task<RawQueryResult> Evaluated, Task<RawQueryResult> Details,
        PageQueries Page);

    /// <summary>What the checks found that the verdict's evidence quotes.</summary>
    private sealed record Findings(string? RobotsExplanation, bool? RobotsAllowed, string? Bans, string SeenResult, bool LinkedNotFollowed);

    private async Task<InspectionReport> InspectAsync(UrlKey key, int shard, long rootHash, string site, string host, WebUrl url, CancellationToken ct)
    {
        var q = Start(key, shard, rootHash, site, host, url, ct);
        var checks = new List<CheckResult>();
        checks.Add(await ShardCheckAsync(q));                                       // 1. shard calculation
        var (crawled, row, stamp) = await CrawledCheckAsync(q);                     // 2. crawled status
        checks.Add(crawled);
        var (robots, robotsAllowed, robotsExplanation) = await RobotsCheckAsync(q, ct); // 3. robots.txt
        checks.Add(robots);
        var (spam, banned, bans) = await SpamCheckAsync(q);                         // 4. spam/ban
        checks.Add(spam);
        var (seen, queued, linked) = await SeenCheckAsync(q, row, ct);              // 5. seen status
        checks.Add(seen);
        var (filters, reasons, page) = await FiltersAndDetailsAsync(q, row, banned); // filters and reasons evaluated by the store; details
        bool indexable = row is not null && filters.All(f => f.Passes);
        var findings = new Findings(robotsExplanation, robotsAllowed, bans, seen.Result, linked);
        var verdict = Decide(q, row, queued, reasons, page, findings);
        bool fetched = row is not null && stamp is not null;
        string crawledBadge = fetched ? "CRAWLED" : row is null && queued ? "QUEUED" : "NOT FETCHED";
        return new InspectionReport
        {
            Verdict = verdict,
            Url = url.Href,
            Key = key.Value,
            Shard = shard,
            ShardNode = await q.Node,
            RootHash = rootHash,
            Known = row is not null || queued,
            Summary = $"{(verdict.Indexable ? "indexable" : "not indexable")}: {verdict.Label}{(verdict.Evidence.Length > 0 ? " (" + verdict.Evidence + ")" : "")}",
            Checks = checks,
            Badges = new Badges(indexable, fetched, robotsAllowed, stamp,
                indexable ? "INDEXABLE" : "NOT INDEXABLE", crawledBadge, robotsAllowed switch { true => "ALLOWED", false => "DISALLOWED", null => "UNKNOWN" }),
            Filters = filters,
            Page = page,
        };
    }

    /// <summary>The primary reason and its evidence: for a URL without a page, unknown or queued; for a stored page,
    /// the first reason whose condition the store found true, in the rule's order (<see cref="IndexingReasons"/>).</summary>
    private Verdict Decide(Lookup q, IReadOnlyDictionary<string, object?>? row, bool queued, IReadOnlyList<ReasonDefinition> holding, PageDetails? page,
        Findings found)
    {
        if (row is null || page is null)
        {
            var reason = queued ? IndexingReason.Queued : IndexingReason.Unknown;
            string evidence = queued ? found.SeenResult
                : found.LinkedNotFollowed ? $"the crawler has not queued this URL ({found.SeenResult}); it would go to shard {q.Shard}"
                : $"the crawler has not seen this URL; it would go to shard {q.Shard}";
            if (!queued && found.RobotsAllowed == false) evidence += $"; robots.txt would refuse it ({found.RobotsExplanation})";
            return new Verdict(false, reason, IndexingReasons.Label(reason), evidence, null, []);
        }
        if (holding.Count == 0)
            return new Verdict(true, IndexingReason.Indexed, IndexingReasons.Label(IndexingReason.Indexed), "every indexability filter passes", null, []);
        var all = holding.Select(r => new ReasonEvidence(r.Reason, IndexingReasons.Label(r.Reason), Evidence(r.Reason, page, found, q.Now))).ToList();
        return new Verdict(false, all[0].Reason, all[0].Label, all[0].Evidence, holding[0].Condition, all.Skip(1).ToList());
    }

    private string Evidence(IndexingReason reason, PageDetails p, Findings found, DateTimeOffset now)
    {
        string lastFailure = p.CrawlHistory.FirstOrDefault()?.FailureReason ?? p.FailureReason ?? "no failure recorded";
        return reason switch
        {
            IndexingReason.BlockedByRobots => found.RobotsAllowed == false ? $"robots.txt for {_options.AgentToken}: {found.RobotsExplanation}"
                : $"refused when it was due ({p.RobotsDirectives ?? "robots.txt"}); robots.txt allows it now: it will be fetched when it is due again",
            IndexingReason.FetchFailed or IndexingReason.ProcessingFailed => lastFailure,
            IndexingReason.Redirect => $"HTTP {p.HttpStatus} to {p.RedirectTargetUrl ?? "no usable Location"}",
            IndexingReason.NotFound or IndexingReason.Forbidden or IndexingReason.ClientError or IndexingReason.ServerError or IndexingReason.OtherStatus
                => $"HTTP {p.HttpStatus}",
            IndexingReason.NotHtml => $"Content-Type: {p.ContentType ?? "none"}",
            IndexingReason.Noindex => $"noindex from {p.RobotsDirectives ?? "the page"}",
            IndexingReason.CanonicalElsewhere => $"rel=canonical points to {p.CanonicalUrl}",
            IndexingReason.Duplicate => $"same content as {p.DuplicateOfUrl}",
            IndexingReason.Soft404 => p.Soft404 ?? "",
            IndexingReason.Banned => $"banned: {found.Bans ?? "its host or site"}",
            IndexingReason.Spam => $"ml_spam_score = {p.MlSpamScore}{SpamSignalNames(p.SpamSignals)}",
            IndexingReason.TooOld => p.LastCrawled is { } at ? $"last fetched {RelativeTime.Ago(at, now)}; the limit is {_options.MaxAgeMonths} months" : "no download time",
            IndexingReason.Dropped => $"history_drop_reason = {p.HistoryDropReason}",
            _ => "",
        };
    }

    /// <summary>The signals that fired, by name and detail, from their stored JSON.</summary>
    private static string SpamSignalNames(string? stored)
    {
        if (PageColumns.SpamSignals(stored) is not { Count: > 0 } signals) return "";
        return ": " + string.Join("; ", signals.Select(s => $"{s.Name} ({s.Detail})"));
    }

    /// <summary>A stored key as the URL it names, for people (the key stays beside it); the text itself when it is no key.</summary>
    public static string UrlOf(string key) => UrlKey.TryParse(key, out var parsed) ? parsed.ToUrl().Href : key;

    /// <summary>The queries do not depend on each other, so they are all sent at once: on a cluster each one is a round
    /// trip to every node, and the lookup takes as long as the slowest, not the sum. The page's own queries go out
    /// before it is known whether the page is stored; for a URL that is not, their empty answers are dropped.</summary>
    private Lookup Start(UrlKey key, int shard, long rootHash, string site, string host, WebUrl url, CancellationToken ct)
    {
        var p = new List<(string, object?)> { ("$shard", shard), ("$key", key.Value) };
        var spamParams = new List<(string, object?)>(p) { ("$host", host), ("$site", site) };
        string hostKey = HostOrigin.Of(url).Key;
        var definitions = _queries.Filters(_options.MaxAgeMonths);
        var reasons = _queries.Reasons(_options.MaxAgeMonths);
        return new Lookup(key, shard, rootHash, site, hostKey, url, _time.GetUtcNow(),
            store.ShardNodeAsync(shard, ct), store.InspectAsync(_queries.Crawled, p, ct), store.InspectAsync(_queries.Robots, [("$host_key", hostKey)], ct),
            store.InspectAsync(_queries.SpamBan, spamParams, ct), definitions, reasons, store.InspectAsync(_queries.FilterQuery(definitions, reasons), spamParams, ct),
            store.InspectAsync(_queries.Details, p, ct), StartPageQueries(key, ct));
    }

    private async Task<CheckResult> ShardCheckAsync(Lookup q)
    {
        string node = await q.Node;
        int expected = SiteHash.Shard(q.RootHash, keyer.ShardCount);
        return new CheckResult("Shard Calculation", $"root_hash = xxHash64('{q.Site}') & 0x7FFFFFFFFFFFFFFF = {q.RootHash}; shard = root_hash % {keyer.ShardCount}",
            $"Calculated Shard: {expected} (from {node})", 0, false,
            expected == q.Shard ? $"shard {q.Shard}" : $"shard {q.Shard} was given, but the key's site hashes to shard {expected}");
    }

    private static async Task<(CheckResult, IReadOnlyDictionary<string, object?>?, DateTimeOffset?)> CrawledCheckAsync(Lookup q)
    {
        var crawled = await q.Crawled;
        var row = crawled.Rows.FirstOrDefault();
        DateTimeOffset? stamp = Stamp(row?.GetValueOrDefault("download_stamp"));
        string result = row is null ? "not crawled"
            : $"crawled{(stamp is { } at ? " " + RelativeTime.Ago(at, q.Now) : "")}: HTTP {row["download_http_code"] ?? "none"}" + (row["failure_reason"] is { } fr ? $" ({fr})" : "");
        return (new CheckResult("Crawled Status Check", crawled.Display, crawled.RawResponse, crawled.ElapsedMs, false, result), row, stamp);
    }

    /// <returns>The check, whether robots.txt allows the URL (null while the host's robots.txt is not known), and the deciding rule.</returns>
    private async Task<(CheckResult, bool? Allowed, string? Explanation)> RobotsCheckAsync(Lookup q, CancellationToken ct)
    {
        var robots = await q.Robots;
        bool? allowed = null;
        string result = "robots.txt of this host not fetched yet";
        string? explanation = null;
        if (robots.Rows.Count > 0)
        {
            var body = await store.InspectAsync(_queries.RobotsBody, [("$host_key", q.HostKey)], ct);
            var decision = RulesOf(body.Rows[0]).Check(_options.AgentToken, q.Url.PathAndQuery);
            allowed = decision.Allowed;
            explanation = decision.Explanation;
            result = $"{(decision.Allowed ? "allowed" : "disallowed")} for {_options.AgentToken} ({decision.Group}): {decision.Explanation}";
        }
        return (new CheckResult("Robots.txt Check", robots.Display, robots.RawResponse, robots.ElapsedMs, false, result), allowed, explanation);
    }

    private static async Task<(CheckResult, bool Banned, string? Bans)> SpamCheckAsync(Lookup q)
    {
        var spam = await q.Spam;
        var row = spam.Rows[0];
        bool banned = Convert.ToInt64(row["fh_dont_index"] ?? 0L, CultureInfo.InvariantCulture) > 0;
        return (new CheckResult("Spam/Ban Check", spam.Display, spam.RawResponse, spam.ElapsedMs, false,
            $"fh_dont_index={(banned ? 1 : 0)}{(banned ? $" ({row["bans"]})" : "")}, ml_spam_score={row["ml_spam_score"] ?? "none"}"), banned, row["bans"] as string);
    }

    /// <summary>Check 5; for a URL never queued, also whether stored pages link it (without following the link).</summary>
    private async Task<(CheckResult, bool Queued, bool Linked)> SeenCheckAsync(Lookup q, IReadOnlyDictionary<string, object?>? crawledRow, CancellationToken ct)
    {
        if (crawledRow is not null) return (new CheckResult("Seen Status Check", "", "", 0, true, "Skipped - page is already crawled"), false, false);
        var seen = await store.InspectAsync(_queries.Seen, [("$key", q.Key.Value)], ct);
        var s = seen.Rows.FirstOrDefault();
        string? notSeen = s is null ? await NotSeenAsync(q, ct) : null;
        string result = s is null ? notSeen ?? "not seen: no crawled page links here yet"
            : (FrontierState)Convert.ToInt32(s["state"], CultureInfo.InvariantCulture) switch
            {
                FrontierState.Queued => $"queued (depth {s["depth"]}, due {s["not_before"]}) since {s["discovered_at"]}, discovered from {s["discovered_from"] ?? "the seeds"}",
                FrontierState.InFlight => $"being fetched, discovered from {s["discovered_from"] ?? "the seeds"}",
                _ => "seen and done",
            };
        return (new CheckResult("Seen Status Check", seen.Display, seen.RawResponse, seen.ElapsedMs, false, result), s is not null, notSeen is not null);
    }

    /// <summary>Why a URL was never queued though stored pages link it: the first three of them and why each did not
    /// follow the link; null when no stored page links it.</summary>
    private async Task<string?> NotSeenAsync(Lookup q, CancellationToken ct)
    {
        var links = (await store.InspectAsync(_queries.LinksTo, [("$key", q.Key.Value), ("$limit", 3), ("$offset", 0)], ct)).Rows;
        if (links.Count == 0) return null;
        return "not seen: " + string.Join("; ", links.Select(l => $"linked from {UrlOf((string)l["other"]!)}, " +
            (l["refusal"] is string name && StoreNames.TryParse<LinkRefusal>(name, out var why) ? $"not followed: {name} ({Meaning(why)})" : "not followed")));

        static string Meaning(LinkRefusal why) => why switch
        {
            LinkRefusal.NoFollow => "the link is marked nofollow",
            LinkRefusal.BannedSource => "the linking page's host or domain is banned",
            LinkRefusal.TooDeep => "past --max-depth",
            LinkRefusal.OutOfScope => "outside the crawl's scope",
            LinkRefusal.NotIncluded => "matches no --include pattern",
            LinkRefusal.Excluded => "matches an --exclude pattern",
            LinkRefusal.SpiderTrap => "the linking page duplicates one stored before and the link continues its numbered series",
            _ => StoreNames.Of(why),
        };
    }

    /// <summary>The filters as the store evaluated them, each with its condition and a detail, the reasons whose
    /// condition the store found true (in the rule's order), and the page details; nothing for a URL that is not stored.</summary>
    private async Task<(List<FilterResult>, List<ReasonDefinition>, PageDetails?)> FiltersAndDetailsAsync(Lookup q, IReadOnlyDictionary<string, object?>? row, bool banned)
    {
        var filters = new List<FilterResult>();
        var reasons = new List<ReasonDefinition>();
        if (row is null)
        {
            await Task.WhenAll(q.Evaluated, q.Details, q.Page.All);
            return (filters, reasons, null);
        }
        var evaluated = (await q.Evaluated).Rows[0];
        var details = (await q.Details).Rows[0];
        bool True(int column) => Convert.ToInt64(evaluated[$"f{column}"] ?? 0L, CultureInfo.InvariantCulture) == 1;
        for (int i = 0; i < q.Definitions.Count; i++)
        {
            var definition = q.Definitions[i];
            filters.Add(new FilterResult(definition.Name, True(i) ? FilterStatus.Pass : FilterStatus.Fail, definition.Condition, Detail(definition.Filter, details, banned, q.Now)));
        }
        for (int i = 0; i < q.Reasons.Count; i++)
            if (True(q.Definitions.Count + i)) reasons.Add(q.Reasons[i]);
        return (filters, reasons, await DetailsAsync(q.Key, q.Url, q.Shard, q.RootHash, details, q.Now, q.Page));
    }

    private static RobotsRules RulesOf(IReadOnlyDictionary<string, object?> row)
    {
        string action = row["action"] as string ?? "";
        if (action == nameof(RobotsFetchAction.Parse) && row["body"] is string body) return RobotsParser.Parse(body);
        if (action == nameof(RobotsFetchAction.AllowAll)) return RobotsRules.AllowAll;
        return row["last_good_body"] is string good ? RobotsParser.Parse(good) : RobotsRules.DisallowAll;
    }

    private static string Detail(IndexabilityFilter filter, IReadOnlyDictionary<string, object?> d, bool banned, DateTimeOffset now) => filter switch
    {
        IndexabilityFilter.HttpStatus => d["download_http_code"] is { } code ? $"HTTP {code}" : $"no HTTP status ({d["failure_reason"]})",
        IndexabilityFilter.AgeCutoff => Stamp(d["download_stamp"]) is { } s ? RelativeTime.Months(s, now) : "never downloaded",
        IndexabilityFilter.HistoryDrop => d["history_drop_reason"] is { } r ? $"dropped: {r}" : "No drop reason",
        IndexabilityFilter.SpamBan => $"fh_dont_index={(banned ? 1 : 0)}, ml_spam_score={d["ml_spam_score"]}",
        IndexabilityFilter.Canonical => d["meta_canonical"] is { } c && (string)c != "" ? (c.Equals(d["src_unparsed"]) ? "points to itself" : $"points to {c}") : "Not set",
        IndexabilityFilter.RobotsNoIndex => Convert.ToInt64(d["robots_noindex"], CultureInfo.InvariantCulture) == 1 ? $"noindex ({d["robots_sources"]})" : "no noindex",
        IndexabilityFilter.RobotsTxtAllowed => d["failure_reason"] as string == "robots_disallowed" ? $"disallowed ({d["robots_sources"]})" : "allowed",
        IndexabilityFilter.HtmlContentType => d["content_type"] as string ?? "unknown type",
        IndexabilityFilter.Duplicate => d["duplicate_of"] is string original ? $"duplicate of {original}" : "original",
        IndexabilityFilter.Failure => d["failure_reason"] as string ?? "none",
        IndexabilityFilter.Soft404 => d.GetValueOrDefault("soft_404") as string ?? "not a soft 404",
        _ => throw new ArgumentOutOfRangeException(nameof(filter)),
    };

    /// <summary>The page details' own queries, in flight.</summary>
    private sealed record PageQueries(Task<RawQueryResult> History, Task<RawQueryResult> Inlinks, Task<RawQueryResult> Referrers,
        Task<RawQueryResult> RedirectsHere, Task<RawQueryResult> Duplicates, Task<RawQueryResult> Sitemaps)
    {
        public Task All => Task.WhenAll(History, Inlinks, Referrers, RedirectsHere, Duplicates, Sitemaps);
    }

    private PageQueries StartPageQueries(UrlKey key, CancellationToken ct = default)
    {
        var keyParam = new List<(string, object?)> { ("$key", key.Value) };
        return new PageQueries(store.InspectAsync(_queries.History, keyParam, ct), store.InspectAsync(_queries.Inlinks, keyParam, ct),
            store.InspectAsync(_queries.Referrers, keyParam, ct), store.InspectAsync(_queries.RedirectsHere, keyParam, ct),
            store.InspectAsync(_queries.Duplicates, keyParam, ct), store.InspectAsync(_queries.Sitemaps, keyParam, ct));
    }

    private async Task<PageDetails> DetailsAsync(UrlKey key, WebUrl url, int shard, long rootHash, IReadOnlyDictionary<string, object?> d, DateTimeOffset now, PageQueries q)
    {
        var (historyTask, inlinksTask, referrersTask, redirectsTask, duplicatesTask, sitemapsTask) = (q.History, q.Inlinks, q.Referrers, q.RedirectsHere, q.Duplicates, q.Sitemaps);
        var history = (await historyTask).Rows
            .Select(h => new HistoryEntry(Stamp(h["stamp"])!.Value, h["http_code"] is null ? null : Convert.ToInt32(h["http_code"], CultureInfo.InvariantCulture),
                h["failure_reason"] as string, Convert.ToDouble(h["elapsed_ms"], CultureInfo.InvariantCulture), Convert.ToInt64(h["bytes"], CultureInfo.InvariantCulture),
                h["location"] as string)).ToList();
        long inlinks = Convert.ToInt64((await inlinksTask).Rows[0]["inlinks"], CultureInfo.InvariantCulture);
        var referrers = (await referrersTask).Rows.Select(r => (string)r["source"]!).ToList();
        var redirectsHere = (await redirectsTask).Rows.Select(r => (string)r["src_unparsed"]!).ToList();
        var duplicates = (await duplicatesTask).Rows.Select(r => (string)r["src_unparsed"]!).ToList();
        var sitemaps = (await sitemapsTask).Rows.Select(r => (string)r["sitemap"]!).ToList();
        // As URLs people can open: the pages that redirect here, then this page and where it redirects.
        var chain = redirectsHere.Select(UrlOf).Concat(d["redirect_target"] is string target ? [$"{url.Href} → {UrlOf(target)}"] : []).ToList();
        var stamp = Stamp(d["download_stamp"]);
        var first = Stamp(d["first_indexed"]);
        return new PageDetails
        {
            Url = url.Href,
            LastCrawled = stamp,
            LastCrawledAgo = stamp is { } s ? RelativeTime.Ago(s, now) : null,
            FirstIndexed = first,
            FirstIndexedAgo = first is { } f ? RelativeTime.Ago(f, now) : null,
            HttpStatus = d["download_http_code"] is { } code ? Convert.ToInt32(code, CultureInfo.InvariantCulture) : null,
            MetaTitle = d["meta_title"] as string,
            MetaDescription = d["meta_description"] as string,
            MetaCanonical = d["meta_canonical"] as string,
            CanonicalUrl = d["meta_canonical"] is string { Length: > 0 } canonical ? UrlOf(canonical) : null,
            DuplicateOfUrl = d["duplicate_of"] is string original ? UrlOf(original) : null,
            RedirectTargetUrl = d["redirect_target"] is string redirected ? UrlOf(redirected) : null,
            BoilerpipeText = d["boilerpipe_text"] as string,
            Markdown = d["markdown"] as string,
            ReadableMarkdown = d["readable_markdown"] as string,
            PageType = d.GetValueOrDefault("page_type") as string,
            Soft404 = d.GetValueOrDefault("soft_404") as string,
            Rendered = d.GetValueOrDefault("rendered") is { } rendered && Convert.ToInt64(rendered, CultureInfo.InvariantCulture) == 1,
            RenderReason = d.GetValueOrDefault("render_reason") as string,
            Render = Rendering.RenderAccount.Parse(d.GetValueOrDefault("render_details") as string),
            PageTypeConfidence = d.GetValueOrDefault("page_type_confidence") is { } confidence ? Convert.ToInt32(confidence, CultureInfo.InvariantCulture) : null,
            Shard = shard,
            RootHash = rootHash,
            UnparsedUrl = key.Value,
            ContentType = d["content_type"] as string,
            FailureReason = d["failure_reason"] as string,
            HistoryDropReason = d["history_drop_reason"] as string,
            MlSpamScore = Convert.ToInt32(d["ml_spam_score"] ?? 0L, CultureInfo.InvariantCulture),
            SpamSignals = d["spam_signals"] as string,
            RobotsDirectives = d["robots_sources"] as string,
            Lang = d["lang"] as string,
            ResponseHeaders = d["response_headers"] is string headers ? JsonSerializer.Deserialize<Dictionary<string, string>>(headers) : null,
            RedirectChain = chain,
            CrawlHistory = history,
            Outlinks = Convert.ToInt32(d["outlinks"] ?? 0L, CultureInfo.InvariantCulture),
            Inlinks = inlinks,
            ReferringPages = referrers,
            Sitemaps = sitemaps,
            DuplicateOf = d["duplicate_of"] as string,
            NearDuplicates = duplicates,
            Truncated = Convert.ToInt64(d["truncated"] ?? 0L, CultureInfo.InvariantCulture) == 1,
        };
    }

    private static DateTimeOffset? Stamp(object? value) =>
        value is string s && DateTimeOffset.TryParse(s, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var t) ? t : null;
}

/// <summary>The lookup named no URL or key that can be inspected; the message says why, for the user.</summary>
public sealed class InspectionInputException(string message) : Exception(message);
