using Crawlscope.Telemetry;

namespace Crawlscope.Tests.Telemetry;

/// <summary>Attack 20 of the third hardening round: every odd status 600-999 got a /metrics series of its own.</summary>
public sealed class CrawlMetricsTests
{
    [Theory]
    [InlineData(200, "200")]
    [InlineData(100, "100")]
    [InlineData(599, "599")]
    [InlineData(600, "other")]
    [InlineData(999, "other")]
    [InlineData(99, "other")]
    [InlineData(null, "none")]
    public void StatusLabel_KeepsTheStandardCodes_AndBoundsTheRest(int? status, string label) => Assert.Equal(label, CrawlMetrics.StatusLabel(status));

    [Fact]
    public void FourHundredOddStatuses_GiveOneLabel() =>
        Assert.Single(Enumerable.Range(600, 400).Select(s => CrawlMetrics.StatusLabel(s)).Distinct());
}
