using Crawlscope.Crawling;
using Crawlscope.Extraction;
using Crawlscope.Extraction.MainContent;
using Crawlscope.SampleWeb;
using Crawlscope.Tests.Support;
using Crawlscope.Urls;

namespace Crawlscope.Tests.Extraction;

/// <summary>Learning a site's template: the sample web's templated site repeats prose paragraphs inside every story
/// that no single page can tell from the story; the site's other pages can.</summary>
public sealed class SiteTemplateTests
{
    private const string Appeal = "reader-funded newsroom";
    private const string Biography = "Morgan Lee has covered transport";

    private static WebUrl Url(int i) => WebUrl.Parse("https://www.riverside-chronicle.test" + TemplatedSite.Path(i));

    private static SiteTemplate Learnt(IEnumerable<int> pages)
    {
        var template = new SiteTemplate();
        foreach (int i in pages) template.Learn(PageExtractor.Default.Extract(TemplatedSite.Html(i), Url(i)).BlockFingerprints);
        return template;
    }

    [Fact]
    public void PageOnItsOwn_KeepsTheRepeatedParagraphs_TheLearntTemplateLeavesThemOut()
    {
        var alone = PageExtractor.Default.Extract(TemplatedSite.Html(7), Url(7));
        Assert.Contains(Appeal, alone.ReadableMarkdown);
        Assert.Contains(Biography, alone.ReadableMarkdown);

        var snapshot = Learnt(Enumerable.Range(0, 30)).Snapshot();
        // A page the template was not learnt from, too.
        foreach (int i in new[] { 7, 45 })
        {
            var page = PageExtractor.Default.Extract(TemplatedSite.Html(i), Url(i), siteTemplate: snapshot);
            Assert.DoesNotContain(Appeal, page.ReadableMarkdown);
            Assert.DoesNotContain(Biography, page.ReadableMarkdown);
            Assert.DoesNotContain("Corrections policy", page.ReadableMarkdown);
            Assert.DoesNotContain("Most read", page.ReadableMarkdown);
            foreach (var paragraph in TemplatedSite.ArticleText(i)) Assert.Contains(paragraph, page.ReadableMarkdown);
            Assert.True(page.Readable!.TemplateBlocksLeftOut > 0);
        }
    }

    /// <summary>Attack 16 of the third hardening round: pages 1-20 and 21-60 of one template got two content hashes,
    /// which the recrawl schedule read as a change. The hash is the page's, not the learnt state's.</summary>
    [Fact]
    public void LearningTheTemplate_ChangesTheMarkdown_NotTheContentHash()
    {
        var snapshot = Learnt(Enumerable.Range(0, 30)).Snapshot();
        foreach (int i in new[] { 3, 7, 45 })
        {
            var before = PageExtractor.Default.Extract(TemplatedSite.Html(i), Url(i));
            var after = PageExtractor.Default.Extract(TemplatedSite.Html(i), Url(i), siteTemplate: snapshot);
            Assert.NotEqual(before.ReadableMarkdown, after.ReadableMarkdown);
            Assert.Equal(before.ContentHash, after.ContentHash);
            Assert.Equal(before.SimHash, after.SimHash);
        }
        var other = PageExtractor.Default.Extract(TemplatedSite.Html(8), Url(8), siteTemplate: snapshot);
        Assert.NotEqual(PageExtractor.Default.Extract(TemplatedSite.Html(7), Url(7)).ContentHash, other.ContentHash);
    }

    [Fact]
    public void NoTemplate_BeforeTwentyPages()
    {
        var template = Learnt(Enumerable.Range(0, SiteTemplate.MinPages - 1));
        Assert.Empty(template.Snapshot());
        template.Learn(PageExtractor.Default.Extract(TemplatedSite.Html(99), Url(99)).BlockFingerprints);
        Assert.NotEmpty(template.Snapshot());
    }

    [Fact]
    public void SamePages_SameTemplate_SameMarkdown_WhateverTheOrder()
    {
        var forward = Learnt(Enumerable.Range(0, 25)).Snapshot();
        var backward = Learnt(Enumerable.Range(0, 25).Reverse()).Snapshot();
        Assert.Equal(forward.Order(), backward.Order());
        string a = PageExtractor.Default.Extract(TemplatedSite.Html(3), Url(3), siteTemplate: forward).ReadableMarkdown;
        string b = PageExtractor.Default.Extract(TemplatedSite.Html(3), Url(3), siteTemplate: backward).ReadableMarkdown;
        Assert.Equal(a, b);
    }

    [Fact]
    public void BlocksThatRecurOnFewPages_AreNotTemplate()
    {
        // Twenty pages share the appeal, but only every third shares a box of its own: a third is below the share.
        var template = new SiteTemplate();
        for (int i = 0; i < 30; i++)
        {
            string html = TemplatedSite.Html(i);
            if (i % 3 == 0) html = html.Replace("<h1>", "<div class=\"box\"><p>A box that one page in three carries, long enough to count.</p></div><h1>", StringComparison.Ordinal);
            template.Learn(PageExtractor.Default.Extract(html, Url(i)).BlockFingerprints);
        }
        var page = PageExtractor.Default.Extract(TemplatedSite.Html(0).Replace("<h1>", "<div class=\"box\"><p>A box that one page in three carries, long enough to count.</p></div><h1>", StringComparison.Ordinal),
            Url(0), siteTemplate: template.Snapshot());
        Assert.Contains("A box that one page in three carries", page.ReadableMarkdown);
        Assert.DoesNotContain(Appeal, page.ReadableMarkdown);
    }

