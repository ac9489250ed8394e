using System.Text;
using Crawlscope.Robots;

namespace Crawlscope.Tests.Robots;

public class RobotsRulesTests
{
    private const string Sample = """
        # comment line
        User-agent: *
        Disallow: /private/
        Allow: /private/open.html
        Crawl-delay: 2.5

        User-agent: Crawlscope
        User-agent: OtherBot
        Disallow: /no-crawlscope/   # trailing comment
        Allow: /
        Crawl-delay: 0.5

        Sitemap: https://example.com/sitemap.xml
        Sitemap: https://example.com/news.xml
        """;

    [Fact]
    public void Check_NamesTheDecidingRule()
    {
        var rules = RobotsParser.Parse(Sample);
        var d = rules.Check("SomeBot", "https://example.com/private/x");
        Assert.False(d.Allowed);
        Assert.Equal(3, d.RuleLine);
        Assert.Equal("Disallow: /private/", d.Rule);
        Assert.Equal("line 3: Disallow: /private/", d.Explanation);
        Assert.Equal("user-agent *", d.Group);
    }

    [Fact]
    public void Check_LongerAllowWins()
    {
        var d = RobotsParser.Parse(Sample).Check("SomeBot", "https://example.com/private/open.html");
        Assert.True(d.Allowed);
        Assert.Equal("line 4: Allow: /private/open.html", d.Explanation);
    }

    [Fact]
    public void Check_NoMatchingRule_SaysSo()
    {
        var d = RobotsParser.Parse(Sample).Check("SomeBot", "/public");
        Assert.True(d.Allowed);
        Assert.Null(d.RuleLine);
        Assert.Equal("no matching rule", d.Explanation);
    }

    [Fact]
    public void Check_SpecificGroupReplacesStar_CaseInsensitive()
    {
        var rules = RobotsParser.Parse(Sample);
        Assert.True(rules.Check("crawlscope", "/private/x").Allowed);
        var d = rules.Check("CRAWLSCOPE", "/no-crawlscope/page");
        Assert.False(d.Allowed);
        Assert.Equal("line 9: Disallow: /no-crawlscope/", d.Explanation);
        Assert.Equal("user-agent Crawlscope", d.Group);
    }

    [Fact]
    public void Check_TieBetweenAllowAndDisallow_AllowWins()
    {
        var d = RobotsParser.Parse("User-agent: *\nDisallow: /folder\nAllow: /folder\n").Check("x", "/folder/page");
        Assert.True(d.Allowed);
        Assert.Equal(3, d.RuleLine);
    }

    [Fact]
    public void Check_WildcardsAndAnchor()
    {
        var rules = RobotsParser.Parse("User-agent: *\nDisallow: /*.php$\nDisallow: /fish*\n");
        Assert.False(rules.Check("x", "/a/b.php").Allowed);
        Assert.True(rules.Check("x", "/a/b.php?x=1").Allowed);
        Assert.False(rules.Check("x", "/fishheads").Allowed);
        Assert.True(rules.Check("x", "/Fish").Allowed);
    }

    [Fact]
    public void CrawlDelay_PerGroup_Fractional()
    {
        var rules = RobotsParser.Parse(Sample);
        Assert.Equal(0.5, rules.ForAgent("Crawlscope").CrawlDelaySeconds);
        Assert.Equal(2.5, rules.ForAgent("Anybody").CrawlDelaySeconds);
        Assert.Null(RobotsParser.Parse("User-agent: *\nCrawl-delay: soon\n").ForAgent("x").CrawlDelaySeconds);
    }

    [Fact]
    public void AgentsAskedInTurn_EachGetTheirOwnGroup()
    {
        // A rule set keeps the group of the last agent asked about: asking for another must not answer with it.
        var rules = RobotsParser.Parse("User-agent: a\nDisallow: /x\n\nUser-agent: b\nDisallow: /y\n");
        for (int i = 0; i < 2; i++)
        {
            Assert.False(rules.Check("a", "/x").Allowed);
            Assert.True(rules.Check("a", "/y").Allowed);
            Assert.True(rules.Check("B", "/x").Allowed);
            Assert.False(rules.Check("b", "/y").Allowed);
            Assert.Same(rules.ForAgent("b"), rules.ForAgent("B"));
        }
    }

    [Fact]
    public void Sitemaps_AreGlobal()
    {
        Assert.Equal(["https://example.com/sitemap.xml", "https://example.com/news.xml"], RobotsParser.Parse(Sample).Sitemaps);
    }

