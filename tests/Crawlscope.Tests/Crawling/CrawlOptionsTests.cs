using Crawlscope.Crawling;
using Crawlscope.Tests.Support;
using Crawlscope.Urls;

namespace Crawlscope.Tests.Crawling;

/// <summary>Options are checked by the library itself, every problem at once: a crawl that could never start is refused.</summary>
public sealed class CrawlOptionsTests
{
    [Fact]
    public void Defaults_HaveNoProblems() => Assert.Empty(CrawlOptions.Defaults.Problems());

    [Fact]
    public async Task OptionsThatCannotRun_AreRefusedByTheEngine_WithEveryProblem()
    {
        var options = new CrawlOptions
        {
            Concurrency = 0, PerHost = -1, NearDuplicateBits = 9,
            Fetch = new Fetching.FetchOptions { UserAgent = "Evil\r\nX-Injected: 1" },
        };
        Assert.Equal(4, options.Problems().Count);
        await using var temp = await TempCrawlStore.OpenAsync("options");
        var error = Assert.Throws<ArgumentException>(() => new CrawlEngine(options, temp.Store, new UrlKeyer(PublicSuffixList.Default, UrlNormalizer.Default)));
        Assert.Contains("Concurrency must be at least 1, not 0", error.Message);
        Assert.Contains("PerHost must be at least 1", error.Message);
        Assert.Contains("NearDuplicateBits must be 0 to 5", error.Message);
        Assert.Contains("line break", error.Message);
    }

    [Theory]
    [InlineData(0, 1)]
    [InlineData(0.5, 2)]
    [InlineData(1, 3)]
    [InlineData(2, 5)]
    [InlineData(30, 5)]
    public void IdleConnections_AreKeptForTheHostsNextRequest_FiveSecondsAtMost(double delaySeconds, double idleSeconds) =>
        Assert.Equal(TimeSpan.FromSeconds(idleSeconds), Fetching.Fetcher.IdleConnectionTimeout(TimeSpan.FromSeconds(delaySeconds)));
}
