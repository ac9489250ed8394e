using System.Buffers;
using System.Text;
using AngleSharp.Dom;
using Crawlscope.Urls;

namespace Crawlscope.Extraction;

/// <summary>
/// HTML DOM to GitHub-flavoured Markdown: ATX headings, paragraphs, nested and ordered lists (start honoured),
/// blockquotes, fenced code with its language, inline code with safe backtick runs, emphasis, links and images
/// with absolute URLs, pipe tables when the first row is a header row, rules, and escaping so that a Markdown
/// parser reads back exactly the page's text. Scripts, styles, templates, SVG, iframes, form controls and
/// hidden elements are left out (HtmlVisibility decides). The DOM is only read, never changed. One file on purpose: the block
/// writer, the inline writer and the escaping rules share private state and must change together.
/// </summary>
public static class MarkdownConverter
{
    public static string Convert(INode root, WebUrl? baseUrl, CancellationToken cancellation = default) => Convert(root, baseUrl, null, cancellation);

    /// <summary>Renders <paramref name="root"/> without the elements <paramref name="leaveOut"/> names (the main-content
    /// extractor's boilerplate inside the content it chose).</summary>
    /// <remarks>With a leave-out rule the content of &lt;noscript&gt; is rendered: without scripts (as we parse) it is
    /// what a reader sees, and some sites serve their whole content to crawlers that way. Without one (the whole page),
    /// a noscript or hidden element near the root is rendered when it holds most of the page's text
    /// (<see cref="HtmlVisibility.Curtains"/>).</remarks>
    public static string Convert(INode root, WebUrl? baseUrl, Func<IElement, bool>? leaveOut, CancellationToken cancellation = default)
    {
        var ctx = new Context(root, baseUrl, leaveOut, cancellation);
        var blocks = new BlockWriter();
        ctx.Blocks(root, blocks, includeSelf: true);
        return blocks.ToMarkdown();
    }

    private static readonly HashSet<string> BlockTags = new(StringComparer.OrdinalIgnoreCase)
    {
        "address", "article", "aside", "body", "center", "details", "dd", "div", "dl", "dt", "fieldset", "figcaption",
        "figure", "footer", "form", "header", "hgroup", "html", "legend", "main", "menu", "nav", "p", "section", "summary",
        "caption", "tbody", "thead", "tfoot", "tr", "td", "th", "noframes", "search",
    };

    private sealed class Context(INode root, WebUrl? baseUrl, Func<IElement, bool>? leaveOut, CancellationToken cancellation)
    {
        private bool Skip(IElement e) => (leaveOut is null ? HtmlVisibility.IsSkipped(e) && !_curtains.Lifted(e) : HtmlVisibility.IsNeverTextKind(e)) || leaveOut?.Invoke(e) == true;

        // A page-wide curtain is read as the script that lifts it would show it (React streams a page into a hidden div).
        private readonly HtmlVisibility.Curtains _curtains = new(root);

        private int _strong, _emphasis, _strike, _link;

        /// <summary>Renders a node's content as blocks.</summary>
        internal void Blocks(INode node, BlockWriter output, bool includeSelf = false)
        {
            if (includeSelf)
            {
                Node(node, output);
                output.FlushParagraph();
                return;
            }
            foreach (var child in node.ChildNodes) Node(child, output);
            output.FlushParagraph();
        }

        private void Node(INode node, BlockWriter output)
        {
            switch (node)
            {
                case IText text:
                    output.Inline.AppendText(text.Data);
                    return;
                case IElement e:
                    Element(e, output);
                    return;
                case IDocument or IDocumentFragment:
                    foreach (var child in node.ChildNodes) Node(child, output);
                    return;
            }
        }

