namespace Crawlscope.Vocabulary;

// The closed vocabularies of the crawl, used by every stage; they depend on nothing, and become snake_case text only
// where a store writes them (StoreNames).

/// <summary>Why a fetch produced no indexable page. One closed vocabulary, stored and counted (snake_case in the store).</summary>
public enum FailureReason
{
    None,
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
}
