using AngleSharp.Dom;
using AngleSharp.Html.Parser;
using Crawlscope.Evaluation;
using Crawlscope.Extraction;
using Crawlscope.Tests.Support;
using Crawlscope.Urls;
using Markdig;
using Markdig.Syntax;
using Markdig.Syntax.Inlines;
using Xunit.Abstractions;

namespace Crawlscope.Tests.Extraction;

public class MarkdownConverterTests(ITestOutputHelper output)
{
    private static readonly WebUrl Base = WebUrl.Parse("https://example.com/dir/page.html");
    private static readonly HtmlParser Parser = new();

    private static string Md(string bodyHtml) => MarkdownConverter.Convert(Parser.ParseDocument("<html><body>" + bodyHtml + "</body></html>").Body!, Base);

    [Theory]
    [InlineData(255)]
    [InlineData(256)]
    [InlineData(300)]
    [InlineData(5_000)]
    [InlineData(16 * 1024 - 1)]
    [InlineData(16 * 1024)]
    [InlineData(40_000)]
    public void TextNodes_OfAnyLength_AfterASpaceFromTheNodeBefore_AreJoinedWithOneSpace(int length)
    {
        // Two text nodes of one paragraph: the second is written after the space the first ended with, and is escaped.
        string word = new('x', length - 1);
        Assert.Equal("lead " + word + "\\*", Md("<p>lead <!-- split -->" + word + "*</p>"));
        Assert.Equal(word + "\\* " + word + "\\*", Md("<p>" + word + "* <!-- split -->" + word + "*</p>"));
    }

    [SkippableTheory]
    [InlineData("<h1>Title</h1><h3>Sub <em>x</em></h3>", "# Title\n\n### Sub *x*")]
    [InlineData("<p>One\n  two</p><p>Three</p>", "One two\n\nThree")]
    [InlineData("<p>a<br>b</p>", "a\\\nb")]
    [InlineData("<ul><li>a</li><li>b<ul><li>c</li></ul></li></ul>", "- a\n- b\n  - c")]
    [InlineData("<ol start=\"3\"><li>x</li><li>y</li></ol>", "3. x\n4. y")]
    [InlineData("<blockquote><p>q1</p><p>q2</p></blockquote>", "> q1\n>\n> q2")]
    [InlineData("<pre><code class=\"language-csharp\">var x = 1;\n```\n</code></pre>", "````csharp\nvar x = 1;\n```\n````")]
    [InlineData("<p>use <code>a`b</code> here</p>", "use ``a`b`` here")]
    [InlineData("<p><code>`tick</code></p>", "`` `tick ``")]
    [InlineData("<p><strong>bold</strong> and <i>it</i></p>", "**bold** and *it*")]
    [InlineData("<p><a href=\"../x?a=1\">link</a> <img src=\"/i.png\" alt=\"pic\"></p>", "[link](https://example.com/x?a=1) ![pic](https://example.com/i.png)")]
    [InlineData("<hr>", "---")]
    [InlineData("<table><tr><th>h1</th><th>h|2</th></tr><tr><td>a</td><td>b</td></tr></table>", "| h1 | h\\|2 |\n| --- | --- |\n| a | b |")]
    [InlineData("<table><tr><td>left</td><td>right</td></tr></table>", "left\n\nright")]
    [InlineData("<p>1. not a list *star* _u_ [br] &lt;tag&gt; snake_case</p>", "1\\. not a list \\*star\\* \\_u\\_ \\[br\\] \\<tag> snake_case")]
    [InlineData("<p># not heading</p>", "\\# not heading")]
    public void Convert_Constructs(string html, string expected) => Assert.Equal(expected, Md(html));

    [SkippableTheory]
    [InlineData("<script>alert(1)</script><style>p{}</style><noscript>ns</noscript><template>t</template><p>kept</p>")]
    [InlineData("<svg><text>s</text></svg><iframe src=x></iframe><input value=v><select><option>o</option></select><p>kept</p>")]
    [InlineData("<div hidden>h</div><div aria-hidden=\"true\">h</div><div style=\"display: none\">h</div><p>kept</p>")]
    public void Convert_SkipsInvisible(string html) => Assert.Equal("kept", Md(html));

