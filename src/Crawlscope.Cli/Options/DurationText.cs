using System.Globalization;

namespace Crawlscope.Cli.Options;

/// <summary>Durations as people write them in flags and the config file: <c>500ms</c>, <c>45s</c>, <c>30m</c>, <c>12h</c>, <c>7d</c>.</summary>
internal static class DurationText
{
    public static bool TryParse(string? text, out TimeSpan value)
    {
        value = default;
        text = text?.Trim() ?? "";
        var (unit, scale) = text.EndsWith("ms", StringComparison.Ordinal) ? ("ms", 0.001)
            : text.EndsWith('s') ? ("s", 1.0) : text.EndsWith('m') ? ("m", 60.0) : text.EndsWith('h') ? ("h", 3600.0) : text.EndsWith('d') ? ("d", 86400.0) : ("", 0);
        if (unit.Length == 0 || !double.TryParse(text[..^unit.Length], NumberStyles.Float, CultureInfo.InvariantCulture, out double n) || n <= 0 || !double.IsFinite(n)) return false;
        // At most a year: longer intervals mean nothing to a crawl and overflow the clock's arithmetic.
        if (n * scale > MaxSeconds) return false;
        value = TimeSpan.FromSeconds(n * scale);
        return true;
    }

    public static TimeSpan Parse(string text, string option) =>
        TryParse(text, out var value) ? value : throw new CommandException($"{option}: not a duration up to a year: {text} (write 500ms, 45s, 30m, 12h or 7d)", CrawlscopeCli.BadUsage);

    /// <summary>The longest duration or number of seconds an option takes: a year.</summary>
    public const double MaxSeconds = 366 * 86400.0;

    /// <summary>A validator for an option in seconds: positive (or zero, when allowed), at most a year.</summary>
    public static Action<System.CommandLine.Parsing.OptionResult> Seconds(string option, bool zeroAllowed = false) => r =>
    {
        if (r.Tokens.Count > 0 && !double.TryParse(r.Tokens[^1].Value, NumberStyles.Float, CultureInfo.InvariantCulture, out _)) return; // the parser says so
        double v = r.GetValueOrDefault<double>();
        if (!double.IsFinite(v) || v > MaxSeconds) r.AddError($"{option} must be at most a year ({MaxSeconds:F0} seconds)");
        else if (zeroAllowed ? v < 0 : v <= 0) r.AddError(zeroAllowed ? $"{option} cannot be negative" : $"{option} must be positive");
    };
}
