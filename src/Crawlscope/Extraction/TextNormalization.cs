using System.Buffers;

namespace Crawlscope.Extraction;

internal static class TextNormalization
{
    /// <summary>Collapses every run of whitespace (including no-break spaces) to one space and trims.</summary>
    internal static string CollapseWhitespace(string? s)
    {
        if (string.IsNullOrEmpty(s)) return "";
        // Text is often collapsed already (a page's visible text is hashed after the statistics collapsed it).
        if (IsCollapsed(s)) return s;
        char[] buffer = ArrayPool<char>.Shared.Rent(s.Length);
        try
        {
            int n = 0;
            bool space = false;
            foreach (char c in s)
            {
                if (char.IsWhiteSpace(c))
                {
                    space = n > 0;
                }
                else
                {
                    if (space) buffer[n++] = ' ';
                    space = false;
                    buffer[n++] = c;
                }
            }
            return new string(buffer, 0, n);
        }
        finally
        {
            ArrayPool<char>.Shared.Return(buffer);
        }
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
