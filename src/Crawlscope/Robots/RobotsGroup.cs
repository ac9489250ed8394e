namespace Crawlscope.Robots;

/// <summary>
/// The rules of one robots.txt that apply to one agent: the lines of every group naming it (groups merge), or
/// when none does, those of the '*' groups. A specific group replaces '*' entirely, even when it is empty.
/// </summary>
public sealed class RobotsGroup
{
    internal RobotsGroup(string agent, bool isSpecific, IReadOnlyList<RobotsDirective> rules, double? crawlDelaySeconds)
    {
        Agent = agent;
        IsSpecific = isSpecific;
        Rules = rules;
        CrawlDelaySeconds = crawlDelaySeconds;
        _patterns = rules.Select(r => new CompiledRule(r, IndexHtmlFallback(r))).ToArray();
    }

    /// <summary>The agent as the robots.txt names it (for a specific group), else the agent asked about.</summary>
    public string Agent { get; }
    /// <summary>True when a group names the agent; false when the '*' groups (or nothing) apply.</summary>
    public bool IsSpecific { get; }
    /// <summary>Allow and disallow lines in file order.</summary>
    public IReadOnlyList<RobotsDirective> Rules { get; }
    /// <summary>The group's crawl-delay (the largest given, in seconds), if any.</summary>
    public double? CrawlDelaySeconds { get; }
    public string Name => IsSpecific ? $"user-agent {Agent}" : Rules.Count > 0 || CrawlDelaySeconds is not null ? "user-agent *" : "none";

    private readonly CompiledRule[] _patterns;

    private sealed record CompiledRule(RobotsDirective Directive, string? Fallback);

    /// <summary>
    /// Decides for a path as Google's matcher does: the longest matching pattern (in bytes, after escaping) wins,
    /// and allow wins a tie. <paramref name="path"/> is the path, params and query as bytes in Latin-1 chars.
    /// </summary>
    internal RobotsDecision Decide(string path)
    {
        int allowPriority = -1, disallowPriority = -1;
        RobotsDirective? allow = null, disallow = null;
        foreach (var rule in _patterns)
        {
            var d = rule.Directive;
            int priority = Matches(path, d.Value) ? d.Value.Length : -1;
            if (d.Kind == RobotsDirectiveKind.Allow)
            {
                // Google treats "Allow: /dir/index.htm(l)" as also allowing "/dir/" exactly.
                if (priority < 0 && rule.Fallback is not null && Matches(path, rule.Fallback)) priority = rule.Fallback.Length;
                if (priority > allowPriority) (allowPriority, allow) = (priority, d);
            }
            else if (priority > disallowPriority)
            {
                (disallowPriority, disallow) = (priority, d);
            }
        }

        if (allowPriority > 0 || disallowPriority > 0)
        {
            return disallowPriority > allowPriority
                ? new RobotsDecision(false, disallow!.Line, disallow.Text, Name)
                : new RobotsDecision(true, allow!.Line, allow.Text, Name);
        }
        // Only empty patterns matched (or nothing): allowed. An empty "Disallow:" is worth naming.
        var empty = allow ?? disallow;
        return empty is null ? new RobotsDecision(true, null, null, Name) : new RobotsDecision(true, empty.Line, empty.Text, Name);
    }

    private static string? IndexHtmlFallback(RobotsDirective d)
    {
        if (d.Kind != RobotsDirectiveKind.Allow) return null;
        int slash = d.Value.LastIndexOf('/');
        if (slash < 0 || !d.Value.AsSpan(slash).StartsWith("/index.htm", StringComparison.Ordinal)) return null;
        return string.Concat(d.Value.AsSpan(0, slash + 1), "$");
    }

    /// <summary>'*' matches any run of bytes, '$' at the very end anchors; everything else is literal.</summary>
    internal static bool Matches(string path, string pattern)
    {
        // The set of path prefixes that can match the pattern so far, as a sorted list of end positions.
        int pathLength = path.Length;
        Span<int> positions = pathLength < 512 ? stackalloc int[pathLength + 1] : new int[pathLength + 1];
        positions[0] = 0;
        int count = 1;
        for (int p = 0; p < pattern.Length; p++)
        {
            char pc = pattern[p];
            if (pc == '$' && p + 1 == pattern.Length) return positions[count - 1] == pathLength;
            if (pc == '*')
            {
                count = pathLength - positions[0] + 1;
                for (int i = 1; i < count; i++) positions[i] = positions[i - 1] + 1;
            }
            else
            {
                int next = 0;
                for (int i = 0; i < count; i++)
                    if (positions[i] < pathLength && path[positions[i]] == pc) positions[next++] = positions[i] + 1;
                count = next;
                if (count == 0) return false;
            }
        }
        return true;
    }
}
