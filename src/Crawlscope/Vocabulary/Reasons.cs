namespace Crawlscope.Vocabulary;

// The closed vocabularies of the crawl, used by every stage; they depend on nothing, and become snake_case text only
// where a store writes them (StoreNames).

/// <summary>Why a fetch produced no indexable page. One closed vocabulary, stored and counted (snake_case in the store).</summary>
public enum FailureReason
{
    Dns,
    Connect,
    Timeout,
    Tls,
    Network,
    TooLarge,
    TooManyRedirects,
    RedirectLoop,
    RobotsDisallowed,
    SsrfBlocked,
    UnsupportedType,
    DecodeError,
    Http4xx,
    Http5xx,
    /// <summary>A status code outside 100-599 (LinkedIn's 999, say): neither retried nor read as a server error.</summary>
    HttpUnknown,
    Redirected,
    /// <summary>A stage after the fetch failed on this page (the detail names the error); the crawl went on.</summary>
    ProcessingError,
    /// <summary>Extraction and classification took longer than the processing budget; the crawl went on.</summary>
    ProcessingTimeout,
}

/// <summary>A failure and what it was, as the one value that says a fetch or a step failed (null when nothing did).</summary>
/// <param name="Detail">What happened, in a person's words (the error's message); null when the reason says it all.</param>
public sealed record FetchFailure(FailureReason Reason, string? Detail = null)
{
    /// <summary>How the fetch history stores it: <c>reason: detail</c>.</summary>
    public string Text => Detail is null ? StoreNames.Of(Reason) : StoreNames.Of(Reason) + ": " + Detail;
}

/// <summary>Why a page that was indexable stopped being so (<c>history_drop_reason</c>).</summary>
public enum DropReason
{
    Gone,
    ServerErrors,
    NowRedirects,
    RobotsDisallowed,
    NoIndex,
    CanonicalElsewhere,
    Duplicate,
    Spam,
    Banned,
    /// <summary>Now answered as "not found" with a 200 (a soft 404).</summary>
    Soft404,
}

/// <summary>
/// Why a URL is or is not indexed: one primary reason per URL, the first cause in the data flow (see
/// <c>Model/IndexingReasons</c> for the order). Stored and served as snake_case (<c>blocked_by_robots</c>); the names
/// are an interface: never rename one, only add.
/// </summary>
public enum IndexingReason
{
    /// <summary>Stored and every indexability filter passes.</summary>
    Indexed,
    /// <summary>Neither stored nor in the frontier: the crawler has not seen it.</summary>
    Unknown,
    /// <summary>In the frontier, not fetched yet.</summary>
    Queued,
    BlockedByRobots,
    /// <summary>No HTTP answer: DNS, connection, timeout, TLS, body too large, SSRF guard.</summary>
    FetchFailed,
    /// <summary>Answered 3xx: the content is at the target.</summary>
    Redirect,
    /// <summary>404 or 410.</summary>
    NotFound,
    /// <summary>401 or 403.</summary>
    Forbidden,
    ClientError,
    ServerError,
    /// <summary>A status that is none of the above and not 200 (204, 206, 999 ...).</summary>
    OtherStatus,
    NotHtml,
    /// <summary>Fetched as HTML, but a stage after the fetch failed on it (error, processing budget).</summary>
    ProcessingFailed,
    Noindex,
    CanonicalElsewhere,
    Duplicate,
    /// <summary>Answered 200, but the page says "not found" and has almost no text.</summary>
    Soft404,
    Banned,
    Spam,
    TooOld,
    /// <summary>Was indexable and stopped being so for a reason that no longer shows (<c>history_drop_reason</c>).</summary>
    Dropped,
}

/// <summary>Why a link of a page was not followed (stored with the link, counted by the crawl). <see cref="SpiderTrap"/>:
/// the page duplicates one stored before and the link continues its own numbered series (docs/crawling.md, "Traps").</summary>
public enum LinkRefusal { Unparsable, RepeatedOnPage, NoFollow, BannedSource, TooDeep, OutOfScope, NotIncluded, Excluded, SpiderTrap }

/// <summary>Why a page was rendered in a browser, or why it was not (stored with the page as <c>render_reason</c>).</summary>
public enum RenderReason
{
    /// <summary>Rendering is off for this crawl (<c>--render never</c>).</summary>
    Off,
    /// <summary>The raw HTML has its text and links: no empty-shell signal.</summary>
    NoShellSignal,
    /// <summary>The raw HTML looks like an empty shell (little text, few links, scripts present).</summary>
    EmptyShell,
    /// <summary>Rendering added text or links on this site's first pages, so its pages are rendered directly.</summary>
    SiteRenders,
    /// <summary>Rendering added nothing on this site's first shells: its shells are no longer rendered.</summary>
    SiteNeedsNoRendering,
    /// <summary>Every page is rendered (<c>--render always</c>).</summary>
    Always,
    /// <summary>An operator asked for it (a live test).</summary>
    Requested,
    /// <summary>The render budget (share of fetches) was spent: the page was kept as fetched.</summary>
    BudgetSpent,
    /// <summary>No browser could be started; the page was kept as fetched.</summary>
    BrowserUnavailable,
}

/// <summary>Why the renderer refused a request a page made (recorded with the page's resources).</summary>
public enum ResourceRefusal { Scheme, ResourceType, TooMany, Navigation, Ssrf, Robots, FetchFailed, TooLarge }

/// <summary>What an operator did, as the audit log names it (<c>crawl_now</c>, <c>ban</c>, ...).</summary>
internal enum OperatorActionKind { CrawlNow, RecrawlNow, AddSeed, LiveTest, Ban, Unban, Pause, Resume }
