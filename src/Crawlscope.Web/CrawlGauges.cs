using Crawlscope.Operating;
using Prometheus;
using Crawlscope.Telemetry;

namespace Crawlscope.Web;

/// <summary>
/// The Prometheus side of <c>/metrics</c>: the crawl's .NET meter (<see cref="CrawlMetrics"/>: counters and
/// histograms) exported as it is recorded, and gauges of the live figures, sampled at each scrape.
/// </summary>
internal sealed class CrawlGauges(CrawlOperator op)
{
    private static readonly Gauge PagesPerSecond = Metrics.CreateGauge("crawlscope_pages_per_second", "Pages stored per second since the previous scrape.");
    private static readonly Gauge Queued = Metrics.CreateGauge("crawlscope_queue_depth", "URLs waiting in the frontier.");
    private static readonly Gauge InFlight = Metrics.CreateGauge("crawlscope_in_flight", "URLs leased and being fetched or processed.");
    private static readonly Gauge RecrawlsDue = Metrics.CreateGauge("crawlscope_recrawls_due", "Stored pages whose recrawl is due and not yet done.");
    private static readonly Gauge HostsFetching = Metrics.CreateGauge("crawlscope_hosts_fetching", "Hosts with a request in flight.");
    private static readonly Gauge Paused = Metrics.CreateGauge("crawlscope_paused", "1 while the whole crawl is paused.");
    // Where the process's memory is, for a service that must not grow: the managed heap's live size after the last
    // collection, what the GC holds committed (live plus free), and SQLite's own allocations (page caches).
    private static readonly Gauge ManagedHeap = Metrics.CreateGauge("crawlscope_managed_heap_bytes", "Managed heap size after the last garbage collection.");
    private static readonly Gauge GcCommitted = Metrics.CreateGauge("crawlscope_gc_committed_bytes", "Memory the garbage collector holds committed.");
    private static readonly Gauge SqliteMemory = Metrics.CreateGauge("crawlscope_sqlite_memory_bytes", "Memory SQLite has allocated in this process (page caches, statements).");

    private readonly CrawlFiguresSampler _sampler = op.Figures();
    private readonly SemaphoreSlim _one = new(1, 1);

    internal async Task UpdateAsync(CancellationToken ct)
    {
        await _one.WaitAsync(ct);
        try
        {
            var f = await _sampler.SampleAsync(ct);
            PagesPerSecond.Set(f.PagesPerSecond);
            Queued.Set(f.Queued);
            InFlight.Set(f.Leased);
            RecrawlsDue.Set(f.RecrawlsDue);
            HostsFetching.Set(f.HostsFetching);
            Paused.Set(f.Paused ? 1 : 0);
            // Before the first collection the GC has no figures: what is allocated so far stands for both.
            var gc = GC.GetGCMemoryInfo();
            long allocated = GC.GetTotalMemory(forceFullCollection: false);
            ManagedHeap.Set(gc.Index > 0 ? gc.HeapSizeBytes : allocated);
            GcCommitted.Set(gc.Index > 0 ? gc.TotalCommittedBytes : allocated);
            SqliteMemory.Set(SQLitePCL.raw.sqlite3_memory_used());
        }
        finally
        {
            _one.Release();
        }
    }
}

/// <summary>
/// The crawl's meter (<see cref="CrawlMetrics"/>) exported to Prometheus: a listener started before anything is
/// recorded (a listener misses what came before it) that forwards each measurement to a prometheus-net counter or
/// histogram of the same name, prefixed <c>crawlscope_</c>. prometheus-net's own meter adapter is off: it expires
/// series that go quiet, and a counter that stopped rising is still a count.
/// </summary>
internal static class MeterExport
{
    private static readonly double[] Buckets = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, Collector> Collectors = new();
    private static System.Diagnostics.Metrics.MeterListener? _listener;

    internal static void Start()
    {
        lock (Collectors)
        {
            if (_listener is not null) return;
            Metrics.SuppressDefaultMetrics(new SuppressDefaultMetricOptions { SuppressMeters = true, SuppressEventCounters = true, SuppressDebugMetrics = true });
            var listener = new System.Diagnostics.Metrics.MeterListener
            {
                InstrumentPublished = (instrument, l) =>
                {
                    if (instrument.Meter.Name == CrawlMetrics.MeterName) l.EnableMeasurementEvents(instrument);
                },
            };
            listener.SetMeasurementEventCallback<long>((i, value, tags, _) => Record(i, value, tags));
            listener.SetMeasurementEventCallback<double>((i, value, tags, _) => Record(i, value, tags));
            listener.Start();
            _listener = listener;
        }
    }

    private static void Record(System.Diagnostics.Metrics.Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        var names = new string[tags.Length];
        var values = new string[tags.Length];
        for (int i = 0; i < tags.Length; i++) (names[i], values[i]) = (tags[i].Key, tags[i].Value?.ToString() ?? "");
        var collector = Collectors.GetOrAdd(instrument.Name, _ => instrument is System.Diagnostics.Metrics.Histogram<double>
            ? Metrics.CreateHistogram("crawlscope_" + instrument.Name, instrument.Description ?? "", new HistogramConfiguration { LabelNames = names, Buckets = Buckets })
            : Metrics.CreateCounter("crawlscope_" + instrument.Name + "_total", instrument.Description ?? "", names));
        switch (collector)
        {
            case Histogram h: h.WithLabels(values).Observe(value); break;
            case Counter c: c.WithLabels(values).Inc(value); break;
        }
    }
}
