using Crawlscope.Model;
using System.Text;
using Crawlscope.Indexability;
using Crawlscope.Inspection;
using Crawlscope.Storage.ClickHouse;
using Crawlscope.Tests.Support;
using Crawlscope.Urls;
using Crawlscope.Vocabulary;

namespace Crawlscope.Tests.Storage;

/// <summary>
/// One behaviour suite for the store interface, run against both backends: the embedded SQLite file, and the
/// ClickHouse cluster as a crawl worker uses it (writes through the worker's state file and outbox, reads from
/// the cluster). A subclass says how to open its backend and how to wait until written rows are readable.
/// </summary>
public abstract class StoreBehaviourTests : IAsyncLifetime
{
    protected static readonly UrlKeyer Keyer = UrlKeyer.Default;
    private static readonly DateTimeOffset Stamp = new DateTimeOffset(2026, 11, 20, 10, 30, 15, TimeSpan.Zero);

    /// <summary>Where the crawler writes (frontier, saves, robots, bans).</summary>
    protected IFrontierStore Writer { get; set; } = null!;
    /// <summary>Where the inspector, stats and exports read.</summary>
    protected ICrawlStore Reader { get; set; } = null!;

    public abstract Task InitializeAsync();
    public abstract Task DisposeAsync();
    /// <summary>Waits until everything written is readable.</summary>
    protected abstract Task SettleAsync();

    /// <summary>The query that lists the pages table's columns (a <c>name</c> column), in the reader's SQL.</summary>
    protected abstract string PageColumnsSql { get; }

    protected static UrlIdentity Id(string url) => Keyer.TryIdentify(url, out var id, out var error) ? id : throw new ArgumentException(error);

    private static PageRecord Page(string url, int? status = 200, FailureReason? failure = null, string? title = "A title", string? contentHash = null, long? simHash = null) =>
        Page(Id(url), status, failure, title, contentHash, simHash);

    private static PageRecord Page(UrlIdentity id, int? status, FailureReason? failure, string? title, string? contentHash, long? simHash) => new()
    {
        SrcUnparsed = id.Key.Value, Url = id.Normalized.Href, Shard = id.Shard, RootHash = id.RootHash, Host = id.Host, Site = id.Site,
        DownloadHttpCode = status, DownloadStamp = Stamp, FirstIndexed = Stamp.AddDays(-3), ContentType = "text/html; charset=utf-8",
        FailureReason = failure, MlSpamScore = 0, SpamSignals = [new SpamSignal("link_ratio", 0.75, 0.5, 1, "3 of 4 words in links, 'quoted'")], MetaTitle = title, MetaDescription = "Desc with 'quotes' and \\ and ünïcode 😀",
        MetaCanonical = id.Key.Value, RobotsNoIndex = false, RobotsSources = "meta", Lang = "en", BoilerpipeText = "Body text\nline two",
        Markdown = "# Title\n\nBody", ReadableMarkdown = "Body", ContentHash = contentHash ?? Guid.NewGuid().ToString("N"), SimHash = simHash,
        ResponseHeaders = new Dictionary<string, string> { ["server"] = "test", ["content-type"] = "text/html; charset=utf-8" }, Truncated = false, BodyBytes = 1234, Outlinks = 2, Depth = 1, Etag = "\"e1\"",
        LastModified = "Wed, 18 Nov 2026 10:00:00 GMT", NextFetch = Stamp.AddDays(7), PageType = "forum", PageTypeConfidence = 87,
    };

    private static FetchRecord Fetch(PageRecord p) => new(p.SrcUnparsed, p.Url, Stamp, p.DownloadHttpCode, p.FailureReason is { } f ? new FetchFailure(f) : null, 12.5, 1234, p.ContentType, null);

    private Task SaveAsync(PageRecord p, IReadOnlyList<LinkRecord>? links = null) => Writer.SaveAsync(p, Fetch(p), links ?? [], []);

