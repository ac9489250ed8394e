using System.Text;
using Crawlscope.Extraction;
using Crawlscope.Extraction.Boilerpipe;
using Crawlscope.Urls;
using AngleSharp.Html.Parser;

namespace Crawlscope.Tests.Extraction;

public class PageExtractorTests
{
    private static readonly WebUrl Url = WebUrl.Parse("https://www.example.com/news/story.html?utm_source=x");

    private static ExtractedPage Extract(string html, IReadOnlyDictionary<string, string[]>? headers = null) =>
        PageExtractor.Default.Extract(Encoding.UTF8.GetBytes(html), Url, "text/html; charset=utf-8", headers);

    private const string Article = """
        <!DOCTYPE html><html lang="en-GB"><head>
        <title>  A   title &amp; more - Example News </title>
        <meta name="Description" content="What happened, briefly.">
        <meta property="og:description" content="OG text">
        <link rel="canonical" href="/news/story.html?utm_campaign=z#top">
        </head><body>
        <nav><a href="/">Home</a> <a href="/world">World</a></nav>
        <article><h1>A title &amp; more</h1>
        <p>The council voted on Tuesday to keep the old bridge open for another decade, after engineers said repairs would cost a fraction of a new crossing.</p>
        <p>Residents had campaigned for two years. <a href="https://other.example/report" rel="nofollow ugc">Read the report</a> for the details of the vote and the costs.</p>
        <p>Work begins in spring and should take about six months, during which the bridge will close to heavy traffic at night.</p>
        </article>
        <footer><a href="mailto:news@example.com">Contact</a> <a href="javascript:void(0)">Top</a></footer>
        </body></html>
        """;

    [Fact]
    public void Metadata_TitleDescriptionCanonicalLang()
    {
        var page = Extract(Article);
        Assert.Equal("A title & more - Example News", page.Title);
        Assert.Equal("A title & more", page.Headline);
        Assert.Equal("What happened, briefly.", page.Description);
        Assert.Equal("https://www.example.com/news/story.html", page.Canonical);
        Assert.Equal("en-GB", page.Language);
    }

    [Fact]
    public void Description_FallsBackToOpenGraph() =>
        Assert.Equal("OG text", Extract("<head><meta property='og:description' content='OG text'></head>").Description);

    [Fact]
    public void Canonical_FromLinkHeader_WhenHtmlHasNone()
    {
        var page = Extract("<p>x</p>", new Dictionary<string, string[]> { ["Link"] = ["<https://cdn.example/a>; rel=\"preload\", </canon?b=1>; rel=\"canonical\""] });
        Assert.Equal("https://www.example.com/canon?b=1", page.Canonical);
    }

    [Fact]
    public void Links_AbsoluteHttpOnly_WithNofollow()
    {
        var page = Extract(Article);
        Assert.Contains(page.Links, l => l.Url == "https://www.example.com/world" && l.Text == "World" && !l.NoFollow);
        Assert.Contains(page.Links, l => l.Url == "https://other.example/report" && l.NoFollow);
        Assert.DoesNotContain(page.Links, l => l.Url.StartsWith("mailto:") || l.Url.StartsWith("javascript:"));
    }

    [Fact]
    public void Links_RespectBaseElement()
    {
        var page = Extract("<head><base href='https://cdn.example/dir/'></head><a href='x.html'>x</a>");
        Assert.Equal("https://cdn.example/dir/x.html", Assert.Single(page.Links).Url);
    }

    [Theory]
    [InlineData("<meta name='robots' content='noindex, follow'>", true, false)]
    [InlineData("<meta name='ROBOT' content='NOFOLLOW'>", false, true)]
    [InlineData("<meta name='crawlscope' content='none'>", true, true)]
    [InlineData("<meta name='googlebot' content='noindex'>", false, false)]
    public void RobotsMeta(string meta, bool noIndex, bool noFollow)
    {
        var page = Extract("<head>" + meta + "</head><a href='/x'>x</a>");
        Assert.Equal(noIndex, page.Robots.NoIndex);
        Assert.Equal(noFollow, page.Robots.NoFollow);
        Assert.All(page.Links, l => Assert.Equal(noFollow, l.NoFollow));
    }

