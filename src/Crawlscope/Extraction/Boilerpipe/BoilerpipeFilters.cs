using System.Text.RegularExpressions;

namespace Crawlscope.Extraction.Boilerpipe;

/// <summary>
/// The classifiers and heuristic filters that boilerpipe 1.2.0's ArticleExtractor and DefaultExtractor
/// chain, with the original thresholds (decision trees from Kohlschütter et al., "Boilerplate Detection using
/// Shallow Text Features", WSDM 2010).
/// </summary>
internal static class BoilerpipeFilters
{
    /// <summary>Classifies each block from its own, its predecessor's and its successor's features.</summary>
    internal static void Classify(List<TextBlock> blocks, Func<TextBlock, TextBlock, TextBlock, bool> rule)
    {
        for (int i = 0; i < blocks.Count; i++)
        {
            var prev = i > 0 ? blocks[i - 1] : TextBlock.EmptyStart;
            var next = i + 1 < blocks.Count ? blocks[i + 1] : TextBlock.EmptyStart;
            blocks[i].IsContent = rule(prev, blocks[i], next);
        }
    }

    internal static bool NumWordsRule(TextBlock prev, TextBlock curr, TextBlock next)
    {
        if (curr.LinkDensity > 0.333333) return false;
        if (prev.LinkDensity <= 0.555556)
        {
            if (curr.Words > 16) return true;
            if (next.Words > 15) return true;
            return prev.Words > 4;
        }
        if (curr.Words > 40) return true;
        return next.Words > 17;
    }

    internal static bool DensityRule(TextBlock prev, TextBlock curr, TextBlock next)
    {
        if (curr.LinkDensity > 0.333333) return false;
        if (prev.LinkDensity <= 0.555556)
        {
            if (curr.TextDensity <= 9)
            {
                if (next.TextDensity <= 10) return prev.TextDensity > 4;
                return true;
            }
            return next.TextDensity != 0;
        }
        return next.TextDensity > 11;
    }

    /// <summary>Marks blocks such as "Comments" or "Post a comment" that usually end the article.</summary>
    internal static void FindTerminatingBlocks(List<TextBlock> blocks)
    {
        foreach (var tb in blocks)
        {
            if (tb.Words >= 15) continue;
            string text = BoilerpipeTokenizer.JavaTrim(tb.Text);
            if (text.Length >= 8)
            {
                string lc = text.ToLowerInvariant();
                if (lc.StartsWith("comments", StringComparison.Ordinal) || StartsWithNumber(lc, " comments", " users responded in") ||
                    lc.StartsWith("© reuters", StringComparison.Ordinal) || lc.StartsWith("please rate this", StringComparison.Ordinal) ||
                    lc.StartsWith("post a comment", StringComparison.Ordinal) || lc.Contains("what you think...", StringComparison.Ordinal) ||
                    lc.Contains("add your comment", StringComparison.Ordinal) || lc.Contains("add comment", StringComparison.Ordinal) ||
                    lc.Contains("reader views", StringComparison.Ordinal) || lc.Contains("have your say", StringComparison.Ordinal) ||
                    lc.Contains("reader comments", StringComparison.Ordinal) || lc.Contains("rätta artikeln", StringComparison.Ordinal) ||
                    lc == "thanks for your comments - this feedback is now closed")
                    tb.Labels |= BlockLabels.EndOfText;
            }
        }
    }

    private static bool StartsWithNumber(string t, params string[] suffixes)
    {
        int j = 0;
        while (j < t.Length && char.IsDigit(t[j])) j++;
        return j != 0 && suffixes.Any(s => t.AsSpan(j).StartsWith(s, StringComparison.Ordinal));
    }

    /// <summary>Labels every block whose trimmed text equals the document title or its longest part.</summary>
    internal static void MatchTitle(List<TextBlock> blocks, string? title)
    {
        var candidates = TitleCandidates(title);
        if (candidates is null) return;
        foreach (var tb in blocks)
            if (candidates.Contains(BoilerpipeTokenizer.JavaTrim(tb.Text))) tb.Labels |= BlockLabels.Title;
    }

    internal static HashSet<string>? TitleCandidates(string? title)
    {
        if (title is null) return null;
        title = BoilerpipeTokenizer.JavaTrim(title);
        if (title.Length == 0) return null;
        var set = new HashSet<string>(StringComparer.Ordinal) { title };
        foreach (var pattern in new[] { @"[ ]*[\|»|:][ ]*", @"[ ]*[\|»|:\(\)][ ]*", @"[ ]*[\|»|:\(\)\-][ ]*", @"[ ]*[\|»|,|:\(\)\-][ ]*" })
        {
            if (LongestPart(title, pattern) is { } part) set.Add(part);
        }
        return set;
    }