        private void Element(IElement e, BlockWriter output)
        {
            cancellation.ThrowIfCancellationRequested();
            if (Skip(e)) return;
            string tag = e.LocalName;
            if (output.FlattenBlocks && tag is "h1" or "h2" or "h3" or "h4" or "h5" or "h6" or "ul" or "ol" or "li" or "blockquote"
                    or "pre" or "table" or "tr" or "td" or "th" or "hr" or "dl" or "dd" or "dt")
            {
                // Inside link text, headings and table cells, block structure cannot be written: keep the words.
                output.Inline.AppendText(" ");
                if (tag == "pre") output.Inline.AppendText(e.TextContent);
                else foreach (var child in e.ChildNodes) Node(child, output);
                output.Inline.AppendText(" ");
                return;
            }
            if (BlockElement(e, tag, output) || InlineElement(e, tag, output)) return;
            if (BlockTags.Contains(tag))
            {
                output.FlushParagraph();
                foreach (var child in e.ChildNodes) Node(child, output);
                output.FlushParagraph();
            }
            else
            {
                foreach (var child in e.ChildNodes) Node(child, output);
            }
        }

        /// <summary>Headings, rules, lists, quotes, code blocks and tables; false for any other element.</summary>
        private bool BlockElement(IElement e, string tag, BlockWriter output)
        {
            switch (tag)
            {
                case "h1" or "h2" or "h3" or "h4" or "h5" or "h6":
                {
                    output.FlushParagraph();
                    string text = InlineOf(e).Trim();
                    if (text.Length > 0) output.AddBlock(new string('#', tag[1] - '0') + " " + text);
                    return true;
                }
                case "br":
                    output.Inline.AppendLineBreak();
                    return true;
                case "hr":
                    output.FlushParagraph();
                    output.AddBlock("---");
                    return true;
                case "ul" or "ol":
                    output.FlushParagraph();
                    output.AddBlock(List(e));
                    return true;
                case "li":
                    output.FlushParagraph();
                    output.AddBlock(ListItem(e, "- "));
                    return true;
                case "blockquote":
                {
                    output.FlushParagraph();
                    var inner = new BlockWriter();
                    Blocks(e, inner);
                    string md = inner.ToMarkdown();
                    if (md.Length > 0) output.AddBlock(PrefixLines(md, "> ", ">"));
                    return true;
                }
                case "pre":
                    output.FlushParagraph();
                    output.AddBlock(CodeBlock(e));
                    return true;
                case "table":
                    output.FlushParagraph();
                    Table(e, output);
                    return true;
            }
            return false;
        }

        /// <summary>Line breaks, code, emphasis, links and images; false for any other element.</summary>
        private bool InlineElement(IElement e, string tag, BlockWriter output)
        {
            switch (tag)
            {
                case "code" or "kbd" or "samp" or "tt":
                    output.Inline.AppendRaw(InlineCode(e.TextContent), e.TextContent);
                    return true;
                case "strong" or "b":
                    Wrapped(e, output, "**", ref _strong);
                    return true;
                case "em" or "i" or "cite" or "dfn":
                    Wrapped(e, output, "*", ref _emphasis);
                    return true;
                case "del" or "s" or "strike":
                    Wrapped(e, output, "~~", ref _strike);
                    return true;
                case "a":
                    Link(e, output);
                    return true;
                case "img":
                    Image(e, output);
                    return true;
            }
            return false;
        }

        private string InlineOf(IElement e)
        {
            var temp = RentInline();
            foreach (var child in e.ChildNodes) Node(child, temp);
            string inline = temp.Inline.ToInlineString();
            ReturnInline(temp);
            return inline;
        }

        // Link texts, emphasis and headings are written into a writer of their own, then copied into their paragraph;
        // the writers are reused within a conversion (they nest: a link in a heading), so a page's hundred links do
        // not each make a writer and grow its two builders from empty.
        private readonly Stack<BlockWriter> _spareInline = new();

        private BlockWriter RentInline() => _spareInline.TryPop(out var writer) ? writer : new BlockWriter { FlattenBlocks = true };

        private void ReturnInline(BlockWriter writer)
        {
            writer.Clear();
            _spareInline.Push(writer);
        }