    [Fact]
    public void TheTable_StaysBounded()
    {
        var template = new SiteTemplate();
        for (int page = 0; page < 40; page++)
            template.Learn(Enumerable.Range(0, 1_500).Select(i => (ulong)(page * 1_000_003L + i) * 2 + 1).ToList());
        Assert.InRange(template.Blocks, 1, SiteTemplate.MaxBlocks);
        Assert.Equal(40, template.Pages);
    }

    internal static List<ulong> DistinctBlocks(int site, int count) =>
        Enumerable.Range(0, count).Select(i => ((ulong)site << 32 | (uint)i) * 2 + 1).ToList();

    /// <summary>The attack of the hardening sweep: one-page sites of ~49,500 distinct blocks each held ~2.1 MB, and
    /// 633 of them took a crawl from 215 MB to 2.2 GB. Such a page does not look like a site's normal page and is not
    /// learnt at all.</summary>
    [Fact]
    public void PagesOfTensOfThousandsOfBlocks_AreNotLearnt()
    {
        var templates = new SiteTemplates();
        for (int site = 0; site < 50; site++) templates.Learn($"hostile{site}.test", DistinctBlocks(site, 49_500));
        Assert.Equal(0, templates.Blocks);
    }

    [Fact]
    public async Task Crawl_LearnsTheTemplate_AndLaterStoriesAreStoredWithoutIt()
    {
        const string host = "www.riverside-chronicle.test";
        const int stories = 40;
        await using var web = await HostileWeb.StartAsync();
        await using var db = await TempCrawlStore.OpenAsync("template");
        web.Robots(host, "User-agent: *\nAllow: /\n")
            .Html(host, "/", "<html><head><title>Riverside Chronicle</title></head><body>" +
                             string.Concat(Enumerable.Range(0, stories).Select(i => $"<a href=\"{TemplatedSite.Path(i)}\">Story {i}</a> ")) + "</body></html>");
        for (int i = 0; i < stories; i++) web.Html(host, TemplatedSite.Path(i), TemplatedSite.Html(i));

        var keyer = UrlKeyer.Default;
        Assert.True(keyer.TryIdentify(web.Url(host, "/"), out var seed, out _));
        using (var engine = new CrawlEngine(web.Options(host) with { Concurrency = 1 }, db.Store, keyer))
            Assert.Equal(CrawlEnd.Finished, await engine.RunAsync([seed], CancellationToken.None).WaitAsync(TimeSpan.FromMinutes(2)));

        int withAppeal = 0, without = 0;
        for (int i = 0; i < stories; i++)
        {
            Assert.True(keyer.TryIdentify(web.Url(host, TemplatedSite.Path(i)), out var id, out _));
            var page = await db.Store.GetPageAsync(id.Key.Value);
            Assert.NotNull(page);
            foreach (var paragraph in TemplatedSite.ArticleText(i)) Assert.Contains(paragraph, page.ReadableMarkdown);
            if (page.ReadableMarkdown!.Contains(Appeal, StringComparison.Ordinal)) withAppeal++;
            else without++;
        }
        // The site's first twenty pages (the home page among them) teach the template; the stories after them leave it
        // out (give or take the pages whose extraction overlapped the twentieth's: extraction runs on two cores).
        Assert.InRange(withAppeal, SiteTemplate.MinPages - 1, SiteTemplate.MinPages + 2);
        Assert.Equal(stories - withAppeal, without);
    }
}

/// <summary>Measured alone: the memory the process holds is read with <see cref="GC.GetTotalMemory"/>, which counts
/// every thread's objects, so no other test may run meanwhile.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class MemoryMeasuredAlone
{
    public const string Name = "memory measured alone";
}

[Collection(MemoryMeasuredAlone.Name)]
public class SiteTemplateMemoryTests
{
    private static WebUrl Url(int i) => WebUrl.Parse($"https://www.riverside-chronicle.test{TemplatedSite.Path(i)}");


    /// <summary>Sites just under the per-page bound fill the table; the byte budget holds it, in the count and in the
    /// memory the process really holds, and the sites that taught the most pages are the ones kept.</summary>
    [Fact]
    public void ManySites_StayWithinTheByteBudget_AndTheUsefulSitesStay()
    {
        const long budget = 8L << 20;
        var templates = new SiteTemplates(budget);
        var ordinary = Enumerable.Range(0, 30).Select(i => PageExtractor.Default.Extract(TemplatedSite.Html(i), Url(i)).BlockFingerprints).ToList();
        foreach (var page in ordinary) templates.Learn("riverside-chronicle.test", page);
        Assert.NotEmpty(templates.TemplateOf("riverside-chronicle.test"));
        long before = GC.GetTotalMemory(forceFullCollection: true);
        long largest = 0;
        for (int site = 0; site < 3_000; site++)
        {
            templates.Learn($"hostile{site}.test", SiteTemplateTests.DistinctBlocks(site, SiteTemplate.MaxBlocksPerPage - 1));
            largest = Math.Max(largest, templates.Blocks);
        }
        long held = GC.GetTotalMemory(forceFullCollection: true) - before;
        Assert.InRange(largest * SiteTemplate.BytesPerBlock, 1, budget + SiteTemplate.MaxBlocksPerPage * SiteTemplate.BytesPerBlock);
        Assert.True(held < 2 * budget, $"{held / 1e6:F1} MB held for a budget of {budget / 1e6:F1} MB");
        Assert.True(templates.Sites < 3_000, $"{templates.Sites} sites kept");
        Assert.NotEmpty(templates.TemplateOf("riverside-chronicle.test"));
        GC.KeepAlive(templates);
    }
}
