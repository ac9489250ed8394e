using System.Text.RegularExpressions;

namespace Crawlscope.Extraction;

/// <summary>
/// A page answered 200 that is really "not found": its title or main heading says so (in the common languages of the
/// web) and it has little text of its own. Both must hold: an article about 404 errors says "404" in its title too,
/// but has hundreds of words. Returns what showed it, or null.
/// </summary>
internal static partial class Soft404Detector
{
    /// <summary>A real page about the subject has more to say than an error page's apology and a search box.</summary>
    public const int MaxWords = 150;

    // Whole phrases only, matched on word boundaries, case-insensitively; sources: the error pages of the common CMSs
    // (WordPress, Drupal, Shopify, Magento, MediaWiki) in their shipped translations.
    [GeneratedRegex(@"\b(404|page not found|not found|page (does not|doesn't) exist|no longer (available|exists)|(could not|couldn't|cannot|can't) be found|nothing (was )?found|" +
                    @"seite nicht gefunden|nicht gefunden|page introuvable|page non trouv[ée]e|p[áa]gina no encontrada|no se (ha )?encontr[óo]|pagina non trovata|" +
                    @"p[áa]gina n[ãa]o encontrada|pagina niet gevonden|strony nie znaleziono|sidan hittades inte|siden blev ikke fundet|sivua ei l[öo]ytynyt|" +
                    @"str[áa]nka nenalezena|страница не найдена|ページが見つかりません|页面不存在|找不到页面)\b",
        RegexOptions.IgnoreCase | RegexOptions.CultureInvariant, matchTimeoutMilliseconds: 100)]
    private static partial Regex NotFound();

    /// <param name="title">The page's &lt;title&gt;.</param>
    /// <param name="headline">Its main heading (the first &lt;h1&gt;, or the title without the site name).</param>
    /// <param name="words">Words of its main content, counted only when the title or heading says "not found".</param>
    public static string? Detect(string? title, string? headline, Func<int> words)
    {
        foreach (var (where, text) in new[] { ("title", title), ("heading", headline) })
        {
            if (string.IsNullOrEmpty(text) || text.Length > 300) continue;
            Match match;
            try
            {
                match = NotFound().Match(text);
            }
            catch (RegexMatchTimeoutException)
            {
                return null;
            }
            if (!match.Success) continue;
            int count = words();
            return count > MaxWords ? null : $"{where} says \"{match.Value}\" (\"{text}\") and the page has {count} words of text";
        }
        return null;
    }
}
