namespace Crawlscope.Politeness;

/// <summary>How gently each host is crawled.</summary>
/// <param name="PerHost">Requests in flight to one host at once.</param>
/// <param name="Delay">Minimum time between two request starts to one host (robots.txt crawl-delay may widen it).</param>
/// <param name="MaxCrawlDelay">robots.txt crawl-delay is honoured up to this.</param>
/// <param name="RetryBase">First backoff after a 429 or 503 without Retry-After; doubles each time.</param>
/// <param name="MaxRetryAfter">Longest backoff, Retry-After included.</param>
public sealed record PolitenessOptions(int PerHost, TimeSpan Delay, TimeSpan MaxCrawlDelay, TimeSpan RetryBase, TimeSpan MaxRetryAfter)
{
    /// <summary>The gap between two request starts to a host whose robots.txt asks for this crawl-delay (capped).</summary>
    public TimeSpan GapFor(double? crawlDelaySeconds)
    {
        var crawlDelay = crawlDelaySeconds is { } d ? TimeSpan.FromSeconds(Math.Min(d, MaxCrawlDelay.TotalSeconds)) : TimeSpan.Zero;
        return crawlDelay > Delay ? crawlDelay : Delay;
    }
}
