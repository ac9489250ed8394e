using System.CommandLine;
using System.Net;
using Crawlscope.Inspection;
using Crawlscope.Urls;
using Crawlscope.Web;
using Microsoft.AspNetCore.Builder;

namespace Crawlscope.Cli.Commands;

/// <summary>
/// <c>crawlscope serve [--db PATH] [--urls http://127.0.0.1:5080] [--token T]</c>: the inspector as a web site
/// and JSON API. Binds to loopback unless told otherwise; with a token (or $CRAWLSCOPE_TOKEN) every route needs it.
/// </summary>
internal static class ServeCommand
{
    internal const string TokenVariable = "CRAWLSCOPE_TOKEN";

    internal static Command Create(TextWriter stdout, TextWriter stderr)
    {
        var storeOptions = new StoreOptions();
        var urls = new Option<string>("--urls") { Description = "Where to listen (semicolon-separated).", DefaultValueFactory = _ => Web.InspectorSiteOptions.DefaultUrls };
        var token = new Option<string?>("--token") { Description = $"Require this token on every page and API route (default: ${TokenVariable})." };
        var allowedHosts = new Option<string[]>("--allowed-hosts")
        {
            Description = "Host names the site answers to besides the addresses it listens on (e.g. a reverse proxy's name); other Host headers get 400.",
            AllowMultipleArgumentsPerToken = true,
        };
        var maxAge = CommonOptions.MaxAgeMonths();
        var shards = CommonOptions.Shards();
        var command = new Command("serve", "Serve the inspector as a web page and a JSON API (OpenAPI at /openapi/v1.json, a browsable reference at /reference).") { urls, token, allowedHosts, maxAge, shards };
        storeOptions.AddTo(command);
        command.SetAction(async (parse, ct) =>
        {
            string listen = parse.GetValue(urls)!;
            string? secret = parse.GetValue(token) ?? Environment.GetEnvironmentVariable(TokenVariable);
            if (secret is { Length: 0 }) secret = null;
            CheckListen(listen, secret, stderr);
            var keyer = new UrlKeyer(PublicSuffixList.Default, UrlNormalizer.Default, parse.GetValue(shards));
            // A store file replaced under it (the demo run again, a copy restored) is reopened: the site starts again on
            // the same addresses with the new file, instead of serving the deleted one.
            string? file = storeOptions.Cluster(parse) is null ? Path.GetFullPath(parse.GetValue(storeOptions.Db)!) : null;
            for (bool first = true; ; first = false)
            {
                await using var store = await storeOptions.OpenAsync(parse, keyer, ct);
                await using var app = InspectorSite.Build(new InspectorSiteOptions
                {
                    Store = store,
                    Keyer = keyer,
                    Inspection = new InspectionOptions { MaxAgeMonths = parse.GetValue(maxAge) },
                    Urls = listen,
                    Token = secret,
                    AllowedHosts = parse.GetValue(allowedHosts) ?? [],
                });
                try
                {
                    await app.StartAsync(ct);
                }
                catch (IOException ex)
                {
                    throw new CommandException($"cannot listen on {listen}: {ex.Message}");
                }
                if (first)
                {
                    foreach (var address in app.Urls) stdout.WriteLine($"Crawler Inspector on {address}/{(secret is null ? "" : " (token required)")}");
                    stdout.WriteLine($"store {(storeOptions.Cluster(parse)?.ToString() ?? file)}; API {app.Urls.First()}/api/inspect?url=...; Ctrl+C stops");
                    listen = string.Join(';', app.Urls); // a port chosen by the system (:0) is kept when the site starts again
                }
                else
                {
                    stdout.WriteLine($"store file {file} was replaced: serving the new one");
                }
                stdout.Flush();
                bool replaced = await StoreFile.WaitUntilReplacedAsync(file, ct);
                await app.StopAsync(CancellationToken.None);
                if (!replaced) break;
            }
            return CrawlscopeCli.Success;
        });
        return command;
    }

    /// <summary>Every address must be http(s); one beyond this machine without a token gets a warning.</summary>
    internal static void CheckListen(string listen, string? secret, TextWriter stderr)
    {
        foreach (var u in listen.Split(';', StringSplitOptions.RemoveEmptyEntries))
        {
            if (!Uri.TryCreate(u, UriKind.Absolute, out var parsed) || parsed.Scheme is not ("http" or "https"))
                throw new CommandException($"--urls: not an http(s) address: {u}", CrawlscopeCli.BadUsage);
            bool loopback = parsed.IsLoopback || (IPAddress.TryParse(parsed.Host.Trim('[', ']'), out var ip) && IPAddress.IsLoopback(ip));
            if (!loopback && secret is null)
                stderr.WriteLine($"crawlscope: warning: serving {u} beyond this machine without a token; crawled content and the store are readable by anyone who can reach it");
        }
    }
}
