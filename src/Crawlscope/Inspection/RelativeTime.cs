namespace Crawlscope.Inspection;

/// <summary>"4 days ago", "1 year ago", "0.1 months ago": how the seed's inspector writes ages.</summary>
public static class RelativeTime
{
    public static string Ago(DateTimeOffset then, DateTimeOffset now)
    {
        var span = now - then;
        if (span < TimeSpan.Zero) return "just now";
        if (span.TotalMinutes < 1) return "just now";
        if (span.TotalHours < 1) return Plural((int)span.TotalMinutes, "minute");
        if (span.TotalDays < 1) return Plural((int)span.TotalHours, "hour");
        if (span.TotalDays < 30) return Plural((int)span.TotalDays, "day");
        if (span.TotalDays < 365) return Plural((int)(span.TotalDays / 30.44), "month");
        return Plural((int)(span.TotalDays / 365.25), "year");
    }

    public static string Months(DateTimeOffset then, DateTimeOffset now) =>
        $"{Math.Max(0, (now - then).TotalDays / 30.44).ToString("0.0", System.Globalization.CultureInfo.InvariantCulture)} months ago";

    private static string Plural(int n, string unit) => $"{n} {unit}{(n == 1 ? "" : "s")} ago";
}
