using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using Crawlscope.SampleWeb;
using Microsoft.Data.Sqlite;

namespace Crawlscope.Cli.Benchmarks;

/// <summary>
/// <c>bench soak</c>: <c>crawlscope run</c> as a service over the sample web (both child processes), recrawl
/// intervals shortened so recrawling is the steady state, watched from outside for a set time: pages/s, 304s,
/// RSS and its slope, the WAL's size, and pages overdue for their recrawl.
/// </summary>
internal static partial class SoakBenchmark
{
    internal sealed record Sample(double Minutes, long Stored, long NotModified, double RssMb, double HeapMb, double CommittedMb, double SqliteMb, double WalMb, long Queued, long Overdue);

    internal static async Task<int> RunAsync(TimeSpan duration, TimeSpan recrawl, int pagesPerHost, TimeSpan every, TextWriter stdout, CancellationToken ct)
    {
        string dir = Directory.CreateTempSubdirectory("crawlscope-soak-").FullName;
        try
        {
            using var web = await CrawlBenchmark.SampleWebProcess.StartAsync(pagesPerHost, SampleSites.Hosts.Count, ct);
            string resolve = Path.Combine(dir, "hosts");
            await File.WriteAllTextAsync(resolve, string.Join('\n', SampleSites.Hosts.Select(h => $"127.0.0.1 {h.Name}")) + "\n", ct);
            int port = FreePort();
            string db = Path.Combine(dir, "soak.db");
            string[] args =
            [
                "run", "--db", db, "--resolve-file", resolve, "--allow-private-networks", "--urls", $"http://127.0.0.1:{port}", "--delay", "0.05",
                "--recrawl-min", Seconds(recrawl), "--recrawl-max", Seconds(recrawl * 2), "--recrawl-check", "5s", "--log-every", "60",
                .. SampleSites.Hosts.Select(h => $"http://{h.Name}:{web.Port}/"),
            ];
            using var service = StartService(args);
            using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(30) };
            await WaitReadyAsync(http, ct);
            stdout.WriteLine($"soak: {SampleSites.Hosts.Count} hosts x {pagesPerHost} articles, recrawl every {Seconds(recrawl)} to {Seconds(recrawl * 2)}, for {duration.TotalMinutes:F0} min; service pid {service.Id}");
            stdout.WriteLine("  min   pages/s   stored   304s   RSS MB  heap MB  GC MB  SQLite MB   WAL MB   queued   overdue");
            var samples = new List<Sample>();
            var clock = Stopwatch.StartNew();
            while (clock.Elapsed < duration && !ct.IsCancellationRequested && !service.HasExited)
            {
                try
                {
                    await Task.Delay(every, ct);
                }
                catch (OperationCanceledException)
                {
                    break;
                }
                var s = await SampleAsync(http, service, db, recrawl, clock.Elapsed, ct);
                double rate = samples.Count == 0 ? s.Stored / s.Minutes / 60 : (s.Stored - samples[^1].Stored) / ((s.Minutes - samples[^1].Minutes) * 60);
                samples.Add(s);
                stdout.WriteLine($"{s.Minutes,5:F1} {rate,9:F1} {s.Stored,8} {s.NotModified,6} {s.RssMb,8:F0} {s.HeapMb,8:F0} {s.CommittedMb,6:F0} {s.SqliteMb,10:F1} {s.WalMb,8:F1} {s.Queued,8} {s.Overdue,9}");
                stdout.Flush();
            }
            StopService(service);
            Summarize(samples, recrawl, stdout);
            return CrawlscopeCli.Success;
        }
        finally
        {
            try
            {
                Directory.Delete(dir, recursive: true);
            }
            catch (IOException)
            {
            }
        }
    }

    /// <summary>RSS slope over the samples after the first fifth (warm-up), by least squares; overdue pages after it.</summary>
    private static void Summarize(List<Sample> samples, TimeSpan recrawl, TextWriter stdout)
    {
        if (samples.Count < 3)
        {
            stdout.WriteLine("soak: too short for a summary");
            return;
        }
        var warm = samples.Skip(samples.Count / 5).ToList();
        double slope = Slope(warm, s => s.RssMb);
        var last = samples[^1];
        stdout.WriteLine($"soak: {last.Stored:N0} pages stored in {last.Minutes:F1} min ({last.Stored / last.Minutes / 60:F1} pages/s), {last.NotModified:N0} recrawls answered 304");
        stdout.WriteLine($"soak: RSS {warm[0].RssMb:F0} MB after warm-up, {last.RssMb:F0} MB at the end, slope {slope:F1} MB/hour (goal under 10); WAL at most {samples.Max(s => s.WalMb):F1} MB");
        stdout.WriteLine($"soak: slopes of the parts (MB/hour): managed heap {Slope(warm, s => s.HeapMb):F1}, GC committed {Slope(warm, s => s.CommittedMb):F1}, SQLite {Slope(warm, s => s.SqliteMb):F1}");
        stdout.WriteLine($"soak: pages overdue by more than one recrawl interval ({Seconds(recrawl)}) after warm-up: at most {warm.Max(s => s.Overdue):N0} (goal 0)");
    }

    /// <summary>MB per hour by least squares.</summary>
    private static double Slope(List<Sample> samples, Func<Sample, double> y)
    {
        double mx = samples.Average(s => s.Minutes), my = samples.Average(y);
        return samples.Sum(s => (s.Minutes - mx) * (y(s) - my)) / Math.Max(1e-9, samples.Sum(s => (s.Minutes - mx) * (s.Minutes - mx))) * 60;
    }

    private static async Task<Sample> SampleAsync(HttpClient http, Process service, string db, TimeSpan recrawl, TimeSpan elapsed, CancellationToken ct)
    {
        string metrics = await http.GetStringAsync("/metrics", ct);
        long Sum(string status) => MetricLine().Matches(metrics).Where(m => status.Length == 0 || m.Groups[1].Value == status)
            .Sum(m => long.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture));
        double Gauge(string name) => GaugeLine().Matches(metrics).FirstOrDefault(m => m.Groups[1].Value == name) is { } g
            ? double.Parse(g.Groups[2].Value, CultureInfo.InvariantCulture) : 0;
        long queued = (long)Gauge("crawlscope_queue_depth");
        string wal = db + "-wal";
        return new Sample(elapsed.TotalMinutes, Sum(""), Sum("304"), RssMb(service.Id), Gauge("crawlscope_managed_heap_bytes") / 1048576,
            Gauge("crawlscope_gc_committed_bytes") / 1048576, Gauge("crawlscope_sqlite_memory_bytes") / 1048576, File.Exists(wal) ? new FileInfo(wal).Length / 1048576.0 : 0, queued,
            await OverdueAsync(db, recrawl, ct));
    }

    /// <summary>Stored pages whose recrawl was due more than one interval ago (read-only, beside the running service).</summary>
    private static async Task<long> OverdueAsync(string db, TimeSpan recrawl, CancellationToken ct)
    {
        await using var connection = new SqliteConnection($"Data Source={db};Mode=ReadOnly;Pooling=False");
        await connection.OpenAsync(ct);
        await using var cmd = connection.CreateCommand();
        cmd.CommandText = "SELECT COUNT(*) FROM pages WHERE next_fetch IS NOT NULL AND next_fetch < $t";
        cmd.Parameters.AddWithValue("$t", (DateTimeOffset.UtcNow - recrawl).UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture));
        return (long)(await cmd.ExecuteScalarAsync(ct))!;
    }

    private static double RssMb(int pid)
    {
        foreach (var line in File.ReadLines($"/proc/{pid}/status"))
            if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
                return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) / 1024.0;
        return 0;
    }

    /// <summary>The service as deployed: with the environment its systemd unit sets (<c>deploy/crawlscope.service</c>),
    /// not the benchmark's own batch settings (tiering off).</summary>
    private static Process StartService(string[] args)
    {
        var psi = new ProcessStartInfo(CrawlBenchmark.DotnetHost()) { RedirectStandardOutput = true, RedirectStandardError = true };
        psi.Environment.Remove("DOTNET_TieredCompilation");
        foreach (var (name, value) in UnitEnvironment()) psi.Environment[name] = value;
        psi.ArgumentList.Add(typeof(SoakBenchmark).Assembly.Location);
        foreach (var a in args) psi.ArgumentList.Add(a);
        var process = Process.Start(psi) ?? throw new InvalidOperationException("cannot start the service");
        _ = process.StandardOutput.ReadToEndAsync();
        _ = process.StandardError.ReadToEndAsync();
        return process;
    }

    /// <summary>The unit's <c>Environment=NAME=VALUE</c> settings; none when the source checkout is not at hand.</summary>
    private static IEnumerable<(string Name, string Value)> UnitEnvironment()
    {
        string unit = Path.Combine(Environment.GetEnvironmentVariable("CRAWLSCOPE_HOME") ?? Directory.GetCurrentDirectory(), "deploy", "crawlscope.service");
        if (!File.Exists(unit)) yield break;
        foreach (string line in File.ReadLines(unit))
            if (line.StartsWith("Environment=", StringComparison.Ordinal) && line["Environment=".Length..].Split('=', 2) is [var name, var value])
                yield return (name, value);
    }

    private static void StopService(Process service)
    {
        if (service.HasExited) return;
        // SIGTERM, as systemd stops it.
        using (var kill = Process.Start("kill", ["-TERM", service.Id.ToString(CultureInfo.InvariantCulture)])) kill.WaitForExit();
        if (!service.WaitForExit(15_000)) service.Kill(entireProcessTree: true);
    }

    private static async Task WaitReadyAsync(HttpClient http, CancellationToken ct)
    {
        for (int i = 0; i < 600; i++)
        {
            try
            {
                if ((await http.GetAsync("/readyz", ct)).IsSuccessStatusCode) return;
            }
            catch (HttpRequestException)
            {
            }
            await Task.Delay(100, ct);
        }
        throw new InvalidOperationException("the service did not become ready in a minute");
    }

    private static string Seconds(TimeSpan t) => $"{t.TotalSeconds.ToString("0", CultureInfo.InvariantCulture)}s";

    private static int FreePort()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        int port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }

    [GeneratedRegex(@"^crawlscope_pages_stored_total\{status=""([^""]+)"",reason=""[^""]+""\} (\d+)$", RegexOptions.Multiline)]
    private static partial Regex MetricLine();

    [GeneratedRegex(@"^(crawlscope_[a-z_]+) ([0-9.eE+-]+)$", RegexOptions.Multiline)]
    private static partial Regex GaugeLine();
}
