using System.Buffers;
using System.Text;

namespace Crawlscope.Extraction;

/// <summary>
/// The words of a text: runs of letters and digits, lower-cased, in order. They are kept as one string
/// "w1 w2 ... wn" and the start of each word, so a page's thousands of words are two arrays, not thousands of
/// strings, which costs less memory and time per page.
/// </summary>
public sealed class WordSequence
{
    private readonly char[] _text;
    // _starts[i] is where word i begins; _starts[Count] is one past the end, as if a space followed the last word.
    private readonly int[] _starts;

    private WordSequence(char[] text, int[] starts, int count)
    {
        _text = text;
        _starts = starts;
        Count = count;
    }

    public static WordSequence Empty { get; } = new([], [1], 0);

    public int Count { get; }

    /// <summary>Word <paramref name="i"/>.</summary>
    public ReadOnlySpan<char> this[int i] => _text.AsSpan(_starts[i], _starts[i + 1] - 1 - _starts[i]);

    /// <summary>The words joined by single spaces.</summary>
    public ReadOnlySpan<char> Joined => _text.AsSpan(0, Math.Max(0, _starts[Count] - 1));

    /// <summary>The mean length of a word in characters (0 without words).</summary>
    public double AverageLength => Count == 0 ? 0 : (Joined.Length - (Count - 1)) / (double)Count;

    public static WordSequence Of(string? text)
    {
        if (string.IsNullOrEmpty(text)) return Empty;
        char[] buffer = ArrayPool<char>.Shared.Rent(text.Length);
        int[] starts = ArrayPool<int>.Shared.Rent(text.Length / 2 + 2);
        try
        {
            int at = 0, count = 0, i = 0;
            while (i < text.Length)
            {
                if (!char.IsLetterOrDigit(text[i]))
                {
                    i++;
                    continue;
                }
                if (count > 0) buffer[at++] = ' ';
                starts[count++] = at;
                while (i < text.Length && char.IsLetterOrDigit(text[i])) buffer[at++] = char.ToLowerInvariant(text[i++]);
            }
            if (count == 0) return Empty;
            starts[count] = at + 1;
            return new WordSequence(buffer.AsSpan(0, at).ToArray(), starts.AsSpan(0, count + 1).ToArray(), count);
        }
        finally
        {
            ArrayPool<char>.Shared.Return(buffer);
            ArrayPool<int>.Shared.Return(starts);
        }
    }

    /// <summary>
    /// The UTF-8 of <see cref="Joined"/> into <paramref name="bytes"/> (rented here, to be returned by the caller)
    /// and the byte offset of each word's start into <paramref name="byteStarts"/> (Count + 1 entries, rented too).
    /// </summary>
    internal int EncodeUtf8(out byte[] bytes, out int[] byteStarts)
    {
        var joined = Joined;
        bytes = ArrayPool<byte>.Shared.Rent(Encoding.UTF8.GetMaxByteCount(joined.Length));
        byteStarts = ArrayPool<int>.Shared.Rent(Count + 1);
        int length = Encoding.UTF8.GetBytes(joined, bytes);
        if (length == joined.Length)
        {
            // Only ASCII: a byte per character, so byte offsets are character offsets.
            _starts.AsSpan(0, Count + 1).CopyTo(byteStarts);
        }
        else
        {
            int at = 0;
            for (int i = 0; i < Count; i++)
            {
                byteStarts[i] = at;
                at += Encoding.UTF8.GetByteCount(this[i]) + 1;
            }
            byteStarts[Count] = at;
        }
        return length;
    }

    /// <summary>The words as strings (for tests and small texts).</summary>
    public List<string> ToList()
    {
        var list = new List<string>(Count);
        for (int i = 0; i < Count; i++) list.Add(new string(this[i]));
        return list;
    }
}
