using Crawlscope.Classification;
using Crawlscope.Extraction;
using FsCheck.Xunit;

namespace Crawlscope.Tests.Extraction;

public class TermCountsTests
{
    // Common words, short words, numbers, accented and non-Latin words, and words long enough to miss the common table.
    private static readonly string[] Vocabulary =
    [
        "the", "of", "und", "für", "también", "más", "a", "i", "to", "it", "cat", "dog", "dogs", "42", "2026", "x9",
        "über", "naïve", "москва", "東京", "crawler", "crawlers", "durante", "durantes", "porque", "theory", "ab", "zz",
    ];

    [Property(MaxTest = 400)]
    public bool Counts_AsASimpleGroupingDoes(int seed, bool skipNumbers)
    {
        var random = new Random(seed);
        int length = random.Next(0, 300);
        // A few words dominate in some texts, so ties and clear winners both occur.
        int vocabulary = random.Next(1, Vocabulary.Length + 1);
        string text = string.Join(random.Next(2) == 0 ? " " : ", ", Enumerable.Range(0, length).Select(_ => Vocabulary[random.Next(vocabulary)]));
        var words = WordSequence.Of(text);
        var actual = TermCounts.Of(words, skipNumbers);
        var expected = Reference(words.ToList(), skipNumbers);
        return actual == expected;
    }

    [Fact]
    public void TheFirstWordInPageOrder_WinsATie_EvenWhenAnotherReachesTheCountFirst()
    {
        // "beta" reaches 2 before "alpha" does; "alpha" came first on the page.
        var counts = TermCounts.Of(WordSequence.Of("alpha beta beta alpha gamma"), skipNumbers: true);
        Assert.Equal(("alpha", 2), (counts.TopTerm, counts.TopCount));
    }

    [Fact]
    public void ManyDistinctWords_AreEachCountedOnce()
    {
        string text = string.Join(" ", Enumerable.Range(0, 50_000).Select(i => $"w{i}x")) + " w7x";
        var counts = TermCounts.Of(WordSequence.Of(text), skipNumbers: true);
        Assert.Equal(("w7x", 2, 50_001), (counts.TopTerm, counts.TopCount, counts.Words));
    }

    /// <summary>What the counts mean, written plainly: group the words, keep the first in page order among the most frequent.</summary>
    private static TermCounts Reference(List<string> words, bool skipNumbers)
    {
        if (words.Count == 0) return new TermCounts(0, "", 0, null);
        string[] common = words.Where(w => IsCommon(w)).ToArray();
        var counted = words.Where(w => !IsCommon(w) && w.Length >= 3 && !(skipNumbers && w.All(char.IsDigit)))
            .GroupBy(w => w).Select(g => (Word: g.Key, Count: g.Count())).ToList();
        var top = counted.Count == 0 ? ("", 0) : counted.First(c => c.Count == counted.Max(m => m.Count));
        int latin = words.Count(w => w[0] < 0x250 && !char.IsDigit(w[0]));
        return new TermCounts(words.Count, top.Item1, top.Item2, latin < words.Count * 0.8 ? null : common.Length / (double)words.Count);
    }

    // The vocabulary's words that CommonWords lists.
    private static readonly HashSet<string> Common = ["the", "of", "und", "für", "también", "más", "a", "i", "to", "it", "über", "durante", "porque"];

    private static bool IsCommon(string word) => Common.Contains(word);

    [Fact]
    public void CommonWords_AreFoundByTheirHash_AndLongerOrUnlistedWordsAreNot()
    {
        foreach (string word in Vocabulary)
            Assert.True(Common.Contains(word) == CommonWords.Contains(word, word.GetHashCode()), word);
    }
}
