namespace Crawlscope.Cli.Options;

/// <summary>The nearest right thing to suggest after a usage error: a misspelt command or option (a URL without its
/// scheme: <see cref="Crawlscope.Urls.UrlHints"/>).</summary>
public static class UsageHints
{
    /// <summary>" (did you mean X?)" for the known word nearest <paramref name="typed"/>, when one is near enough; else "".</summary>
    public static string DidYouMean(string typed, IEnumerable<string> known)
    {
        string? best = null;
        int bestDistance = int.MaxValue;
        foreach (string word in known)
        {
            int d = Distance(typed, word);
            if (d < bestDistance) (best, bestDistance) = (word, d);
        }
        // Near enough: a third of the word may differ (a typo or two), never most of it.
        return best is not null && bestDistance <= Math.Max(1, best.Length / 3) ? $" (did you mean {best}?)" : "";
    }

    /// <summary>Optimal string alignment distance (Levenshtein with transpositions): "inspekt" is 1 from "inspect".</summary>
    public static int Distance(string a, string b)
    {
        var d = new int[a.Length + 1, b.Length + 1];
        for (int i = 0; i <= a.Length; i++) d[i, 0] = i;
        for (int j = 0; j <= b.Length; j++) d[0, j] = j;
        for (int i = 1; i <= a.Length; i++)
            for (int j = 1; j <= b.Length; j++)
            {
                int cost = a[i - 1] == b[j - 1] ? 0 : 1;
                d[i, j] = Math.Min(Math.Min(d[i - 1, j] + 1, d[i, j - 1] + 1), d[i - 1, j - 1] + cost);
                if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) d[i, j] = Math.Min(d[i, j], d[i - 2, j - 2] + 1);
            }
        return d[a.Length, b.Length];
    }
}