    [SkippableFact]
    public void Convert_ShowsAPageWideCurtain_AsTheScriptThatLiftsItWould()
    {
        // React streams a page's content into a hidden div and a script moves it into its placeholder: a reader sees it.
        const string streamed = "<div hidden=\"\"><!--$--></div><template id=\"B:0\"></template><script>$RC(\"B:0\",\"S:0\")</script>" +
            "<div hidden id=\"S:0\"><nav><a href=\"/\">Home</a></nav><article><h1>Title</h1><p>The first paragraph of the article.</p></article></div>";
        Assert.Equal("[Home](https://example.com/)\n\n# Title\n\nThe first paragraph of the article.", Md(streamed));
        // Under a visible grandparent too; what is hidden inside the curtain stays hidden.
        Assert.Equal("Behind a curtain, the page's text.\n\nOpen", Md("<main><div aria-hidden=\"true\"><p>Behind a curtain, the page's text.</p><p hidden>A hidden note.</p></div></main><p>Open</p>"));

        // A script's shell whose page for readers without scripts is in a noscript (Discourse): that page is read.
        Assert.Equal("[Forum](https://example.com/)\n\nThe first post of the topic.", Md("<section id=\"d-splash\"><div class=\"dots\"></div></section>" +
            "<noscript><header><a href=\"/\">Forum</a></header><div id=\"main-outlet\"><p>The first post of the topic.</p></div></noscript>"));

        // A hidden menu holding less than half of the text, and a large hidden block deeper than a grandchild, stay out.
        Assert.Equal("The visible paragraph, most of the text.", Md("<div hidden><p>A menu</p></div><p>The visible paragraph, most of the text.</p>"));
        Assert.Equal("Short", Md("<div><div><div hidden><p>A long hidden text deep in the page, most of its characters.</p></div></div></div><p>Short</p>"));
        Assert.Equal("The page's own text, most of it.", Md("<noscript>Enable scripts.</noscript><p>The page's own text, most of it.</p>"));
    }

    [SkippableTheory]
    [InlineData("<a href=\"javascript:alert(1)\">click</a>", "click")]
    [InlineData("<img src=\"data:image/png;base64,AAA\" alt=\"x\">", "")]
    [InlineData("<img src=\"data:x\" data-src=\"/real.png\" alt=\"lazy\">", "![lazy](https://example.com/real.png)")]
    public void Convert_UnsafeOrPlaceholderUrls(string html, string expected) => Assert.Equal(expected, Md(html));

    [SkippableFact]
    public void Corpus_MarkdigReadsBackTheSameText_AndConversionIsIdempotent()
    {
        string dir = SharedData.Find("datasets/article-extraction-benchmark/html");
        var pipeline = new MarkdownPipelineBuilder().UsePipeTables().UseEmphasisExtras().Build();
        int pages = 0, textMismatches = 0, notIdempotent = 0;
        foreach (var file in Directory.GetFiles(dir, "*.html.gz").Order())
        {
            pages++;
            var doc = Parser.ParseDocument(System.Text.Encoding.UTF8.GetString(BoilerpipeOracleTests.Gunzip(file)));
            string md = MarkdownConverter.Convert(doc.Body!, Base);

            // 1. Markdig sees exactly the page's visible words (images aside), in the same order.
            var expected = TextMetrics.PythonWordTokens(VisibleText(doc.Body!));
            var actual = TextMetrics.PythonWordTokens(MarkdigText(Markdown.Parse(md, pipeline)));
            if (!expected.SequenceEqual(actual))
            {
                textMismatches++;
                int at = expected.Zip(actual).TakeWhile(p => p.First == p.Second).Count();
                output.WriteLine($"{Path.GetFileName(file)}: text differs at word {at}: ...{string.Join(' ', expected.Skip(Math.Max(0, at - 3)).Take(8))} vs {string.Join(' ', actual.Skip(Math.Max(0, at - 3)).Take(8))}");
            }

            // 2. Markdown -> HTML (Markdig) -> Markdown (ours) gives the same Markdown.
            // Markdig's HTML writer percent-encodes '~' and '\'' in URLs (equivalent URLs); undo that one artifact.
            string html = Markdown.ToHtml(md, pipeline).Replace("%7E", "~").Replace("%27", "'");
            string again = MarkdownConverter.Convert(Parser.ParseDocument(html).Body!, Base);
            if (again != md)
            {
                notIdempotent++;
                int at = md.Zip(again).TakeWhile(p => p.First == p.Second).Count();
                output.WriteLine($"{Path.GetFileName(file)}: not idempotent at {at}: {Snip(md, at)} | {Snip(again, at)}");
            }
        }
        string summary = $"Markdown on {pages} pages: {pages - textMismatches} read back with the same words, {pages - notIdempotent} idempotent";
        output.WriteLine(summary);
        Console.WriteLine(summary);
        Assert.True(textMismatches == 0 && notIdempotent <= pages / 50, summary);
    }

