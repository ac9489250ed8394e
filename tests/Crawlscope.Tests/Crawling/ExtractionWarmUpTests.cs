using Crawlscope.Crawling;
using Crawlscope.Extraction;

namespace Crawlscope.Tests.Crawling;

/// <summary>The built-in page a crawl extracts at its start (to have the steps compiled before its first page) goes
/// through every step the crawl asked for, as an ordinary page would.</summary>
public sealed class ExtractionWarmUpTests
{
    [Fact]
    public void TheBuiltInPage_GoesThroughEveryStep()
    {
        var (page, spam) = ExtractionWarmUp.Run(new CrawlOptions());
        Assert.Equal("First article - Warm-up News", page.Title);
        Assert.Contains("The first paragraph says what happened", page.ReadableMarkdown);
        Assert.DoesNotContain("Hidden text", page.ReadableMarkdown);
        Assert.Contains("var x = 1;", page.Markdown);
        Assert.Contains(page.Links, l => l.Url.EndsWith("/articles/second", StringComparison.Ordinal));
        Assert.Equal(0, spam.Level);
    }

    [Fact]
    public void WithMetadataOnly_TheTextStepsAreSkipped()
    {
        var (page, _) = ExtractionWarmUp.Run(new CrawlOptions { Extract = ExtractionParts.Metadata });
        Assert.Equal("First article - Warm-up News", page.Title);
        Assert.Equal("", page.ReadableMarkdown);
    }
}
