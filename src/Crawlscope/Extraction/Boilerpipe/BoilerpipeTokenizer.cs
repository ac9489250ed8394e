using System.Globalization;
using System.Text;

namespace Crawlscope.Extraction.Boilerpipe;

/// <summary>
/// boilerpipe's UnicodeTokenizer: split at word boundaries, but keep the punctuation ["'.,!@-:;$?()/] glued to
/// the neighbouring tokens, then split on spaces. A word boundary is where a letter, digit or '_' (Java's
/// \b in JDK 17) meets anything else.
/// </summary>
internal static class BoilerpipeTokenizer
{
    private const char Boundary = '\u2063';

    internal static string[] Tokenize(string text)
    {
        var tokens = new List<Range>();
        char[] marked = [], output = [];
        Tokenize(text, ref marked, ref output, tokens);
        return [.. tokens.Select(r => new string(output.AsSpan(r)))];
    }

    /// <summary>
    /// Tokenises into <paramref name="output"/> and lists each token's range in <paramref name="tokens"/>; the
    /// buffers grow as needed and are reused by the caller, so counting a page's words makes no strings.
    /// </summary>
    internal static void Tokenize(ReadOnlySpan<char> text, ref char[] marked, ref char[] output, List<Range> tokens)
    {
        // The mark character in the text itself is read as a mark, as boilerpipe's regular expressions read it.
        if (text.Contains(Boundary))
        {
            TokenizeMarked(text, ref marked, ref output, tokens);
            return;
        }
        tokens.Clear();
        if (output.Length < text.Length * 2 + 1) output = new char[text.Length * 2 + 1];
        // In one pass what the marked version does in two: a boundary (where word characters meet others) becomes
        // a space unless a glue character is on either side of it; boundaries and spaces collapse into one space.
        int o = 0;
        bool prevWord = false;
        for (int i = 0; i < text.Length; i++)
        {
            char c = text[i];
            bool word = IsBoundaryWordChar(text, i);
            bool boundary = word != prevWord && !IsGlue(c) && !(i > 0 && IsGlue(text[i - 1]));
            if (boundary || c == ' ')
            {
                if (o == 0 || output[o - 1] != ' ') output[o++] = ' ';
                if (c != ' ') output[o++] = c;
            }
            else
            {
                output[o++] = c;
            }
            prevWord = word;
        }
        if (prevWord && (o == 0 || output[o - 1] != ' ')) output[o++] = ' ';
        Split(output, o, tokens);
    }

    /// <summary>The tokenizer as boilerpipe writes it: mark every boundary, drop the marks beside glue, then turn
    /// marks and spaces into single spaces. Used when the text holds the mark character itself.</summary>
    internal static void TokenizeMarked(ReadOnlySpan<char> text, ref char[] marked, ref char[] output, List<Range> tokens)
    {
        tokens.Clear();
        if (marked.Length < text.Length * 2 + 1) marked = new char[text.Length * 2 + 1];
        if (output.Length < marked.Length) output = new char[marked.Length];

        // 1. mark every word boundary
        int m = 0;
        bool prevWord = false;
        for (int i = 0; i < text.Length; i++)
        {
            bool word = IsBoundaryWordChar(text, i);
            if (word != prevWord) marked[m++] = Boundary;
            marked[m++] = text[i];
            prevWord = word;
        }
        if (prevWord) marked[m++] = Boundary;

        // 2. drop the marks around glue punctuation; 3. boundaries and spaces become single spaces
        int o = 0;
        for (int i = 0; i < m; i++)
        {
            char c = marked[i];
            if (c == Boundary)
            {
                if (i + 1 < m && IsGlue(marked[i + 1])) continue;
                if (i > 0 && IsGlue(marked[i - 1])) continue;
            }
            if (c == ' ' || c == Boundary)
            {
                if (o > 0 && output[o - 1] == ' ') continue;
                output[o++] = ' ';
            }
            else
            {
                output[o++] = c;
            }
        }

        Split(output, o, tokens);
    }

    /// <summary>Java's trim of the first <paramref name="length"/> characters, then a split on spaces; Java's split
    /// keeps one empty token for an empty string.</summary>
    private static void Split(char[] output, int length, List<Range> tokens)
    {
        int start = 0, end = length;
        while (start < end && output[start] <= ' ') start++;
        while (end > start && output[end - 1] <= ' ') end--;
        if (start == end)
        {
            tokens.Add(new Range(start, start));
            return;
        }
        int tokenStart = start;
        for (int i = start; i <= end; i++)
        {
            if (i < end && output[i] != ' ') continue;
            if (i > tokenStart) tokens.Add(new Range(tokenStart, i));
            tokenStart = i + 1;
        }
    }

    /// <summary>boilerpipe's TextBlock word test: a token with a letter or a number (L, Nd, Nl, No).</summary>
    internal static bool IsWord(string token) => IsWord(token.AsSpan());

    /// <summary>As <see cref="IsWord(string)"/>; a surrogate pair counts by its code point, a lone surrogate as no letter.</summary>
    internal static bool IsWord(ReadOnlySpan<char> token)
    {
        for (int i = 0; i < token.Length; i++)
        {
            char c = token[i];
            UnicodeCategory category = char.IsHighSurrogate(c) && i + 1 < token.Length && char.IsLowSurrogate(token[i + 1])
                ? CharUnicodeInfo.GetUnicodeCategory(char.ConvertToUtf32(c, token[i + 1]))
                : char.GetUnicodeCategory(c);
            if (category is UnicodeCategory.UppercaseLetter or UnicodeCategory.LowercaseLetter or UnicodeCategory.TitlecaseLetter
                or UnicodeCategory.ModifierLetter or UnicodeCategory.OtherLetter or UnicodeCategory.DecimalDigitNumber
                or UnicodeCategory.LetterNumber or UnicodeCategory.OtherNumber)
                return true;
        }
        return false;
    }

    private static bool IsGlue(char c) => c is '"' or '\'' or '.' or ',' or '!' or '@' or '-' or ':' or ';' or '$' or '?' or '(' or ')' or '/';

    private static bool IsBoundaryWordChar(ReadOnlySpan<char> s, int i)
    {
        char c = s[i];
        if (c == '_' || char.IsLetterOrDigit(c)) return true;
        // A surrogate pair counts by its code point.
        if (char.IsSurrogate(c))
        {
            int start = char.IsLowSurrogate(c) && i > 0 && char.IsHighSurrogate(s[i - 1]) ? i - 1 : i;
            if (start + 1 < s.Length && char.IsSurrogatePair(s[start], s[start + 1]))
                return Rune.IsLetterOrDigit(new Rune(s[start], s[start + 1]));
        }
        // Java treats a non-spacing mark after a word character as part of the word.
        return char.GetUnicodeCategory(c) == UnicodeCategory.NonSpacingMark && i > 0 && IsBoundaryWordChar(s, i - 1);
    }

    /// <summary>String.trim() of Java: strips every char up to U+0020.</summary>
    internal static string JavaTrim(string s)
    {
        int start = 0, end = s.Length;
        while (start < end && s[start] <= ' ') start++;
        while (end > start && s[end - 1] <= ' ') end--;
        return s[start..end];
    }
}