        private void Wrapped(IElement e, BlockWriter output, string marker, ref int depth)
        {
            depth++;
            try
            {
                if (depth > 1 || _link > 0 && marker == "~~")
                {
                    foreach (var child in e.ChildNodes) Node(child, output);
                    return;
                }
                var temp = RentInline();
                foreach (var child in e.ChildNodes) Node(child, temp);
                var inline = temp.Inline;
                if (inline.StartsWithSpace) output.Inline.AppendText(" ");
                output.Inline.AppendSpan(marker, inline.ToInlineString().Trim(' '), inline.PlainText);
                if (inline.EndsWithSpace) output.Inline.AppendText(" ");
                ReturnInline(temp);
            }
            finally
            {
                depth--;
            }
        }

        private void Link(IElement e, BlockWriter output)
        {
            string? url = Resolve(e.GetAttribute("href"), allowMailto: true);
            _link++;
            try
            {
                var temp = RentInline();
                foreach (var child in e.ChildNodes) Node(child, temp);
                var inline = temp.Inline;
                string text = inline.ToInlineString().Trim();
                if (inline.StartsWithSpace) output.Inline.AppendText(" ");
                output.Inline.AppendRaw(url is null || text.Length == 0 ? text : $"[{text}]({Destination(url)})", inline.PlainText.Trim());
                if (inline.EndsWithSpace) output.Inline.AppendText(" ");
                ReturnInline(temp);
            }
            finally
            {
                _link--;
            }
        }

        private void Image(IElement e, BlockWriter output)
        {
            string? src = ImageSource(e);
            if (src is null) return;
            string alt = Escape.Text(TextNormalization.CollapseWhitespace(e.GetAttribute("alt")));
            output.Inline.AppendRaw($"![{alt}]({Destination(src)})", "");
        }

        private string? ImageSource(IElement e)
        {
            foreach (var attribute in new[] { "src", "data-src", "data-lazy-src", "data-original" })
            {
                string? value = e.GetAttribute(attribute);
                if (string.IsNullOrWhiteSpace(value) || value.TrimStart().StartsWith("data:", StringComparison.OrdinalIgnoreCase)) continue;
                if (Resolve(value, allowMailto: false) is { } url) return url;
            }
            return null;
        }

        private string? Resolve(string? href, bool allowMailto)
        {
            if (string.IsNullOrWhiteSpace(href)) return null;
            string trimmed = href.Trim();
            if (allowMailto && trimmed.StartsWith("mailto:", StringComparison.OrdinalIgnoreCase))
                return trimmed.Any(c => char.IsWhiteSpace(c) || c is '<' or '>') ? null : trimmed;
            if (!WebUrl.TryParse(trimmed, baseUrl, out var url, out _)) return null;
            return url.Scheme is "http" or "https" ? url.Href : null;
        }

        private static string Destination(string url)
        {
            // "&amp;" in a destination would be decoded by a Markdown reader.
            if (url.Contains('&'))
            {
                var sb = new StringBuilder(url.Length + 8);
                for (int i = 0; i < url.Length; i++)
                {
                    sb.Append(url[i]);
                    if (url[i] == '&' && Escape.LooksLikeEntity(url, i))
                    {
                        // Readers decode entities even after a backslash; "%3B" for the ';' leaves nothing to decode.
                        int semicolon = url.IndexOf(';', i);
                        sb.Append(url, i + 1, semicolon - i - 1).Append("%3B");
                        i = semicolon;
                    }
                }
                url = sb.ToString();
            }
            return url.IndexOfAny([' ', '(', ')', '<', '>']) < 0 ? url : "<" + url.Replace("<", "%3C").Replace(">", "%3E") + ">";
        }

