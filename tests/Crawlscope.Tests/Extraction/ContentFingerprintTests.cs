using System.IO.Hashing;
using System.Text;
using Crawlscope.Extraction;

namespace Crawlscope.Tests.Extraction;

public class ContentFingerprintTests
{
    /// <summary>The definition: each shingle "w1 w2 w3" as a UTF-8 string, hashed with XxHash64, weighted 1.</summary>
    private static ulong Reference(string text)
    {
        var words = ContentFingerprint.Words(text);
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
        Assert.Equal(ContentFingerprint.Words(text).Count, ContentFingerprint.CountWords(text));
    }
}
