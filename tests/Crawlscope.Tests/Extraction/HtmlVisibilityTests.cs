using AngleSharp.Html.Parser;
using Crawlscope.Classification;
using Crawlscope.Extraction;
using Crawlscope.Urls;

namespace Crawlscope.Tests.Extraction;

/// <summary>The common ways of hiding text with an inline style (attack 15 of the third hardening round) are read as
/// hidden by every walk: the Markdown leaves the text out and the spam statistics count it as hidden. Text out of sight
/// until a script or a click shows it (fade-ins, accordions) stays in the Markdown, as a reader sees it, but counts as
/// hidden too; keywords stuffed either way raise the spam score. Styles that only look alike stay visible.</summary>
public sealed class HtmlVisibilityTests
{
    public static TheoryData<string> HidingStyles =>
    [
        "display:none", "display:\tnone", "display:/**/none", "DISPLAY: NONE !important", "display :\n none",
        "visibility:hidden", "visibility: collapse", "font-size:0", "font-size: 0px",
        "position:absolute; left:-9999px", "position: fixed; top: -10000px", "text-indent:-9999px",
        "clip-path: inset(100%)", "clip-path:inset(50%)", "position:absolute; clip: rect(0 0 0 0)", "clip: rect(1px, 1px, 1px, 1px)",
    ];

    public static TheoryData<string> UntilShownStyles =>
        ["opacity:0", "opacity: 0.0", "height:0; overflow:hidden", "max-height: 0px; overflow-y: hidden", "transform: scale(0)"];

    public static TheoryData<string> VisibleStyles =>
    [
        "display:block", "color:red", "opacity:0.5", "font-size:10px", "height:0", "overflow:hidden", "position:absolute; left:10px",
        "margin:0; padding:0", "clip-path: inset(10%)", "visibility:visible", "text-indent: 2em", "/* display:none */ color: blue",
    ];

    [Theory]
    [MemberData(nameof(HidingStyles))]
    public void HidingStyle_IsHidden(string style) => Assert.True(HtmlVisibility.IsHidden(Element(style)), style);

    [Theory]
    [MemberData(nameof(VisibleStyles))]
    public void OrdinaryStyle_IsVisible(string style)
    {
        Assert.False(HtmlVisibility.IsHidden(Element(style)), style);
        Assert.False(HtmlVisibility.IsOutOfSight(Element(style)), style);
    }

    [Theory]
    [MemberData(nameof(UntilShownStyles))]
    public void UntilShownStyle_IsOutOfSight_NotHidden(string style)
    {
        Assert.False(HtmlVisibility.IsHidden(Element(style)), style);
        Assert.True(HtmlVisibility.IsOutOfSight(Element(style)), style);
    }

    [Fact]
    public void ZeroFontSize_WithAChildThatSetsItsOwnSize_IsVisible()
    {
        var doc = new HtmlParser().ParseDocument("<ul style='font-size:0'><li style='font-size:14px'>A menu entry</li></ul>");
        Assert.False(HtmlVisibility.IsHidden(doc.QuerySelector("ul")!));
    }

    [Theory]
    [MemberData(nameof(HidingStyles))]
    public void HiddenText_StaysOutOfTheReadableMarkdown_AndCountsAsHidden(string style)
    {
        const string secret = "Cheap replica watches discount casino bonus";
        var page = Extract(style, secret);
        Assert.DoesNotContain(secret, page.ReadableMarkdown);
        Assert.DoesNotContain(secret, page.Markdown);
        Assert.Contains(secret, page.Statistics.HiddenText);
    }

    [Theory]
    [MemberData(nameof(UntilShownStyles))]
    public void TextUntilShown_StaysInTheReadableMarkdown_AndCountsAsHidden(string style)
    {
        const string answer = "The answer behind the accordion explains the return policy";
        var page = Extract(style, answer);
        Assert.Contains(answer, page.ReadableMarkdown);
        Assert.Contains(answer, page.Statistics.HiddenText);
    }

    private static ExtractedPage Extract(string style, string text) =>
        new PageExtractor().Extract("<!DOCTYPE html><html><head><title>A story</title></head><body><main><article><h1>A story</h1>" +
            string.Concat(Enumerable.Range(1, 6).Select(i => $"<p>Paragraph {i} of the story tells the reader what happened in the harbour, at some length, as stories do.</p>")) +
            $"<div style=\"{style}\"><p>{text}</p></div></article></main></body></html>", WebUrl.Parse("https://news.example/2026/a-story"));

    [Fact]
    public void KeywordsStuffedInAnyHidingStyle_RaiseTheSpamScore()
    {
        foreach (var style in new[] { "display:/**/none", "opacity:0", "position:absolute;left:-5000px", "height:0;overflow:hidden", "clip-path:inset(100%)" })
        {
            string stuffing = string.Join(" ", Enumerable.Repeat("cheap pills online pharmacy", 120));
            string html = "<!DOCTYPE html><html><head><title>Shop</title></head><body><main><p>We sell things, as shops do, to people who want them.</p>" +
                $"<div style=\"{style}\">{stuffing}</div></main></body></html>";
            var verdict = SpamClassifier.Classify(new PageExtractor().Extract(html, WebUrl.Parse("https://shop.example/")));
            Assert.True(verdict.Level > 0, style);
        }
    }

    private static AngleSharp.Dom.IElement Element(string style)
    {
        var doc = new HtmlParser().ParseDocument("<div id='x'><p>text</p></div>");
        var e = doc.QuerySelector("#x")!;
        e.SetAttribute("style", style);
        return e;
    }
}
