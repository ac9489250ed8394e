using System.Text;
using AngleSharp.Dom;

namespace Crawlscope.Extraction.Boilerpipe;

/// <summary>
/// Splits a document into <see cref="TextBlock"/>s as boilerpipe's SAX content handler does, replaying the
/// element and text events of the DOM: unknown tags are block boundaries and raise the tag level; STYLE,
/// SCRIPT, OPTION, OBJECT, EMBED, APPLET, LINK and NOSCRIPT are dropped; A marks anchor text; inline tags
/// (B, I, EM, STRONG, SPAN, ...) neither flush nor raise the level. <c>FlushBlock</c> follows boilerpipe's
/// <c>flushBlock</c> statement by statement (our output is compared with the Java original's), so it stays one method.
/// </summary>
internal sealed class BlockSegmenter
{
    private const string AnchorStart = "$\ue00a<";
    private const string AnchorEnd = ">\ue00a$";

    // Scratch buffers of the tokenizer and of text nodes, reused for every block of the page.
    private char[] _marked = [], _tokenChars = [], _blockTokens = [], _chars = [];
    private readonly List<Range> _tokenRanges = [];

    private enum TagKind { Ignorable, Anchor, Body, InlineNoWhitespace, InlineWhitespace }

    private static readonly Dictionary<string, TagKind> Actions = new(StringComparer.OrdinalIgnoreCase)
    {
        ["style"] = TagKind.Ignorable, ["script"] = TagKind.Ignorable, ["option"] = TagKind.Ignorable,
        ["object"] = TagKind.Ignorable, ["embed"] = TagKind.Ignorable, ["applet"] = TagKind.Ignorable,
        ["link"] = TagKind.Ignorable, ["noscript"] = TagKind.Ignorable,
        ["a"] = TagKind.Anchor, ["body"] = TagKind.Body,
        ["strike"] = TagKind.InlineNoWhitespace, ["u"] = TagKind.InlineNoWhitespace, ["b"] = TagKind.InlineNoWhitespace,
        ["i"] = TagKind.InlineNoWhitespace, ["em"] = TagKind.InlineNoWhitespace, ["strong"] = TagKind.InlineNoWhitespace,
        ["span"] = TagKind.InlineNoWhitespace, ["sup"] = TagKind.InlineNoWhitespace, ["code"] = TagKind.InlineNoWhitespace,
        ["tt"] = TagKind.InlineNoWhitespace, ["sub"] = TagKind.InlineNoWhitespace, ["var"] = TagKind.InlineNoWhitespace,
        ["font"] = TagKind.InlineNoWhitespace,
        ["abbr"] = TagKind.InlineWhitespace, ["acronym"] = TagKind.InlineWhitespace,
    };

    private readonly StringBuilder _tokens = new();
    private readonly StringBuilder _text = new();
    private readonly List<TextBlock> _blocks = [];
    private CancellationToken _cancellation;
    private int _inBody, _inAnchor, _inIgnorable, _tagLevel, _blockTagLevel = -1, _offset;
    private bool _lastWasWhitespace, _flush, _inAnchorText;
    private string? _lastStartTag;

    internal string? Title { get; private set; }

    internal static (List<TextBlock> Blocks, string? Title) Segment(IDocument document, CancellationToken cancellation = default)
    {
        var segmenter = new BlockSegmenter { _cancellation = cancellation };
        segmenter.Walk(document);
        segmenter.FlushBlock();
        return (segmenter._blocks, segmenter.Title);
    }

    // The elements open as boilerpipe's HTML parser (NekoHTML) would see them. Neko balances tags by HTML 4
    // rules, not HTML5's: a new <li> closes an open <li> even across a nested list, so the nested items land
    // at the outer item's level. We replay the DOM and close such elements early to reproduce its tag levels.
    private readonly List<IElement> _open = [];

    private void Walk(INode node)
    {
        foreach (var child in node.ChildNodes)
        {
            switch (child)
            {
                case IText text:
                    Characters(text.Data);
                    break;
                case IElement element:
                    _cancellation.ThrowIfCancellationRequested();
                    CloseAsNekoWould(element.LocalName);
                    _open.Add(element);
                    StartElement(element.LocalName);
                    Walk(element);
                    int at = _open.LastIndexOf(element);
                    if (at >= 0)
                    {
                        for (int i = _open.Count - 1; i >= at; i--) EndElement(_open[i].LocalName);
                        _open.RemoveRange(at, _open.Count - at);
                    }
                    break;
            }
        }
    }

