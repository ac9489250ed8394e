using Crawlscope.Urls;

namespace Crawlscope.Tests.Urls;

public class UrlKeyTests
{
    private static UrlKeyer Keyer(int shards = 100) => new(PublicSuffixListTests.EmbeddedList(), UrlNormalizer.Default, shards);

    [Theory]
    [InlineData("https://www.pickl.ai/blog/python-global-interpreter-lock/", "ai,pickl!www,/blog/python-global-interpreter-lock/ s443")]
    [InlineData("http://pickl.ai/", "ai,pickl!/ h80")]
    [InlineData("https://a.b.example.co.uk:8443/x?q=1#f", "uk,co,example!b,a,/x?q=1 s8443")]
    [InlineData("http://127.0.0.1:8080/x", "127.0.0.1!/x h8080")]
    [InlineData("http://[::1]/", "[::1]!/ h80")]
    [InlineData("HTTP://WWW.Example.COM:80/a/./b/../c?utm_source=x&id=7&fbclid=y#top", "com,example!www,/a/c?id=7 h80")]
    [InlineData("https://example.com/%7euser/%2fx%3f?q=%e2%82%ac", "com,example!/~user/%2Fx%3F?q=%E2%82%AC s443")]
    [InlineData("https://user:pw@example.com/?", "com,example!/ s443")]
    [InlineData("https://bücher.example.de/ü", "de,example!xn--bcher-kva,/%C3%BC s443")]
    [InlineData("http://localhost:5000/", "localhost!/ h5000")]
    [InlineData("http://a,b!.example.com/", "com,example!a%2Cb%21,/ h80")]
    [InlineData("http://www.example.com./", "com,example!www,/ h80")]
    [InlineData("http://foo.09../", ",,09,foo!/ h80")]
    public void Key_Examples(string url, string expectedKey)
    {
        Assert.True(Keyer().TryIdentify(url, out var id, out var error), error);
        Assert.Equal(expectedKey, id.Key.Value);
        Assert.Equal(id.Normalized.Href, id.Key.ToUrl().Href);
    }

    [Fact]
    public void Identify_SeedExample_ShardIsRootHashModulo()
    {
        Assert.True(Keyer().TryIdentify("https://www.pickl.ai/blog/python-global-interpreter-lock/", out var id, out _));
        Assert.Equal("pickl.ai", id.RegistrableDomain);
        Assert.Equal(SiteHash.RootHash("pickl.ai"), id.RootHash);
        Assert.InRange(id.Shard, 0, 99);
        Assert.Equal((int)(id.RootHash % 100), id.Shard);
    }

    // XXH64 reference vectors (xxHash's published values, seed 0: "" = 0xEF46DB3751D8E999, "a" = 0xD24EC4F1A98C6E5B,
    // "abc" = 0x44BC2CF5AD770999) with the top bit cleared, and two site names pinned so the shard rule cannot drift.
    [Theory]
    [InlineData("", 0x6F46DB3751D8E999L)]
    [InlineData("a", 0x524EC4F1A98C6E5BL)]
    [InlineData("abc", 0x44BC2CF5AD770999L)]
    [InlineData("pickl.ai", 9081088953292325121L)]
    [InlineData("example.com", 2919382032883266185L)]
    public void RootHash_PinnedVectors(string site, long expected) => Assert.Equal(expected, SiteHash.RootHash(site));

    [Theory]
    [InlineData("pickl.ai", 100, 21)]
    [InlineData("pickl.ai", 64, 1)]
    [InlineData("example.com", 100, 85)]
    public void Shard_PinnedVectors(string site, int shards, int expected) => Assert.Equal(expected, SiteHash.Shard(SiteHash.RootHash(site), shards));

    [Fact]
    public void Identify_AllPagesOfOneSite_ShareShardAndKeyPrefix()
    {
        var keyer = Keyer();
        var ids = new[] { "https://a.example.co.uk/", "http://b.c.example.co.uk/x?y", "https://example.co.uk:444/z" }
            .Select(u => { Assert.True(keyer.TryIdentify(u, out var id, out _)); return id!; }).ToList();
        Assert.Single(ids.Select(i => i.Shard).Distinct());
        Assert.All(ids, i => Assert.StartsWith("uk,co,example!", i.Key.Value));
    }

    [Theory]
    [InlineData("")]
    [InlineData("not a url")]
    [InlineData("ftp://example.com/")]
    [InlineData("javascript:alert(1)")]
    [InlineData("http://")]
    [InlineData("http://exa mple.com/")]
    [InlineData("http://[::1/")]
    [InlineData("http://example.com:99999/")]
    public void TryIdentify_Malformed_GivesReason(string url)
    {
        Assert.False(Keyer().TryIdentify(url, out _, out var error));
        Assert.False(string.IsNullOrWhiteSpace(error));
    }

    [Theory]
    [InlineData("ai,pickl!www,/blog/ s443", "https://www.pickl.ai/blog/")]
    [InlineData("127.0.0.1!/x h8080", "http://127.0.0.1:8080/x")]
    [InlineData("[::1]!/ h80", "http://[::1]/")]
    public void Parse_ValidKeys_GiveUrl(string key, string url) => Assert.Equal(url, UrlKey.Parse(key).ToUrl().Href);

    [Theory]
    [InlineData("")]
    [InlineData("no-bang/ s443")]
    [InlineData("com,example!/ x443")]
    [InlineData("com,example!/ s99999")]
    [InlineData("com,example!www/ s443")]
    [InlineData("com,example!www,/")]
    [InlineData("127.0.0.1!www,/ h80")]
    public void TryParse_Malformed_ReturnsFalse(string key) => Assert.False(UrlKey.TryParse(key, out _));

    [Fact]
    public void Keyer_ShardCountBelowOne_Throws() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => new UrlKeyer(PublicSuffixListTests.EmbeddedList(), UrlNormalizer.Default, 0));

    [Fact]
    public void Normalizer_CustomTrackingList_IsHonoured()
    {
        var n = new UrlNormalizer(new UrlNormalizerOptions { TrackingParameters = ["ref", "src_*"] });
        Assert.True(n.TryNormalize("http://e.com/?a=1&ref=x&src_a=2&utm_source=z", out var u, out _));
        Assert.Equal("http://e.com/?a=1&utm_source=z", u.Href);
    }
}
