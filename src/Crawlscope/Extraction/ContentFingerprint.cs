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
    public static ulong SimHash(string text) => SimHash(Words(text));

    /// <summary>SimHash of words already split (by <see cref="Words"/>). Each shingle "w1 w2 w3" is hashed as
    /// UTF-8 from one reused buffer, so a page's thousands of shingles make no strings.</summary>
    internal static ulong SimHash(IReadOnlyList<string> words)
    {
        if (words.Count == 0) return 0;
        Span<int> weights = stackalloc int[64];
        byte[] buffer = System.Buffers.ArrayPool<byte>.Shared.Rent(256);
        try
        {
            int n = Math.Max(1, words.Count - 2);
            // Fewer than three words make one shingle of them all.
            int width = Math.Min(3, words.Count);
            for (int i = 0; i < n; i++)
            {
                int length = width - 1;
                for (int k = 0; k < width; k++) length += Encoding.UTF8.GetByteCount(words[i + k]);
                if (buffer.Length < length)
                {
                    System.Buffers.ArrayPool<byte>.Shared.Return(buffer);
                    buffer = System.Buffers.ArrayPool<byte>.Shared.Rent(length);
                }
                int at = 0;
                for (int k = 0; k < width; k++)
                {
                    if (k > 0) buffer[at++] = (byte)' ';
                    at += Encoding.UTF8.GetBytes(words[i + k], buffer.AsSpan(at));
                }
                ulong h = XxHash64.HashToUInt64(buffer.AsSpan(0, at));
                for (int b = 0; b < 64; b++) weights[b] += ((h >> b) & 1) == 1 ? 1 : -1;
            }
        }
        finally
        {
            System.Buffers.ArrayPool<byte>.Shared.Return(buffer);
        }
        ulong result = 0;
        for (int b = 0; b < 64; b++)
            if (weights[b] > 0) result |= 1UL << b;
        return result;
    }

    /// <summary>How many words <see cref="Words"/> would return, without making them.</summary>
    internal static int CountWords(string text)
    {
        int count = 0;
        bool inWord = false;
        foreach (char c in text)
        {
            bool letter = char.IsLetterOrDigit(c);
            if (letter && !inWord) count++;
            inWord = letter;
        }
        return count;
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