    [Fact]
    public void Parse_CrLfAndCrLineEnds_GiveSameRules()
    {
        string lf = "User-agent: *\nDisallow: /a\n";
        foreach (var text in new[] { lf, lf.Replace("\n", "\r\n"), lf.Replace("\n", "\r") })
        {
            var d = RobotsParser.Parse(text).Check("x", "/a");
            Assert.False(d.Allowed);
            Assert.Equal(2, d.RuleLine);
        }
    }

    [Fact]
    public void Parse_MissingColonAndTypos_AcceptedAsGoogleDoes()
    {
        var rules = RobotsParser.Parse("useragent FooBot\ndissallow /x\n");
        Assert.False(rules.Check("FooBot", "/x/y").Allowed);
        Assert.True(RobotsParser.Parse("user-agent FooBot\ndisallow / extra\n").Check("FooBot", "/").Allowed);
    }

    [Fact]
    public void Parse_Over500KiB_StopsAtLimit()
    {
        var sb = new StringBuilder("User-agent: *\n");
        while (sb.Length < RobotsParser.MaxBytes) sb.Append("Disallow: /filler\n");
        sb.Append("Disallow: /beyond-the-limit\n");
        var rules = RobotsParser.Parse(sb.ToString());
        Assert.True(rules.Truncated);
        Assert.True(rules.Check("x", "/beyond-the-limit").Allowed);
        Assert.False(rules.Check("x", "/filler").Allowed);
    }

    [Fact]
    public void Parse_NonAsciiRule_MatchesEscapedUrlOnly()
    {
        var rules = RobotsParser.Parse("User-agent: *\nDisallow: /ツ\n");
        Assert.False(rules.Check("x", "/%E3%83%84").Allowed);
        Assert.Equal("Disallow: /ツ", rules.Check("x", "/%E3%83%84").Rule);
    }
}

public class RobotsFetchPolicyTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 25, 12, 0, 0, TimeSpan.Zero);

    [Theory]
    [InlineData(200, 0, RobotsFetchAction.Parse)]
    [InlineData(204, 0, RobotsFetchAction.Parse)]
    [InlineData(301, 0, RobotsFetchAction.FollowRedirect)]
    [InlineData(302, 4, RobotsFetchAction.FollowRedirect)]
    [InlineData(307, 5, RobotsFetchAction.AllowAll)]
    [InlineData(401, 0, RobotsFetchAction.AllowAll)]
    [InlineData(403, 0, RobotsFetchAction.AllowAll)]
    [InlineData(404, 0, RobotsFetchAction.AllowAll)]
    [InlineData(410, 0, RobotsFetchAction.AllowAll)]
    [InlineData(429, 0, RobotsFetchAction.Unreachable)]
    [InlineData(500, 0, RobotsFetchAction.Unreachable)]
    [InlineData(503, 0, RobotsFetchAction.Unreachable)]
    public void ForStatus_FollowsRfc9309(int status, int hop, RobotsFetchAction expected) =>
        Assert.Equal(expected, RobotsFetchPolicy.ForStatus(status, hop));

    [Fact]
    public void Resolve_Success_ParsesAndCaches24h()
    {
        var v = RobotsFetchPolicy.Resolve(200, "User-agent: *\nDisallow: /x"u8, 0, null, Now);
        Assert.False(v.Rules.Check("a", "/x").Allowed);
        Assert.Equal(Now.AddHours(24), v.ExpiresAt);
    }

    [Fact]
    public void Resolve_NotFound_AllowsAll() =>
        Assert.True(RobotsFetchPolicy.Resolve(404, default, 0, null, Now).Rules.Check("a", "/anything").Allowed);

    [Fact]
    public void Resolve_ServerErrorWithoutCopy_DisallowsAllAndRetriesSooner()
    {
        var v = RobotsFetchPolicy.Resolve(503, default, 0, null, Now);
        Assert.False(v.Rules.Check("a", "/").Allowed);
        Assert.Equal(Now + RobotsFetchPolicy.UnreachableRetry, v.ExpiresAt);
        Assert.False(RobotsFetchPolicy.Resolve(null, default, 0, null, Now).Rules.Check("a", "/").Allowed);
    }

    [Fact]
    public void Resolve_ServerErrorWithLastGoodCopy_UsesIt()
    {
        var lastGood = RobotsParser.Parse("User-agent: *\nDisallow: /only-this\n");
        var v = RobotsFetchPolicy.Resolve(500, default, 0, lastGood, Now);
        Assert.Same(lastGood, v.Rules);
        Assert.Contains("last good copy", v.Reason);
    }
}
