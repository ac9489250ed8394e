using System.CommandLine;
using Crawlscope.Fetching;

namespace Crawlscope.Cli.Options;

/// <summary>How requests are made: shared by <c>crawl</c> and <c>inspect --live</c>, so a live test fetches as the crawler does.</summary>
internal sealed class FetchCliOptions
{
    private static readonly FetchOptions Defaults = new();

    public readonly Option<string?> UserAgent = new("--user-agent") { Description = "User-Agent header (its product token is matched in robots.txt)." };
    public readonly Option<bool> AllowPrivate = new("--allow-private-networks") { Description = "Allow loopback and private addresses (off: SSRF guard)." };
    public readonly Option<bool> TrustResolve = new("--trust-resolve") { Description = "Hosts named by --resolve/--resolve-file may be at private addresses; every other private address stays refused." };
    public readonly Option<string[]> Resolve = new("--resolve") { Description = "HOST=ADDRESS, as curl's --resolve." };
    public readonly Option<FileInfo[]> ResolveFile = new("--resolve-file") { Description = "A hosts-file of name to address mappings." };
    public readonly Option<double> Timeout = new("--timeout") { Description = "Seconds a request may take in all.", DefaultValueFactory = _ => Defaults.TotalTimeout.TotalSeconds };
    public readonly Option<int> MaxBodyBytes = new("--max-body-bytes") { Description = "Body bytes kept; longer pages are cut and marked truncated.", DefaultValueFactory = _ => Defaults.MaxBodyBytes };

    public FetchCliOptions()
    {
        UserAgent.Validators.Add(r => { if (r.GetValueOrDefault<string?>() is { } ua && HeaderValue.UserAgentProblem(ua) is { } problem) r.AddError("--user-agent: " + problem); });
        Timeout.Validators.Add(DurationText.Seconds("--timeout"));
        CommonOptions.AtLeast(MaxBodyBytes, Crawling.CrawlOptions.Least.MaxBodyBytes);
    }

    public IEnumerable<Option> All => [UserAgent, AllowPrivate, TrustResolve, Resolve, ResolveFile, Timeout, MaxBodyBytes];

    public FetchOptions Build(ParseResult p) => new()
    {
        UserAgent = p.GetValue(UserAgent) ?? Defaults.UserAgent,
        AllowPrivateNetworks = p.GetValue(AllowPrivate),
        TrustResolveMap = p.GetValue(TrustResolve),
        Resolve = ResolveMap.Parse(p.GetValue(Resolve) ?? [], (p.GetValue(ResolveFile) ?? []).Select(f => f.FullName)),
        TotalTimeout = TimeSpan.FromSeconds(p.GetValue(Timeout)),
        MaxBodyBytes = p.GetValue(MaxBodyBytes),
    };
}
