using Crawlscope.Fetching;
using Crawlscope.Vocabulary;

namespace Crawlscope.Rendering;

/// <summary>Answers every request a rendered page makes after its document: fetched the way the crawler fetches
/// (SSRF guard after DNS, robots.txt of the resource's host, body cap, timeouts), or refused with the reason.</summary>
internal interface ISubresourceGate
{
    Task<SubresourceAnswer> FetchAsync(string url, CancellationToken ct);
}

/// <summary>A subrequest's answer: the response, or why it was refused (and what said so).</summary>
internal sealed record SubresourceAnswer(FetchResult? Fetched, ResourceRefusal? Refusal, string? Detail)
{
    public static SubresourceAnswer Refused(ResourceRefusal refusal, string detail) => new(null, refusal, detail);
}

/// <summary>One request a rendered page made: the status it got, or why it was refused.</summary>
public sealed record RenderedResource(string Url, string Type, int? Status, long Bytes, ResourceRefusal? Refusal, string? Detail);

/// <summary>A console message of the rendered page (errors and warnings; bounded).</summary>
public sealed record ConsoleLine(string Type, string Text);

/// <summary>What a render produced: the DOM as serialised after the page's scripts ran, or why there is none.</summary>
public sealed record RenderResult(
    byte[]? Html,
    string? Failure,
    double ElapsedMs,
    IReadOnlyList<RenderedResource> Resources,
    IReadOnlyList<ConsoleLine> Console)
{
    /// <summary>A PNG of the page, when one was asked for (live tests only).</summary>
    public byte[]? Screenshot { get; init; }

    /// <summary>Subrequests answered by the crawler's fetcher.</summary>
    public int Fetched { get; init; }

    /// <summary>Subrequests refused, by reason (all of them; <see cref="Resources"/> keeps only the first).</summary>
    public IReadOnlyDictionary<ResourceRefusal, int> Refused { get; init; } = new Dictionary<ResourceRefusal, int>();

    /// <summary>True when no browser could be started: nothing was tried, so the site learns nothing from it.</summary>
    public bool NoBrowser { get; init; }

    public static RenderResult WithoutBrowser(string why) => new(null, $"no browser: {why}", 0, [], []) { NoBrowser = true };
}
