namespace Crawlscope.Extraction;

/// <summary>
/// Fits a page longer than the parse budget into it, losing as little of what a reader sees as it can. Pages of
/// several megabytes are mostly inline scripts and styles (a shop's state, a framework's bundle), and cutting them
/// at the budget's byte lost the text that came after: in WCXB dev, 17 of 1,497 pages are over 2 MiB, and on some the
/// main content starts past it. So the contents of scripts (JSON-LD excepted: metadata reads it) and of styles go
/// first, the elements themselves kept; only what is still over the budget is cut.
/// </summary>
internal static class ParseBudget
{
    /// <summary>The html when it fits in <paramref name="maxChars"/>; else a copy without script and style contents,
    /// cut at <paramref name="maxChars"/> if still longer.</summary>
    public static string Fit(string html, int maxChars)
    {
        if (html.Length <= maxChars) return html;
        var output = new System.Text.StringBuilder(Math.Min(html.Length, maxChars));
        int copied = 0, i = 0;
        while (output.Length + (i - copied) < maxChars && (i = html.IndexOf('<', i)) >= 0)
        {
            if (string.CompareOrdinal(html, i, "<!--", 0, 4) == 0)
            {
                int close = html.IndexOf("-->", i + 4, StringComparison.Ordinal);
                i = close < 0 ? html.Length : close + 3;
                continue;
            }
            string? name = RawTextElementAt(html, i + 1);
            if (name is null)
            {
                // Any other tag is passed whole, so a "<script" inside an attribute's value is not taken for one.
                bool isTag = i + 1 < html.Length && (char.IsAsciiLetter(html[i + 1]) || html[i + 1] is '/' or '!');
                i = isTag ? NestingGuard.TagEnd(html, i + 1) : i + 1;
                continue;
            }
            int afterTag = NestingGuard.TagEnd(html, i + 1 + name.Length);
            // A start tag that runs to the end of the text has no contents to drop.
            if (afterTag == html.Length) break;
            int contentEnd = EndTagAt(html, name, afterTag);
            bool keep = name == "script" && html.AsSpan(i, afterTag - i).Contains("ld+json", StringComparison.OrdinalIgnoreCase);
            if (!keep)
            {
                output.Append(html, copied, afterTag - copied);
                copied = contentEnd;
            }
            i = contentEnd;
        }
        output.Append(html, copied, Math.Max(0, Math.Min(html.Length - copied, maxChars - output.Length)));
        return output.ToString();
    }

    /// <summary>"script" or "style" when a start tag of one begins at <paramref name="at"/> (just past its '&lt;').</summary>
    private static string? RawTextElementAt(string html, int at)
    {
        foreach (var name in (ReadOnlySpan<string>)["script", "style"])
            if (at + name.Length < html.Length && string.Compare(html, at, name, 0, name.Length, StringComparison.OrdinalIgnoreCase) == 0
                && IsNameEnd(html[at + name.Length]))
                return name;
        return null;
    }

    private static bool IsNameEnd(char c) => c is '>' or '/' or ' ' or '\t' or '\n' or '\r' or '\f';

    /// <summary>Where the element's end tag starts (the raw text ends there), or the text's end without one, as the
    /// HTML tokenizer reads a script or style: "&lt;/script" followed by a space, '/' or '&gt;' (not "&lt;/scripts").
    /// The end tag itself is kept, so this gives its start where <see cref="NestingGuard"/>'s skip gives its end.</summary>
    private static int EndTagAt(string html, string name, int from)
    {
        for (int i = from; (i = html.IndexOf("</", i, StringComparison.Ordinal)) >= 0; i += 2)
            if (i + 2 + name.Length < html.Length && string.Compare(html, i + 2, name, 0, name.Length, StringComparison.OrdinalIgnoreCase) == 0
                && IsNameEnd(html[i + 2 + name.Length]))
                return i;
        return html.Length;
    }
}
