namespace Crawlscope.Robots;

/// <summary>User-agent product tokens as robots.txt matching uses them.</summary>
public static class RobotsAgent
{
    /// <summary>
    /// The leading run of [A-Za-z_-] of a user-agent value: "Foo Bar" and "Foo/2.1" give "Foo",
    /// "Crawlscope/0.1 (+https://...)" gives "Crawlscope".
    /// </summary>
    public static string ProductToken(string? userAgent)
    {
        if (userAgent is null) return "";
        int end = 0;
        while (end < userAgent.Length && IsTokenChar(userAgent[end])) end++;
        return userAgent[..end];
    }

    /// <summary>RFC 9309 §2.2.1: a crawler's own product token is non-empty and made only of [A-Za-z_-].</summary>
    public static bool IsValidProductToken(string? token) =>
        !string.IsNullOrEmpty(token) && token.All(IsTokenChar);

    private static bool IsTokenChar(char c) => char.IsAsciiLetter(c) || c is '-' or '_';
}
