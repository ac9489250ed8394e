namespace Crawlscope.Robots;

/// <summary>What the crawler does with the answer to a robots.txt request (RFC 9309 §2.3.1).</summary>
public enum RobotsFetchAction
{
    /// <summary>2xx: parse the body and obey it.</summary>
    Parse,
    /// <summary>3xx: request the Location, up to <see cref="RobotsFetchPolicy.MaxRedirects"/> hops.</summary>
    FollowRedirect,
    /// <summary>4xx (but 429), or too many redirects: "unavailable", no restrictions.</summary>
    AllowAll,
    /// <summary>5xx, 429 or network failure: "unreachable"; obey the last good copy, else disallow everything, and retry later.</summary>
    Unreachable,
}

/// <summary>The rules in force for a host after a robots.txt fetch, and until when.</summary>
internal sealed record RobotsVerdict(RobotsFetchAction Action, RobotsRules Rules, DateTimeOffset ExpiresAt, string Reason);

/// <summary>
/// The fetch-status semantics of robots.txt, as data the crawler applies: 2xx parse; 3xx follow up to five
/// hops; 4xx means no restrictions; 5xx, 429 or a network failure means disallow everything for now, fall
/// back to the last good copy when there is one, and retry sooner. Results are cached for 24 hours.
/// </summary>
internal static class RobotsFetchPolicy
{
    public const int MaxRedirects = 5;
    public static readonly TimeSpan CacheLifetime = TimeSpan.FromHours(24);
    /// <summary>How soon an unreachable robots.txt is tried again.</summary>
    public static readonly TimeSpan UnreachableRetry = TimeSpan.FromHours(1);

    /// <summary>The action for an HTTP status on the <paramref name="redirectHop"/>-th request (0 = first).</summary>
    public static RobotsFetchAction ForStatus(int status, int redirectHop = 0) => status switch
    {
        >= 200 and < 300 => RobotsFetchAction.Parse,
        >= 300 and < 400 => redirectHop < MaxRedirects ? RobotsFetchAction.FollowRedirect : RobotsFetchAction.AllowAll,
        429 => RobotsFetchAction.Unreachable,
        >= 400 and < 500 => RobotsFetchAction.AllowAll,
        _ => RobotsFetchAction.Unreachable,
    };

    /// <summary>Turns a final fetch outcome into the rules in force. <paramref name="status"/> null means a network failure.</summary>
    public static RobotsVerdict Resolve(int? status, ReadOnlySpan<byte> body, int redirectHop, RobotsRules? lastGood, DateTimeOffset now)
    {
        var action = status is null ? RobotsFetchAction.Unreachable : ForStatus(status.Value, redirectHop);
        return action switch
        {
            RobotsFetchAction.Parse => new(action, RobotsParser.Parse(body), now + CacheLifetime, $"HTTP {status}: rules parsed"),
            RobotsFetchAction.AllowAll => new(action, RobotsRules.AllowAll, now + CacheLifetime,
                status is >= 300 and < 400 ? $"more than {MaxRedirects} redirects: no restrictions" : $"HTTP {status}: no robots.txt, no restrictions"),
            RobotsFetchAction.FollowRedirect => throw new ArgumentException("a redirect is followed, not resolved", nameof(status)),
            _ => lastGood is not null
                ? new(action, lastGood, now + UnreachableRetry, $"{Describe(status)}: using the last good copy")
                : new(action, RobotsRules.DisallowAll, now + UnreachableRetry, $"{Describe(status)}: everything disallowed until it answers"),
        };
    }

    private static string Describe(int? status) => status is null ? "network failure" : $"HTTP {status}";
}
