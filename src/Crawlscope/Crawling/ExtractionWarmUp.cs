using System.Text;
using Crawlscope.Classification;
using Crawlscope.Extraction;
using Crawlscope.Urls;

namespace Crawlscope.Crawling;

/// <summary>
/// A crawl's first page otherwise waits for the extraction steps' methods to be compiled one after another while
/// robots.txt and the first fetches leave a core idle; extracting a built-in page at the start, on another thread,
/// compiles them in that idle time. The page is thrown away and touches no crawl state (no site template, no store).
/// </summary>
internal static class ExtractionWarmUp
{
    private static readonly WebUrl Url = WebUrl.Parse("https://warm-up.invalid/articles/first");

    // One of each thing the steps treat apart: head metadata, navigation, an article with headings, lists, a table,
    // code, a quote, a figure, a form, comments and a footer.
    private static readonly byte[] Page = Encoding.UTF8.GetBytes("""
        <!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>First article - Warm-up News</title>
        <meta name="description" content="An article with every kind of block."><meta name="robots" content="index, follow">
        <link rel="canonical" href="https://warm-up.invalid/articles/first"><meta property="og:title" content="First article">
        <script type="application/ld+json">{"@context":"https://schema.org","@type":"NewsArticle","headline":"First article"}</script>
        <style>.hidden{display:none}</style></head>
        <body><header class="site-header"><nav role="navigation"><ul><li><a href="/">Home</a></li><li><a href="/world">World</a></li>
        <li><a href="/sport" rel="nofollow">Sport</a></li></ul></nav></header>
        <main><article><h1>First article</h1><p class="byline">By A. Writer, <time datetime="2026-01-02">2 January 2026</time></p>
        <p>The first paragraph says what happened, where, and why it matters to readers of this page &amp; others.</p>
        <h2>Details</h2><p>A second paragraph with <a href="/articles/second">a link</a>, <em>emphasis</em> and <strong>weight</strong>.</p>
        <ul><li>One point</li><li>Another point</li></ul><ol><li>First step</li><li>Second step</li></ol>
        <table><thead><tr><th>Year</th><th>Count</th></tr></thead><tbody><tr><td>2025</td><td>12</td></tr></tbody></table>
        <pre><code class="language-csharp">var x = 1;</code></pre><blockquote><p>A quoted sentence.</p></blockquote>
        <figure><img src="/a.jpg" alt="A picture"><figcaption>The caption</figcaption></figure>
        <p class="hidden">Hidden text</p></article>
        <aside class="related"><h3>Related</h3><ul><li><a href="/articles/third">Third article</a></li></ul></aside>
        <section class="comments"><div class="comment"><p>A reader's comment.</p></div></section>
        <form action="/search"><input name="q"><button>Search</button></form></main>
        <footer><p>© Warm-up News</p><a href="/about">About</a> <a href="/contact">Contact</a></footer></body></html>
        """);

    /// <summary>Starts the warm-up on the thread pool, extracting as the crawl does; the crawl does not wait for it.</summary>
    public static void Start(CrawlOptions options) => _ = Task.Run(() => Run(options));

    /// <summary>The built-in page through the extraction steps and the spam classifier.</summary>
    internal static (ExtractedPage Page, SpamVerdict Spam) Run(CrawlOptions options)
    {
        var page = new PageExtractor(options.ExtractorOptions()).Extract(Page, Url, "text/html; charset=utf-8");
        return (page, SpamClassifier.Classify(page));
    }
}
