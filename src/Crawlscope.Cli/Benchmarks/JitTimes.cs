using System.Diagnostics.Tracing;
using System.Globalization;

namespace Crawlscope.Cli.Benchmarks;

/// <summary>
/// Times each method the JIT compiles (the runtime's MethodJittingStarted and MethodLoadVerbose events, paired by
/// method and thread), for <c>CRAWLSCOPE_PROFILE=1</c>: the first tenth of a crawl pays for its compilation, and
/// which assemblies it compiles says what would shorten it. <c>CRAWLSCOPE_PROFILE_JIT_LOG=FILE</c> also writes
/// each method with when its compilation started, to see what the first page waits for.
/// </summary>
internal sealed class JitTimes : EventListener
{
    private const EventKeywords JitKeyword = (EventKeywords)0x10;
    private readonly Dictionary<(ulong Method, long Thread), DateTime> _started = [];
    private readonly List<(string Name, double Ms)> _compiled = [];
    private readonly DateTime _origin = DateTime.UtcNow;
    private readonly StreamWriter? _log = Environment.GetEnvironmentVariable("CRAWLSCOPE_PROFILE_JIT_LOG") is { Length: > 0 } path
        ? new StreamWriter(path) { AutoFlush = true } : null;

    protected override void OnEventSourceCreated(EventSource source)
    {
        if (source.Name == "Microsoft-Windows-DotNETRuntime") EnableEvents(source, EventLevel.Verbose, JitKeyword);
    }

    protected override void OnEventWritten(EventWrittenEventArgs e)
    {
        if (e.Payload is not { } payload || e.PayloadNames is not { } names) return;
        bool started = e.EventName == "MethodJittingStarted_V1";
        if (!started && e.EventName is not ("MethodLoadVerbose_V1" or "MethodLoadVerbose_V2")) return;
        var key = (Convert.ToUInt64(payload[names.IndexOf("MethodID")], CultureInfo.InvariantCulture), e.OSThreadId);
        lock (_started)
        {
            if (started) _started[key] = e.TimeStamp;
            else if (_started.Remove(key, out var start))
            {
                string name = $"{payload[names.IndexOf("MethodNamespace")]}::{payload[names.IndexOf("MethodName")]}";
                double ms = (e.TimeStamp - start).TotalMilliseconds;
                _compiled.Add((name, ms));
                _log?.WriteLine(FormattableString.Invariant($"{(start - _origin).TotalMilliseconds:F0}\t{ms:F1}\t{name}"));
            }
        }
    }

    /// <summary>Methods compiled and their summed time, by the namespace's first part (an instantiation goes with its generic type), and the slowest few.</summary>
    public string Summary(int slowest)
    {
        lock (_started)
        {
            return $"  JIT: {_compiled.Count} methods, {_compiled.Sum(c => c.Ms):N0} ms (summed over threads, waits included); "
                + string.Join(", ", _compiled.GroupBy(c => c.Name[..Math.Max(0, c.Name.IndexOfAny(['.', ':', '`']))])
                    .OrderByDescending(g => g.Sum(c => c.Ms)).Select(g => $"{g.Key} {g.Sum(c => c.Ms):N0} ms ({g.Count()})").Take(8))
                + "\n  slowest: " + string.Join(", ", _compiled.OrderByDescending(c => c.Ms).Take(slowest).Select(c => $"{c.Name} {c.Ms:F1} ms"));
        }
    }

    public override void Dispose()
    {
        base.Dispose();
        _log?.Dispose();
    }
}
