using System.IO.Hashing;
using System.Text;

namespace Crawlscope.Extraction;

/// <summary>Exact and near-duplicate fingerprints of a page's main text.</summary>
internal static class ContentFingerprint
{
    /// <summary>XxHash128 of the text with whitespace collapsed and lower-cased, as hex.</summary>
    public static string ContentHash(string text) => ContentHashOfCollapsed(TextNormalization.CollapseWhitespace(text));

    /// <summary><see cref="ContentHash"/> of a text whose whitespace is collapsed already, as the extractor's
    /// texts are (the statistics pass and the readable text collapse theirs), so it is not scanned again.</summary>
    internal static string ContentHashOfCollapsed(string collapsed)
    {
        // Lower-cased and encoded in rented buffers: the text of a page is tens of kilobytes.
        char[] lower = System.Buffers.ArrayPool<char>.Shared.Rent(Math.Max(1, collapsed.Length));
        byte[] utf8 = System.Buffers.ArrayPool<byte>.Shared.Rent(Math.Max(1, Encoding.UTF8.GetMaxByteCount(collapsed.Length)));
        try
        {
            int chars = collapsed.AsSpan().ToLowerInvariant(lower);
            int bytes = Encoding.UTF8.GetBytes(lower.AsSpan(0, chars), utf8);
            return Convert.ToHexStringLower(XxHash128.Hash(utf8.AsSpan(0, bytes)));
        }
        finally
        {
            System.Buffers.ArrayPool<char>.Shared.Return(lower);
            System.Buffers.ArrayPool<byte>.Shared.Return(utf8);
        }
    }

    /// <summary>Charikar's SimHash over word 3-shingles, each weighted 1.</summary>
    public static ulong SimHash(string text) => SimHash(WordSequence.Of(text));

    /// <summary>
    /// SimHash of words already split. Each shingle "w1 w2 w3" is the UTF-8 of the joined words between word i's
    /// start and word i+2's end, so the text is encoded once and no shingle string is made. Instead of adding ±1
    /// to 64 weights per shingle, the set bits are counted eight positions per add (one byte lane each), and a bit
    /// is set when more than half of the shingles have it: the same result as the definition, with fewer adds.
    /// </summary>
    internal static ulong SimHash(WordSequence words)
    {
        if (words.Count == 0) return 0;
        words.EncodeUtf8(out byte[] buffer, out int[] starts);
        try
        {
            // Fewer than three words make one shingle of them all.
            int width = Math.Min(3, words.Count);
            int shingles = Math.Max(1, words.Count - 2);
            Span<int> ones = stackalloc int[64];
            Span<ulong> lanes = stackalloc ulong[8];
            int pending = 0;
            for (int i = 0; i < shingles; i++)
            {
                int from = starts[i];
                ulong h = XxHash64.HashToUInt64(buffer.AsSpan(from, starts[i + width] - 1 - from));
                for (int j = 0; j < 8; j++) lanes[j] += ByteBits[(int)(h >> (8 * j)) & 0xFF];
                // A byte lane holds at most 255 before it would carry into its neighbour.
                if (++pending == 255)
                {
                    Drain(lanes, ones);
                    pending = 0;
                }
            }
            Drain(lanes, ones);
            ulong result = 0;
            for (int b = 0; b < 64; b++)
                if (2 * ones[b] > shingles) result |= 1UL << b;
            return result;
        }
        finally
        {
            System.Buffers.ArrayPool<byte>.Shared.Return(buffer);
            System.Buffers.ArrayPool<int>.Shared.Return(starts);
        }
    }

    /// <summary>For each byte value, a ulong whose byte k is bit k of that value.</summary>
    private static readonly ulong[] ByteBits = Enumerable.Range(0, 256)
        .Select(v => Enumerable.Range(0, 8).Aggregate(0UL, (acc, k) => acc | ((ulong)((v >> k) & 1) << (8 * k)))).ToArray();

    private static void Drain(Span<ulong> lanes, Span<int> ones)
    {
        for (int j = 0; j < 8; j++)
        {
            for (int k = 0; k < 8; k++) ones[8 * j + k] += (int)((lanes[j] >> (8 * k)) & 0xFF);
            lanes[j] = 0;
        }
    }

    /// <summary>How many words <see cref="WordSequence.Of"/> would find, without making them.</summary>
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
}
