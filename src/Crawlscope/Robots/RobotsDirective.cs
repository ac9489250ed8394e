namespace Crawlscope.Robots;

public enum RobotsDirectiveKind
{
    UserAgent,
    Allow,
    Disallow,
    Sitemap,
    CrawlDelay,
    Unknown,
}

/// <summary>
/// One "key: value" line of a robots.txt. <see cref="Value"/> is the matcher's form: bytes as Latin-1 chars,
/// and for allow/disallow percent-escaped as RFC 9309 and Google's parser do. <see cref="Text"/> is the line
/// as a person reads it (UTF-8, comment and outer whitespace removed), for the inspector.
/// </summary>
public sealed record RobotsDirective(int Line, RobotsDirectiveKind Kind, string Value, string Text);
