using System.Globalization;
using System.Text.Json;
using Crawlscope.Indexability;
using Crawlscope.Robots;
using Crawlscope.Storage;
using Crawlscope.Urls;

namespace Crawlscope.Inspection;

/// <summary>
/// Builds the <see cref="InspectionReport"/> for a URL or a stored key: the five checks of the seed's inspector
/// (shard, crawled status, robots.txt, spam/ban, seen status), each with its query and raw response; the
/// verdict badges; the indexability filters evaluated by the store; and the page details.
/// </summary>
public sealed class UrlInspector(IInspectionSource store, UrlKeyer keyer, InspectionOptions? options = null, TimeProvider? time = null)
{
    private readonly InspectionOptions _options = options ?? new InspectionOptions();
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
        if (!keyer.TryIdentify(url, out var id, out var error)) throw new InspectionInputException($"not a valid http(s) URL: {url} ({error})");
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

    private async Task<InspectionReport> InspectAsync(UrlKey key, int shard, long rootHash, string site, string host, WebUrl url, CancellationToken ct)
    {
        var now = _time.GetUtcNow();
        var p = new List<(string, object?)> { ("$shard", shard), ("$key", key.Value) };
        var checks = new List<CheckResult>();

        // The queries do not depend on each other, so they are all sent at once: on a cluster each one is a round
        // trip to every node, and the lookup takes as long as the slowest, not the sum. The page's own queries go
        // out before it is known whether the page is stored; for a URL that is not, their empty answers are dropped.
        string hostKey = HostOrigin.Of(url).Key;
        var spamParams = new List<(string, object?)>(p) { ("$host", host), ("$site", site) };
        var nodeTask = store.ShardNodeAsync(shard, ct);
        var crawledTask = store.InspectAsync(_queries.Crawled, p, ct);
        var robotsTask = store.InspectAsync(_queries.Robots, [("$host_key", hostKey)], ct);
        var spamTask = store.InspectAsync(_queries.SpamBan, spamParams, ct);
        var definitions = _queries.Filters(_options.MaxAgeMonths);
        var evaluatedTask = store.InspectAsync(_queries.FilterQuery(definitions), spamParams, ct);
        var detailsTask = store.InspectAsync(_queries.Details, p, ct);
        var pageQueries = StartPageQueries(key, ct);

        // 1. Shard calculation
        string node = await nodeTask;
        int expectedShard = SiteHash.Shard(rootHash, keyer.ShardCount);
        checks.Add(new CheckResult("Shard Calculation", $"root_hash = xxHash64('{site}') & 0x7FFFFFFFFFFFFFFF = {rootHash}; shard = root_hash % {keyer.ShardCount}",
            $"Calculated Shard: {expectedShard} (from {node})", 0, false,
            expectedShard == shard ? $"shard {shard}" : $"shard {shard} was given, but the key's site hashes to shard {expectedShard}"));

        // 2. Crawled status
        var crawled = await crawledTask;
        var row = crawled.Rows.FirstOrDefault();
        DateTimeOffset? stamp = Stamp(row?.GetValueOrDefault("download_stamp"));
        checks.Add(new CheckResult("Crawled Status Check", crawled.Display, crawled.RawResponse, crawled.ElapsedMs, false,
            row is null ? "not crawled" : $"crawled{(stamp is { } crawledAt ? " " + RelativeTime.Ago(crawledAt, now) : "")}: HTTP {row["download_http_code"] ?? "none"}" +
                                          (row["failure_reason"] is { } fr ? $" ({fr})" : "")));

        // 3. Robots.txt
        var robots = await robotsTask;
        string robotsBadge = "UNKNOWN";
        string robotsResult = "robots.txt of this host not fetched yet";
        if (robots.Rows.Count > 0)
        {
            var body = await store.InspectAsync(_queries.RobotsBody, [("$host_key", hostKey)], ct);
            var rules = RulesOf(body.Rows[0]);
            var decision = rules.Check(_options.AgentToken, url.PathAndQuery);
            robotsBadge = decision.Allowed ? "ALLOWED" : "DISALLOWED";
            robotsResult = $"{(decision.Allowed ? "allowed" : "disallowed")} for {_options.AgentToken} ({decision.Group}): {decision.Explanation}";
        }
        checks.Add(new CheckResult("Robots.txt Check", robots.Display, robots.RawResponse, robots.ElapsedMs, false, robotsResult));

        // 4. Spam/ban
        var spam = await spamTask;
        var spamRow = spam.Rows[0];
        bool banned = Convert.ToInt64(spamRow["fh_dont_index"] ?? 0L, CultureInfo.InvariantCulture) > 0;
        checks.Add(new CheckResult("Spam/Ban Check", spam.Display, spam.RawResponse, spam.ElapsedMs, false,
            $"fh_dont_index={(banned ? 1 : 0)}{(banned ? $" ({spamRow["bans"]})" : "")}, ml_spam_score={spamRow["ml_spam_score"] ?? "none"}"));

        // 5. Seen status
        string crawledBadge;
        if (row is not null)
        {
            checks.Add(new CheckResult("Seen Status Check", "", "", 0, true, "Skipped - page is already crawled"));
            crawledBadge = "CRAWLED";
        }
        else
        {
            var seen = await store.InspectAsync(_queries.Seen, [("$key", key.Value)], ct);
            var s = seen.Rows.FirstOrDefault();
            string result = s is null ? "not seen: no crawled page links here yet"
                : Convert.ToInt64(s["state"], CultureInfo.InvariantCulture) switch
                {
                    0 => $"queued (depth {s["depth"]}, due {s["not_before"]}) since {s["discovered_at"]}, discovered from {s["discovered_from"] ?? "the seeds"}",
                    1 => $"being fetched, discovered from {s["discovered_from"] ?? "the seeds"}",
                    _ => "seen and done",
                };
            checks.Add(new CheckResult("Seen Status Check", seen.Display, seen.RawResponse, seen.ElapsedMs, false, result));
            crawledBadge = s is null ? "NOT CRAWLED" : "QUEUED";
        }

        // Filters, evaluated by the store.
        var filters = new List<FilterResult>();
        PageDetails? page = null;
        bool indexable = false;
        if (row is not null)
        {
            var evaluated = await evaluatedTask;
            var details = (await detailsTask).Rows[0];
            for (int i = 0; i < definitions.Count; i++)
            {
                bool pass = Convert.ToInt64(evaluated.Rows[0][$"f{i}"] ?? 0L, CultureInfo.InvariantCulture) == 1;
                filters.Add(new FilterResult(definitions[i].Name, pass ? "PASS" : "FAIL", definitions[i].Condition, Detail(definitions[i].Filter, details, banned, now)));
            }
            indexable = filters.All(f => f.Status == "PASS");
            page = await DetailsAsync(key, url, shard, rootHash, details, now, pageQueries);
        }
        else await Task.WhenAll(evaluatedTask, detailsTask, pageQueries.All);

        return new InspectionReport
        {
            Url = url.Href,
            Key = key.Value,
            Shard = shard,
            ShardNode = node,
            RootHash = rootHash,
            Known = row is not null || crawledBadge == "QUEUED",
            Summary = row is not null
                ? indexable ? "indexable: every filter passes" : $"not indexable: {string.Join(", ", filters.Where(f => f.Status == "FAIL").Select(f => f.Name))} failed"
                : crawledBadge == "QUEUED" ? "known to the crawler but not crawled yet"
                : $"not known: the crawler has not seen this URL; it would go to shard {shard}",
            Checks = checks,
            Badges = new Badges(indexable, crawledBadge == "CRAWLED", robotsBadge == "UNKNOWN" ? null : robotsBadge == "ALLOWED", stamp,
                indexable ? "INDEXABLE" : "NOT INDEXABLE", crawledBadge, robotsBadge),
            Filters = filters,
            Page = page,
        };
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
        var chain = redirectsHere.Concat(d["redirect_target"] is string target ? [$"{key.Value} → {target}"] : []).ToList();
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
            BoilerpipeText = d["boilerpipe_text"] as string,
            Markdown = d["markdown"] as string,
            ReadableMarkdown = d["readable_markdown"] as string,
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
