using System.Globalization;

namespace Crawlscope.Robots;

/// <summary>
/// A parsed robots.txt: its directives in file order, the sitemaps it lists, and per-agent rule sets that
/// answer <see cref="Check(string, string)"/>. Immutable and safe to share between threads.
/// </summary>
public sealed class RobotsRules
{
    // The group compiled for the last agent asked about: a crawler asks for its own agent only, and a rule set is
    // kept for each host with work, so a dictionary of groups per rule set is memory for nothing.
    private Compiled? _compiled;

    private sealed record Compiled(string Agent, RobotsGroup Group);

    internal RobotsRules(IReadOnlyList<RobotsDirective> directives, int unknownDirectives, int lineCount, bool truncated)
    {
        Directives = directives;
        UnknownDirectives = unknownDirectives;
        LineCount = lineCount;
        Truncated = truncated;
        Sitemaps = directives.Where(d => d.Kind == RobotsDirectiveKind.Sitemap && d.Value.Length > 0).Select(d => d.Value).ToArray();
    }

    /// <summary>No robots.txt (4xx): everything allowed.</summary>
    public static RobotsRules AllowAll { get; } = RobotsParser.Parse("");

    /// <summary>robots.txt unreachable (5xx, network) and no earlier copy: nothing allowed for now.</summary>
    public static RobotsRules DisallowAll { get; } = RobotsParser.Parse("User-agent: *\nDisallow: /\n");

    public IReadOnlyList<RobotsDirective> Directives { get; }
    public IReadOnlyList<string> Sitemaps { get; }
    public int LineCount { get; }
    public bool Truncated { get; }
    /// <summary>Lines with a key we do not know (Google's "unknown action").</summary>
    public int UnknownDirectives { get; }
    /// <summary>user-agent, allow, disallow and sitemap lines, as Google's parser counts them.</summary>
    public int ValidDirectives => Directives.Count(d => d.Kind is RobotsDirectiveKind.UserAgent or RobotsDirectiveKind.Allow
        or RobotsDirectiveKind.Disallow or RobotsDirectiveKind.Sitemap);
    /// <summary>The last line that held a directive of any kind.</summary>
    public int LastDirectiveLine => Directives.Count == 0 ? 0 : Directives[^1].Line;

    /// <summary>Checks a URL (absolute, or just a path) for an agent's product token.</summary>
    public RobotsDecision Check(string agent, string url) => ForAgent(agent).Decide(RobotsPath.FromUrl(url));

    /// <summary>The rules that apply to an agent's product token (e.g. "Crawlscope"), compiled once for the agent asked in a row.</summary>
    public RobotsGroup ForAgent(string agent)
    {
        agent ??= "";
        if (_compiled is { } c && string.Equals(c.Agent, agent, StringComparison.OrdinalIgnoreCase)) return c.Group;
        var group = Compile(agent);
        _compiled = new Compiled(agent, group);
        return group;
    }

    // Walks the directives with the state machine of Google's RobotsMatcher: consecutive user-agent lines form a
    // group; an allow or disallow line after them closes the run; sitemap and unknown lines change nothing.
    private RobotsGroup Compile(string agent)
    {
        bool seenGlobal = false, seenSpecific = false, seenSeparator = false, everSeenSpecific = false;
        var specific = new List<RobotsDirective>();
        var global = new List<RobotsDirective>();
        double? specificDelay = null, globalDelay = null;
        string? matchedName = null;
        foreach (var d in Directives)
        {
            switch (d.Kind)
            {
                case RobotsDirectiveKind.UserAgent:
                    if (seenSeparator) seenGlobal = seenSpecific = seenSeparator = false;
                    string v = d.Value;
                    if (v.Length >= 1 && v[0] == '*' && (v.Length == 1 || v[1] is ' ' or '\t' or '\n' or '\v' or '\f' or '\r'))
                    {
                        seenGlobal = true;
                    }
                    else if (string.Equals(RobotsAgent.ProductToken(v), agent, StringComparison.OrdinalIgnoreCase))
                    {
                        seenSpecific = everSeenSpecific = true;
                        matchedName ??= RobotsAgent.ProductToken(v);
                    }
                    break;
                case RobotsDirectiveKind.Allow or RobotsDirectiveKind.Disallow:
                    if (!seenGlobal && !seenSpecific) break;
                    seenSeparator = true;
                    (seenSpecific ? specific : global).Add(d);
                    break;
                case RobotsDirectiveKind.CrawlDelay:
                    if (!seenGlobal && !seenSpecific) break;
                    if (!double.TryParse(d.Value, NumberStyles.Float, CultureInfo.InvariantCulture, out double delay) ||
                        !double.IsFinite(delay) || delay < 0) break;
                    if (seenSpecific) specificDelay = Math.Max(specificDelay ?? 0, delay);
                    else globalDelay = Math.Max(globalDelay ?? 0, delay);
                    break;
            }
        }
        return everSeenSpecific
            ? new RobotsGroup(matchedName!, true, specific, specificDelay)
            : new RobotsGroup(agent, false, global, globalDelay);
    }
}
