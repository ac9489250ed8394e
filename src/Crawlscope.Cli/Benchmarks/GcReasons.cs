using System.Diagnostics.Tracing;

namespace Crawlscope.Cli.Benchmarks;

/// <summary>
/// Counts the runtime's garbage collections by generation and reason (its GCStart events), for
/// <c>CRAWLSCOPE_PROFILE=1</c>: a full collection triggered by large-object allocations asks for a different cure
/// than one triggered by the small-object budget.
/// </summary>
internal sealed class GcReasons : EventListener
{
    private const EventKeywords GcKeyword = (EventKeywords)0x1;
    private readonly Dictionary<(int Generation, string Reason), int> _counts = [];

    protected override void OnEventSourceCreated(EventSource source)
    {
        if (source.Name == "Microsoft-Windows-DotNETRuntime") EnableEvents(source, EventLevel.Informational, GcKeyword);
    }

    protected override void OnEventWritten(EventWrittenEventArgs e)
    {
        if (e.EventName is not { } name || !name.StartsWith("GCStart", StringComparison.Ordinal) || e.Payload is null) return;
        int generation = Convert.ToInt32(e.Payload[e.PayloadNames!.IndexOf("Depth")], System.Globalization.CultureInfo.InvariantCulture);
        int reason = Convert.ToInt32(e.Payload[e.PayloadNames.IndexOf("Reason")], System.Globalization.CultureInfo.InvariantCulture);
        var key = (generation, ReasonName(reason));
        lock (_counts) _counts[key] = _counts.GetValueOrDefault(key) + 1;
    }

    // The runtime's gc_reason values (gcinterface.h).
    private static string ReasonName(int reason) => reason switch
    {
        0 => "small-object budget",
        1 => "induced",
        2 => "low memory",
        3 => "empty",
        4 => "large-object budget",
        5 => "out of small-object space",
        6 => "out of large-object space",
        7 => "induced, not forced",
        8 => "stress",
        9 => "induced, low memory",
        10 => "induced, compacting",
        11 => "low memory, host",
        12 => "PM full",
        13 => "low memory, host, blocking",
        14 => "bgc tuning, small objects",
        15 => "bgc tuning, large objects",
        16 => "bgc stepping",
        17 => "induced, aggressive",
        _ => $"reason {reason}",
    };

    /// <summary>"gen2: 95 small-object budget, 11 large-object budget; gen1: ..."</summary>
    public override string ToString()
    {
        lock (_counts)
            return string.Join("; ", _counts.GroupBy(kv => kv.Key.Generation).OrderByDescending(g => g.Key)
                .Select(g => $"gen{g.Key}: " + string.Join(", ", g.OrderByDescending(kv => kv.Value).Select(kv => $"{kv.Value} {kv.Key.Reason}"))));
    }
}
