using System.Globalization;
using System.Text;

namespace Crawlscope.Storage.ClickHouse;

/// <summary>
/// The one place values become SQL text. ClickHouse 18.16 has no query parameters, so lookups carry their
/// values as literals; every literal is written here (tested, fuzzed), and nothing else splices input into SQL.
/// </summary>
public static class ClickHouseSql
{
    /// <summary>A string literal: quotes and backslashes escaped, control bytes written as \xHH, so that no
    /// input can end the literal or break the line the query is on.</summary>
    public static string Literal(string value)
    {
        var sb = new StringBuilder(value.Length + 2);
        sb.Append('\'');
        foreach (char c in value)
        {
            switch (c)
            {
                case '\\': sb.Append(@"\\"); break;
                case '\'': sb.Append(@"\'"); break;
                default:
                    if (c < 0x20 || c == 0x7F) sb.Append(@"\x").Append(((int)c).ToString("X2", CultureInfo.InvariantCulture));
                    else sb.Append(c);
                    break;
            }
        }
        return sb.Append('\'').ToString();
    }

    /// <summary>Any bound value as a literal: strings quoted, numbers invariant, null as NULL, times as UTC DateTime, string arrays as arrays.</summary>
    public static string Literal(object? value) => value switch
    {
        null => "NULL",
        string s => Literal(s),
        bool b => b ? "1" : "0",
        DateTimeOffset t => $"toDateTime({Literal(DateTimeText(t))}, 'UTC')",
        int or long or short or byte or uint or ulong or ushort => Convert.ToString(value, CultureInfo.InvariantCulture)!,
        double d when double.IsFinite(d) => d.ToString("R", CultureInfo.InvariantCulture),
        string[] list => "[" + string.Join(", ", list.Select(v => Literal(v))) + "]",
        _ => throw new ArgumentException($"no ClickHouse literal for a {value.GetType().Name}"),
    };

    /// <summary>
    /// Replaces each <c>$name</c> of <paramref name="sql"/> by its value's literal. Names are matched whole
    /// (<c>$key</c> does not touch <c>$key2</c>), and text inside quotes is left alone, so a value that itself
    /// contains <c>$name</c> cannot be substituted into.
    /// </summary>
    public static string Bind(string sql, IReadOnlyList<(string Name, object? Value)> parameters)
    {
        if (parameters.Count == 0) return sql;
        var byName = parameters.ToDictionary(p => p.Name, p => p.Value, StringComparer.Ordinal);
        var sb = new StringBuilder(sql.Length + 64);
        int i = 0;
        while (i < sql.Length)
        {
            char c = sql[i];
            if (c == '\'')
            {
                int end = i + 1;
                while (end < sql.Length && sql[end] != '\'') end += sql[end] == '\\' ? 2 : 1;
                end = Math.Min(end + 1, sql.Length);
                sb.Append(sql, i, end - i);
                i = end;
                continue;
            }
            if (c == '$')
            {
                int end = i + 1;
                while (end < sql.Length && (char.IsAsciiLetterOrDigit(sql[end]) || sql[end] == '_')) end++;
                string name = sql[i..end];
                if (!byName.TryGetValue(name, out var value)) throw new ArgumentException($"no value bound for {name}");
                sb.Append(Literal(value));
                i = end;
                continue;
            }
            sb.Append(c);
            i++;
        }
        return sb.ToString();
    }

    /// <summary>A time as ClickHouse's DateTime text (UTC, seconds).</summary>
    public static string DateTimeText(DateTimeOffset t) => t.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture);
}
