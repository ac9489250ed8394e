namespace Crawlscope.Robots;

/// <summary>
/// Whether robots.txt lets an agent fetch a path, and the rule that decided it: its line number and text
/// (null with "no matching rule" when nothing matched). The inspector shows these verbatim.
/// </summary>
public sealed record RobotsDecision(bool Allowed, int? RuleLine, string? Rule, string Group)
{
    /// <summary>"line 3: Disallow: /private/" or "no matching rule".</summary>
    public string Explanation => RuleLine is null ? "no matching rule" : $"line {RuleLine}: {Rule}";
}
