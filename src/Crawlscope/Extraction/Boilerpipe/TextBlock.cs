namespace Crawlscope.Extraction.Boilerpipe;

/// <summary>Labels boilerpipe's filters attach to blocks.</summary>
[Flags]
internal enum BlockLabels
{
    Title = 1,
    EndOfText = 2,
    MightBeContent = 4,
}

/// <summary>
/// A run of text between two block boundaries with boilerpipe's shallow features: word counts, words in links,
/// and words per 80-character line (text density). Densities are single-precision as in the original, so that
/// comparisons with its decision-tree thresholds land on the same side.
/// </summary>
internal sealed class TextBlock
{
    internal static readonly TextBlock EmptyStart = new("", 0, 0, 0, 0, -1) { TagLevel = -1 };

    internal TextBlock(string text, int words, int anchorWords, int wordsInWrappedLines, int wrappedLines, int offset)
    {
        _text = text;
        Words = words;
        AnchorWords = anchorWords;
        WordsInWrappedLines = wordsInWrappedLines;
        WrappedLines = wrappedLines;
        OffsetStart = OffsetEnd = offset;
        InitDensities();
    }

    // Merging appends to a builder and the text is made once, when read: fusing a long run of blocks one by
    // one would otherwise copy the growing text at every step.
    private string _text;
    private System.Text.StringBuilder? _merged;

    internal string Text
    {
        get
        {
            if (_merged is not null)
            {
                _text = _merged.ToString();
                _merged = null;
            }
            return _text;
        }
    }

    /// <summary>The text's length, without making the merged text a string.</summary>
    internal int TextLength => _merged?.Length ?? _text.Length;

    /// <summary>Appends the text to <paramref name="output"/>, copying a merged block's parts once instead of making them a string first.</summary>
    internal void AppendTextTo(System.Text.StringBuilder output)
    {
        if (_merged is not null) output.Append(_merged);
        else output.Append(_text);
    }

    /// <summary>Copies the text into <paramref name="destination"/> (at least <see cref="TextLength"/> long); returns its length.</summary>
    internal int CopyTextTo(Span<char> destination)
    {
        if (_merged is not null) _merged.CopyTo(0, destination, _merged.Length);
        else _text.CopyTo(destination);
        return TextLength;
    }

    internal int Words { get; private set; }
    internal int AnchorWords { get; private set; }
    internal int WordsInWrappedLines { get; private set; }
    internal int WrappedLines { get; private set; }
    internal int OffsetStart { get; private set; }
    internal int OffsetEnd { get; private set; }
    internal int TagLevel { get; set; }
    internal float TextDensity { get; private set; }
    internal float LinkDensity { get; private set; }
    internal bool IsContent { get; set; }
    internal BlockLabels Labels { get; set; }

    internal bool Has(BlockLabels label) => (Labels & label) != 0;

    internal void MergeNext(TextBlock other)
    {
        _merged ??= new System.Text.StringBuilder(_text, _text.Length * 2 + 16);
        other.AppendTextTo(_merged.Append('\n'));
        Words += other.Words;
        AnchorWords += other.AnchorWords;
        WordsInWrappedLines += other.WordsInWrappedLines;
        WrappedLines += other.WrappedLines;
        OffsetStart = Math.Min(OffsetStart, other.OffsetStart);
        OffsetEnd = Math.Max(OffsetEnd, other.OffsetEnd);
        InitDensities();
        IsContent |= other.IsContent;
        Labels |= other.Labels;
        TagLevel = Math.Min(TagLevel, other.TagLevel);
    }

    private void InitDensities()
    {
        if (WordsInWrappedLines == 0)
        {
            WordsInWrappedLines = Words;
            WrappedLines = 1;
        }
        TextDensity = WordsInWrappedLines / (float)WrappedLines;
        LinkDensity = Words == 0 ? 0 : AnchorWords / (float)Words;
    }
}
