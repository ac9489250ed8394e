using Crawlscope.SampleWeb;

namespace Crawlscope.Cli.Benchmarks;

/// <summary><c>bench hostile</c>: what pages and sites built against the crawl cost it, against the same crawl without them.</summary>
internal static class HostileBenchmark
{
    /// <summary>The crawl's pages/s with two pages built to stall extraction among the ordinary ones, against the
    /// same crawl without them, back to back (in alternation, <paramref name="rounds"/> pairs).</summary>
    internal static async Task<int> StallingPagesAsync(TextWriter stdout, int pagesPerHost, int rounds, CancellationToken ct)
    {
        var ordinary = new List<double>();
        var hostile = new List<double>();
        // One crawl first to warm the JIT up, not counted: the first crawl of a process runs at a third of the rate.
        await CrawlBenchmark.RunAsync(false, pagesPerHost, SampleSites.ServerRenderedCount, 4, false, true, ct);
        for (int round = 0; round < rounds; round++)
        {
            foreach (bool withHostile in new[] { false, true })
            {
                var r = await CrawlBenchmark.RunAsync(false, pagesPerHost, SampleSites.ServerRenderedCount, 4, false, true, ct, hostilePages: withHostile);
                (withHostile ? hostile : ordinary).Add(r.PagesPerSecond);
                stdout.WriteLine($"{(withHostile ? "with the 2 hostile pages" : "ordinary"),-25} {r.Pages,7:N0} pages in {r.Seconds,5:F1} s = {r.PagesPerSecond,5:F0} pages/s, peak RSS {r.PeakRssMb:F0} MB");
            }
        }
        double ratio = hostile.Average() / ordinary.Average();
        stdout.WriteLine($"bench hostile: {hostile.Average():F0} pages/s with the hostile pages, {ordinary.Average():F0} without: {ratio:P0} (goal ≥ 80 %); " +
                         $"{Environment.ProcessorCount} cores, {DateTimeOffset.UtcNow:yyyy-MM-dd}");
        return CrawlscopeCli.Success;
    }

    /// <summary>Peak RSS of a crawl of generated sites whose pages each carry blocks found nowhere else, against the same
    /// crawl without them; each crawl is a process of its own (a process's peak RSS never goes down).</summary>
    internal static async Task<int> TemplateSitesAsync(TextWriter stdout, int sites, int blocks, CancellationToken ct)
    {
        var peaks = new List<double>();
        foreach (var (b, learn) in new[] { (0, true), (blocks, true), (blocks, false) })
        {
            string output = Path.Combine(Path.GetTempPath(), $"crawlscope-bench-template-{Environment.ProcessId}-{b}.json");
            var psi = new System.Diagnostics.ProcessStartInfo(CrawlBenchmark.DotnetHost()) { RedirectStandardOutput = true, RedirectStandardError = true };
            foreach (var a in new[] { typeof(HostileBenchmark).Assembly.Location, "bench", "--hosts", sites.ToString(System.Globalization.CultureInfo.InvariantCulture), "--pages", "1",
                         "--template-blocks", b.ToString(System.Globalization.CultureInfo.InvariantCulture), "--out", output })
                psi.ArgumentList.Add(a);
            if (!learn) psi.ArgumentList.Add("--no-templates");
            using var child = System.Diagnostics.Process.Start(psi)!;
            string said = await child.StandardOutput.ReadToEndAsync(ct);
            await child.WaitForExitAsync(ct);
            using var result = System.Text.Json.JsonDocument.Parse(await File.ReadAllTextAsync(output, ct));
            File.Delete(output);
            double peak = result.RootElement.GetProperty("peak_rss_mb").GetDouble();
            peaks.Add(peak);
            string what = b == 0 ? "ordinary sites" : $"sites with {b:N0} blocks of their own per page" + (learn ? "" : ", templates not learnt");
            stdout.WriteLine($"{what,-70} {result.RootElement.GetProperty("pages").GetInt64(),6:N0} pages, peak RSS {peak:F0} MB");
        }
        stdout.WriteLine($"bench hostile --template-sites {sites}: peak RSS {peaks[1]:F0} MB against {peaks[0]:F0} MB for ordinary sites ({peaks[1] - peaks[0]:+0;-0} MB, goal ≤ +100 MB) " +
                         $"and {peaks[2]:F0} MB for the same sites learning no template (the learner's own share: {peaks[1] - peaks[2]:+0;-0} MB); " +
                         $"{Environment.ProcessorCount} cores, {DateTimeOffset.UtcNow:yyyy-MM-dd}");
        return CrawlscopeCli.Success;
    }
}
