using Crawlscope.Model;
using Crawlscope.Storage;

namespace Crawlscope.Tests.Storage;

public class KnownFrontierKeysTests
{
    [Fact]
    public void KeysCountOnlyOnceCommitted_AndOldGenerationsAreForgotten()
    {
        var known = new KnownFrontierKeys();
        known.Begin();
        known.Add("a");
        Assert.False(known.Contains("a"));
        // A transaction that failed: its keys never count.
        known.Begin();
        known.Add("b");
        known.Committed();
        Assert.False(known.Contains("a"));
        Assert.True(known.Contains("b"));

        // Memory is bounded: after two more full generations the first key is forgotten (and looked up again).
        known.Begin();
        for (int i = 0; i < 2 * KnownFrontierKeys.Generation; i++) known.Add($"k{i}");
        known.Committed();
        Assert.False(known.Contains("b"));
        Assert.True(known.Contains($"k{2 * KnownFrontierKeys.Generation - 1}"));
        Assert.True(known.Contains($"k{KnownFrontierKeys.Generation}"));
    }

    [Fact]
    public async Task AFailedSave_LeavesItsLinks_ToTheNextSave_WhichQueuesThemOnce()
    {
        await using var temp = await Support.TempCrawlStore.OpenAsync("known-keys");
        var store = temp.Store;
        var now = DateTimeOffset.UtcNow;
        var keyer = new Crawlscope.Urls.UrlKeyer(Crawlscope.Urls.PublicSuffixList.Default, Crawlscope.Urls.UrlNormalizer.Default);
        FrontierEntry Entry(string path) => keyer.Identify(Crawlscope.Urls.WebUrl.Parse($"http://example.test/{path}")) is var id
            ? new(id.Key, id.Normalized.Href, id.Host, id.Shard, 1, 1, null, now) : null!;
        // A page whose fetch row breaks a NOT NULL constraint: the whole save fails, with the links it discovered.
        var page = new PageRecord { SrcUnparsed = "test,example)/", Url = "http://example.test/", Shard = 1, RootHash = 1, Host = "example.test", Site = "example.test" };
        var bad = new FetchRecord(page.SrcUnparsed, null!, now, 200, null, 1, 1, "text/html", null);
        await Assert.ThrowsAnyAsync<Exception>(() => store.SaveAsync(page, bad, [], [Entry("new")]));
        var good = new FetchRecord(page.SrcUnparsed, page.Url, now, 200, null, 1, 1, "text/html", null);
        Assert.Equal(1, await store.SaveAsync(page, good, [], [Entry("new")]));
        Assert.Equal(0, await store.SaveAsync(page, good, [], [Entry("new")]));
    }
}
