namespace Crawlscope.Inspection;

/// <summary>Thresholds of the indexability filters.</summary>
public sealed class InspectionOptions
{
    /// <summary>A page crawled longer ago than this fails the age cut-off. Default 6 months.</summary>
    public int MaxAgeMonths { get; init; } = Model.IndexabilityRule.DefaultMaxAgeMonths;
    /// <summary>The product token robots.txt rules are checked for. Default "Crawlscope".</summary>
    public string AgentToken { get; init; } = "Crawlscope";
}
