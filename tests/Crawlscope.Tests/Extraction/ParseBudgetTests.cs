using System.Text;
using Crawlscope.Extraction;
using Crawlscope.Urls;

namespace Crawlscope.Tests.Extraction;

/// <summary>A page over the parse budget loses its scripts' and styles' contents before anything a reader sees
/// (WCXB dev page 0632, a shop's collection of 4.9 MB, has its text 2.4 MB in, after 1.9 MB of scripts).</summary>
public sealed class ParseBudgetTests
{
    private static readonly WebUrl Url = WebUrl.Parse("https://shop.example/collections/sneakers");

    private static string Filler(char c, int length) => new(c, length);

    [Fact]
    public void APageOverTheBudget_KeepsTheTextAfterItsScripts_AndItsJsonLd()
    {
        string script = "var state = '" + Filler('x', 1_500_000) + "';";
        string html = "<!DOCTYPE html><html><head><title>Sneakers | Shop</title><style>" + Filler('s', 400_000) + "</style>"
            + "<script type='application/ld+json'>{\"@context\":\"https://schema.org\",\"@type\":\"CollectionPage\",\"name\":\"Sneakers\"}</script>"
            + "<script>" + script + "</script><script src='/app.js'></script></head><body><header><a href='/'>Home</a></header>"
            + "<script>" + script + "</script><main><h1>Men's sneakers</h1>"
            + "<p>Lightweight, supportive and wildly comfortable, our sneakers make any outing feel effortless, every single day.</p>"
            + "<p>An everyday shoe is one you are perfectly content wearing, well, every day, whatever the day may bring you.</p>"
            + "</main></body></html>";
        byte[] body = Encoding.UTF8.GetBytes(html);
        Assert.True(body.Length > 2 * 1024 * 1024 + 1_000_000);

        var page = new PageExtractor().Extract(body, Url, "text/html; charset=utf-8");
        Assert.Contains("An everyday shoe is one you are perfectly content wearing", page.ReadableMarkdown);
        Assert.Contains("An everyday shoe", page.BoilerpipeText);
        Assert.Equal("Sneakers | Shop", page.Title);
        Assert.DoesNotContain("xxxx", page.Markdown);

        string fitted = ParseBudget.Fit(html, 2 * 1024 * 1024);
        Assert.Contains("\"@type\":\"CollectionPage\"", fitted);
        Assert.Contains("<script src='/app.js'></script>", fitted);
        Assert.Equal(4, CountOf(fitted, "<script"));
        Assert.Equal(4, CountOf(fitted, "</script>"));
        Assert.Contains("<style></style>", fitted);
        Assert.True(fitted.Length < 10_000, $"{fitted.Length} characters left");
    }

    [Fact]
    public void OnlyEightTimesTheBudget_IsRead_WhateverThePageSize()
    {
        var extractor = new PageExtractor(new PageExtractorOptions { MaxHtmlBytes = 1_000 });
        string Page(int scriptChars) => "<html><body><script>" + Filler('x', scriptChars) + "</script><p>After the script, the text.</p></body></html>";
        Assert.Contains("After the script", extractor.Extract(Encoding.UTF8.GetBytes(Page(7_000)), Url).Markdown);
        Assert.DoesNotContain("After the script", extractor.Extract(Encoding.UTF8.GetBytes(Page(9_000)), Url).Markdown);
    }

    [Fact]
    public void APageUnderTheBudget_IsParsedAsItIs()
    {
        string html = "<html><body><script>var a = 1;</script><p>Hello</p></body></html>";
        Assert.Same(html, ParseBudget.Fit(html, html.Length));
    }

    [Fact]
    public void WhatIsStillOverTheBudget_IsCut_AtTheBudget()
    {
        string html = "<html><body><script>" + Filler('x', 5_000) + "</script><p>" + Filler('a', 20_000) + "</p></body></html>";
        string fitted = ParseBudget.Fit(html, 10_000);
        Assert.Equal(10_000, fitted.Length);
        Assert.StartsWith("<html><body><script></script><p>aaaa", fitted);
    }

    [Theory]
    [InlineData("<SCRIPT type=\"text/javascript\">XXXX</SCRIPT ><p>kept</p>", "<SCRIPT type=\"text/javascript\"></SCRIPT ><p>kept</p>")]
    [InlineData("<script data-x='a>b'>XXXX</script><p>kept</p>", "<script data-x='a>b'></script><p>kept</p>")]
    [InlineData("<script>if (a </b) XXXX</scripts></script><p>kept</p>", "<script></script><p>kept</p>")]
    [InlineData("<!-- <script> --><p>kept</p><style>XXXX</style>", "<!-- <script> --><p>kept</p><style></style>")]
    [InlineData("<scripture>kept</scripture><style\n>XXXX</style>", "<scripture>kept</scripture><style\n></style>")]
    [InlineData("<p>kept</p><script>XXXX never closed", "<p>kept</p><script>")]
    [InlineData("<div data-html='<script>x</script>'>kept</div><script>XXXX</script>", "<div data-html='<script>x</script>'>kept</div><script></script>")]
    [InlineData("<div title=\"a <style> b\">kept</div><p>1 < 2</p><style>XXXX</style>", "<div title=\"a <style> b\">kept</div><p>1 < 2</p><style></style>")]
    public void ScriptAndStyleContents_AreFoundAsTheTokenizerFindsThem(string html, string expected)
    {
        string padded = html + Filler(' ', 100);
        Assert.Equal(expected + Filler(' ', expected.EndsWith("<script>") ? 0 : 100), ParseBudget.Fit(padded, padded.Length - 1));
    }

    private static int CountOf(string text, string value)
    {
        int count = 0;
        for (int i = 0; (i = text.IndexOf(value, i, StringComparison.Ordinal)) >= 0; i += value.Length) count++;
        return count;
    }
}