    private static string[] JavaSplit(string s, string pattern)
    {
        var parts = Regex.Split(s, pattern).ToList();
        while (parts.Count > 1 && parts[^1].Length == 0) parts.RemoveAt(parts.Count - 1); // Java drops trailing empties
        return [.. parts];
    }

    private static string? LongestPart(string title, string pattern)
    {
        var parts = JavaSplit(title, pattern);
        if (parts.Length == 1) return null;
        int longestWords = 0;
        string longest = "";
        foreach (var p in parts)
        {
            if (p.Contains(".com", StringComparison.Ordinal)) continue;
            // 1.2.0 counts words by splitting on "[\b]+", a character class holding backspace, so nearly always 1.
            int words = JavaSplit(p, @"[\b]+").Length;
            if (words > longestWords || p.Length > longest.Length)
            {
                longestWords = words;
                longest = p;
            }
        }
        return longest.Length == 0 ? null : BoilerpipeTokenizer.JavaTrim(longest);
    }

    /// <summary>Once enough full-text words were seen, an end-of-text block and everything after it is boilerplate.</summary>
    internal static void IgnoreBlocksAfterContent(List<TextBlock> blocks, int minWords = 60)
    {
        int words = 0;
        bool found = false;
        foreach (var tb in blocks)
        {
            if (tb.IsContent && tb.TextDensity >= 9) words += tb.Words;
            if (tb.Has(BlockLabels.EndOfText) && words >= minWords) found = true;
            if (found) tb.IsContent = false;
        }
    }

    /// <summary>Merges each content block into the block before it when at most one block lies between them.</summary>
    internal static void BlockProximityFusion(List<TextBlock> blocks, bool contentOnly, bool sameTagLevelOnly)
    {
        if (blocks.Count < 2) return;
        TextBlock? prev;
        int start;
        if (contentOnly)
        {
            start = blocks.FindIndex(b => b.IsContent) + 1;
            if (start == 0) return;
            prev = blocks[start - 1];
        }
        else
        {
            prev = blocks[0];
            start = 1;
        }
        for (int i = start; i < blocks.Count; i++)
        {
            var block = blocks[i];
            if (!block.IsContent)
            {
                prev = block;
                continue;
            }
            bool ok = block.OffsetStart - prev.OffsetEnd - 1 <= 1;
            if (ok && contentOnly && (!prev.IsContent || !block.IsContent)) ok = false;
            if (ok && sameTagLevelOnly && prev.TagLevel != block.TagLevel) ok = false;
            if (ok)
            {
                prev.MergeNext(block);
                blocks.RemoveAt(i--);
            }
            else
            {
                prev = block;
            }
        }
    }

    internal static void SimpleBlockFusion(List<TextBlock> blocks)
    {
        if (blocks.Count < 2) return;
        var b1 = blocks[0];
        for (int i = 1; i < blocks.Count; i++)
        {
            var b2 = blocks[i];
            if (b1.TextDensity == b2.TextDensity)
            {
                b1.MergeNext(b2);
                blocks.RemoveAt(i--);
            }
            else
            {
                b1 = b2;
            }
        }
    }

    internal static void RemoveBoilerplate(List<TextBlock> blocks) => blocks.RemoveAll(b => !b.IsContent);

    /// <summary>Keeps only the content block with the most words (the first of equals); the rest might be content.</summary>
    internal static void KeepLargestBlock(List<TextBlock> blocks)
    {
        if (blocks.Count < 2) return;
        int maxWords = -1;
        TextBlock? largest = null;
        foreach (var tb in blocks)
        {
            if (tb.IsContent && tb.Words > maxWords)
            {
                largest = tb;
                maxWords = tb.Words;
            }
        }
        foreach (var tb in blocks)
        {
            if (tb == largest)
            {
                tb.IsContent = true;
            }
            else
            {
                tb.IsContent = false;
                tb.Labels |= BlockLabels.MightBeContent;
            }
        }
    }

    internal static void ExpandTitleToContent(List<TextBlock> blocks)
    {
        int title = -1, contentStart = -1;
        for (int i = 0; i < blocks.Count; i++)
        {
            if (contentStart == -1 && blocks[i].Has(BlockLabels.Title)) title = i;
            if (contentStart == -1 && blocks[i].IsContent) contentStart = i;
        }
        if (contentStart <= title || title == -1) return;
        for (int i = title; i < contentStart; i++)
            if (blocks[i].Has(BlockLabels.MightBeContent)) blocks[i].IsContent = true;
    }

}
