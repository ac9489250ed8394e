using Crawlscope.Vocabulary;
using System.Text.RegularExpressions;
using Crawlscope.Extraction;
using Crawlscope.Frontier;
using Crawlscope.Model;
using Crawlscope.Urls;
using Microsoft.Extensions.Time.Testing;

namespace Crawlscope.Tests.Frontier;

public class RecrawlAndOutlinkPolicyTests
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 1, 12, 0, 0, TimeSpan.Zero));

    private static PageRecord Stored(DateTimeOffset stamp, TimeSpan interval, string hash) => new()
    {
        SrcUnparsed = "k", Url = "https://e.test/", Shard = 0, RootHash = 0, Host = "e.test", Site = "e.test",
        DownloadStamp = stamp, NextFetch = stamp + interval, ContentHash = hash,
    };

    [Fact]
    public void NextFetch_StartsAtAWeek_DoublesWhenUnchanged_HalvesWhenChanged_Within1To30Days()
    {
        var now = _time.GetUtcNow();
        Assert.Equal(now + TimeSpan.FromDays(7), RecrawlPolicy.Default.NextFetch(null, "h", now));
        var week = Stored(now.AddDays(-7), TimeSpan.FromDays(7), "h");
        _time.Advance(TimeSpan.FromDays(7));
        var later = _time.GetUtcNow();
        Assert.Equal(later + TimeSpan.FromDays(14), RecrawlPolicy.Default.NextFetch(week, "h", later));
        Assert.Equal(later + TimeSpan.FromDays(3.5), RecrawlPolicy.Default.NextFetch(week, "changed", later));
        Assert.Equal(later + TimeSpan.FromDays(30), RecrawlPolicy.Default.NextFetch(Stored(later, TimeSpan.FromDays(20), "h"), "h", later));
        Assert.Equal(later + TimeSpan.FromDays(1), RecrawlPolicy.Default.NextFetch(Stored(later, TimeSpan.FromDays(1), "h"), "changed", later));
    }

    [Fact]
    public void Select_EveryLinkNotFollowed_HasAReason()
    {
        var keyer = UrlKeyer.Default;
        keyer.TryIdentify("https://www.site.test/", out var seed, out _);
        var scope = new CrawlScope(new ScopeOptions(CrawlScopeKind.Site, 2, [], [new Regex("/private/")]), [seed!]);
        var refused = new List<LinkRefusal>();
        var policy = new OutlinkPolicy(keyer, scope, followNoFollow: false, refused.Add);
        var source = FrontierEntry.Seed(seed!, _time.GetUtcNow()) with { Depth = 1 };
        PageLink[] links =
        [
            new("https://www.site.test/a", "a", false),
            new("https://www.site.test/a", "a again", false),
            new("https://www.site.test/b", "b", true),
            new("https://other.test/c", "c", false),
            new("https://www.site.test/private/d", "d", false),
            new("mailto:x@site.test", "mail", false),
        ];
        var result = policy.Select(source, links, banned: false, _time.GetUtcNow());
        Assert.Equal(["https://www.site.test/a"], result.Discovered.Select(d => d.Url));
        Assert.Equal(2, result.Discovered[0].Depth);
        Assert.Equal([LinkRefusal.RepeatedOnPage, LinkRefusal.NoFollow, LinkRefusal.OutOfScope, LinkRefusal.Excluded, LinkRefusal.Unparsable], refused);
        Assert.Equal(4, result.Links.Count);
        // Each stored link keeps why it was not followed.
        Assert.Equal([null, LinkRefusal.NoFollow, LinkRefusal.OutOfScope, LinkRefusal.Excluded], result.Links.Select(l => l.Refusal));

        refused.Clear();
        var deeper = policy.Select(source with { Depth = 2 }, [new("https://www.site.test/e", "e", false)], banned: false, _time.GetUtcNow());
        Assert.Empty(deeper.Discovered);
        Assert.Equal([LinkRefusal.TooDeep], refused);
        refused.Clear();
        policy.Select(source, [new("https://www.site.test/f", "f", false)], banned: true, _time.GetUtcNow());
        Assert.Equal([LinkRefusal.BannedSource], refused);
    }

    /// <summary>A page that duplicates another does not follow its links within its own numbered series; its other
    /// links, and the same links from a page that is no duplicate, are followed.</summary>
    [Fact]
    public void Select_DuplicatePage_DoesNotFollowItsOwnSeries()
    {
        var keyer = UrlKeyer.Default;
        keyer.TryIdentify("https://forum.test/calendar/2026/2", out var month, out _);
        var scope = new CrawlScope(new ScopeOptions(CrawlScopeKind.Site, null, [], []), [month!]);
        var refused = new List<LinkRefusal>();
        var policy = new OutlinkPolicy(keyer, scope, followNoFollow: false, refused.Add);
        var source = FrontierEntry.Seed(month!, _time.GetUtcNow());
        PageLink[] links =
        [
            new("https://forum.test/calendar/2026/3", "next month", false),
            new("https://forum.test/calendar/2027/12", "a year on", false),
            new("https://forum.test/calendar/week/3", "another path", false),
            new("https://forum.test/threads/3", "a thread", false),
        ];
        var duplicate = policy.Select(source, links, banned: false, _time.GetUtcNow(), duplicateUrl: month!.Normalized);
        Assert.Equal(["https://forum.test/calendar/week/3", "https://forum.test/threads/3"], duplicate.Discovered.Select(d => d.Url));
        Assert.Equal([LinkRefusal.SpiderTrap, LinkRefusal.SpiderTrap], refused);
        Assert.Equal([LinkRefusal.SpiderTrap, LinkRefusal.SpiderTrap, null, null], duplicate.Links.Select(l => l.Refusal));

        refused.Clear();
        Assert.Equal(4, policy.Select(source, links, banned: false, _time.GetUtcNow()).Discovered.Count);
        Assert.Empty(refused);
    }

    [Theory]
    [InlineData("https://a.test/calendar/2026/3", "https://a.test/calendar/2031/11", true)]
    [InlineData("https://a.test/list?page=2", "https://a.test/list?page=90", true)]
    [InlineData("https://a.test/list?page=2&sort=new", "https://a.test/list?page=3&sort=old", true)]
    [InlineData("https://a.test/p/7.html", "https://a.test/p/12.html", true)]
    [InlineData("https://a.test/articles/3", "https://a.test/tags/3", false)]
    [InlineData("https://a.test/list?page=2", "https://a.test/list?offset=2", false)]
    [InlineData("https://a.test/list?page=2", "https://a.test/list", false)]
    [InlineData("https://a.test/list?page=2", "https://a.test/list?page=2&sort=new", false)]
    [InlineData("https://a.test/calendar/2026/3", "https://b.test/calendar/2026/4", false)]
    [InlineData("https://a.test/calendar/2026/3", "https://a.test/calendar/2026/3/day", false)]
    [InlineData("https://a.test/v2/x", "https://a.test/vv/x", false)]
    public void UrlSeries_SameHostPathButDigitsAndQueryNames(string a, string b, bool same)
    {
        Assert.Equal(same, UrlSeries.Same(WebUrl.Parse(a), WebUrl.Parse(b)));
        Assert.Equal(same, UrlSeries.Same(WebUrl.Parse(b), WebUrl.Parse(a)));
    }
}