    [Fact]
    public async Task SavedPage_ReadsBackEveryField()
    {
        var page = Page("https://www.alpha-store.com/articles/1");
        await SaveAsync(page);
        await SettleAsync();
        var back = await Reader.GetPageAsync(page.SrcUnparsed);
        Assert.NotNull(back);
        Assert.Equal(page with { SpamSignals = null, ResponseHeaders = null }, back with { SpamSignals = null, ResponseHeaders = null });
        Assert.Equal(page.SpamSignals, back.SpamSignals);
        Assert.Equal(page.ResponseHeaders, back.ResponseHeaders);
    }

    [Fact]
    public async Task Submit_AddsNewUrlsAtTheFront_RequeuesKnownOnlyWhenAsked()
    {
        var now = Stamp.AddDays(30);
        var linked = Id("https://www.sub-mit.com/linked");
        var submitted = Id("https://www.sub-mit.com/asked-for");
        await Writer.EnqueueAsync([FrontierEntry.Seed(Id("https://www.sub-mit.com/"), Stamp) with { Priority = 0 }, FrontierEntry.Seed(linked, Stamp) with { Depth = 1, Priority = 1 }]);
        Assert.Equal(new Submission(SubmitOutcome.Added, FrontierState.Queued), await Writer.SubmitAsync(FrontierEntry.Submitted(submitted, now), false, now));
        Assert.Equal(new Submission(SubmitOutcome.Known, FrontierState.Queued), await Writer.SubmitAsync(FrontierEntry.Submitted(submitted, now), false, now));

        var leased = await Writer.LeaseAsync(submitted.Host, now, 10);
        Assert.Equal(submitted.Key, leased[0].Key); // ahead of the seed and the link
        Assert.Equal(new Submission(SubmitOutcome.Known, FrontierState.InFlight), await Writer.SubmitAsync(FrontierEntry.Submitted(submitted, now), true, now));
        await Writer.SaveAsync(Page(submitted, 200, null, "t", null, null), Fetch(Page(submitted, 200, null, "t", null, null)), [], []);
        await SettleAsync();
        Assert.Equal(new Submission(SubmitOutcome.Known, FrontierState.Done), await Writer.SubmitAsync(FrontierEntry.Submitted(submitted, now), false, now));
        Assert.Equal(new Submission(SubmitOutcome.Requeued, FrontierState.Queued), await Writer.SubmitAsync(FrontierEntry.Submitted(submitted, now), true, now));
        var queue = await Writer.QueueAsync(submitted.Host, 10);
        Assert.Equal(submitted.Original.Href, queue.First(q => q.State == FrontierState.Queued).Url);
        Assert.Equal(FrontierEntry.SubmittedPriority, queue.First(q => q.State == FrontierState.Queued).Priority);
        Assert.Contains(queue, q => q.State == FrontierState.InFlight);
    }

    [Fact]
    public async Task OperatorActions_AreLogged_NewestFirst_AndCountedPerSite()
    {
        var t = Stamp.AddDays(40);
        await Writer.RecordAsync(new OperatorAction(t, "loopback", "crawl_now", "https://www.quota.com/a", "quota.com", null));
        await Writer.RecordAsync(new OperatorAction(t.AddMinutes(1), "token", "ban", "quota.com", "quota.com", "link farm 'x'"));
        await Writer.RecordAsync(new OperatorAction(t.AddMinutes(2), "token", "pause", "crawl", null, null));
        await Writer.RecordAsync(new OperatorAction(t.AddDays(-2), "token", "crawl_now", "https://www.quota.com/old", "quota.com", null));
        await SettleAsync();
        var recent = await Reader.RecentActionsAsync(10);
        Assert.Equal(["pause", "ban", "crawl_now", "crawl_now"], recent.Select(a => a.Action));
        Assert.Equal("link farm 'x'", recent[1].Detail);
        Assert.Equal(1, await Reader.CountActionsAsync("quota.com", ["crawl_now", "recrawl_now"], t.AddDays(-1)));
        Assert.Equal(2, await Reader.CountActionsAsync("quota.com", ["crawl_now", "ban"], t.AddDays(-1)));
        Assert.Equal(0, await Reader.CountActionsAsync("other.com", ["crawl_now"], t.AddDays(-1)));
    }

