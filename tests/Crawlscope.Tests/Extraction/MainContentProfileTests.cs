using Crawlscope.Extraction;
using Crawlscope.Extraction.MainContent;
using Crawlscope.Urls;

namespace Crawlscope.Tests.Extraction;

/// <summary>Each page type is recognised on a small hand-written page, and its profile keeps what that type's
/// readers came for and leaves out the rest.</summary>
public sealed class MainContentProfileTests
{
    private static ExtractedPage Extract(string url, string body, string head = "", PageType? profile = null) =>
        new PageExtractor(new PageExtractorOptions { PageType = profile })
            .Extract($"<!DOCTYPE html><html><head><title>T</title>{head}</head><body>{body}</body></html>", WebUrl.Parse(url));

    private static string Words(string topic, int sentences) =>
        string.Join(" ", Enumerable.Range(1, sentences).Select(i => $"Sentence {i} about {topic} says something a reader would want to keep, with enough words to count."));

    private const string SiteChrome =
        "<header><a href='/'>Home</a> <a href='/about'>About</a> <a href='/shop'>Shop</a></header>" +
        "<nav><ul><li><a href='/a'>Section A</a></li><li><a href='/b'>Section B</a></li><li><a href='/c'>Section C</a></li></ul></nav>";

    private const string Footer = "<footer><p>Copyright Example Ltd. All rights reserved. Registered in England.</p><a href='/privacy'>Privacy</a></footer>";

    [Fact]
    public void Article_KeepsTheBody_LeavesOutCommentsRelatedAndChrome()
    {
        var page = Extract("https://news.example/2026/05/the-harbour-reopens-after-two-years",
            SiteChrome + "<main><article><h1>The harbour reopens</h1>" +
            $"<p>{Words("the harbour", 4)}</p><p>{Words("the boats", 4)}</p></article>" +
            $"<section class='comments'><h3>3 comments</h3><div class='comment'><p>{Words("a reader's complaint", 3)}</p></div></section>" +
            "<aside class='related'><h3>Related</h3><ul><li><a href='/x'>Another story about boats</a></li><li><a href='/y'>Yet another</a></li></ul></aside></main>" + Footer,
            "<script type='application/ld+json'>{\"@type\":\"NewsArticle\",\"headline\":\"The harbour reopens\"}</script>");
        Assert.Equal(PageType.Article, page.PageType!.Type);
        Assert.Contains("Sentence 4 about the boats", page.ReadableMarkdown);
        Assert.DoesNotContain("a reader's complaint", page.ReadableMarkdown);
        Assert.DoesNotContain("Another story", page.ReadableMarkdown);
        Assert.DoesNotContain("Copyright", page.ReadableMarkdown);
        Assert.DoesNotContain("Section A", page.ReadableMarkdown);
    }

    [Fact]
    public void Forum_KeepsEveryPost_IncludingThoseInCommentContainers()
    {
        string posts = string.Concat(Enumerable.Range(1, 4).Select(i =>
            $"<div class='comment post' id='post-{i}'><div class='author'><a href='/u/{i}'>user{i}</a></div><div class='message'><p>{Words($"reply {i}", 3)}</p></div></div>"));
        string question = $"<div class='post first'><div class='author'><a href='/u/0'>asker</a></div><div class='message'><p>{Words("the question", 3)}</p></div></div>";
        string body = SiteChrome + $"<main><h1>Which telescope for a beginner?</h1><div class='thread'>{question}{posts}</div></main>" + Footer;
        var page = Extract("https://forum.example/threads/which-telescope-for-a-beginner.123/", body);
        Assert.Equal(PageType.Forum, page.PageType!.Type);
        Assert.Contains("about the question says", page.ReadableMarkdown);
        for (int i = 1; i <= 4; i++) Assert.Contains($"about reply {i} says", page.ReadableMarkdown);
        Assert.DoesNotContain("Section A", page.ReadableMarkdown);
        // The article profile would have taken the replies for readers' comments.
        var asArticle = Extract("https://forum.example/threads/x.1/", body, profile: PageType.Article);
        Assert.Contains("about the question says", asArticle.ReadableMarkdown);
        Assert.DoesNotContain("about reply 2 says", asArticle.ReadableMarkdown);
    }

