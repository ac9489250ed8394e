
namespace Crawlscope.Model;

/// <summary>One indexability filter as a store evaluates it: the filter, its name and its SQL condition (shown verbatim).</summary>
public sealed record FilterDefinition(IndexabilityFilter Filter, string Name, string Condition);

/// <summary>
/// The inspector's queries, written by each store in its own SQL (the SQLite store in <c>Storage/</c>, the cluster
/// store in its project). The filter conditions are evaluated inside the store query itself, and the report shows
/// the very same text, so what is shown cannot drift from what was evaluated. Values are <c>$name</c> parameters;
/// the store binds them.
/// </summary>
public abstract class InspectionQueries
{
    public abstract string Crawled { get; }
    public abstract string Robots { get; }
    public abstract string RobotsBody { get; }
    public abstract string SpamBan { get; }
    public abstract string Seen { get; }

    /// <summary>The filter's condition in this store's SQL over the pages row, with <c>fh_dont_index</c> available:
    /// true exactly when <see cref="IndexabilityRule.Passes"/> is.</summary>
    public abstract string Condition(IndexabilityFilter filter, int maxAgeMonths);

    /// <summary>Every filter of the rule, in order, with its condition in this store's SQL.</summary>
    public IReadOnlyList<FilterDefinition> Filters(int maxAgeMonths) =>
        IndexabilityRule.Filters.Select(f => new FilterDefinition(f, IndexabilityRule.Name(f), Condition(f, maxAgeMonths))).ToList();

    /// <summary>One query evaluating every filter condition on the stored row (fh_dont_index from the bans table),
    /// one column <c>f0</c>, <c>f1</c>, ... per filter.</summary>
    public abstract string FilterQuery(IReadOnlyList<FilterDefinition> filters);

    /// <summary>A time as this store binds it in a condition on <c>download_stamp</c>.</summary>
    public abstract object TimeValue(DateTimeOffset time);

    public abstract string Details { get; }
    public abstract string History { get; }
    public abstract string Inlinks { get; }
    public abstract string Referrers { get; }
    public abstract string RedirectsHere { get; }
    public abstract string Sitemaps { get; }
    public abstract string Duplicates { get; }
}
