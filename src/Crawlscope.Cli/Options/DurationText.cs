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
        value = TimeSpan.FromSeconds(n * scale);
        return true;
    }

    public static TimeSpan Parse(string text, string option) =>
        TryParse(text, out var value) ? value : throw new CommandException($"{option}: not a duration: {text} (write 500ms, 45s, 30m, 12h or 7d)", CrawlscopeCli.BadUsage);
}
