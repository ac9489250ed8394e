using System.IO.Compression;
using System.Text;
using Crawlscope.Sitemaps;

namespace Crawlscope.Tests.Sitemaps;

public class SitemapParserTests
{
    private static byte[] Bytes(string s) => Encoding.UTF8.GetBytes(s);

    private static byte[] Gzip(byte[] data)
    {
        using var ms = new MemoryStream();
        using (var gz = new GZipStream(ms, CompressionLevel.Fastest, leaveOpen: true)) gz.Write(data);
        return ms.ToArray();
    }

    [Fact]
    public void UrlSet_GivesLocs()
    {
        var c = SitemapParser.Parse(Bytes("<?xml version=\"1.0\"?><urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\"><url><loc> https://e.com/a </loc><lastmod>2026-01-01</lastmod></url><url><loc>https://e.com/b</loc></url></urlset>"));
        Assert.False(c.IsIndex);
        Assert.Equal(["https://e.com/a", "https://e.com/b"], c.Urls);
        Assert.Null(c.Error);
    }

    [Fact]
    public void Index_IsRecognised_AndGzipRead() =>
        Assert.True(SitemapParser.Parse(Gzip(Bytes("<sitemapindex><sitemap><loc>https://e.com/s1.xml</loc></sitemap></sitemapindex>"))).IsIndex);

    [Fact]
    public void TextSitemap_WithBom()
    {
        var c = SitemapParser.Parse(Bytes("\uFEFFhttps://e.com/a\n\nhttps://e.com/b\r\n"));
        Assert.Equal(["https://e.com/a", "https://e.com/b"], c.Urls);
    }

    [Fact]
    public void Dtd_And_ExternalEntities_AreRefused()
    {
        var c = SitemapParser.Parse(Bytes("<?xml version=\"1.0\"?><!DOCTYPE x [<!ENTITY e SYSTEM \"file:///etc/passwd\">]><urlset><url><loc>&e;</loc></url></urlset>"));
        Assert.NotNull(c.Error);
        Assert.Empty(c.Urls);
    }

    [Fact]
    public void Limits_50000Urls()
    {
        var sb = new StringBuilder();
        for (int i = 0; i < 50_010; i++) sb.Append("https://e.com/").Append(i).Append('\n');
        var c = SitemapParser.Parse(Bytes(sb.ToString()));
        Assert.Equal(50_000, c.Urls.Count);
        Assert.True(c.Truncated);
    }

    [Fact]
    public void GzipBomb_IsBounded()
    {
        var c = SitemapParser.Parse(Gzip(new byte[200 * 1024 * 1024]));
        Assert.True(c.Truncated);
    }

    /// <summary>61 KB of gzip that expands to 60 MB of newlines: read as a stream, stopped at the 50 MB cap, never
    /// held whole (it took 1.1 GB when the text was decoded and split first).</summary>
    [Fact]
    public void GzipOfNewlines_IsStreamed_InLittleMemory()
    {
        var bomb = new byte[60 * 1024 * 1024];
        Array.Fill(bomb, (byte)'\n');
        byte[] gz = Gzip(bomb);
        bomb = null!;
        long before = GC.GetAllocatedBytesForCurrentThread();
        var c = SitemapParser.Parse(gz);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Empty(c.Urls);
        Assert.True(c.Truncated);
        Assert.True(allocated < 4 * 1024 * 1024, $"{allocated:N0} bytes allocated");
    }

    [Fact]
    public void TextSitemap_StopsAt50000Urls_WithoutReadingTheRest()
    {
        var sb = new StringBuilder();
        for (int i = 0; i < 200_000; i++) sb.Append("https://e.com/").Append(i).Append('\n');
        var c = SitemapParser.Parse(Gzip(Bytes(sb.ToString())));
        Assert.Equal(50_000, c.Urls.Count);
        Assert.Equal("https://e.com/49999", c.Urls[^1]);
        Assert.True(c.Truncated);
    }

    [Fact]
    public void TextSitemap_LinesLongerThan8KiB_AreSkipped()
    {
        var c = SitemapParser.Parse(Bytes("https://e.com/a\nhttps://e.com/" + new string('x', 9000) + "\nhttps://e.com/b"));
        Assert.Equal(["https://e.com/a", "https://e.com/b"], c.Urls);
    }

    [Fact]
    public void Garbage_GivesAnErrorNotAnException()
    {
        Assert.NotNull(SitemapParser.Parse(Bytes("<urlset><url><loc>x</urlset")).Error);
        Assert.NotNull(SitemapParser.Parse([0x1F, 0x8B, 0, 1, 2]).Error);
    }
}
