using System.Text;
using AngleSharp.Dom;

namespace Crawlscope.Extraction.MainContent;

/// <summary>Counts over a block's text that tell prose from menus, bylines and footers.</summary>
internal struct WordStatistics
{
    public int Words, WordChars, SentenceMarks, Commas, Digits, Capitalised, Separators;
    public bool Copyright;
    /// <summary>The last character that is not white space.</summary>
    public char Last;
    private bool _inWord;

    public readonly bool EndsSentence => Last is '.' or '!' or '?' or ':' or '"' or '”';

    public void Add(string text)
    {
        foreach (char c in text)
        {
            if (char.IsLetterOrDigit(c))
            {
                if (!_inWord)
                {
                    Words++;
                    if (char.IsUpper(c)) Capitalised++;
                    _inWord = true;
                }
                WordChars++;
                if (char.IsDigit(c)) Digits++;
                Last = c;
                continue;
            }
            _inWord = false;
            if (char.IsWhiteSpace(c)) continue;
            Last = c;
            switch (c)
            {
                case '.' or '!' or '?': SentenceMarks++; break;
                case ',' or ';': Commas++; break;
                case '|' or '»' or '›' or '·' or '•': Separators++; break;
                case '©': Copyright = true; break;
            }
        }
    }

    /// <summary>An inline element's edge ends the word being read: "<c>re&lt;b&gt;ad&lt;/b&gt;</c>" counts two words,
    /// which is rare and cheaper than looking ahead.</summary>
    public void Break() => _inWord = false;
}

/// <summary>
/// The page's text blocks: each element that is not inline, with the text of its own text nodes and of its inline
/// descendants in document order (a paragraph with its links and emphasis), as the Markdown writer would write it.
/// What the block scorer decides about: every visible character belongs to exactly one block. The text itself is
/// kept only when asked for (training, explanations); the crawl needs its counts and a hash.
/// </summary>
internal sealed class TextBlocks
{
    /// <summary>The element (index into <see cref="DomBlocks"/>) of each block, in document order.</summary>
    public int[] Element { get; private init; } = [];
    /// <summary>Each block's tag name.</summary>
    public string[] Tag { get; private init; } = [];
    /// <summary>Each block's text, white space collapsed; empty strings unless built with text.</summary>
    public string[] Text { get; private init; } = [];
    /// <summary>Visible characters of the block's text, and of them those inside a link.</summary>
    public int[] Chars { get; private init; } = [];
    public int[] LinkChars { get; private init; } = [];
    /// <summary>A hash of the block's visible characters, case-folded: equal for blocks that say the same.</summary>
    public ulong[] Hash { get; private init; } = [];
    public WordStatistics[] Words { get; private init; } = [];

    public int Count => Element.Length;

    // An inline element nested deeper than this in a paragraph is read as text all the same, without the stack
    // growing further (the parser's nesting guard already stops at 512).
    private const int MaxInlineDepth = 64;

    private sealed class Reader(DomBlocks blocks, bool withText)
    {
        public readonly StringBuilder Text = new();
        public int Visible, Linked;
        public ulong Hash;
        public WordStatistics Words;

        public void Reset()
        {
            Text.Clear();
            Visible = Linked = 0;
            Hash = FingerprintHash.Seed;
            Words = default;
        }

        public void Add(string data, bool inLink)
        {
            if (withText) Text.Append(data);
            int count = FingerprintHash.AddVisible(ref Hash, data);
            Visible += count;
            if (inLink) Linked += count;
            Words.Add(data);
        }

        /// <summary>Element i's text nodes and, in their place, its inline children's text; block children are
        /// blocks of their own and elements the walk skipped (hidden, scripts) are not text.</summary>
        public void Append(int i, int depth)
        {
            var children = blocks.Elements[i].ChildNodes;
            int next = i + 1 < blocks.End[i] ? i + 1 : -1;
            for (int c = 0; c < children.Length; c++)
            {
                var node = children[c];
                if (node is IText t)
                {
                    Add(t.Data, blocks.InLink[i]);
                    continue;
                }
                if (node is not IElement e || next < 0 || !ReferenceEquals(blocks.Elements[next], e)) continue;
                int child = next;
                next = blocks.End[child] < blocks.End[i] ? blocks.End[child] : -1;
                Words.Break();
                if ((blocks.Roles[child] & BlockRole.Inline) == 0)
                {
                    if (withText) Text.Append(' ');
                    continue;
                }
                if (depth < MaxInlineDepth) Append(child, depth + 1);
                else AppendFlat(child);
            }
        }

        private void AppendFlat(int i)
        {
            for (int k = i; k < blocks.End[i]; k++)
            {
                if (k > i && (blocks.Roles[k] & BlockRole.Inline) == 0)
                {
                    k = blocks.End[k] - 1;
                    continue;
                }
                foreach (var node in blocks.Elements[k].ChildNodes)
                    if (node is IText t) Add(t.Data, blocks.InLink[k]);
            }
        }
    }

    public static TextBlocks Build(DomBlocks blocks, bool withText = false, CancellationToken cancellation = default)
    {
        var elements = new List<int>();
        var texts = new List<string>();
        var chars = new List<int>();
        var linkChars = new List<int>();
        var hashes = new List<ulong>();
        var words = new List<WordStatistics>();
        var reader = new Reader(blocks, withText);
        for (int i = 0; i < blocks.Count; i++)
        {
            if (i > 0 && (blocks.Roles[i] & BlockRole.Inline) != 0) continue;
            cancellation.ThrowIfCancellationRequested();
            reader.Reset();
            reader.Append(i, 0);
            if (reader.Visible == 0) continue;
            elements.Add(i);
            texts.Add(withText ? TextNormalization.CollapseWhitespace(reader.Text.ToString()) : "");
            chars.Add(reader.Visible);
            linkChars.Add(reader.Linked);
            hashes.Add(reader.Hash);
            words.Add(reader.Words);
        }
        return new TextBlocks
        {
            Element = elements.ToArray(), Tag = elements.Select(i => blocks.Elements[i].LocalName).ToArray(), Text = texts.ToArray(),
            Chars = chars.ToArray(), LinkChars = linkChars.ToArray(), Hash = hashes.ToArray(), Words = words.ToArray(),
        };
    }
}