    [Fact]
    public void Listing_KeepsTheRepeatedCards_DropsTheFilterPanel()
    {
        string cards = string.Concat(Enumerable.Range(1, 8).Select(i =>
            $"<div class='card'><h3><a href='/blog/story-{i}'>Story number {i}: what the town learned this year</a></h3><p>By Staff · May {i}</p><p>A short teaser for story {i}, written to make readers click through.</p></div>"));
        string body = SiteChrome + "<div class='layout'><div class='filters'><h4>Filter</h4><label>Topic</label><ul><li><a href='?t=1'>Town</a></li><li><a href='?t=2'>Sport</a></li></ul></div>" +
                      $"<main><h1>Blog</h1><div class='grid'>{cards}</div></main></div>" + Footer;
        var page = Extract("https://www.example.org/blog/", body);
        // The article profile drops linked headlines as link lists.
        Assert.DoesNotContain("Story number 3: what", Extract("https://www.example.org/blog/", body, profile: PageType.Article).ReadableMarkdown);
        Assert.Equal(PageType.Listing, page.PageType!.Type);
        for (int i = 1; i <= 8; i++)
        {
            Assert.Contains($"Story number {i}: what the town learned", page.ReadableMarkdown);
            Assert.Contains($"teaser for story {i},", page.ReadableMarkdown);
        }
        Assert.DoesNotContain("Filter", page.ReadableMarkdown);
    }

    [Fact]
    public void HomePageOfStories_IsAListing_AndAPageListingArticlesInJsonLdToo()
    {
        string cards = string.Concat(Enumerable.Range(1, 9).Select(i =>
            $"<div class='c'><h2><a href='/2026/story-{i}'>A headline for story {i} that runs long enough</a></h2><span>May {i}</span></div>"));
        string body = SiteChrome + $"<main>{cards}<section><h2>About us</h2><p>{Words("the newsroom", 20)}</p></section></main>" + Footer;
        var home = Extract("https://www.paper.example/", body);
        Assert.Equal(PageType.Listing, home.PageType!.Type);
        Assert.Contains(home.PageType.Signals, s => s.Evidence == PageTypeEvidence.HomePageCards && s.Type == PageType.Listing);

        string items = string.Join(",", Enumerable.Range(1, 4).Select(i => $"{{\"@type\":\"BlogPosting\",\"headline\":\"Post {i}\"}}"));
        var index = Extract("https://www.paper.example/some/section", body, $"<script type='application/ld+json'>{{\"@graph\":[{items}]}}</script>");
        Assert.Equal(PageType.Listing, index.PageType!.Type);
    }

    [Fact]
    public void Collection_KeepsEveryProductCard()
    {
        string cards = string.Concat(Enumerable.Range(1, 12).Select(i =>
            $"<li class='product-card'><a href='/products/mug-{i}'><img src='/m{i}.jpg' alt='Mug {i}'>Stoneware mug model {i}</a><span class='price'>£{10 + i}.00</span><button class='add-to-cart'>Add</button></li>"));
        var page = Extract("https://shop.example/collections/mugs",
            SiteChrome + $"<main><h1>Mugs</h1><p>Hand-thrown stoneware mugs, glazed in small batches in our own workshop.</p><ul class='products'>{cards}</ul></main>" + Footer);
        Assert.Equal(PageType.Collection, page.PageType!.Type);
        for (int i = 1; i <= 12; i++) Assert.Contains($"Stoneware mug model {i}", page.ReadableMarkdown);
        Assert.Contains("£15.00", page.ReadableMarkdown);
        Assert.DoesNotContain("![", page.ReadableMarkdown);
    }

