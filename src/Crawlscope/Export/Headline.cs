using Crawlscope.Model;

namespace Crawlscope.Export;

/// <summary>
/// A page's headline for a corpus chunk: its title without the site's name ("Naïve résumé - Alpha News" gives
/// "Naïve résumé"). The name is the part before the title's first or after its last separator when its letters
/// are the host's (or hold the site's first label): a title whose ends name something else stays whole.
/// </summary>
public static class Headline
{
    private static readonly string[] Separators = [" | ", " - ", " – ", " — ", " :: ", " · ", " » ", " / "];

    /// <summary>The headline, or null when the page has no title.</summary>
    public static string? Of(PageRecord page)
    {
        string? title = page.MetaTitle?.Trim();
        if (string.IsNullOrEmpty(title)) return null;
        var (first, firstLength, last, lastLength) = SeparatorsIn(title);
        if (last > 0 && NamesSite(title[(last + lastLength)..], page)) return title[..last].Trim();
        if (first > 0 && NamesSite(title[..first], page)) return title[(first + firstLength)..].Trim();
        return title;
    }

    /// <summary>Where the title's first and last separators are (-1 when it has none).</summary>
    private static (int First, int FirstLength, int Last, int LastLength) SeparatorsIn(string title)
    {
        int first = -1, firstLength = 0, last = -1, lastLength = 0;
        foreach (string separator in Separators)
        {
            int at = title.IndexOf(separator, StringComparison.Ordinal);
            if (at < 0) continue;
            if (first < 0 || at < first) (first, firstLength) = (at, separator.Length);
            int end = title.LastIndexOf(separator, StringComparison.Ordinal);
            if (end > last) (last, lastLength) = (end, separator.Length);
        }
        return (first, firstLength, last, lastLength);
    }

    private static bool NamesSite(string part, PageRecord page)
    {
        string letters = Letters(part);
        if (letters.Length < 3) return false;
        string label = Letters(page.Site.Split('.')[0]);
        return Letters(page.Host).Contains(letters, StringComparison.Ordinal) || (label.Length >= 3 && letters.Contains(label, StringComparison.Ordinal));
    }

    private static string Letters(string text) => string.Concat(text.Where(char.IsLetterOrDigit).Select(char.ToLowerInvariant));
}
