namespace Crawlscope.Urls;

/// <summary>What a URL's host is: a domain name or an IP literal.</summary>
public enum HostKind
{
    Domain,
    IPv4,
    IPv6,
}
