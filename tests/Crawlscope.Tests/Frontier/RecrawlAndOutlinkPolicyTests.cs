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
}