    [Theory]
    [InlineData("noindex", true)]
    [InlineData("crawlscope: noindex", true)]
    [InlineData("otherbot: noindex", false)]
    [InlineData("unavailable_after: 2030-01-01", false)]
    public void XRobotsTag(string header, bool noIndex) =>
        Assert.Equal(noIndex, Extract("<p>x</p>", new Dictionary<string, string[]> { ["X-Robots-Tag"] = [header] }).Robots.NoIndex);

    [Fact]
    public void Texts_BoilerpipeAndReadableHoldTheArticle_MarkdownHoldsTheWholePage()
    {
        var page = Extract(Article);
        Assert.Contains("The council voted on Tuesday", page.BoilerpipeText);
        Assert.Contains("The council voted on Tuesday", page.ReadableMarkdown);
        Assert.DoesNotContain("Contact", page.ReadableMarkdown);
        Assert.Contains("[World](https://www.example.com/world)", page.Markdown);
        Assert.Contains("[Read the report](https://other.example/report)", page.ReadableMarkdown);
    }

    [Fact]
    public void Fingerprints_ExactAndNearDuplicates()
    {
        var a = Extract(Article);
        var b = Extract(Article.Replace("<nav>", "<nav><span>Breaking</span>"));
        var c = Extract(Article.Replace("six months", "seven months"));
        var other = Extract(Article.Replace("council", "orchestra").Replace("bridge", "concert hall").Replace("Residents", "Musicians")
            .Replace("engineers", "critics").Replace("spring", "autumn").Replace("heavy traffic", "the public"));
        Assert.Equal(a.ContentHash, b.ContentHash);
        Assert.NotEqual(a.ContentHash, c.ContentHash);
        Assert.True(ContentFingerprint.HammingDistance(a.SimHash!.Value, c.SimHash!.Value) <= 10);
        Assert.True(ContentFingerprint.HammingDistance(a.SimHash.Value, other.SimHash!.Value) > ContentFingerprint.HammingDistance(a.SimHash.Value, c.SimHash.Value));
    }

    [Fact]
    public void MetadataOnly_HashesTheText_ButMakesNoNearDuplicateFingerprint()
    {
        var extractor = new PageExtractor(new PageExtractorOptions { Parts = ExtractionParts.Metadata });
        var page = extractor.Extract(Article, WebUrl.Parse("https://www.example.com/news/bridge"));
        Assert.Null(page.SimHash);
        // Without a main text, the content hash is the visible text's (recrawls still see whether a page changed).
        Assert.Equal(ContentFingerprint.ContentHash(page.Statistics.VisibleText), page.ContentHash);
        Assert.Equal("", page.ReadableMarkdown);
        Assert.NotEmpty(page.Links);
        Assert.NotNull(Extract(Article).SimHash);
    }

    [Theory]
    [InlineData("")]
    [InlineData("<")]
    [InlineData("<html><body><div><div><p><table><tr><td><ul><li><a href='\u0000'>")]
    [InlineData("</p></div></body></html><!-- <script>")]
    [InlineData("<a href=\"http://[::1\">x</a><img src=\"http://%\"><link rel=canonical href=\"http://\">")]
    public void BrokenMarkup_NeverThrows(string html)
    {
        var page = Extract(html);
        Assert.NotNull(page.Markdown);
    }

    [Fact]
    public void HostileDepthAndSize_NeverThrow()
    {
        string deep = string.Concat(Enumerable.Repeat("<div><span>", 5000)) + "deep text" + string.Concat(Enumerable.Repeat("</span></div>", 5000));
        Assert.Contains("deep text", Extract(deep).Markdown);
        string wide = "<ul>" + string.Concat(Enumerable.Repeat("<li><a href='/p'>item</a></li>", 50_000)) + "</ul>";
        Assert.Equal(50_000, Extract(wide).Links.Count);
    }

    [Fact]
    public void RandomBytes_NeverThrow()
    {
        var random = new Random(7);
        for (int i = 0; i < 300; i++)
        {
            var bytes = new byte[random.Next(0, 3000)];
            random.NextBytes(bytes);
            PageExtractor.Default.Extract(bytes, Url);
        }
    }

    [Fact]
    public void Boilerpipe_SmallPage_KeepsArticleDropsNavigation()
    {
        var doc = new HtmlParser().ParseDocument(Article);
        string text = BoilerpipeExtractor.Extract(doc);
        Assert.Contains("Work begins in spring", text);
        Assert.DoesNotContain("Contact", text);
    }
}
