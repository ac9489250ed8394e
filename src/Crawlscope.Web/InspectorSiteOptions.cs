using Crawlscope.Inspection;
using Crawlscope.Model;
using Crawlscope.Urls;

namespace Crawlscope.Web;

/// <summary>What <c>crawlscope serve</c> runs the site with.</summary>
public sealed class InspectorSiteOptions
{
    public required ICrawlStore Store { get; init; }
    public required UrlKeyer Keyer { get; init; }
    public InspectionOptions Inspection { get; init; } = new();
    /// <summary>Where to listen. Loopback by default: crawled content is hostile and the store is private.</summary>
    public string Urls { get; init; } = DefaultUrls;

    /// <summary>Where the inspector listens by default: loopback only.</summary>
    public const string DefaultUrls = "http://127.0.0.1:5080";
    /// <summary>When set, every page and API route needs it (Bearer header, or once as ?token= which sets a cookie).</summary>
    public string? Token { get; init; }
    /// <summary>Host names the site answers to besides the addresses it listens on (a reverse proxy's name, say).
    /// Any other <c>Host:</c> header is refused, so a page that rebinds its DNS name to this machine cannot read it.</summary>
    public IReadOnlyList<string> AllowedHosts { get; init; } = [];
    /// <summary>The running crawl's operator (<c>crawlscope run</c>): enables the actions, the live overview and the
    /// crawl's API routes. Null for <c>serve</c>, which only reads.</summary>
    public Operating.CrawlOperator? Operator { get; init; }
    /// <summary>Fires when the service is asked to stop: from then on <c>/readyz</c> answers 503, so a load balancer
    /// sends no new work while the pages in flight finish.</summary>
    public CancellationToken Stopping { get; init; }
}
