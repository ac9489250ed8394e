namespace Crawlscope.Urls;

/// <summary>
/// Whether two URLs belong to one numbered series: the same host, the same path once every run of digits is set
/// aside, and the same query parameter names (values set aside). <c>/calendar/2026/3</c> and
/// <c>/calendar/2031/11</c> are one series, as are <c>/list?page=2</c> and <c>/list?page=90</c>;
/// <c>/articles/3</c> and <c>/tags/3</c> are not. Spider traps (endless calendars, pagination past the last page)
/// are such series.
/// </summary>
public static class UrlSeries
{
    public static bool Same(WebUrl a, WebUrl b) =>
        string.Equals(a.Host, b.Host, StringComparison.Ordinal) && a.Port == b.Port && SameButDigits(a.Path, b.Path) && SameNames(a.Query, b.Query);

    private static bool SameButDigits(ReadOnlySpan<char> a, ReadOnlySpan<char> b)
    {
        int i = 0, j = 0;
        while (i < a.Length && j < b.Length)
        {
            if (char.IsAsciiDigit(a[i]) && char.IsAsciiDigit(b[j]))
            {
                while (i < a.Length && char.IsAsciiDigit(a[i])) i++;
                while (j < b.Length && char.IsAsciiDigit(b[j])) j++;
                continue;
            }
            if (a[i++] != b[j++]) return false;
        }
        return i == a.Length && j == b.Length;
    }

    private static bool SameNames(string? a, string? b)
    {
        if (string.IsNullOrEmpty(a) || string.IsNullOrEmpty(b)) return string.IsNullOrEmpty(a) == string.IsNullOrEmpty(b);
        var left = a.AsSpan();
        var right = b.AsSpan();
        while (true)
        {
            if (!Name(left, out left).SequenceEqual(Name(right, out right))) return false;
            if (left.IsEmpty || right.IsEmpty) return left.IsEmpty && right.IsEmpty;
        }
    }

    /// <summary>The first parameter's name; <paramref name="rest"/> is what follows its '&amp;' (empty at the last).</summary>
    private static ReadOnlySpan<char> Name(ReadOnlySpan<char> query, out ReadOnlySpan<char> rest)
    {
        int amp = query.IndexOf('&');
        var pair = amp < 0 ? query : query[..amp];
        rest = amp < 0 ? [] : query[(amp + 1)..];
        int eq = pair.IndexOf('=');
        return eq < 0 ? pair : pair[..eq];
    }
}
