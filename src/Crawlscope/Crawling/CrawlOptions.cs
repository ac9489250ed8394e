using System.Text.RegularExpressions;
using Crawlscope.Extraction;
using Crawlscope.Fetching;
using Crawlscope.Frontier;
using Crawlscope.Politeness;

namespace Crawlscope.Crawling;

/// <summary>Everything a crawl can be told. Defaults are the polite ones.</summary>
public sealed record CrawlOptions
{
    public CrawlScopeKind Scope { get; init; } = CrawlScopeKind.Site;
    /// <summary>Stop after this many pages are stored (across restarts). Default unlimited.</summary>
    public long? MaxPages { get; init; }
    /// <summary>Links followed from a seed at most. Default unlimited.</summary>
    public int? MaxDepth { get; init; }
    public IReadOnlyList<Regex> Include { get; init; } = [];
    public IReadOnlyList<Regex> Exclude { get; init; } = [];
    /// <summary>Connections to one host at once. Default 1.</summary>
    public int PerHost { get; init; } = 1;
    /// <summary>Minimum time between two requests to one host. Default 1 s.</summary>
    public TimeSpan Delay { get; init; } = TimeSpan.FromSeconds(1);
    /// <summary>robots.txt crawl-delay is honoured up to this. Default 30 s.</summary>
    public TimeSpan MaxCrawlDelay { get; init; } = TimeSpan.FromSeconds(30);
    /// <summary>Requests in flight over all hosts. Default 32.</summary>
    public int Concurrency { get; init; } = 32;
    /// <summary>Tries for network errors and 5xx before the failure is recorded. Default 3.</summary>
    public int MaxAttempts { get; init; } = 3;
    /// <summary>First retry wait; doubles each time. Default 2 s.</summary>
    public TimeSpan RetryBase { get; init; } = TimeSpan.FromSeconds(2);
    /// <summary>Longest Retry-After we wait for. Default 10 min.</summary>
    public TimeSpan MaxRetryAfter { get; init; } = TimeSpan.FromMinutes(10);
    public int MaxRedirects { get; init; } = 5;
    /// <summary>Read a host's sitemaps (robots.txt Sitemap: lines and /sitemap.xml) when its robots.txt is fetched. Default true.</summary>
    public bool ReadSitemaps { get; init; } = true;
    /// <summary>Follow links marked nofollow. Default false.</summary>
    public bool FollowNoFollow { get; init; }
    public ExtractionParts Extract { get; init; } = ExtractionParts.All;
    /// <summary>Who decides the readable content's blocks: the rules (default) or the learned block scorer.</summary>
    public Extraction.MainContent.ReadableScorer ReadableScorer { get; init; } = Extraction.MainContent.ReadableScorer.Rules;
    /// <summary>How this crawl extracts a page: its parts, its scorer, and its agent's token for robots meta tags.</summary>
    public PageExtractorOptions ExtractorOptions() =>
        new() { AgentToken = Robots.RobotsAgent.ProductToken(Fetch.UserAgent), Parts = Extract, Scorer = ReadableScorer };
    /// <summary>Extraction and classification of one page may take this long; past it the page is stored as
    /// <c>processing_timeout</c> and the crawl goes on. Default 20 s.</summary>
    public TimeSpan ProcessingBudget { get; init; } = TimeSpan.FromSeconds(20);
    /// <summary>Whether readable extraction learns each site's template from the pages crawled so far and leaves
    /// its recurring blocks out (from a site's 20th page on). Default true.</summary>
    public bool LearnsSiteTemplates { get; init; } = true;
    /// <summary>Near-duplicate threshold: SimHash bits that may differ (at most 5, the index's reach). Default 5.</summary>
    public int NearDuplicateBits { get; init; } = 5;
    public int ShardCount { get; init; } = Urls.SiteHash.DefaultShardCount;
    public FetchOptions Fetch { get; init; } = new();
    /// <summary>Write WARC/1.1 files of every exchange here (<c>--warc DIR</c>); null: no archive.</summary>
    public string? WarcDirectory { get; init; }
    /// <summary>When stored pages are due again. Default 1 to 30 days, starting at 7.</summary>
    public RecrawlPolicy Recrawl { get; init; } = RecrawlPolicy.Default;
    /// <summary>Keep running when the frontier is empty (<c>crawlscope run</c>): wait for submitted URLs and due
    /// recrawls instead of finishing. Default false (a batch crawl).</summary>
    public bool Continuous { get; init; }
    /// <summary>In a continuous crawl, how often pages whose recrawl is due are queued again. Default 1 min.</summary>
    public TimeSpan RecrawlCheck { get; init; } = TimeSpan.FromMinutes(1);
    /// <summary>Hosts with work the crawl loop holds in memory at most (the others wait in the store's queue). Tests
    /// lower it to make a few hosts overflow it.</summary>
    internal int MaxHostsHeld { get; init; } = CrawlLoop.DefaultMaxHostsHeld;
    /// <summary>The politeness part of these options.</summary>
    public PolitenessOptions Politeness => new(PerHost, Delay, MaxCrawlDelay, RetryBase, MaxRetryAfter);