    [Fact]
    public void Product_TakesTheDescriptionFromJsonLd_WhenThePageLacksIt()
    {
        const string description = "A waxed cotton jacket with a corduroy collar, two bellows pockets and a tartan lining, made to last for decades.";
        var page = Extract("https://shop.example/products/waxed-jacket",
            SiteChrome + "<main><div class='product'><h1>Waxed jacket</h1><span class='price'>£249</span><button class='add-to-cart'>Add to basket</button>" +
            "<table class='specs'><tr><th>Material</th><td>Waxed cotton, 8 oz</td></tr><tr><th>Lining</th><td>Tartan wool blend</td></tr></table></div></main>" + Footer,
            "<script type='application/ld+json'>{\"@context\":\"https://schema.org\",\"@type\":\"Product\",\"name\":\"Waxed jacket\"," +
            $"\"description\":\"{description}\",\"offers\":{{\"@type\":\"Offer\",\"price\":\"249\"}}}}</script>");
        Assert.Equal(PageType.Product, page.PageType!.Type);
        Assert.Contains(description, page.ReadableMarkdown);
        Assert.Contains("Waxed cotton, 8 oz", page.ReadableMarkdown);
        Assert.True(page.Readable!.WithStructuredDescription);
    }

    [Fact]
    public void Service_KeepsAllItsSections()
    {
        string[] names = ["Bookkeeping", "Payroll", "Tax returns", "Advice"];
        string sections = string.Concat(names.Select(n => $"<section class='block'><h2>{n}</h2><p>{Words(n, 2)}</p></section>"));
        var page = Extract("https://www.accounts.example/services/small-business/",
            SiteChrome + $"<main><section class='hero'><h1>Accounting for small firms</h1><p>{Words("our practice", 1)}</p></section>{sections}</main>" + Footer);
        Assert.Equal(PageType.Service, page.PageType!.Type);
        foreach (var n in names)
        {
            Assert.Contains("## " + n, page.ReadableMarkdown);
            Assert.Contains($"about {n} says", page.ReadableMarkdown);
        }
        Assert.Contains("about our practice", page.ReadableMarkdown);
    }

    [Fact]
    public void Documentation_KeepsCodeWithItsLanguage_DropsTheSidebarAndTableOfContents()
    {
        var page = Extract("https://docs.example.dev/guide/configuration/",
            "<nav class='sidebar'><ul><li><a href='/guide/install'>Install</a></li><li><a href='/guide/configuration'>Configuration</a></li></ul></nav>" +
            "<div class='content'><div class='toc'><p>On this page</p><ul><li><a href='#files'>Files</a></li><li><a href='#env'>Environment</a></li></ul></div>" +
            $"<article><h1>Configuration</h1><p>{Words("configuration files", 2)}</p>" +
            "<pre><code class='language-toml'>[server]\nport = 8080</code></pre>" +
            $"<h2 id='env'>Environment</h2><p>{Words("environment variables", 2)}</p>" +
            "<pre><code class='language-bash'>export APP_PORT=8080</code></pre></article></div>");
        Assert.Equal(PageType.Documentation, page.PageType!.Type);
        Assert.Contains("```toml\n[server]\nport = 8080\n```", page.ReadableMarkdown);
        Assert.Contains("```bash\nexport APP_PORT=8080\n```", page.ReadableMarkdown);
        Assert.DoesNotContain("On this page", page.ReadableMarkdown);
        Assert.DoesNotContain("Install", page.ReadableMarkdown);
    }

    [Fact]
    public void ContentOnlyInNoscript_IsRead()
    {
        var page = Extract("https://forum.example/t/some-topic/42",
            $"<div id='app'></div><noscript><div class='post'><p>{Words("a post served to crawlers", 4)}</p></div></noscript>");
        Assert.Contains("a post served to crawlers", page.ReadableMarkdown);
    }

    [Fact]
    public void PageWideCurtain_HidesNothing_ButAHiddenMenuBesideItStaysOut()
    {
        var page = Extract("https://news.example/2026/05/a-story-behind-a-curtain",
            $"<div id='menu' style='display:none'><p>{Words("the hidden menu", 2)}</p></div>" +
            $"<div id='app' style='visibility:hidden'><main><article><p>{Words("the story", 4)}</p></article></main></div>");
        Assert.Equal(ReadableOrigin.MainContent, page.Readable!.Origin);
        Assert.Contains("about the story says", page.ReadableMarkdown);
        Assert.DoesNotContain("the hidden menu", page.ReadableMarkdown);
    }

