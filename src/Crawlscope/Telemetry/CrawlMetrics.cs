using System.Diagnostics;
using System.Diagnostics.Metrics;
using Crawlscope.Vocabulary;

namespace Crawlscope.Telemetry;

/// <summary>
/// The crawl's measurements as .NET metrics (meter <c>Crawlscope</c>); <c>crawlscope run</c> exports them for
/// Prometheus at <c>/metrics</c>. Instruments are process-wide, as a process runs one crawl. The export prefixes
/// each name with the meter's (<c>crawlscope_</c>) and adds <c>_total</c> to counters.
/// </summary>
public static class CrawlMetrics
{
    public const string MeterName = "Crawlscope";
    private static readonly Meter Meter = new(MeterName);

    private static readonly Counter<long> PagesStored = Meter.CreateCounter<long>("pages_stored",
        description: "Fetch outcomes stored, by HTTP status (none when no answer) and failure reason (none for a page).");
    private static readonly Counter<long> Retries = Meter.CreateCounter<long>("retries",
        description: "Fetches to be tried again (network errors, 5xx, 429), by failure reason.");
    private static readonly Histogram<double> FetchSeconds = Meter.CreateHistogram<double>("fetch_duration_seconds",
        description: "Time from request to the last byte read.");
    private static readonly Histogram<double> CommitSeconds = Meter.CreateHistogram<double>("store_commit_duration_seconds",
        description: "Time of one group commit of the embedded store's writer.");
    private static readonly Counter<long> RobotsLookups = Meter.CreateCounter<long>("robots_lookups",
        description: "robots.txt rules asked for, by where they came from: memory (cache hit), store, or network.");

    internal static void Stored(int? status, FailureReason? reason) =>
        PagesStored.Add(1, new TagList { { "status", StatusLabel(status) }, { "reason", reason is { } r ? StoreNames.Of(r) : "none" } });

    /// <summary>A status code as a label: the code for the 500 standard ones (100-599), "other" for anything a server
    /// makes up (LinkedIn's 999), so a hostile server cannot give each of its own codes a series.</summary>
    internal static string StatusLabel(int? status) => status switch
    {
        null => "none",
        >= 100 and <= 599 => status.Value.ToString(System.Globalization.CultureInfo.InvariantCulture),
        _ => "other",
    };

    internal static void Retried(FailureReason? reason) => Retries.Add(1, new KeyValuePair<string, object?>("reason", reason is { } r ? StoreNames.Of(r) : "none"));

    internal static void Fetched(double elapsedMs) => FetchSeconds.Record(elapsedMs / 1000);

    internal static void Committed(TimeSpan took) => CommitSeconds.Record(took.TotalSeconds);

    internal static void RobotsFrom(string source) => RobotsLookups.Add(1, new KeyValuePair<string, object?>("source", source));
}
