using System.IO.Hashing;
using System.Text;
using Crawlscope.Extraction;

namespace Crawlscope.Tests.Extraction;

public class ContentFingerprintTests
{
    /// <summary>The definition: each shingle "w1 w2 w3" as a UTF-8 string, hashed with XxHash64, weighted 1.</summary>
    private static ulong Reference(string text)
    {
        var words = WordSequence.Of(text).ToList();
        if (words.Count == 0) return 0;
        var weights = new int[64];
        for (int i = 0; i < Math.Max(1, words.Count - 2); i++)
        {
            string shingle = words.Count < 3 ? string.Join(' ', words) : $"{words[i]} {words[i + 1]} {words[i + 2]}";
            ulong h = XxHash64.HashToUInt64(Encoding.UTF8.GetBytes(shingle));
            for (int b = 0; b < 64; b++) weights[b] += ((h >> b) & 1) == 1 ? 1 : -1;
        }
        ulong result = 0;
        for (int b = 0; b < 64; b++)
            if (weights[b] > 0) result |= 1UL << b;
        return result;
    }

    [Fact]
    public void SimHash_WithoutShingleStrings_EqualsTheDefinition_OnRandomTexts()
    {
        var random = new Random(11);
        string[] vocabulary = ["the", "crawler", "Größe", "naïve", "日本語", "𝔘nicode", "x", "42", "résumé", "a-b", "ok!"];
        for (int n = 0; n < 2_000; n++)
        {
            // Some texts pass many times the 255 shingles a byte lane counts before it is drained.
            int words = random.Next(0, n % 50 == 0 ? 3_000 : 12);
            string text = string.Join(random.Next(3) == 0 ? "  " : " ", Enumerable.Range(0, words).Select(_ => vocabulary[random.Next(vocabulary.Length)]));
            Assert.Equal(Reference(text), ContentFingerprint.SimHash(text));
        }
    }

    [Theory]
    [InlineData("", 0)]
    [InlineData("one", 1)]
    [InlineData("  two words ", 2)]
    [InlineData("a-b c,d 1.5 日本 naïve", 8)]
    public void CountWords_EqualsWordsCount(string text, int expected)
    {
        Assert.Equal(expected, ContentFingerprint.CountWords(text));
        Assert.Equal(WordSequence.Of(text).Count, ContentFingerprint.CountWords(text));
    }

    [Theory]
    [InlineData("", new string[0])]
    [InlineData("  \n\t ", new string[0])]
    [InlineData("Hello, WORLD!", new[] { "hello", "world" })]
    [InlineData("a-b c,d 1.5 日本 Naïve ÉTÉ", new[] { "a", "b", "c", "d", "1", "5", "日本", "naïve", "été" })]
    [InlineData("𝔘nicode x", new[] { "nicode", "x" })]
    public void WordSequence_SplitsOnNonLetters_AndLowerCases(string text, string[] expected)
    {
        var words = WordSequence.Of(text);
        Assert.Equal(expected, words.ToList());
        Assert.Equal(string.Join(' ', expected), words.Joined.ToString());
        Assert.Equal(expected.Length == 0 ? 0 : expected.Average(w => (double)w.Length), words.AverageLength, 9);
    }

    [Fact]
    public void WordSequence_OnMixedScripts_EqualsThePerCharacterDefinition()
    {
        // Words are runs of char.IsLetterOrDigit, lower-cased by char.ToLowerInvariant, on any mixture of scripts,
        // digits, punctuation, combining marks and upper case (a faster rewrite must keep this).
        const string alphabet = "aZ9 -,.\n\u00a0ÄöÉßİıΣσЖж日本٣\u0301\u200b_'";
        var random = new Random(11);
        for (int n = 0; n < 2000; n++)
        {
            string text = new([.. Enumerable.Range(0, random.Next(0, 40)).Select(_ => alphabet[random.Next(alphabet.Length)])]);
            var expected = new List<string>();
            var word = new System.Text.StringBuilder();
            foreach (char c in text + " ")
            {
                if (char.IsLetterOrDigit(c)) word.Append(char.ToLowerInvariant(c));
                else if (word.Length > 0)
                {
                    expected.Add(word.ToString());
                    word.Clear();
                }
            }
            Assert.Equal(expected, WordSequence.Of(text).ToList());
        }
    }

    [Fact]
    public void ContentHash_IgnoresCaseAndWhitespaceRuns()
    {
        Assert.Equal(ContentFingerprint.ContentHash("Hello   World"), ContentFingerprint.ContentHash(" hello world\n"));
        Assert.NotEqual(ContentFingerprint.ContentHash("hello world"), ContentFingerprint.ContentHash("hello, world"));
        // The definition: XxHash128 of the UTF-8 of the collapsed, lower-cased text, as hex.
        Assert.Equal(Convert.ToHexStringLower(XxHash128.Hash(Encoding.UTF8.GetBytes("größe naïve"))), ContentFingerprint.ContentHash("Größe  NAÏVE "));
    }
}