    private static string Snip(string s, int at) => System.Text.Json.JsonSerializer.Serialize(s.Substring(Math.Max(0, at - 20), Math.Min(50, s.Length - Math.Max(0, at - 20))));

    private static readonly HashSet<string> Blocks = new(StringComparer.OrdinalIgnoreCase)
    {
        "address", "article", "aside", "blockquote", "body", "br", "center", "details", "dd", "div", "dl", "dt", "fieldset",
        "figcaption", "figure", "footer", "form", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hgroup", "hr", "li", "main",
        "menu", "nav", "ol", "p", "pre", "section", "summary", "table", "tbody", "td", "tfoot", "th", "thead", "tr", "ul",
        "caption", "legend", "img", "search", "noframes",
    };

    /// <summary>The words a reader sees: text outside skipped and hidden elements, blocks apart, inline runs joined.</summary>
    private static string VisibleText(INode node)
    {
        var sb = new System.Text.StringBuilder();
        void Walk(INode n)
        {
            foreach (var c in n.ChildNodes)
            {
                if (c is IText t) sb.Append(t.Data);
                else if (c is IElement e && !HtmlVisibility.IsSkipped(e))
                {
                    bool block = Blocks.Contains(e.LocalName);
                    if (block) sb.Append(' ');
                    Walk(e);
                    if (block) sb.Append(' ');
                }
            }
        }
        Walk(node);
        return sb.ToString();
    }

    /// <summary>The text Markdig parsed, leaving out image descriptions (alt text is not page text).</summary>
    private static string MarkdigText(MarkdownDocument doc)
    {
        var sb = new System.Text.StringBuilder();
        foreach (var block in doc.Descendants<LeafBlock>())
        {
            if (block is FencedCodeBlock fenced)
            {
                foreach (var line in fenced.Lines.Lines.Take(fenced.Lines.Count)) sb.Append(line.Slice.ToString()).Append(' ');
                continue;
            }
            if (block.Inline is null) continue;
            foreach (var inline in block.Inline.Descendants<Inline>())
            {
                if (InsideImage(inline)) continue;
                switch (inline)
                {
                    case LiteralInline lit: sb.Append(lit.Content.ToString()); break;
                    case CodeInline code: sb.Append(code.Content); break;
                    case LineBreakInline: sb.Append(' '); break;
                    case LinkInline { IsImage: true }: sb.Append(' '); break;
                }
            }
            sb.Append(' ');
        }
        // Table cells are inline containers of one leaf block; Markdig keeps their text in literal inlines too.
        return sb.ToString();
    }

    private static bool InsideImage(Inline inline)
    {
        for (var p = inline.Parent; p is not null; p = p.Parent)
            if (p is LinkInline { IsImage: true }) return true;
        return false;
    }
}
