namespace Crawlscope.Extraction;

/// <summary>
/// Bounds how deep a hostile page can nest elements before it reaches the HTML parser. AngleSharp's tree builder
/// checks element scope by walking the stack of open elements, so n nested <c>&lt;div&gt;</c>s cost O(n²), and every
/// recursive walk of the tree goes n frames deep. Browsers cap the depth too (Blink attaches elements past depth
/// 512 to the element at that depth). Here, start tags past <see cref="MaxDepth"/> and their end tags are removed
/// from the text; the text between them is kept. Pages that never get that deep are returned as they are.
/// The number of start tags is bounded too (<see cref="MaxTags"/>): the largest real pages have tens of thousands of
/// elements, a hostile one a million <c>&lt;p&gt;</c>, which costs every walk of the tree; the page is cut before the
/// tag past the bound, as a body past the byte limit is.
/// </summary>
internal static class NestingGuard
{
    public const int MaxDepth = 512;
    public const int MaxTags = 200_000;
    private const int TableLevels = 4;

    /// <summary>The html, or a copy without the tags nested deeper than <paramref name="maxDepth"/>.</summary>
    public static string Flatten(string html, int maxDepth = MaxDepth, int maxTags = MaxTags)
    {
        if (html.Length < 3 * maxDepth || Scan(html, maxDepth, maxTags, null)) return html;
        var output = new System.Text.StringBuilder(html.Length);
        Scan(html, maxDepth, maxTags, output);
        return output.ToString();
    }

    /// <summary>Walks the tags once. Without an output: true when the depth and the tag count stay within the limits.
    /// With one: copies the text without the tags past the depth limit, up to the tag past the count limit.</summary>
    private static bool Scan(string html, int maxDepth, int maxTags, System.Text.StringBuilder? output)
    {
        int depth = 0, excess = 0, copied = 0, i = 0, tags = 0;
        while ((i = html.IndexOf('<', i)) >= 0 && i + 1 < html.Length)
        {
            int start = i;
            char next = html[i + 1];
            if (next == '!' && string.CompareOrdinal(html, i, "<!--", 0, 4) == 0)
            {
                int close = html.IndexOf("-->", i + 4, StringComparison.Ordinal);
                i = close < 0 ? html.Length : close + 3;
                continue;
            }
            bool isEnd = next == '/';
            int nameStart = isEnd ? i + 2 : i + 1;
            if (nameStart >= html.Length || !char.IsAsciiLetter(html[nameStart]))
            {
                i++;
                continue;
            }
            int nameEnd = nameStart;
            while (nameEnd < html.Length && (char.IsAsciiLetterOrDigit(html[nameEnd]) || html[nameEnd] == '-')) nameEnd++;
            if (!isEnd && ++tags > maxTags)
            {
                if (output is null) return false;
                output.Append(html, copied, start - copied);
                return true;
            }
            int tagEnd = TagEnd(html, nameEnd);
            var name = html.AsSpan(nameStart, nameEnd - nameStart);
            i = tagEnd;
            var kind = KindOf(name);
            if (!isEnd && kind == TagKind.RawText)
            {
                i = SkipRawText(html, tagEnd, name);
                continue;
            }
            if (kind is TagKind.Void or TagKind.OptionalEnd || (!isEnd && html[tagEnd - 2] == '/')) continue;
            bool drop;
            // A table opens four levels (table, tbody, tr, td) though only its own tag is in the text: 80,000 unclosed
            // tables each nested in the last cell would otherwise give the parser a stack four times the limit to scan.
            int levels = name.Equals("table", StringComparison.OrdinalIgnoreCase) ? TableLevels : 1;
            if (isEnd)
            {
                drop = excess > 0;
                if (drop) excess--;
                else depth = Math.Max(0, depth - levels);
            }
            else
            {
                drop = depth + levels > maxDepth;
                if (drop) excess++;
                else depth += levels;
            }
            if (!drop) continue;
            if (output is null) return false;
            output.Append(html, copied, start - copied);
            copied = tagEnd;
        }
        output?.Append(html, copied, html.Length - copied);
        return true;
    }

    /// <summary>Just past the tag's closing <c>&gt;</c>, skipping quoted attribute values; the text's end when the tag
    /// does not close.</summary>
    internal static int TagEnd(string html, int i)
    {
        char quote = '\0';
        for (; i < html.Length; i++)
        {
            char c = html[i];
            if (quote != '\0') { if (c == quote) quote = '\0'; }
            else if (c is '"' or '\'') quote = c;
            else if (c == '>') return i + 1;
        }
        return html.Length;
    }

    private static int SkipRawText(string html, int i, ReadOnlySpan<char> name)
    {
        string closing = "</" + name.ToString();
        int close = html.IndexOf(closing, i, StringComparison.OrdinalIgnoreCase);
        return close < 0 ? html.Length : TagEnd(html, close + closing.Length);
    }

    private enum TagKind { Container, RawText, Void, OptionalEnd }

    // Raw text elements hold no tags; void elements have no end; elements whose end tag may be left out are closed
    // by their next sibling, so they add no depth. One lookup per tag, by span, ignoring case.
    private static readonly Dictionary<string, TagKind>.AlternateLookup<ReadOnlySpan<char>> Kinds = BuildKinds();

    private static Dictionary<string, TagKind>.AlternateLookup<ReadOnlySpan<char>> BuildKinds()
    {
        var kinds = new Dictionary<string, TagKind>(StringComparer.OrdinalIgnoreCase);
        foreach (var n in new[] { "script", "style", "textarea", "title", "xmp", "iframe", "noembed", "noframes", "plaintext" }) kinds[n] = TagKind.RawText;
        foreach (var n in new[] { "br", "img", "hr", "meta", "link", "input", "area", "base", "col", "embed", "source", "track", "wbr", "param" }) kinds[n] = TagKind.Void;
        foreach (var n in new[] { "p", "li", "dt", "dd", "option", "optgroup", "tr", "td", "th", "thead", "tbody", "tfoot", "rb", "rt", "rp", "rtc", "colgroup", "caption" })
            kinds[n] = TagKind.OptionalEnd;
        return kinds.GetAlternateLookup<ReadOnlySpan<char>>();
    }

    private static TagKind KindOf(ReadOnlySpan<char> name) => Kinds.TryGetValue(name, out var kind) ? kind : TagKind.Container;
}
