using AngleSharp.Html.Parser;
using Crawlscope.Extraction.MainContent;

namespace Crawlscope.Tests.Extraction;

/// <summary>The walk reuses its working lists on a thread: what one page leaves in them never reaches the next.</summary>
public sealed class DomBlocksTests
{
    private static readonly HtmlParser Parser = new();

    private static string Page(int paragraphs, string word) =>
        "<html><body><nav><a href='/'>Home</a></nav><main>" +
        string.Concat(Enumerable.Range(0, paragraphs).Select(i => $"<div class='c{i % 3}'><p>{word} {i} is a sentence long enough to count as text, with <a href='/{i}'>a link</a>.</p></div>")) +
        "</main><footer>Footer text</footer></body></html>";

    private static object[] Summary(DomBlocks b) =>
    [
        b.Count, string.Join(',', b.Parent), string.Join(',', b.Roles), string.Join(',', b.InLink), string.Join(',', b.Text), string.Join(',', b.LinkText),
        string.Join(',', b.OwnText), string.Join(',', b.OwnLinkText), string.Join(',', b.Depth), string.Join(',', b.End), string.Join(',', b.TagAndClass),
        string.Join(',', b.Fingerprints), string.Join(',', b.Contents), string.Join(',', b.Paragraphs), string.Join(',', b.Links),
    ];

    [Fact]
    public void APage_WalkedAfterLargerAndCancelledWalks_GivesTheBlocksOfAWalkOnItsOwn()
    {
        var small = Parser.ParseDocument(Page(3, "Small"));
        var expected = Summary(DomBlocks.Build(small.Body!));
        Assert.Equal(1 + 2 + 1 + 3 * 3 + 1, expected[0]); // body, nav and its link, main, three div/p/a, footer

        // A page of 20,000 elements (past the lists a thread keeps), then a walk cancelled half-way.
        var large = Parser.ParseDocument(Page(6_700, "Large"));
        Assert.True(DomBlocks.Build(large.Body!).Count > 20_000);
        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();
        Assert.Throws<OperationCanceledException>(() => DomBlocks.Build(large.Body!, cancelled.Token));
        Assert.Equal(expected, Summary(DomBlocks.Build(small.Body!)));

        // A walk stopped at its element limit leaves nothing behind either.
        Assert.True(DomBlocks.Build(large.Body!, maxElements: 100).Count > 100);
        Assert.Equal(expected, Summary(DomBlocks.Build(small.Body!)));

        // Other threads walk with their own lists, at the same time.
        var documents = Enumerable.Range(0, 8).Select(i => i % 2 == 0 ? large : Parser.ParseDocument(Page(3, "Small"))).ToArray();
        var results = new object[documents.Length][];
        Parallel.For(0, documents.Length, i => results[i] = Summary(DomBlocks.Build(documents[i].Body!)));
        Assert.All(results.Where((_, i) => i % 2 == 1), r => Assert.Equal(expected, r));
        Assert.All(results.Where((_, i) => i % 2 == 0), r => Assert.Equal(results[0], r));
    }
}
