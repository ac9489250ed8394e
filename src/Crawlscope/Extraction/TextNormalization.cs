using System.Buffers;

namespace Crawlscope.Extraction;

internal static class TextNormalization
{
    /// <summary>Collapses every run of whitespace (including no-break spaces) to one space and trims.</summary>
    internal static string CollapseWhitespace(string? s)
    {
        if (string.IsNullOrEmpty(s)) return "";
        // Short texts (titles, anchors, attributes) are often clean already: no copy then.
        if (IsCollapsed(s)) return s;
        using var collapsed = new CollapsedText(s.Length + 1);
        collapsed.Append(s);
        return collapsed.ToString();
    }

    private static bool IsCollapsed(string s)
    {
        if (char.IsWhiteSpace(s[0]) || char.IsWhiteSpace(s[^1])) return false;
        for (int i = 1; i < s.Length - 1; i++)
        {
            char c = s[i];
            if (char.IsWhiteSpace(c) && (c != ' ' || char.IsWhiteSpace(s[i + 1]))) return false;
        }
        return true;
    }
}

/// <summary>
/// Text appended piece by piece with every run of whitespace collapsed to one space and the ends trimmed, as
/// <see cref="TextNormalization.CollapseWhitespace"/> makes of one string, in one rented buffer: the statistics
/// pass collects a page's text this way instead of in a builder, its string and the collapsed copy.
/// </summary>
internal sealed class CollapsedText(int capacity = 4096) : IDisposable
{
    private char[] _buffer = ArrayPool<char>.Shared.Rent(capacity);
    private int _length;
    private bool _space;

    public void Append(string s)
    {
        if (_buffer.Length - _length < s.Length + 1) Grow(s.Length + 1);
        foreach (char c in s)
        {
            if (char.IsWhiteSpace(c))
            {
                _space = _length > 0;
            }
            else
            {
                if (_space) _buffer[_length++] = ' ';
                _space = false;
                _buffer[_length++] = c;
            }
        }
    }

    private void Grow(int needed)
    {
        var bigger = ArrayPool<char>.Shared.Rent(Math.Max(_buffer.Length * 2, _length + needed));
        _buffer.AsSpan(0, _length).CopyTo(bigger);
        ArrayPool<char>.Shared.Return(_buffer);
        _buffer = bigger;
    }

    public override string ToString() => new(_buffer, 0, _length);

    public void Dispose() => ArrayPool<char>.Shared.Return(_buffer);
}
