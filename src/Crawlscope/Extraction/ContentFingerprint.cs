using System.IO.Hashing;
using System.Text;

namespace Crawlscope.Extraction;

/// <summary>Exact and near-duplicate fingerprints of a page's main text.</summary>
public static class ContentFingerprint
{
    public static string ContentHash(string text)
    {
        var normalized = TextNormalization.CollapseWhitespace(text).ToLowerInvariant();
        return Convert.ToHexStringLower(XxHash128.Hash(Encoding.UTF8.GetBytes(normalized)));
    }

    /// <summary>Charikar's SimHash over word 3-shingles, each weighted 1.</summary>
    public static ulong SimHash(string text)
    {
        var words = Words(text);
        if (words.Count == 0) return 0;
        Span<int> weights = stackalloc int[64];
        int n = Math.Max(1, words.Count - 2);
        for (int i = 0; i < n; i++)
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

    public static int HammingDistance(ulong a, ulong b) => System.Numerics.BitOperations.PopCount(a ^ b);

    internal static List<string> Words(string text)
    {
        var words = new List<string>();
        var sb = new StringBuilder();
        foreach (char c in text)
        {
            if (char.IsLetterOrDigit(c)) sb.Append(char.ToLowerInvariant(c));
            else if (sb.Length > 0)
            {
                words.Add(sb.ToString());
                sb.Clear();
            }
        }
        if (sb.Length > 0) words.Add(sb.ToString());
        return words;
    }
}