    private void CloseAsNekoWould(string tag)
    {
        string[]? closes = tag switch
        {
            "li" => ["li"],
            "dt" or "dd" => ["dt", "dd"],
            _ => null,
        };
        if (closes is null) return;
        for (int i = _open.Count - 1; i >= 0; i--)
        {
            string open = _open[i].LocalName;
            if (open is "body" or "html" or "table" or "td" or "th") return;
            if (!closes.Contains(open)) continue;
            for (int j = _open.Count - 1; j >= i; j--) EndElement(_open[j].LocalName);
            _open.RemoveRange(i, _open.Count - i);
            return;
        }
    }

    private void StartElement(string tag)
    {
        if (Actions.TryGetValue(tag, out var kind))
        {
            if (ChangesTagLevel(kind)) _tagLevel++;
            _flush = Start(kind) | _flush;
        }
        else
        {
            _tagLevel++;
            _flush = true;
        }
        _lastStartTag = tag;
    }

    private void EndElement(string tag)
    {
        bool known = Actions.TryGetValue(tag, out var kind);
        _flush = (known ? End(kind) : true) | _flush;
        if (!known || ChangesTagLevel(kind)) _tagLevel--;
        if (_flush) FlushBlock();
    }

    private static bool ChangesTagLevel(TagKind kind) => kind is TagKind.Ignorable or TagKind.Anchor or TagKind.Body;

    private bool Start(TagKind kind)
    {
        switch (kind)
        {
            case TagKind.Ignorable:
                _inIgnorable++;
                return true;
            case TagKind.Anchor:
                if (_inAnchor++ > 0) End(TagKind.Anchor); // nested anchors: close the first
                if (_inIgnorable == 0)
                {
                    AddWhitespaceIfNecessary();
                    _tokens.Append(AnchorStart).Append(' ');
                    _lastWasWhitespace = true;
                }
                return false;
            case TagKind.Body:
                FlushBlock();
                _inBody++;
                return false;
            case TagKind.InlineWhitespace:
                AddWhitespaceIfNecessary();
                return false;
            default:
                return false;
        }
    }

    private bool End(TagKind kind)
    {
        switch (kind)
        {
            case TagKind.Ignorable:
                _inIgnorable--;
                return true;
            case TagKind.Anchor:
                if (--_inAnchor == 0 && _inIgnorable == 0)
                {
                    AddWhitespaceIfNecessary();
                    _tokens.Append(AnchorEnd).Append(' ');
                    _lastWasWhitespace = true;
                }
                return false;
            case TagKind.Body:
                FlushBlock();
                _inBody--;
                return false;
            case TagKind.InlineWhitespace:
                AddWhitespaceIfNecessary();
                return false;
            default:
                return false;
        }
    }

    private void AddWhitespaceIfNecessary()
    {
        if (_lastWasWhitespace) return;
        _tokens.Append(' ');
        _text.Append(' ');
        _lastWasWhitespace = true;
    }

    private void Characters(string data)
    {
        if (_flush)
        {
            FlushBlock();
            _flush = false;
        }
        if (_inIgnorable != 0 || data.Length == 0) return;

        // Java's Character.isWhitespace: not the no-break spaces.
        var chars = Scratch(ref _chars, data.Length);
        for (int i = 0; i < data.Length; i++)
        {
            char c = data[i];
            chars[i] = (c > ' ' && c < '\u007F') || !IsJavaWhitespace(c) ? c : ' ';
        }
        int start = 0, length = data.Length;
        bool startWhitespace = false, endWhitespace = false;
        while (start < data.Length && chars[start] == ' ')
        {
            startWhitespace = true;
            start++;
            length--;
        }
        while (length > 0 && chars[start + length - 1] == ' ')
        {
            endWhitespace = true;
            length--;
        }
        if (length == 0)
        {
            if (startWhitespace || endWhitespace)
            {
                if (!_lastWasWhitespace)
                {
                    _text.Append(' ');
                    _tokens.Append(' ');
                }
                _lastWasWhitespace = true;
            }
            else
            {
                _lastWasWhitespace = false;
            }
            return;
        }
        if (startWhitespace && !_lastWasWhitespace)
        {
            _text.Append(' ');
            _tokens.Append(' ');
        }
        if (_blockTagLevel == -1) _blockTagLevel = _tagLevel;
        _text.Append(chars, start, length);
        _tokens.Append(chars, start, length);
        if (endWhitespace)
        {
            _text.Append(' ');
            _tokens.Append(' ');
        }
        _lastWasWhitespace = endWhitespace;
    }

