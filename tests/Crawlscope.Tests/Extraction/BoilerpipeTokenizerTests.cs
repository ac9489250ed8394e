using Crawlscope.Extraction.Boilerpipe;
using FsCheck.Xunit;

namespace Crawlscope.Tests.Extraction;

/// <summary>The one-pass tokenizer gives boilerpipe's tokens, as the marked two-pass version (boilerpipe's own steps) does.</summary>
public class BoilerpipeTokenizerTests
{
    // Word characters, glue punctuation, spaces and other whitespace, non-spacing marks, surrogate pairs (a letter, an
    // emoji, and halves alone), the no-break space, symbols and anchor markers as the segmenter writes them.
    private static readonly string[] Pieces =
    [
        "a", "Z", "é", "7", "_", "東", "\"", "'", ".", ",", "!", "@", "-", ":", ";", "$", "?", "(", ")", "/", " ", "  ", "\t",
        "\n", "\u0301", "\U0001D400", "\U0001F600", "\uD835", "\uDC00", "\u00A0", "+", "#", "%", "$\ue00a<", ">\ue00a$",
        "word", "x.y", "e-mail", "U.S.A.", "(note)", "don't", "1,000.50",
    ];

    [Property(MaxTest = 1000)]
    public bool OnePass_GivesTheMarkedVersionsTokens(int seed)
    {
        var random = new Random(seed);
        string text = string.Concat(Enumerable.Range(0, random.Next(0, 40)).Select(_ => Pieces[random.Next(Pieces.Length)]));
        return Tokens(text, marked: false).SequenceEqual(Tokens(text, marked: true));
    }

    [Theory]
    [InlineData("Hello, world! It's 3.5 km (2 mi) e-mail", new[] { "Hello,", "world!", "It's", "3.5", "km", "(2", "mi)", "e-mail" })]
    [InlineData("  ", new[] { "" })]
    [InlineData("a\u2063b", new[] { "a", "b" })]
    [InlineData("a+b", new[] { "a", "+", "b" })]
    public void Tokens_AsBoilerpipeSplitsThem(string text, string[] expected)
    {
        Assert.Equal(expected, Tokens(text, marked: false));
        Assert.Equal(expected, Tokens(text, marked: true));
    }

    private static List<string> Tokens(string text, bool marked)
    {
        char[] markedBuffer = [], output = [];
        var ranges = new List<Range>();
        if (marked) BoilerpipeTokenizer.TokenizeMarked(text, ref markedBuffer, ref output, ranges);
        else BoilerpipeTokenizer.Tokenize(text, ref markedBuffer, ref output, ranges);
        return ranges.Select(r => new string(output.AsSpan(r))).ToList();
    }
}