    /// <summary>The pages table of the store has exactly the columns of the one column table, so a column added to the
    /// table and not to a store's migrations (or the other way round) fails here, naming the store.</summary>
    [Fact]
    public async Task PagesTable_HasExactlyTheColumnsOfTheColumnTable()
    {
        var stored = (await Reader.InspectAsync(PageColumnsSql, [])).Rows.Select(r => (string)r["name"]!).Where(n => n != "version").Order(StringComparer.Ordinal);
        Assert.Equal(PageColumnTable.All.Select(c => c.Name).Order(StringComparer.Ordinal), stored);
    }

    [Fact]
    public async Task SubmissionsAndBans_WriteTheirAuditRow_WithTheAction()
    {
        var t = Stamp.AddDays(50);
        var url = Id("https://www.audited.com/asked-for");
        var asked = new OperatorAction(t, "loopback", "crawl_now", url.Normalized.Href, url.Site, null);
        Assert.Equal(SubmitOutcome.Added, (await Writer.SubmitAsync(FrontierEntry.Submitted(url, t), false, t, asked)).Outcome);
        await Writer.BanAsync("audited.com", "farm", asked with { Action = "ban", Target = "audited.com", Stamp = t.AddMinutes(1) });
        Assert.True(await Writer.UnbanAsync("audited.com", asked with { Action = "unban", Target = "audited.com", Stamp = t.AddMinutes(2) }));
        Assert.False(await Writer.UnbanAsync("audited.com", asked with { Action = "unban", Target = "audited.com", Stamp = t.AddMinutes(3) }));
        await SettleAsync();
        var logged = (await Reader.RecentActionsAsync(10)).Where(a => a.Site == url.Site).ToList();
        Assert.Equal(["unban", "ban", "crawl_now"], logged.Select(a => a.Action));
        Assert.Equal(1, await Reader.CountActionsAsync(url.Site, ["crawl_now"], t.AddDays(-1)));
        Assert.Contains(await Writer.QueueAsync(url.Host, 10), q => q.Url == url.Normalized.Href);
    }

    [Fact]
    public async Task SavingAgain_KeepsOnlyTheLatestState()
    {
        var first = Page("https://www.alpha-store.com/changing", 200, title: "First");
        await SaveAsync(first);
        await SettleAsync();
        await SaveAsync(first with { MetaTitle = "Second", DownloadHttpCode = 404, FailureReason = FailureReason.Http4xx, HistoryDropReason = DropReason.Gone });
        await SettleAsync();
        var back = await Reader.GetPageAsync(first.SrcUnparsed);
        Assert.Equal(("Second", 404, DropReason.Gone), (back!.MetaTitle, back.DownloadHttpCode, back.HistoryDropReason));
        Assert.Equal(1, await Reader.PageCountAsync());
        var stats = await Reader.StatsAsync();
        Assert.Equal(1, stats.Pages);
        Assert.Equal(2, stats.Fetches);
        Assert.Equal(1, stats.ByDropReason["gone"]);
    }

    [Fact]
    public async Task Duplicates_ExactByContentHash_NearBySimHash()
    {
        var original = Page("https://www.beta-news.org/a", contentHash: "hash-1", simHash: 0x0F0F_1234_5678_9ABCL);
        await SaveAsync(original);
        await SettleAsync();
        Assert.Equal(original.SrcUnparsed, await Writer.FindByContentHashAsync("hash-1", Id("https://www.beta-news.org/b").Key.Value));
        Assert.Null(await Writer.FindByContentHashAsync("hash-1", original.SrcUnparsed));
        Assert.Null(await Writer.FindByContentHashAsync("hash-2", "x"));
        Assert.Equal(original.SrcUnparsed, await Writer.FindNearDuplicateAsync(0x0F0F_1234_5678_9ABCL ^ 0b1011, "other", 5));
        Assert.Null(await Writer.FindNearDuplicateAsync(0x0F0F_1234_5678_9ABCL ^ 0x00FF_00FF_0000_0000L, "other", 5));
    }

