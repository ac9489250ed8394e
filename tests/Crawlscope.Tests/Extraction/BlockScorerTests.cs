using Crawlscope.Extraction;
using Crawlscope.Extraction.MainContent;
using Crawlscope.Urls;

namespace Crawlscope.Tests.Extraction;

/// <summary>The learned block scorer: the committed model loads and is refused when it does not fit this build, it
/// scores a fixed page the same each time and as its file says, and what is never content stays out whatever it scores.</summary>
public sealed class BlockScorerTests
{
    private static readonly PageExtractor Learned = new(new PageExtractorOptions { Scorer = ReadableScorer.Learned });

    private static string Sentences(string topic, int count) => string.Join(" ", Enumerable.Range(1, count).Select(i =>
        $"Sentence {i} about {topic} says something a reader came for, with enough words to be a paragraph of its own."));

    private static readonly string Article =
        "<!DOCTYPE html><html><head><title>The harbour reopens</title></head><body>" +
        "<header><nav><ul><li><a href='/'>Home</a></li><li><a href='/news'>News</a></li><li><a href='/sport'>Sport</a></li><li><a href='/about'>About us</a></li></ul></nav></header>" +
        $"<main><article><h1>The harbour reopens</h1><p>{Sentences("the boats", 4)}</p><p>{Sentences("the quay", 3)}</p><p>{Sentences("the tides", 3)}</p></article></main>" +
        $"<div class='cookie-consent'><p>{Sentences("cookies and partners", 12)}</p></div>" +
        "<footer><p>Copyright 2026 Harbour News. All rights reserved.</p><ul><li><a href='/privacy'>Privacy</a></li><li><a href='/terms'>Terms</a></li></ul></footer>" +
        "</body></html>";

    private static readonly WebUrl Url = WebUrl.Parse("https://news.example/2026/05/the-harbour-reopens");

    [Fact]
    public void CommittedModel_Loads_WithTheFeaturesThisBuildComputes_AndItsAttribution()
    {
        var model = BlockScorer.Default.Model;
        Assert.Equal(BlockScorerModel.CurrentFormat, model.Format);
        Assert.Equal(BlockFeatures.Names, model.Features);
        Assert.NotEmpty(model.Trees);
        Assert.All(model.Trees, t => Assert.NotEmpty(t.Feature));
        Assert.Contains("CC-BY-4.0", model.Licence);
        Assert.Contains("WCXB", model.Licence);
        Assert.Contains("crawlscope train extraction", model.TrainedBy);
    }

    [Fact]
    public void AModelForOtherFeatures_OrAMalformedTree_IsRefused()
    {
        var model = BlockScorer.Default.Model;
        var otherFeatures = model with { Features = [.. model.Features.Take(model.Features.Length - 1), "something_else"] };
        Assert.Contains("crawlscope train extraction", Assert.Throws<InvalidDataException>(() => new BlockScorer(otherFeatures)).Message);
        var tree = model.Trees[0];
        var badChild = model with { Trees = [tree with { Left = [.. tree.Left.Select(_ => tree.Feature.Length + 5)] }, .. model.Trees.Skip(1)] };
        Assert.Throws<InvalidDataException>(() => new BlockScorer(badChild));
        var badFeature = model with { Trees = [tree with { Feature = [.. tree.Feature.Select(_ => BlockFeatures.Count)] }, .. model.Trees.Skip(1)] };
        Assert.Throws<InvalidDataException>(() => new BlockScorer(badFeature));
        Assert.Throws<InvalidDataException>(() => new BlockScorer(model with { Format = "crawlscope block scorer 0" }));
    }

    [Fact]
    public void AFixedPage_ScoresTheSameEachTime_AndAsTheFileSays()
    {
        var (document, baseUrl) = PageExtractor.Default.Parse(System.Text.Encoding.UTF8.GetBytes(Article), Url);
        var first = MainContentExtractor.Explain(document, baseUrl)!.Value.Decision;
        var again = MainContentExtractor.Explain(PageExtractor.Default.Parse(System.Text.Encoding.UTF8.GetBytes(Article), Url).Document, baseUrl)!.Value.Decision;
        Assert.Equal(first.Scores, again.Scores);
        // The packed trees the crawler walks give the scores of the trees as written in the file.
        var model = BlockScorer.Default.Model;
        for (int b = 0; b < first.Blocks.Count; b++)
            Assert.Equal(BlockScorer.Sum(model.Trees, model.Bias, first.Rows.AsSpan(b * BlockFeatures.Count, BlockFeatures.Count)), first.Scores[b], 9);
        Assert.Equal(Learned.Extract(Article, Url).ReadableMarkdown, Learned.Extract(Article, Url).ReadableMarkdown);
    }

    [Fact]
    public void AnArticle_KeepsItsParagraphs_DropsNavigationFooterAndCookieDialog()
    {
        var page = Learned.Extract(Article, Url);
        Assert.StartsWith("main content (article), ", page.ReadableSource);
        Assert.Contains("kept by the block scorer", page.ReadableSource);
        foreach (var topic in new[] { "the boats", "the quay", "the tides" }) Assert.Contains($"Sentence 2 about {topic}", page.ReadableMarkdown);
        Assert.DoesNotContain("About us", page.ReadableMarkdown);
        Assert.DoesNotContain("All rights reserved", page.ReadableMarkdown);
        // The overlay holds the page's longest text: no score makes it content.
        Assert.DoesNotContain("cookies and partners", page.ReadableMarkdown);
    }

    [Fact]
    public void HiddenText_AndTheSiteTemplate_StayOut_WhateverTheirScore()
    {
        string html = Article.Replace("</article>", $"<div style='display:none'><p>{Sentences("a hidden offer", 3)}</p></div></article>", StringComparison.Ordinal);
        var page = Learned.Extract(html, Url);
        Assert.DoesNotContain("a hidden offer", page.ReadableMarkdown);
        Assert.Contains("Sentence 1 about the quay", page.ReadableMarkdown);

        // The second paragraph is learnt as the site's template: it is left out, the others stay.
        var (document, _) = PageExtractor.Default.Parse(System.Text.Encoding.UTF8.GetBytes(Article), Url);
        var blocks = DomBlocks.Build(document.Body!);
        int quay = Enumerable.Range(0, blocks.Count).First(i => blocks.Elements[i].LocalName == "p" && blocks.Elements[i].TextContent.Contains("the quay", StringComparison.Ordinal));
        var templated = Learned.Extract(Article, Url, siteTemplate: new HashSet<ulong> { blocks.Fingerprints[quay] });
        Assert.DoesNotContain("about the quay", templated.ReadableMarkdown);
        Assert.Contains("about the tides", templated.ReadableMarkdown);
    }

    [Fact]
    public void TheRules_StayTheDefault()
    {
        Assert.Equal(ReadableScorer.Rules, new PageExtractorOptions().Scorer);
        Assert.DoesNotContain("block scorer", PageExtractor.Default.Extract(Article, Url).ReadableSource);
    }
}