    [Fact]
    public void CookieDialog_IsNeverContent_EvenWhenItIsTheLongestText()
    {
        var page = Extract("https://news.example/2026/05/short-note-on-the-weather",
            $"<div id='onetrust-consent-sdk'><div class='cookie-banner'><p>{Words("cookies and partners", 10)}</p></div></div>" +
            $"<main><article><p>{Words("the weather", 3)}</p></article></main>");
        Assert.Contains("about the weather", page.ReadableMarkdown);
        Assert.DoesNotContain("cookies and partners", page.ReadableMarkdown);
    }
}

/// <summary>The readable Markdown keeps the content's structure: headings, ordered and nested lists, GFM tables,
/// fenced code with its language, quotes, absolute links, and images only where they are figures of the content.</summary>
public sealed class ReadableMarkdownStructureTests
{
    private static readonly string Prose = string.Join(" ", Enumerable.Repeat("The survey asked every household about the river crossing and the answers surprised the council.", 3));

    private static string Readable(string article) => PageExtractor.Default.Extract(
        "<!DOCTYPE html><html><head><title>Report</title></head><body><nav><a href='/'>Home</a> <a href='/news'>News</a></nav>" +
        $"<main><article><h1>The report</h1><p>{Prose}</p>{article}<p>{Prose.Replace("council", "mayor", StringComparison.Ordinal)}</p></article></main>" +
        "<footer><p>Copyright 2026 Example</p></footer></body></html>", WebUrl.Parse("https://www.example.org/news/2026/the-report")).ReadableMarkdown;

    [Fact]
    public void Headings_KeepTheirLevels() =>
        Assert.Contains("## What we found\n\nSome findings.\n\n### In detail", Readable("<h2>What we found</h2><p>Some findings.</p><h3>In detail</h3>"));

    [Fact]
    public void OrderedAndNestedLists()
    {
        string md = Readable("<ol start='3'><li>Third step<ul><li>a detail</li><li>another detail</li></ul></li><li>Fourth step</li></ol>");
        Assert.Contains("3. Third step\n   - a detail\n   - another detail\n4. Fourth step", md);
    }

    [Fact]
    public void Tables_AsGfm()
    {
        string md = Readable("<table><thead><tr><th>Year</th><th>Crossings</th></tr></thead><tbody><tr><td>2025</td><td>1,200</td></tr><tr><td>2026</td><td>1,450</td></tr></tbody></table>");
        Assert.Contains("| Year | Crossings |\n| --- | --- |\n| 2025 | 1,200 |\n| 2026 | 1,450 |", md);
    }

    [Fact]
    public void CodeBlocks_KeepTheirLanguage() =>
        Assert.Contains("```python\nprint(\"hello\")\n```", Readable("<pre><code class='language-python'>print(\"hello\")</code></pre>"));

    [Fact]
    public void BlockQuotes() =>
        Assert.Contains("> We will build it by spring.", Readable("<blockquote><p>We will build it by spring.</p></blockquote>"));

    [Fact]
    public void Links_AreAbsolute() =>
        Assert.Contains("[the full survey](https://www.example.org/files/survey.pdf)", Readable("<p>Read <a href='/files/survey.pdf'>the full survey</a> online.</p>"));

    [Fact]
    public void Images_OnlyWhenTheyAreFiguresOfTheContent()
    {
        string md = Readable("<figure><img src='/img/bridge.jpg' alt='The new bridge at dusk'><figcaption>The bridge at dusk.</figcaption></figure>" +
                             "<p><img src='/icons/share.png' alt='share'> <a href='/other'><img src='/thumbs/other.jpg' alt='Another story'></a></p>");
        Assert.Contains("![The new bridge at dusk](https://www.example.org/img/bridge.jpg)", md);
        Assert.Contains("The bridge at dusk.", md);
        Assert.DoesNotContain("share.png", md);
        Assert.DoesNotContain("Another story", md);
    }
}