    [Fact]
    public async Task Robots_RoundTrip()
    {
        var robots = new StoredRobots("https://www.gamma-blog.net:443", Stamp, Stamp.AddDays(1), 200, Encoding.UTF8.GetBytes("User-agent: *\nDisallow: /private/\n"),
            "Parse", "HTTP 200: rules parsed", null, true);
        await Writer.SaveRobotsAsync(robots);
        await SettleAsync();
        var back = await Reader.GetRobotsAsync(robots.HostKey);
        Assert.NotNull(back);
        Assert.Equal((robots.HostKey, robots.FetchedAt, robots.ExpiresAt, robots.Status, robots.Action, robots.Reason, robots.SitemapsRead),
            (back!.HostKey, back.FetchedAt, back.ExpiresAt, back.Status, back.Action, back.Reason, back.SitemapsRead));
        Assert.Equal(robots.Body, back.Body);
        Assert.Null(await Reader.GetRobotsAsync("https://nowhere.example:443"));
    }

    [Fact]
    public async Task Bans_AddListRemove()
    {
        await Writer.BanAsync("Spam-Farm.COM", "link farm");
        await Writer.BanAsync("bad.example.org", null);
        Assert.Equal(["bad.example.org", "spam-farm.com"], (await Reader.BansAsync()).Select(b => b.Name));
        Assert.Equal("link farm", (await Reader.BansAsync()).Single(b => b.Name == "spam-farm.com").Reason);
        Assert.True(await Writer.UnbanAsync("spam-farm.com"));
        Assert.False(await Writer.UnbanAsync("never-banned.com"));
        Assert.Equal(["bad.example.org"], (await Reader.BansAsync()).Select(b => b.Name));
    }

    [Fact]
    public async Task Stats_And_PagesStream_SelectWithTheInspectorsConditions()
    {
        var ok = Page("https://www.delta-docs.com/ok");
        var gone = Page("https://www.delta-docs.com/gone", 404, FailureReason.Http4xx);
        var blocked = Page("https://www.delta-docs.com/blocked", null, FailureReason.RobotsDisallowed) with { ContentType = null };
        foreach (var p in new[] { ok, gone, blocked }) await SaveAsync(p);
        await SettleAsync();
        var stats = await Reader.StatsAsync();
        Assert.Equal(3, stats.Pages);
        Assert.Equal(1, stats.ByStatus["200"]);
        Assert.Equal(1, stats.ByStatus["404"]);
        Assert.Equal(1, stats.ByFailureReason["robots_disallowed"]);

        var conditions = UrlInspector.IndexabilityConditions(Reader, new InspectionOptions { MaxAgeMonths = 1200 });
        string where = string.Join(" AND ", conditions.Select(c => $"COALESCE(({c}), 0) = 1"));
        var indexable = new List<string>();
        await foreach (var p in Reader.PagesAsync(where, [])) indexable.Add(p.SrcUnparsed);
        Assert.Equal([ok.SrcUnparsed], indexable);
        var all = new List<string>();
        await foreach (var p in Reader.PagesAsync("1 = 1", [])) all.Add(p.SrcUnparsed);
        Assert.Equal(new[] { ok, gone, blocked }.Select(p => p.SrcUnparsed).Order(StringComparer.Ordinal), all);
    }

