namespace Crawlscope.Cli.Views;

/// <summary>Two aligned columns of plain text, easy to read and to grep.</summary>
internal static class TextTable
{
    internal static void Write(TextWriter output, IReadOnlyList<(string Name, string Value)> rows)
    {
        int width = rows.Max(r => r.Name.Length) + 2;
        foreach (var (name, value) in rows) output.WriteLine(name.PadRight(width) + value);
    }
}
