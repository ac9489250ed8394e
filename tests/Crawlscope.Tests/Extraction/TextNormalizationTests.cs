using Crawlscope.Extraction;

namespace Crawlscope.Tests.Extraction;

public class TextNormalizationTests
{
    [Theory]
    [InlineData(null, "")]
    [InlineData("", "")]
    [InlineData("   \n\t ", "")]
    [InlineData("  a \n\t b\u00a0\u2003c  ", "a b c")]
    [InlineData("one two", "one two")]
    [InlineData("one  two", "one two")]
    [InlineData("x\ny", "x y")]
    public void CollapseWhitespace_OneSpacePerRun_Trimmed(string? text, string expected) =>
        Assert.Equal(expected, TextNormalization.CollapseWhitespace(text));

    [Fact]
    public void CollapsedText_AcrossPieces_EqualsCollapsingTheConcatenation()
    {
        var random = new Random(5);
        string[] pieces = ["a", " ", "\n", "bc", "\u00a0", "  d ", "", "e\t"];
        for (int n = 0; n < 500; n++)
        {
            var parts = Enumerable.Range(0, random.Next(0, 12)).Select(_ => pieces[random.Next(pieces.Length)]).ToList();
            // A small starting buffer, so appending also grows it.
            using var text = new CollapsedText(capacity: 2);
            foreach (var p in parts) text.Append(p);
            Assert.Equal(TextNormalization.CollapseWhitespace(string.Concat(parts)), text.ToString());
        }
    }
}