    private static bool IsJavaWhitespace(char c) =>
        c is ' ' or '\t' or '\n' or '\u000B' or '\f' or '\r' or '\u001C' or '\u001D' or '\u001E' or '\u001F' ||
        (c > 0x7F && c is not '\u00A0' and not '\u2007' and not '\u202F' && char.IsWhiteSpace(c) && c != '\u0085');

    private void FlushBlock()
    {
        if (_inBody == 0)
        {
            if (string.Equals(_lastStartTag, "title", StringComparison.OrdinalIgnoreCase))
            {
                string title = BoilerpipeTokenizer.JavaTrim(_tokens.ToString());
                if (title.Length > 0) Title = title;
            }
            _text.Clear();
            _tokens.Clear();
            return;
        }
        if (_tokens.Length == 0) return;
        if (_tokens.Length == 1 && _lastWasWhitespace)
        {
            _text.Clear();
            _tokens.Clear();
            return;
        }

        var (tokens, words, linked, wordsInWrappedLines, wrappedLines) = CountTokens();
        if (tokens == 0) return;
        var block = new TextBlock(JavaTrimmed(_text), words, linked, wordsInWrappedLines, wrappedLines, _offset++)
        {
            TagLevel = _blockTagLevel,
        };
        _text.Clear();
        _tokens.Clear();
        _blocks.Add(block);
        _blockTagLevel = -1;
    }

    /// <summary>A reused buffer of at least <paramref name="length"/> characters, doubled when it grows.</summary>
    private static char[] Scratch(ref char[] buffer, int length)
    {
        if (buffer.Length < length) buffer = new char[Math.Max(length, 2 * buffer.Length)];
        return buffer;
    }

    /// <summary>The builder's text as Java's String.trim() leaves it, made into one string.</summary>
    private static string JavaTrimmed(StringBuilder text)
    {
        int start = 0, end = text.Length;
        while (start < end && text[start] <= ' ') start++;
        while (end > start && text[end - 1] <= ' ') end--;
        return text.ToString(start, end - start);
    }

    /// <summary>Boilerpipe's counts for the pending block: its tokens, words, words inside links, and the words and
    /// lines when wrapped at 80 columns (the last, unfinished line not counted unless it is the only one).</summary>
    private (int Tokens, int Words, int Linked, int WordsInWrappedLines, int WrappedLines) CountTokens()
    {
        int words = 0, linked = 0, wrappedLines = 0, lineLength = -1, tokens = 0, wordsCurrentLine = 0;
        var blockTokens = Scratch(ref _blockTokens, _tokens.Length);
        _tokens.CopyTo(0, blockTokens, _tokens.Length);
        BoilerpipeTokenizer.Tokenize(blockTokens.AsSpan(0, _tokens.Length), ref _marked, ref _tokenChars, _tokenRanges);
        foreach (var range in _tokenRanges)
        {
            var token = _tokenChars.AsSpan(range);
            if (token.SequenceEqual(AnchorStart)) _inAnchorText = true;
            else if (token.SequenceEqual(AnchorEnd)) _inAnchorText = false;
            else if (BoilerpipeTokenizer.IsWord(token))
            {
                tokens++;
                words++;
                wordsCurrentLine++;
                if (_inAnchorText) linked++;
                lineLength += token.Length + 1;
                if (lineLength > 80)
                {
                    wrappedLines++;
                    lineLength = token.Length;
                    wordsCurrentLine = 1;
                }
            }
            else
            {
                tokens++;
            }
        }
        return wrappedLines == 0 ? (tokens, words, linked, words, 1) : (tokens, words, linked, words - wordsCurrentLine, wrappedLines);
    }
}