        private string List(IElement list)
        {
            bool ordered = list.LocalName == "ol";
            int number = ordered && int.TryParse(list.GetAttribute("start"), out int start) ? Math.Clamp(start, 0, 999_999_999) : 1;
            var items = new List<string>();
            var stray = new List<INode>();
            bool loose = false;

            void AddItem(string body, bool itemLoose)
            {
                loose |= itemLoose;
                items.Add(body);
            }

            // Text and inline elements directly inside a list (invalid but common) become an item of their own,
            // so no words are lost.
            void FlushStray()
            {
                if (stray.Count == 0) return;
                var inner = new BlockWriter();
                foreach (var n in stray) Node(n, inner);
                stray.Clear();
                bool strayLoose = inner.BlockList.Count > 1;
                string body = inner.ToMarkdown(strayLoose ? "\n\n" : "\n");
                if (body.Length == 0) return;
                string marker = ordered ? $"{number++}. " : "- ";
                AddItem(marker + Indent(body, marker.Length), strayLoose);
            }

            foreach (var child in list.ChildNodes)
            {
                if (child is IElement e)
                {
                    if (Skip(e)) continue;
                    if (e.LocalName is "ul" or "ol" && items.Count > 0 && stray.Count == 0)
                    {
                        // A list directly inside a list belongs to the item before it.
                        string marker = ordered ? $"{number - 1}. " : "- ";
                        items[^1] += "\n" + Indent(List(e), marker.Length);
                        continue;
                    }
                    if (e.LocalName == "li")
                    {
                        FlushStray();
                        string markerText = ordered ? $"{number++}. " : "- ";
                        string item = ListItem(e, markerText, out bool itemLoose);
                        // Empty items (icon-only menu entries) carry no text and would read as rules ("- - -").
                        if (item.Length > 0) AddItem(item, itemLoose);
                        else if (ordered) number--;
                        continue;
                    }
                }
                stray.Add(child);
            }
            FlushStray();
            return string.Join(loose ? "\n\n" : "\n", items);
        }

        private string ListItem(IElement item, string marker) => ListItem(item, marker, out _);

        private string ListItem(IElement item, string marker, out bool loose)
        {
            var inner = new BlockWriter();
            Blocks(item, inner);
            var blocks = inner.BlockList;
            loose = blocks.Count(b => !IsListBlock(b)) > 1;
            if (blocks.Count == 0) return "";
            string body = inner.ToMarkdown(loose ? "\n\n" : "\n");
            // A list item must not start with something that reads as a rule or another marker.
            return marker + Indent(body, marker.Length).TrimStart();
        }

        private static bool IsListBlock(string block) =>
            block.StartsWith("- ", StringComparison.Ordinal) || block == "-" ||
            (block.Length > 2 && char.IsAsciiDigit(block[0]) && block.TakeWhile(char.IsAsciiDigit).Count() is var n && n < block.Length && block[n] == '.');

        private static string Indent(string text, int width)
        {
            string pad = new(' ', width);
            var lines = text.Split('\n');
            for (int i = 1; i < lines.Length; i++)
                if (lines[i].Length > 0) lines[i] = pad + lines[i];
            return string.Join('\n', lines);
        }

        private static string PrefixLines(string text, string prefix, string emptyPrefix) =>
            string.Join('\n', text.Split('\n').Select(l => l.Length == 0 ? emptyPrefix : prefix + l));

        private static string CodeBlock(IElement pre)
        {
            string code = pre.TextContent.Replace("\r\n", "\n").Replace('\r', '\n');
            if (code.StartsWith('\n')) code = code[1..];
            code = code.TrimEnd('\n', ' ', '\t');
            string language = LanguageOf(pre) ?? (pre.QuerySelector("code") is { } c ? LanguageOf(c) : null) ?? "";
            int longest = LongestRun(code, '`');
            string fence = new('`', Math.Max(3, longest + 1));
            return $"{fence}{language}\n{code}\n{fence}";
        }

        private static string? LanguageOf(IElement e)
        {
            foreach (var cls in e.ClassList)
            {
                if (cls.StartsWith("language-", StringComparison.OrdinalIgnoreCase)) return Clean(cls[9..]);
                if (cls.StartsWith("lang-", StringComparison.OrdinalIgnoreCase)) return Clean(cls[5..]);
            }
            return null;
            static string? Clean(string s) => s.Length > 0 && s.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '+' or '#' or '_' or '.') ? s : null;
        }

