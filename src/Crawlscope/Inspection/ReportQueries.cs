using System.Globalization;
using Crawlscope.Model;

namespace Crawlscope.Inspection;

/// <summary>Runs a report's queries against the store with the parameters they share, and keeps each one's text and
/// time so the report can show them, as the inspector shows its checks. Queries may run at once.</summary>
internal sealed class ReportQueries(IInspectionSource store, IReadOnlyList<(string Name, object? Value)> shared, CancellationToken ct)
{
    private readonly List<ReportQuery> _ran = [];

    public async Task<RawQueryResult> RunAsync(string name, string sql, params (string, object?)[] parameters)
    {
        var result = await store.InspectAsync(sql, [.. shared, .. parameters], ct);
        lock (_ran) _ran.Add(new ReportQuery(name, sql, result.ElapsedMs));
        return result;
    }

    /// <summary>Every query run so far, by name.</summary>
    public IReadOnlyList<ReportQuery> Ran()
    {
        lock (_ran) return _ran.OrderBy(q => q.Name, StringComparer.Ordinal).ToList();
    }

    public static long Long(object? value) => value is null ? 0 : Convert.ToInt64(value, CultureInfo.InvariantCulture);
}
