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

    /// <summary>
    /// SimHash of words already split (by <see cref="Words"/>). The words are encoded once, as the UTF-8 of
    /// "w1 w2 w3 ... wn", so each shingle is a slice of one buffer and no shingle string is made. Instead of
    /// adding ±1 to 64 weights per shingle, the set bits are counted eight positions per add (one byte lane
    /// each), and a bit is set when more than half of the shingles have it: the same result, at a sixth of the
    /// CPU on the bench's pages.
    /// </summary>
    internal static ulong SimHash(IReadOnlyList<string> words)
    {
        if (words.Count == 0) return 0;
        int bytes = words.Count - 1;
        for (int i = 0; i < words.Count; i++) bytes += Encoding.UTF8.GetByteCount(words[i]);
        byte[] buffer = System.Buffers.ArrayPool<byte>.Shared.Rent(bytes);
        // starts[i] is where word i begins; starts[Count] is one past the end (as if a space followed).
        int[] starts = System.Buffers.ArrayPool<int>.Shared.Rent(words.Count + 1);
        try
        {
            int at = 0;
            for (int i = 0; i < words.Count; i++)
            {
                if (i > 0) buffer[at++] = (byte)' ';
                starts[i] = at;
                at += Encoding.UTF8.GetBytes(words[i], buffer.AsSpan(at));
            }
            starts[words.Count] = at + 1;

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
        var words = new List<string>(text.Length / 6);
        int i = 0;
        while (i < text.Length)
        {
            if (!char.IsLetterOrDigit(text[i])) { i++; continue; }
            int start = i;
            while (i < text.Length && char.IsLetterOrDigit(text[i])) i++;
            words.Add(Lower(text.AsSpan(start, i - start)));
        }
        return words;
    }

    /// <summary>The word in lower case; a word that is already lower case is made once, not twice.</summary>
    private static string Lower(ReadOnlySpan<char> word)
    {
        foreach (char c in word)
            if (char.ToLowerInvariant(c) != c)
                return string.Create(word.Length, word, static (dest, w) => { for (int k = 0; k < w.Length; k++) dest[k] = char.ToLowerInvariant(w[k]); });
        return new string(word);
    }
}
