using Crawlscope.Cli.Benchmarks;

namespace Crawlscope.Tests.Cli;

/// <summary>`bench`'s warm-up figure: how long after the first page was stored a one-second window first ran at the
/// given rate, from the sampler's (seconds, pages stored) points.</summary>
public sealed class BenchWarmUpTests
{
    // Samples every half second: nothing for a second, then a ramp to 100 pages/s.
    private static readonly (double, long)[] Ramp = [(0, 0), (0.5, 0), (1.0, 10), (1.5, 30), (2.0, 60), (2.5, 100), (3.0, 150), (3.5, 200)];

    [Fact]
    public void TheFirstSecondAtTheRate_IsCountedFromTheFirstStoredPage()
    {
        // 1.0-2.0 s: 50 pages, 1.5-2.5 s: 70, 2.0-3.0 s: 90: the first window at 90 pages/s ends at 3.0 s, 2 s after the first page.
        Assert.Equal(2.0, CrawlBenchmark.SecondsToRate(Ramp, 90));
        Assert.Equal(1.5, CrawlBenchmark.SecondsToRate(Ramp, 70));
    }

    [Fact]
    public void ARateNeverHeld_OrNoPageStored_GivesNothing()
    {
        Assert.Null(CrawlBenchmark.SecondsToRate(Ramp, 101));
        Assert.Null(CrawlBenchmark.SecondsToRate([(0, 0), (0.5, 0), (1.0, 0)], 1));
    }
}
