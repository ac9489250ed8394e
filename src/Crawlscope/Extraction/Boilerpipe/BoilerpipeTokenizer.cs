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
        // 1. mark every word boundary
        var marked = new StringBuilder(text.Length * 2);
        bool prevWord = false;
        for (int i = 0; i < text.Length; i++)
        {
            bool word = IsBoundaryWordChar(text, i);
            if (word != prevWord) marked.Append(Boundary);
            marked.Append(text[i]);
            prevWord = word;
        }
        if (prevWord) marked.Append(Boundary);

        // 2. drop the marks around glue punctuation; 3. boundaries and spaces become single spaces
        var output = new StringBuilder(marked.Length);
        for (int i = 0; i < marked.Length; i++)
        {
            char c = marked[i];
            if (c == Boundary)
            {
                if (i + 1 < marked.Length && IsGlue(marked[i + 1])) continue;
                if (i > 0 && IsGlue(marked[i - 1])) continue;
            }
            if (c == ' ' || c == Boundary)
            {
                if (output.Length > 0 && output[^1] == ' ') continue;
                output.Append(' ');
            }
            else
            {
                output.Append(c);
            }
        }
        string trimmed = JavaTrim(output.ToString());
        // Java's split keeps one empty token for an empty string.
        return trimmed.Length == 0 ? [""] : trimmed.Split(' ', StringSplitOptions.RemoveEmptyEntries);
    }

    /// <summary>boilerpipe's TextBlock word test: a token with a letter or a number (L, Nd, Nl, No).</summary>
    internal static bool IsWord(string token)
    {
        for (int i = 0; i < token.Length; i++)
        {
            var category = char.GetUnicodeCategory(token, i);
            if (category is UnicodeCategory.UppercaseLetter or UnicodeCategory.LowercaseLetter or UnicodeCategory.TitlecaseLetter
                or UnicodeCategory.ModifierLetter or UnicodeCategory.OtherLetter or UnicodeCategory.DecimalDigitNumber
                or UnicodeCategory.LetterNumber or UnicodeCategory.OtherNumber)
                return true;
        }
        return false;
    }

    private static bool IsGlue(char c) => c is '"' or '\'' or '.' or ',' or '!' or '@' or '-' or ':' or ';' or '$' or '?' or '(' or ')' or '/';

    private static bool IsBoundaryWordChar(string s, int i)
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
