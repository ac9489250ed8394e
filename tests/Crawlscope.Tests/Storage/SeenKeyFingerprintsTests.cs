using Crawlscope.Model;
using Crawlscope.Storage;

namespace Crawlscope.Tests.Storage;

public class SeenKeyFingerprintsTests
{
    [Fact]
    public void KeysCountOnlyOnceCommitted_AndEveryCommittedKeyStaysKnown_AcrossGrowth()
    {
        var seen = new SeenKeyFingerprints();
        seen.Begin();
        seen.Add(SeenKeyFingerprints.Of("a"));
        Assert.False(seen.Contains(SeenKeyFingerprints.Of("a")));
        // A transaction that failed: its keys never count.
        seen.Begin();
        seen.Add(SeenKeyFingerprints.Of("b"));
        seen.Committed();
        Assert.False(seen.Contains(SeenKeyFingerprints.Of("a")));
        Assert.True(seen.Contains(SeenKeyFingerprints.Of("b")));

        // The table grows (it starts at 65,536 slots): nothing committed is forgotten, nothing else is claimed.
        seen.Begin();
        for (int i = 0; i < 300_000; i++) seen.Add(SeenKeyFingerprints.Of($"k{i}"));
        seen.Committed();
        Assert.Equal(300_001, seen.Count);
        for (int i = 0; i < 300_000; i++) Assert.True(seen.Contains(SeenKeyFingerprints.Of($"k{i}")), $"k{i}");
        int falseHits = 0;
        for (int i = 0; i < 300_000; i++) if (seen.Contains(SeenKeyFingerprints.Of($"other{i}"))) falseHits++;
        Assert.Equal(0, falseHits);
        Assert.True(seen.MemoryBytes <= 300_001 * 8 * 2 / 0.8, $"{seen.MemoryBytes} bytes");
    }

    [Fact]
    public void TheFingerprint_IsTheUtf8Bytes_AsSQLiteHoldsThem()
    {
        Assert.Equal(SeenKeyFingerprints.Of(System.Text.Encoding.UTF8.GetBytes("org,example)/caf\u00e9")), SeenKeyFingerprints.Of("org,example)/caf\u00e9"));
        Assert.NotEqual(SeenKeyFingerprints.Of("a"), SeenKeyFingerprints.Of("b"));
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