        private static string InlineCode(string raw)
        {
            string code = TextNormalization.CollapseWhitespace(raw.Replace('\n', ' '));
            if (code.Length == 0) return "";
            string ticks = new('`', LongestRun(code, '`') + 1);
            bool pad = code.StartsWith('`') || code.EndsWith('`') || (code.StartsWith(' ') && code.EndsWith(' '));
            return pad ? $"{ticks} {code} {ticks}" : $"{ticks}{code}{ticks}";
        }

        private static int LongestRun(string s, char c)
        {
            int best = 0, run = 0;
            foreach (char ch in s)
            {
                run = ch == c ? run + 1 : 0;
                best = Math.Max(best, run);
            }
            return best;
        }

        /// <summary>The table's own rows, in order: its children and its sections' children. (A selector query for
        /// rows walks the whole subtree, nested tables included, which made tables nested in cells quadratic.)</summary>
        private static IEnumerable<IElement> RowsOf(IElement table)
        {
            foreach (var child in table.Children)
            {
                if (child.LocalName == "tr") yield return child;
                else if (child.LocalName is "thead" or "tbody" or "tfoot")
                    foreach (var row in child.Children)
                        if (row.LocalName == "tr") yield return row;
            }
        }

        private void Table(IElement table, BlockWriter output)
        {
            var rows = RowsOf(table).Where(r => !Skip(r)).ToList();
            if (rows.Count == 0) return;
            var first = rows[0].Children.Where(c => c.LocalName is "td" or "th").ToList();
            bool header = first.Count > 0 && (first.All(c => c.LocalName == "th") || rows[0].ParentElement?.LocalName == "thead");
            if (!header)
            {
                // A layout table: its cells are ordinary content.
                foreach (var row in rows)
                    foreach (var cell in row.Children.Where(c => c.LocalName is "td" or "th"))
                    {
                        foreach (var child in cell.ChildNodes) Node(child, output);
                        output.FlushParagraph();
                    }
                return;
            }
            var grid = rows.Select(r => r.Children.Where(c => c.LocalName is "td" or "th")
                .Select(c => InlineOf(c).Replace("|", "\\|").Replace("\\\n", " ").Replace('\n', ' ').Trim()).ToList()).ToList();
            int columns = grid.Max(r => r.Count);
            if (columns == 0) return;
            var sb = new StringBuilder();
            for (int r = 0; r < grid.Count; r++)
            {
                var cells = grid[r];
                while (cells.Count < columns) cells.Add("");
                sb.Append("| ").Append(string.Join(" | ", cells)).Append(" |\n");
                if (r == 0) sb.Append('|').Append(string.Concat(Enumerable.Repeat(" --- |", columns))).Append('\n');
            }
            output.AddBlock(sb.ToString().TrimEnd('\n'));
        }
    }

    /// <summary>Blocks separated by blank lines, plus the paragraph being built.</summary>
    private sealed class BlockWriter
    {
        private readonly List<string> _blocks = [];

        internal InlineBuffer Inline { get; } = new();

        /// <summary>Inside headings, table cells and link text, block boundaries are just spaces.</summary>
        internal bool FlattenBlocks { get; init; }

        internal IReadOnlyList<string> BlockList => _blocks;

        /// <summary>Empty again, for reuse.</summary>
        internal void Clear()
        {
            _blocks.Clear();
            Inline.Clear();
        }

        internal void FlushParagraph()
        {
            if (FlattenBlocks)
            {
                Inline.AppendText(" ");
                return;
            }
            string paragraph = Inline.ToParagraph();
            Inline.Clear();
            if (paragraph.Length > 0) _blocks.Add(paragraph);
        }

        internal void AddBlock(string block)
        {
            // Two lists in a row would merge into one; a different bullet ("*" after "-", "1)" after "1.") keeps them apart.
            if (!FlattenBlocks && _blocks.Count > 0 && Inline.IsEmpty && ListMarker(block) is { } marker && ListMarker(_blocks[^1]) == marker)
                block = AlternateMarkers(block, marker);
            if (FlattenBlocks)
            {
                Inline.AppendText(" ");
                Inline.AppendRaw(block.Replace('\n', ' '), block);
                Inline.AppendText(" ");
                return;
            }
            FlushParagraph();
            if (block.Length > 0) _blocks.Add(block);
        }

        /// <summary>'-' or '*' for a bullet list block, '.' or ')' for an ordered one, else null.</summary>
        private static char? ListMarker(string block)
        {
            if (block.Length >= 2 && block[0] is '-' or '*' && block[1] == ' ') return block[0];
            int digits = 0;
            while (digits < block.Length && char.IsAsciiDigit(block[digits])) digits++;
            return digits > 0 && digits + 1 < block.Length && block[digits] is '.' or ')' && block[digits + 1] == ' ' ? block[digits] : null;
        }

        private static string AlternateMarkers(string block, char marker)
        {
            char replacement = marker switch { '-' => '*', '*' => '-', '.' => ')', _ => '.' };
            var lines = block.Split('\n');
            for (int i = 0; i < lines.Length; i++)
            {
                string line = lines[i];
                if (line.Length >= 2 && line[0] == marker && line[1] == ' ') lines[i] = replacement + line[1..];
                else if (marker is '.' or ')')
                {
                    int d = 0;
                    while (d < line.Length && char.IsAsciiDigit(line[d])) d++;
                    if (d > 0 && d < line.Length && line[d] == marker) lines[i] = line[..d] + replacement + line[(d + 1)..];
                }
            }
            return string.Join('\n', lines);
        }

        // One string at its final length (a builder would grow through chunks as long as the text, then copy them).
        internal string ToMarkdown(string separator = "\n\n")
        {
            FlushParagraph();
            return string.Join(separator, _blocks);
        }
    }

    /// <summary>A paragraph in the making: collapses whitespace as HTML renders it and escapes text.</summary>
    private sealed class InlineBuffer
    {
        private readonly StringBuilder _md = new();
        private readonly StringBuilder _plain = new();
        private bool _pendingSpace, _sawContent, _leadingSpace;
        // A span whose text ends in punctuation closes only before a space or punctuation ("*foo.*bar" does not
        // parse); we remember where it starts, and unwrap it if a letter or digit follows.
        private int _fragileStart = -1, _fragileMarker;

        internal bool StartsWithSpace => _leadingSpace;
        internal bool EndsWithSpace => _pendingSpace;
        internal string PlainText => _plain.ToString();
        internal bool IsEmpty => _md.Length == 0;

        /// <summary>
        /// Appends <paramref name="content"/> (escaped Markdown) wrapped in <paramref name="marker"/> so that a
        /// CommonMark reader sees the emphasis: punctuation and whitespace at either end go outside the markers,
        /// a span glued to an equal one before it extends it, and where the markers could not parse they are left out.
        /// </summary>
        internal void AppendSpan(string marker, string content, string plain)
        {
            int start = 0, end = content.Length;
            while (start < end && IsEdge(content, start)) start++;
            while (end > start && IsEdge(content, end - 1) && !(end >= 2 && content[end - 2] == '\\')) end--;
            string lead = content[..start], core = content[start..end], trail = content[end..];
            bool unsafeCore = core.Length == 0 || core[^1] == '\\' || core[0] == marker[0] || core[^1] == marker[0] ||
                              char.IsWhiteSpace(core[0]) || char.IsWhiteSpace(core[^1]);
            // An opening marker after a letter needs a letter after it too.
            bool gluedBefore = !_pendingSpace && _md.Length > 0 && char.IsLetterOrDigit(_md[^1]) && lead.Length == 0 && !char.IsLetterOrDigit(core.Length > 0 ? core[0] : ' ');
            if (unsafeCore || gluedBefore)
            {
                AppendRaw(content, plain);
                return;
            }
            if (lead.Length > 0) AppendRaw(lead, "");
            if (lead.Length == 0 && TryExtendSpan(marker, core, plain)) { }
            else
            {
                AppendRaw(marker, "");
                int spanStart = _md.Length - marker.Length;
                _md.Append(core).Append(marker);
                _plain.Append(plain);
                if (!char.IsLetterOrDigit(core[^1]))
                {
                    _fragileStart = spanStart;
                    _fragileMarker = marker.Length;
                }
            }
            if (trail.Length > 0) AppendRaw(trail, "");
        }

        // Sentence punctuation and whitespace (including no-break spaces) belong outside emphasis markers.
        private static bool IsEdge(string s, int i)
        {
            char c = s[i];
            return char.IsWhiteSpace(c) || c is '.' or ',' or ';' or ':' or '!' or '?' or '"' or '\'' or '“' or '”' or '‘' or '’'
                or '«' or '»' or '„' or '…' or '—' or '–' or '¡' or '¿';
        }

        /// <summary>Before anything is appended: unwraps a fragile span if a letter or digit would follow it.</summary>
        private void Settle(char next)
        {
            if (_fragileStart < 0) return;
            if (char.IsLetterOrDigit(next))
            {
                _md.Remove(_md.Length - _fragileMarker, _fragileMarker);
                _md.Remove(_fragileStart, _fragileMarker);
            }
            _fragileStart = -1;
        }

        // The collapsed text of the text node being appended; one per thread, since appending does not nest. A text
        // longer than the kept buffer gets one of its own, so a thread does not hold a huge page's buffer for good.
        [ThreadStatic] private static char[]? t_collapsed;
        private const int KeptBufferChars = 16 * 1024;

        internal void AppendText(string text)
        {
            // A space pending from the text before may lead: one character more than the text at most.
            var collapsed = text.Length >= KeptBufferChars ? new char[text.Length + 1] : t_collapsed ??= new char[KeptBufferChars];
            int length = 0;
            foreach (char c in text)
            {
                if (c is ' ' or '\t' or '\n' or '\r' or '\f')
                {
                    if (_sawContent || length > 0) _pendingSpace = true;
                    else _leadingSpace = true;
                    continue;
                }
                if (_pendingSpace && (_sawContent || length > 0))
                {
                    collapsed[length++] = ' ';
                }
                _pendingSpace = false;
                collapsed[length++] = c;
            }
            if (length == 0) return;
            var s = collapsed.AsSpan(0, length);
            Settle(s[0]);
            char? before = _md.Length > 0 ? _md[^1] : null;
            Escape.AppendText(_md, s, before);
            _plain.Append(s);
            _sawContent = true;
        }

        internal void AppendRaw(string markdown, string plain)
        {
            if (markdown.Length == 0) return;
            Settle(_pendingSpace && _sawContent ? ' ' : markdown[0]);
            if (_pendingSpace && _sawContent)
            {
                _md.Append(' ');
                _plain.Append(' ');
            }
            _pendingSpace = false;
            _md.Append(markdown);
            _plain.Append(plain);
            _sawContent = true;
        }

        /// <summary>When the buffer ends with a closing <paramref name="marker"/>, moves it past <paramref name="content"/>.</summary>
        internal bool TryExtendSpan(string marker, string content, string plain)
        {
            if (_pendingSpace || _md.Length < 2 * marker.Length + 1) return false;
            for (int i = 0; i < marker.Length; i++)
                if (_md[_md.Length - marker.Length + i] != marker[i]) return false;
            // The marker must close a span, not be escaped text.
            if (_md[_md.Length - marker.Length - 1] == '\\' || _md[_md.Length - marker.Length - 1] == marker[0]) return false;
            _md.Length -= marker.Length;
            _md.Append(content).Append(marker);
            _plain.Append(plain);
            return true;
        }

        internal void AppendLineBreak()
        {
            if (!_sawContent) return;
            Settle('\n');
            while (_md.Length > 0 && _md[^1] == ' ') _md.Length--;
            _md.Append("\\\n");
            _plain.Append('\n');
            _pendingSpace = false;
            _sawContent = false; // the next line starts afresh: no leading space
        }

        internal string ToInlineString() => _md.ToString().Replace("\\\n", " ").TrimEnd(' ');

        internal string ToParagraph()
        {
            string md = _md.ToString();
            // Trailing hard breaks would show as a literal backslash.
            md = md.Trim();
            while (md.EndsWith("\\\n", StringComparison.Ordinal) || md.EndsWith('\\')) md = md.TrimEnd('\\', '\n', ' ');
            while (md.StartsWith("\\\n", StringComparison.Ordinal)) md = md[2..].TrimStart();
            md = md.Trim();
            if (md.Length == 0) return "";
            var lines = md.Split('\n');
            for (int i = 0; i < lines.Length; i++) lines[i] = Escape.LineStart(lines[i].TrimStart());
            return string.Join('\n', lines);
        }

        internal void Clear()
        {
            _md.Clear();
            _plain.Clear();
            _pendingSpace = _sawContent = _leadingSpace = false;
            _fragileStart = -1;
        }
    }

    internal static class Escape
    {
        /// <summary>Backslash-escapes what Markdown would otherwise read as syntax.</summary>
        internal static string Text(string s, char? before = null)
        {
            if (s.AsSpan().IndexOfAny(MaybeSyntax) < 0) return s;
            var sb = new StringBuilder(s.Length + 8);
            AppendText(sb, s, before);
            return sb.Length == s.Length ? s : sb.ToString();
        }

        // The characters Markdown may read as syntax; text between them is copied as it is.
        private static readonly SearchValues<char> MaybeSyntax = SearchValues.Create("\\`*[]<_~&");

        /// <summary>As <see cref="Text"/>, appending to <paramref name="target"/>; <paramref name="before"/> is the
        /// character the text follows.</summary>
        internal static void AppendText(StringBuilder target, ReadOnlySpan<char> s, char? before)
        {
            int copied = 0;
            for (int i = 0; i < s.Length; i++)
            {
                int next = s[i..].IndexOfAny(MaybeSyntax);
                if (next < 0) break;
                i += next;
                char c = s[i];
                char prev = i > 0 ? s[i - 1] : before ?? ' ';
                char after = i + 1 < s.Length ? s[i + 1] : ' ';
                bool escape = c switch
                {
                    '\\' or '`' or '*' or '[' or ']' or '<' => true,
                    '_' => !(char.IsLetterOrDigit(prev) && char.IsLetterOrDigit(after)),
                    '~' => prev == '~' || after == '~',
                    '&' => LooksLikeEntity(s, i),
                    _ => false,
                };
                if (!escape) continue;
                target.Append(s[copied..i]).Append('\\');
                copied = i;
            }
            target.Append(s[copied..]);
        }

        internal static bool LooksLikeEntity(ReadOnlySpan<char> s, int i)
        {
            int j = i + 1;
            if (j < s.Length && s[j] == '#') j++;
            int start = j;
            while (j < s.Length && char.IsAsciiLetterOrDigit(s[j])) j++;
            return j > start && j < s.Length && s[j] == ';';
        }

        /// <summary>Escapes a line start that would read as a heading, quote, list, rule or setext underline.</summary>
        internal static string LineStart(string line)
        {
            if (line.Length == 0) return line;
            char c = line[0];
            if (c is '#' or '>' or '+' or '-' or '=' or '|') return "\\" + line;
            int digits = 0;
            while (digits < line.Length && digits < 10 && char.IsAsciiDigit(line[digits])) digits++;
            if (digits > 0 && digits < line.Length && line[digits] is '.' or ')')
                return line[..digits] + "\\" + line[digits..];
            return line;
        }
    }
}
