using System.Globalization;

namespace Crawlscope.Web;

/// <summary>An SVG chart of stacked bars, one per label (the last 60), with a count axis and the first and last labels
/// under it. Each series has a class the stylesheet colours; no inline style (the site's CSP allows none).</summary>
internal static class BarChart
{
    internal static void Write(HtmlBuilder h, string id, string description, IReadOnlyList<string> seriesClasses, IReadOnlyList<(string Label, long[] Values)> bars)
    {
        var shown = bars.TakeLast(60).ToList();
        const int width = 720, height = 200, left = 48, bottom = 30, top = 10;
        long max = Math.Max(1, shown.Max(b => b.Values.Sum()));
        double slot = (width - left) / (double)shown.Count, scale = (height - bottom - top) / (double)max;
        string F(double v) => v.ToString("F1", CultureInfo.InvariantCulture);
        h.Tag("svg", ("id", id), ("class", "chart"), ("viewBox", $"0 0 {width} {height}"), ("width", width.ToString(CultureInfo.InvariantCulture)),
                ("height", height.ToString(CultureInfo.InvariantCulture)), ("role", "img"), ("aria-label", description))
            .Tag("line", ("x1", F(left)), ("y1", F(top)), ("x2", F(left)), ("y2", F(height - bottom)), ("stroke", "#5b6473")).End("line")
            .Element("text", max.ToString("N0", CultureInfo.InvariantCulture), ("x", F(left - 4)), ("y", F(top + 10)), ("text-anchor", "end"))
            .Element("text", "0", ("x", F(left - 4)), ("y", F(height - bottom)), ("text-anchor", "end"));
        for (int i = 0; i < shown.Count; i++)
        {
            var (label, values) = shown[i];
            double x = left + i * slot + 1, w = Math.Max(1, slot - 2), y = height - bottom;
            for (int s = 0; s < values.Length; s++)
            {
                double barHeight = values[s] * scale;
                y -= barHeight;
                h.Tag("rect", ("x", F(x)), ("y", F(y)), ("width", F(w)), ("height", F(barHeight)), ("class", seriesClasses[s]))
                    .Element("title", $"{label}: {values[s].ToString("N0", CultureInfo.InvariantCulture)} {seriesClasses[s]}").End("rect");
            }
            if (i == 0 || i == shown.Count - 1 || shown.Count <= 8)
                h.Element("text", label, ("x", F(x + w / 2)), ("y", F(height - bottom + 16)), ("text-anchor", "middle"));
        }
        h.End("svg");
    }
}
