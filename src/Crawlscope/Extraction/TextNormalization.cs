using System.Text;

namespace Crawlscope.Extraction;

internal static class TextNormalization
{
    /// <summary>Collapses every run of whitespace (including no-break spaces) to one space and trims.</summary>
    internal static string CollapseWhitespace(string? s)
    {
        if (string.IsNullOrEmpty(s)) return "";
        var sb = new StringBuilder(s.Length);
        bool space = false;
        foreach (char c in s)
        {
            if (char.IsWhiteSpace(c))
            {
                space = sb.Length > 0;
            }
            else
            {
                if (space) sb.Append(' ');
                space = false;
                sb.Append(c);
            }
        }
        return sb.ToString();
    }
}
