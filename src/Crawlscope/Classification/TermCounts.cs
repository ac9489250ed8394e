using System.Buffers;
using System.Numerics;
using Crawlscope.Extraction;

namespace Crawlscope.Classification;

/// <summary>
/// One pass over a text's words: the most frequent word of 3+ characters that is not a common word (numbers
/// skipped when asked; the first in page order among equals), and the share of common words, or null when the
/// text is not mostly Latin script (we cannot judge it).
/// </summary>
internal readonly record struct TermCounts(int Words, string TopTerm, int TopCount, double? CommonShare)
{
    public double TopShare => TopCount == 0 ? 0 : TopCount / (double)Words;

    /// <remarks>
    /// Each word is hashed once (the runtime's per-process randomised string hash, so a hostile page cannot
    /// choose colliding words) and that hash serves both the common-word check and the count. Counts live in
    /// an open-addressed table of word positions at most half full, so no word becomes a string except the top one.
    /// </remarks>
    public static TermCounts Of(WordSequence words, bool skipNumbers)
    {
        if (words.Count == 0) return new TermCounts(0, "", 0, null);
        int capacity = (int)BitOperations.RoundUpToPowerOf2((uint)Math.Max(64, words.Count * 2));
        int mask = capacity - 1;
        // firstWord[slot] is 1 + the position of the slot's word's first occurrence; 0 marks an empty slot.
        int[] firstWord = ArrayPool<int>.Shared.Rent(capacity);
        int[] hashes = ArrayPool<int>.Shared.Rent(capacity);
        int[] counts = ArrayPool<int>.Shared.Rent(capacity);
        int[] slotsInOrder = ArrayPool<int>.Shared.Rent(words.Count);
        try
        {
            Array.Clear(firstWord, 0, capacity);
            int latin = 0, common = 0, distinct = 0;
            for (int i = 0; i < words.Count; i++)
            {
                var w = words[i];
                if (w[0] < 0x250 && !char.IsDigit(w[0])) latin++;
                int hash = string.GetHashCode(w);
                if (CommonWords.Contains(w, hash))
                {
                    common++;
                    continue;
                }
                if (w.Length < 3 || (skipNumbers && AllDigits(w))) continue;
                int slot = hash & mask;
                while (true)
                {
                    int first = firstWord[slot];
                    if (first == 0)
                    {
                        firstWord[slot] = i + 1;
                        hashes[slot] = hash;
                        counts[slot] = 1;
                        slotsInOrder[distinct++] = slot;
                        break;
                    }
                    if (hashes[slot] == hash && words[first - 1].SequenceEqual(w))
                    {
                        counts[slot]++;
                        break;
                    }
                    slot = (slot + 1) & mask;
                }
            }
            // Distinct words in order of first occurrence: the first to reach the highest count wins ties.
            int best = 0, bestSlot = -1;
            for (int k = 0; k < distinct; k++)
            {
                int slot = slotsInOrder[k];
                if (counts[slot] > best)
                {
                    best = counts[slot];
                    bestSlot = slot;
                }
            }
            string top = bestSlot < 0 ? "" : new string(words[firstWord[bestSlot] - 1]);
            return new TermCounts(words.Count, top, best, latin < words.Count * 0.8 ? null : common / (double)words.Count);
        }
        finally
        {
            ArrayPool<int>.Shared.Return(firstWord);
            ArrayPool<int>.Shared.Return(hashes);
            ArrayPool<int>.Shared.Return(counts);
            ArrayPool<int>.Shared.Return(slotsInOrder);
        }
    }

    private static bool AllDigits(ReadOnlySpan<char> w)
    {
        foreach (char c in w)
            if (!char.IsDigit(c)) return false;
        return true;
    }
}
