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

    [Fact]
    public void CollapsedText_EqualsThePerCharacterDefinition_ForEveryKindOfWhitespace()
    {
        // Whitespace is exactly what char.IsWhiteSpace accepts, every Unicode space included, across pieces.
        string spaces = new([.. Enumerable.Range(0, char.MaxValue + 1).Select(c => (char)c).Where(char.IsWhiteSpace)]);
        string others = "ab\u200bZ9é日\u180e";
        var random = new Random(7);
        for (int n = 0; n < 2000; n++)
        {
            var parts = Enumerable.Range(0, random.Next(0, 6)).Select(_ => new string([.. Enumerable.Range(0, random.Next(0, 50))
                .Select(_ => random.Next(3) == 0 ? spaces[random.Next(spaces.Length)] : others[random.Next(others.Length)])])).ToList();
            var expected = new System.Text.StringBuilder();
            bool space = false;
            foreach (char c in string.Concat(parts))
            {
                if (char.IsWhiteSpace(c)) space = expected.Length > 0;
                else
                {
                    if (space) expected.Append(' ');
                    space = false;
                    expected.Append(c);
                }
            }
            using var text = new CollapsedText(capacity: 8);
            foreach (var p in parts) text.Append(p);
            Assert.Equal(expected.ToString(), text.ToString());
        }
    }
}
