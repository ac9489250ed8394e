using Crawlscope.Archiving;
using Crawlscope.Fetching;
using Crawlscope.Rendering;
using Crawlscope.Robots;
using Crawlscope.Urls;
using Crawlscope.Vocabulary;

namespace Crawlscope.Crawling;

/// <summary>The renderer of a crawl, the policy that decides which pages it renders, and the gate its pages'
/// requests go through. Owned (and disposed) by whoever made it: the crawl engine or the live inspector.</summary>
/// <param name="archive">With <c>--warc</c>: every subrequest fetched is archived as its own record (as Brozzler does), so
/// the archive replays the rendered page.</param>
internal sealed class PageRendering(RenderOptions options, Fetcher fetcher, RobotsGate robots, string userAgent,
    WarcArchive? archive = null, TimeProvider? time = null) : IAsyncDisposable
{
    public BrowserRenderer Renderer { get; } = new(options, userAgent);
    public RenderPolicy Policy { get; } = new(options);
    public ISubresourceGate Gate { get; } = new SubresourceGate(fetcher, robots, archive, time ?? TimeProvider.System);

    /// <summary>Whether renders take a screenshot (the live test's; a crawl stores none).</summary>
    public bool Screenshots { get; init; }

    /// <summary>The last screenshot taken, when <see cref="Screenshots"/> is on.</summary>
    public byte[]? LastScreenshot { get; set; }

    public ValueTask DisposeAsync() => Renderer.DisposeAsync();
}

/// <summary>
/// Subrequests of a rendered page, fetched as the crawler fetches pages: the SSRF guard (before the fetch for what
/// is known without DNS, at connect time for the rest), the resource host's robots.txt, the fetcher's body cap and
/// timeouts. Redirects are followed here, each hop through the same checks: a redirect handed to the browser would
/// be followed by the browser itself, past the routes (only the dead-proxy fence would stop it).
/// </summary>
internal sealed class SubresourceGate(Fetcher fetcher, RobotsGate robots, WarcArchive? archive, TimeProvider time) : ISubresourceGate
{
    private const int MaxRedirects = 5;

    public async Task<SubresourceAnswer> FetchAsync(string url, CancellationToken ct)
    {
        WebUrl? from = null;
        for (int hop = 0; hop <= MaxRedirects; hop++)
        {
            if (!WebUrl.TryParse(url, from, out var parsed, out string? error) || parsed.Scheme is not ("http" or "https"))
                return SubresourceAnswer.Refused(ResourceRefusal.Scheme, error ?? $"only http(s) is fetched: {url}");
            if (SsrfGuard.RefusalBeforeFetch(parsed.Host, fetcher.Options) is { } unsafeHost) return SubresourceAnswer.Refused(ResourceRefusal.Ssrf, Via(hop, parsed, unsafeHost));
            var check = await robots.CheckAsync(parsed, ct);
            if (check.SsrfBlocked) return SubresourceAnswer.Refused(ResourceRefusal.Ssrf, Via(hop, parsed, "the host's address is not public"));
            if (!check.Decision.Allowed) return SubresourceAnswer.Refused(ResourceRefusal.Robots, Via(hop, parsed, "robots.txt " + check.Decision.Explanation));
            var fetched = await fetcher.FetchAsync(parsed.Href.Split('#')[0], null, ct);
            if (archive is not null) await archive.WriteAsync(fetched, time.GetUtcNow(), [], null, ct, FetchPurpose.Subresource);
            if (fetched.Failure is { Reason: FailureReason.SsrfBlocked } ssrf)
                return SubresourceAnswer.Refused(ResourceRefusal.Ssrf, Via(hop, parsed, ssrf.Detail ?? "the host's address is not public"));
            if (fetched.Failure is { } failure) return SubresourceAnswer.Refused(ResourceRefusal.FetchFailed, failure.Text);
            if (fetched.StatusCode is not (301 or 302 or 303 or 307 or 308) || fetched.Location is null) return new SubresourceAnswer(fetched, null, null);
            (from, url) = (parsed, fetched.Location);
        }
        return SubresourceAnswer.Refused(ResourceRefusal.FetchFailed, $"more than {MaxRedirects} redirects");
    }

    private static string Via(int hop, WebUrl url, string why) => hop == 0 ? why : $"redirected to {url.Href}: {why}";
}