    /// <summary>The queued hosts read in pages, in the store's host order: every host with a queued URL once, none
    /// whose URLs are all in flight, a short page at the end.</summary>
    [Fact]
    public async Task QueuedHosts_ReadInPages_EachHostOnce()
    {
        var now = DateTimeOffset.UtcNow;
        var hosts = Enumerable.Range(0, 7).Select(i => $"www.host{i}.example.com").ToList();
        await Writer.EnqueueAsync([.. hosts.SelectMany(h => new[] { $"https://{h}/a", $"https://{h}/b" })
            .Select(u => Id(u)).Select(id => new FrontierEntry(id.Key, id.Normalized.Href, id.Host, id.Shard, 0, 0, null, now))]);
        Assert.Equal(2, (await Writer.LeaseAsync(hosts[3], now, 8)).Count);

        var read = new List<QueuedHost>();
        var pages = new List<int>();
        long after = 0;
        while (true)
        {
            var page = await Writer.QueuedHostsAsync(after, 2);
            pages.Add(page.Count);
            read.AddRange(page);
            if (page.Count < 2) break;
            after = page[^1].Position;
        }
        Assert.Equal([2, 2, 2, 0], pages);
        Assert.Equal(hosts.Where((_, i) => i != 3).Order(StringComparer.Ordinal), read.Select(h => h.Host).Order(StringComparer.Ordinal));
        Assert.Equal(read.Select(h => h.Position).Order(), read.Select(h => h.Position));
        Assert.Equal(read.Count, read.Select(h => h.Position).Distinct().Count());
        Assert.Equal(read.Select(h => h.Host).Order(StringComparer.Ordinal), (await Writer.QueuedHostsAsync()).Select(h => h.Host).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Frontier_QueuesOnce_LeasesByHost_Reschedules_RecoversLeases()
    {
        var now = DateTimeOffset.UtcNow;
        var a = Id("https://www.epsilon-shop.com/a");
        var b = Id("https://www.epsilon-shop.com/b");
        FrontierEntry Entry(UrlIdentity id, int depth) => new(id.Key, id.Normalized.Href, id.Host, id.Shard, depth, 0, null, now);
        Assert.Equal(2, await Writer.EnqueueAsync([Entry(a, 0), Entry(b, 1)]));
        Assert.Equal(0, await Writer.EnqueueAsync([Entry(a, 0)]));
        Assert.Equal([("www.epsilon-shop.com", DateTimeOffset.FromUnixTimeMilliseconds(now.ToUnixTimeMilliseconds()))],
            (await Writer.QueuedHostsAsync()).Select(h => (h.Host, h.Ready)));
        // The crawl loop hears of the host once, without a scan; a URL seen before tells it nothing.
        Assert.Equal(["www.epsilon-shop.com"], Writer.TakeNewlyQueuedHosts());
        Assert.Equal(0, await Writer.EnqueueAsync([Entry(b, 1)]));
        Assert.Empty(Writer.TakeNewlyQueuedHosts());
        var first = Assert.Single(await Writer.LeaseAsync("www.epsilon-shop.com", now, 1));
        Assert.Equal(a.Key, first.Key);
        await Writer.RescheduleAsync(first.Key, now.AddMinutes(5), 1);
        var second = Assert.Single(await Writer.LeaseAsync("www.epsilon-shop.com", now, 8));
        Assert.Equal(b.Key, second.Key);
        Assert.Empty(await Writer.LeaseAsync("www.epsilon-shop.com", now, 8));
        Assert.Equal(1, await Writer.RecoverLeasesAsync());
        Assert.Equal(b.Key, Assert.Single(await Writer.LeaseAsync("www.epsilon-shop.com", now, 1)).Key);
        var again = Assert.Single(await Writer.LeaseAsync("www.epsilon-shop.com", now.AddMinutes(6), 8));
        Assert.Equal((a.Key, 1), (again.Key, again.Attempts));
        // A batch: best first (priority, then depth), each leased once.
        var c = Id("https://www.epsilon-shop.com/c");
        var d = Id("https://www.epsilon-shop.com/d");
        await Writer.EnqueueAsync([Entry(d, 3), Entry(c, 2)]);
        Assert.Equal([c.Key, d.Key], (await Writer.LeaseAsync("www.epsilon-shop.com", now, 8)).Select(e => e.Key));
        Assert.Empty(await Writer.LeaseAsync("www.epsilon-shop.com", now, 8));
    }

    [Fact]
    public async Task Inspector_EvaluatesTheFiltersInTheStore_AndShowsLinksAndSitemaps()
    {
        var page = Page("https://www.zeta-travel.com/trip");
        var other = Page("https://www.zeta-travel.com/other");
        await SaveAsync(page);
        await SaveAsync(other, [new LinkRecord(other.SrcUnparsed, page.SrcUnparsed, "a trip", false)]);
        await Writer.AddSitemapEntriesAsync("https://www.zeta-travel.com/sitemap.xml", [page.SrcUnparsed]);
        await SettleAsync();
        var inspector = new UrlInspector(Reader, Keyer, new InspectionOptions { MaxAgeMonths = 1200 });
        var report = await inspector.LookupAsync(page.Url, null, null);
        Assert.True(report.Badges.Indexable);
        Assert.Equal("INDEXABLE", report.Badges.IndexableLabel);
        Assert.All(report.Filters, f => Assert.Equal("PASS", f.Label));
        Assert.Equal(1, report.Page!.Inlinks);
        Assert.Equal([other.SrcUnparsed], report.Page.ReferringPages);
        Assert.Equal(["https://www.zeta-travel.com/sitemap.xml"], report.Page.Sitemaps);
        var crawled = report.Checks.Single(c => c.Name == "Crawled Status Check");
        Assert.Contains(page.SrcUnparsed, crawled.Query);
        Assert.Contains("\"download_http_code\":200", crawled.Response);
        if (Reader is ClickHouseCrawlStore) Assert.Contains("FROM pages FINAL", crawled.Query);

        await Writer.BanAsync("zeta-travel.com", "testing");
        await SettleAsync();
        var banned = await inspector.LookupAsync(page.Url, null, null);
        Assert.Equal("FAIL", banned.Filters.Single(f => f.Name == "Spam/ban").Label);
        Assert.False(banned.Badges.Indexable);
        Assert.Equal("NOT INDEXABLE", banned.Badges.IndexableLabel);
    }

    /// <summary>
    /// The one indexability rule: on generated pages, the C# predicate of every filter (what the crawl decides) equals
    /// what this store's SQL condition evaluates (what the inspector shows and exports select). Download times are
    /// kept a week away from the age cut-off, where the two clocks and the stores' month arithmetic may differ.
    /// </summary>
    /// <summary>Pages with every combination the rules tell apart, stored (and some hosts or sites banned).</summary>
    private async Task<List<(PageRecord Page, bool Banned)>> GeneratedPagesAsync(int seed, int count, DateTimeOffset now)
    {
        var random = new Random(seed);
        T Pick<T>(params T[] values) => values[random.Next(values.Length)];
        var cases = new List<(PageRecord Page, bool Banned)>();
        for (int i = 0; i < count; i++)
        {
            var id = Id($"https://www{i % 3}.prop{i}.example/page{i}");
            string other = Id($"https://www.prop{i}.example/other").Key.Value;
            var page = Page(id, Pick<int?>(200, 200, 200, 404, 410, 403, 418, 301, 500, 204, 999, null),
                Pick<FailureReason?>(null, null, null, FailureReason.RobotsDisallowed, FailureReason.Http4xx, FailureReason.ProcessingError),
                Pick<string?>("A title", null), null, null) with
            {
                DownloadStamp = Pick<DateTimeOffset?>(now.AddDays(-1), now.AddDays(-40), now.AddDays(-170), now.AddDays(-195), now.AddDays(-400), null),
                HistoryDropReason = Pick<DropReason?>(null, null, DropReason.Gone, DropReason.Spam),
                MlSpamScore = Pick(0, 0, 0, 1, 2),
                MetaCanonical = Pick<string?>(null, "", id.Key.Value, other),
                RobotsNoIndex = random.Next(4) == 0,
                ContentType = Pick<string?>("text/html; charset=utf-8", "TEXT/HTML", "application/xhtml+xml", "application/pdf", null),
                DuplicateOf = Pick<string?>(null, null, other),
                Soft404 = Pick<string?>(null, null, null, null, "title says \"not found\""),
            };
            bool banned = random.Next(5) == 0;
            if (banned) await Writer.BanAsync(Pick(id.Host, id.Site), "property test");
            await SaveAsync(page);
            cases.Add((page, banned));
        }
        return cases;
    }

    [Fact]
    public async Task IndexabilityRule_EveryFilter_CSharpVerdictEqualsTheStoresSql()
    {
        var now = DateTimeOffset.UtcNow;
        var cases = await GeneratedPagesAsync(20261203, 120, now);
        await SettleAsync();

        var inspector = new UrlInspector(Reader, Keyer, new InspectionOptions { MaxAgeMonths = 6 });
        int indexable = 0;
        foreach (var (page, banned) in cases)
        {
            var report = await inspector.LookupAsync(page.Url, null, null);
            Assert.Equal(IndexabilityRule.Filters.Select(IndexabilityRule.Name), report.Filters.Select(f => f.Name));
            foreach (var filter in IndexabilityRule.Filters)
            {
                bool expected = IndexabilityRule.Passes(filter, page, banned, now, 6);
                var shown = report.Filters[(int)filter];
                Assert.True(expected == (shown.Label == "PASS"), $"{page.Url}: {shown.Name} is {shown.Label} in the store ({shown.Condition}), the rule says {expected}");
            }
            Assert.Equal(IndexabilityRule.IsIndexable(page, banned, now, 6), report.Badges.Indexable);
            if (report.Badges.Indexable) indexable++;
        }
        // The generator reaches both verdicts.
        Assert.InRange(indexable, 1, cases.Count - 1);
    }

    /// <summary>
    /// The primary reason on generated stores: the C# rule (what the crawl would say), the store's SQL in the
    /// inspector's verdict, and the page indexing report agree page by page; the report's reasons add up to every URL
    /// known (stored pages and queued ones); every reason the generator can reach is reached.
    /// </summary>
    [Fact]
    public async Task IndexingReasons_VerdictReportAndRule_Agree_AndCountsSumToTheUrlsKnown()
    {
        var now = DateTimeOffset.UtcNow;
        var cases = await GeneratedPagesAsync(20261206, 160, now);
        var queued = Enumerable.Range(0, 7).Select(i => FrontierEntry.Seed(Id($"https://www.queued{i}.example/waiting"), now)).ToList();
        await Writer.EnqueueAsync(queued);
        await SettleAsync();

        var inspector = new UrlInspector(Reader, Keyer, new InspectionOptions { MaxAgeMonths = 6 });
        var expected = new Dictionary<IndexingReason, int>();
        foreach (var (page, banned) in cases)
        {
            var rule = IndexingReasons.Of(page, banned, now, 6);
            var report = await inspector.LookupAsync(page.Url, null, null);
            Assert.True(rule[0] == report.Verdict.Reason, $"{page.Url}: the rule says {rule[0]}, the store {report.Verdict.Reason} ({report.Verdict.Condition})");
            Assert.Equal(rule.Skip(1), report.Verdict.OtherReasons.Select(o => o.Reason));
            Assert.Equal(report.Badges.Indexable, report.Verdict.Indexable);
            expected[rule[0]] = expected.GetValueOrDefault(rule[0]) + 1;
        }
        Assert.Equal(IndexingReason.Queued, (await inspector.LookupAsync(queued[0].Url, null, null)).Verdict.Reason);

        var reporter = new IndexingReporter(Reader, new InspectionOptions { MaxAgeMonths = 6 });
        var all = await reporter.ReportAsync(examples: 1000);
        Assert.Equal(cases.Count + queued.Count, all.Total);
        Assert.Equal(all.Total, all.Reasons.Sum(r => r.Count));
        Assert.Equal(all.Total, all.Indexed + all.NotIndexed);
        Assert.Equal(queued.Count, all.Reasons.Single(r => r.Reason == IndexingReason.Queued).Count);
        foreach (var (reason, count) in expected)
            Assert.True(count == all.Reasons.Single(r => r.Reason == reason).Count, $"{reason}: {count} by the rule, {all.Reasons.Single(r => r.Reason == reason).Count} in the report");
        foreach (var (page, banned) in cases)
        {
            var reason = IndexingReasons.Of(page, banned, now, 6)[0];
            Assert.Contains(page.Url, all.Reasons.Single(r => r.Reason == reason).Examples);
        }
        // Paged lists of one reason, and one host.
        var largest = all.Reasons.Where(r => r.Reason != IndexingReason.Queued).MaxBy(r => r.Count)!;
        var first = await reporter.ReportAsync(reason: largest.Reason, limit: 2);
        var second = await reporter.ReportAsync(reason: largest.Reason, limit: 2, offset: 2);
        Assert.Equal(largest.Examples.Take(4), first.Urls!.Concat(second.Urls!));
        var host = Id(cases[0].Page.Url).Host;
        var one = await reporter.ReportAsync(host: host);
        Assert.Equal(cases.Count(c => Id(c.Page.Url).Host == host), one.Total);
        Assert.Contains(all.Queries, q => q.Sql.Contains("GROUP BY reason", StringComparison.Ordinal));
        Assert.True(expected.Count >= 15, $"the generator reached only {string.Join(", ", expected.Keys)}");

        // The crawl stats count the same fetch history on both stores: one fetch a page here, each a discovery.
        var stats = await new CrawlStatsReporter(Reader).ReportAsync();
        Assert.Equal(cases.Count, stats.Requests);
        Assert.Equal((stats.Requests, 0L), (stats.Discovery, stats.Recrawl));
        Assert.Equal(stats.Requests, stats.Daily.Sum(d => d.Requests));
        Assert.Equal(stats.Requests, stats.ContentTypes.Sum(c => c.Requests));
        Assert.Equal(cases.Count(c => c.Page.DownloadHttpCode is null), stats.Daily.Where(d => d.ResponseClass == "no_answer").Sum(d => d.Requests));
        var oneHost = await new CrawlStatsReporter(Reader).ReportAsync(host);
        Assert.Equal(one.Total, oneHost.Requests);
        Assert.Equal([host], oneHost.Hosts.Select(h => h.Host));
    }
}

public sealed class SqliteStoreBehaviourTests : StoreBehaviourTests
{
    private TempCrawlStore _temp = null!;

    public override async Task InitializeAsync()
    {
        _temp = await TempCrawlStore.OpenAsync("behaviour");
        Reader = Writer = _temp.Store;
    }

    public override async Task DisposeAsync() => await _temp.DisposeAsync();

    protected override Task SettleAsync() => Task.CompletedTask;

    protected override string PageColumnsSql => "SELECT name FROM pragma_table_info('pages')";

    /// <summary>The submission and its audit row are one transaction: when the audit row cannot be written (here a
    /// NOT NULL column left empty stands in for a kill between the two writes), the URL is not queued either, so the
    /// daily quota counts every URL it let in.</summary>
    [Fact]
    public async Task Submission_WhoseAuditRowFails_QueuesNothing()
    {
        var now = DateTimeOffset.UtcNow;
        var url = Id("https://www.atomic.com/asked-for");
        var broken = new OperatorAction(now, null!, "crawl_now", url.Normalized.Href, url.Site, null);
        await Assert.ThrowsAnyAsync<Microsoft.Data.Sqlite.SqliteException>(() => Writer.SubmitAsync(FrontierEntry.Submitted(url, now), false, now, broken));
        Assert.Empty(await Writer.QueueAsync(url.Host, 10));
        await Assert.ThrowsAnyAsync<Microsoft.Data.Sqlite.SqliteException>(() => Writer.BanAsync("atomic.com", null, broken));
        Assert.DoesNotContain(await Writer.BansAsync(), b => b.Name == "atomic.com");
    }
}

[Collection(ClickHouseCollection.Name)]
public sealed class ClickHouseStoreBehaviourTests(ClickHouseCluster cluster) : StoreBehaviourTests
{
    private readonly string _stateDir = Directory.CreateTempSubdirectory("crawlscope-worker").FullName;
    private WorkerCrawlStore _worker = null!;

    public override async Task InitializeAsync()
    {
        var address = cluster.Address(ClickHouseCluster.NewDatabase("behaviour"));
        await ClickHouseCrawlStore.InitAsync(address);
        _worker = await WorkerCrawlStore.OpenAsync(address, Keyer, new ShardRange(0, Keyer.ShardCount - 1), _stateDir);
        Writer = _worker;
        Reader = _worker.Cluster;
    }

    public override async Task DisposeAsync()
    {
        await _worker.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_stateDir, recursive: true);
    }

    protected override Task SettleAsync() => _worker.FlushAsync();

    protected override string PageColumnsSql => "SELECT name FROM system.columns WHERE database = currentDatabase() AND table = 'pages'";
}
