using System.Collections.Concurrent;
using Crawlscope.Frontier;
using Crawlscope.Telemetry;
using Crawlscope.Vocabulary;

namespace Crawlscope.Crawling;

/// <summary>Live counters of a running crawl, read by the display and the summary.</summary>
public sealed class CrawlProgress(TimeProvider? time = null)
{
    private readonly TimeProvider _time = time ?? TimeProvider.System;
    private long _pages, _errors, _redirects, _bytes, _retries, _discovered;
    public DateTimeOffset Started { get; } = (time ?? TimeProvider.System).GetUtcNow();
    public long Pages => Interlocked.Read(ref _pages);
    /// <summary>Pages stored with a failure; a redirect is no failure (<see cref="Redirects"/>).</summary>
    public long Errors => Interlocked.Read(ref _errors);
    /// <summary>Pages answered with a redirect (its target goes through the frontier).</summary>
    public long Redirects => Interlocked.Read(ref _redirects);
    public long Bytes => Interlocked.Read(ref _bytes);
    public long Retries => Interlocked.Read(ref _retries);

    /// <summary>Pages rendered in a browser this run, and renders that failed (the page kept as fetched).</summary>
    public long Rendered => Interlocked.Read(ref _rendered);
    public long RenderFailures => Interlocked.Read(ref _renderFailures);
    private long _rendered, _renderFailures;

    internal void Render(bool succeeded) => Interlocked.Increment(ref succeeded ? ref _rendered : ref _renderFailures);
    public long Discovered => Interlocked.Read(ref _discovered);
    /// <summary>Hosts with URLs queued or at hand.</summary>
    public int ActiveHosts { get; internal set; }
    /// <summary>Hosts with a request in flight now.</summary>
    public int HostsFetching { get; internal set; }
    /// <summary>Stored pages queued again because their recrawl was due (a continuous crawl).</summary>
    public long Recrawls => Interlocked.Read(ref _recrawls);
    private long _recrawls;

    internal void RecrawlsQueued(int count) => Interlocked.Add(ref _recrawls, count);
    public int InFlight { get; internal set; }
    public ConcurrentDictionary<string, long> Failures { get; } = new();
    public ConcurrentDictionary<int, long> Statuses { get; } = new();

    internal void Record(ProcessOutcome outcome)
    {
        Interlocked.Add(ref _bytes, outcome.Bytes);
        Interlocked.Add(ref _discovered, outcome.NewUrls);
        if (outcome.Disposition != Disposition.Stored)
        {
            Interlocked.Increment(ref _retries);
            CrawlMetrics.Retried(outcome.Failure);
            return;
        }
        Interlocked.Increment(ref _pages);
        CrawlMetrics.Stored(outcome.HttpCode, outcome.Failure);
        if (outcome.HttpCode is { } code) Statuses.AddOrUpdate(code, 1, (_, n) => n + 1);
        if (outcome.Failure is FailureReason.Redirected) Interlocked.Increment(ref _redirects);
        else if (outcome.Failure is { } failure)
        {
            Interlocked.Increment(ref _errors);
            Failures.AddOrUpdate(StoreNames.Of(failure), 1, (_, n) => n + 1);
        }
    }

    public double PagesPerSecond => Pages / Math.Max(0.001, (_time.GetUtcNow() - Started).TotalSeconds);

    /// <summary>Wall time spent per stage over all workers (milliseconds), for finding where a crawl spends its time.</summary>
    public ConcurrentDictionary<string, double> StageMs { get; } = new();

    internal void Time(string stage, double ms) => StageMs.AddOrUpdate(stage, ms, (_, t) => t + ms);

    // Counted per link, so an array slot per reason rather than a dictionary entry.
    private readonly long[] _refused = new long[Enum.GetValues<LinkRefusal>().Length];
    private long _alreadySeen;

    internal void LinkRefused(LinkRefusal reason) => Interlocked.Increment(ref _refused[(int)reason]);

    internal void LinksAlreadySeen(int count) => Interlocked.Add(ref _alreadySeen, count);

    /// <summary>Links found but not queued, by reason (snake_case), "already_seen" among them.</summary>
    public IReadOnlyDictionary<string, long> LinksNotFollowed
    {
        get
        {
            var counts = Enum.GetValues<LinkRefusal>().Where(r => _refused[(int)r] > 0).ToDictionary(r => StoreNames.Of(r), r => Interlocked.Read(ref _refused[(int)r]));
            if (Interlocked.Read(ref _alreadySeen) > 0) counts["already_seen"] = Interlocked.Read(ref _alreadySeen);
            return counts;
        }
    }
}
