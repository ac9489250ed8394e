using Crawlscope.Export;
using Crawlscope.Model;

namespace Crawlscope.Tests.Export;

public sealed class HeadlineTests
{
    private static string? Of(string? title, string host = "www.alpha-news.test", string site = "alpha-news.test") =>
        Headline.Of(new PageRecord { SrcUnparsed = "k", Url = $"https://{host}/a", Shard = 0, RootHash = 0, Host = host, Site = site, MetaTitle = title });

    [Theory]
    [InlineData("Naïve résumé - Alpha News", "Naïve résumé")]
    [InlineData("Naïve résumé | alpha-news.test", "Naïve résumé")]
    [InlineData("Alpha News » Naïve résumé", "Naïve résumé")]
    [InlineData("Rivers – a history — The Alpha News Daily", "Rivers – a history")]
    [InlineData("Before - after: a river", "Before - after: a river")]
    [InlineData("Naïve résumé", "Naïve résumé")]
    [InlineData("  Spaced  ", "Spaced")]
    public void StripsTheSiteNameFromEitherEnd_AndNothingElse(string title, string expected) => Assert.Equal(expected, Of(title));

    [Fact]
    public void NamesOfOtherSites_AndShortEnds_StayInTheHeadline()
    {
        Assert.Equal("Python - Wikipedia", Of("Python - Wikipedia"));
        Assert.Equal("Python", Of("Python - Wikipedia", "en.wikipedia.org", "wikipedia.org"));
        Assert.Equal("Q & A - AN", Of("Q & A - AN"));
        Assert.Null(Of(null));
        Assert.Null(Of(" "));
    }
}