    /// <summary>The scope part of these options.</summary>
    public ScopeOptions ScopeRules => new(Scope, MaxDepth, Include, Exclude);

    /// <summary>When and how pages are rendered in a browser. Default: only empty shells (<see cref="Rendering.RenderMode.Auto"/>).</summary>
    public Rendering.RenderOptions Render { get; init; } = new();

    /// <summary>A WARC file is closed and the next begun at this size. Default 1 GB.</summary>
    public long WarcMaxFileBytes { get; init; } = 1_000_000_000;

    /// <summary>The least value of each whole-number option, read by <see cref="Problems"/>, the command line's checks and
    /// the configuration file's, so a bound is written once.</summary>
    public static class Least
    {
        public const int Concurrency = 1;
        public const int PerHost = 1;
        public const int MaxPages = 1;
        public const int MaxDepth = 0;
        public const int ShardCount = 1;
        public const int MaxBodyBytes = 1024;
    }

    /// <summary>The defaults, which the command line and the configuration file show as theirs.</summary>
    public static CrawlOptions Defaults { get; } = new();

    /// <summary>Every reason these options cannot run a crawl, one line each (empty when they can). The engine refuses
    /// options with problems; the command line and the configuration file check the same bounds before they get here.</summary>
    public IReadOnlyList<string> Problems()
    {
        var problems = new List<string>();
        void Check(bool ok, string problem)
        {
            if (!ok) problems.Add(problem);
        }
        Check(Concurrency >= Least.Concurrency, $"Concurrency must be at least {Least.Concurrency}, not {Concurrency}");
        Check(PerHost >= Least.PerHost, $"PerHost must be at least {Least.PerHost}, not {PerHost}");
        Check(Delay >= TimeSpan.Zero, "Delay cannot be negative");
        Check(MaxCrawlDelay >= TimeSpan.Zero, "MaxCrawlDelay cannot be negative");
        Check(MaxAttempts >= 1, $"MaxAttempts must be at least 1, not {MaxAttempts}");
        Check(RetryBase > TimeSpan.Zero, "RetryBase must be positive");
        Check(MaxRedirects >= 0, "MaxRedirects cannot be negative");
        Check(MaxPages is null or >= Least.MaxPages, $"MaxPages must be at least {Least.MaxPages}");
        Check(MaxDepth is null or >= Least.MaxDepth, "MaxDepth cannot be negative");
        Check(ProcessingBudget > TimeSpan.Zero, "ProcessingBudget must be positive");
        Check(NearDuplicateBits is >= 0 and <= 5, $"NearDuplicateBits must be 0 to 5, not {NearDuplicateBits}");
        Check(ShardCount >= Least.ShardCount, $"ShardCount must be at least {Least.ShardCount}, not {ShardCount}");
        Check(WarcMaxFileBytes >= 1, "WarcMaxFileBytes must be positive");
        Check(RecrawlCheck > TimeSpan.Zero, "RecrawlCheck must be positive");
        Check(Fetch.TotalTimeout > TimeSpan.Zero && Fetch.ConnectTimeout > TimeSpan.Zero, "the fetch timeouts must be positive");
        Check(Fetch.MaxBodyBytes >= Least.MaxBodyBytes, $"Fetch.MaxBodyBytes must be at least {Least.MaxBodyBytes}");
        if (HeaderValue.UserAgentProblem(Fetch.UserAgent) is { } agent) problems.Add(agent);
        Check(Render.Parallel >= 1, "Render.Parallel must be at least 1");
        Check(Render.PageTimeout > TimeSpan.Zero, "Render.PageTimeout must be positive");
        Check(Render.MaxShare is > 0 and <= 1, "Render.MaxShare must be above 0 and at most 1");
        Check(Render.LearningPages >= 1 && Render.RestartAfterPages >= 1 && Render.MaxSubrequests >= 0 && Render.MaxSubrequestBytes >= 0,
            "Render's counts cannot be negative (learning pages and restarts at least 1)");
        return problems;
    }
}
