using System.CommandLine;
using Crawlscope.Urls;

namespace Crawlscope.Cli.Commands;

/// <summary><c>crawlscope url URL [--shards N] [--psl FILE] [--json]</c>: how Crawlscope identifies a URL.</summary>
internal static class UrlCommand
{
    private sealed record UrlReport(string Url, string NormalizedUrl, string Host, string? RegistrableDomain, string Site,
        string Key, long RootHash, int Shard, int ShardCount, string PslSource);

    internal static Command Create(TextWriter stdout)
    {
        var url = new Argument<string>("url") { Description = "An http or https URL." };
        var shards = CommonOptions.Shards();
        var psl = CommonOptions.Psl();
        var json = CommonOptions.Json();
        var command = new Command("url", "Show a URL's normalised form, site, key (src_unparsed), root hash and shard.")
        {
            url, shards, psl, json,
        };
        command.SetAction(parse =>
        {
            var keyer = new UrlKeyer(CommonOptions.LoadPsl(parse.GetValue(psl)), UrlNormalizer.Default, parse.GetValue(shards));
            string input = parse.GetValue(url)!;
            if (!keyer.TryIdentify(input, out var id, out string? error))
                throw new CommandException($"not a valid http(s) URL: {Shorten(input)} ({error})");

            var report = new UrlReport(id.Original.Href, id.Normalized.Href, id.Host, id.RegistrableDomain, id.Site,
                id.Key.Value, id.RootHash, id.Shard, keyer.ShardCount, keyer.Suffixes.Source);
            if (parse.GetValue(json))
            {
                CliJson.Write(stdout, report);
                return CrawlscopeCli.Success;
            }
            TextTable.Write(stdout,
            [
                ("url", report.Url),
                ("normalized_url", report.NormalizedUrl),
                ("host", report.Host),
                ("registrable_domain", report.RegistrableDomain ?? "(none: the host is a public suffix or an IP)"),
                ("key", report.Key),
                ("root_hash", report.RootHash.ToString()),
                ("shard", $"{report.Shard} (of {report.ShardCount})"),
            ]);
            return CrawlscopeCli.Success;
        });
        return command;
    }

    private static string Shorten(string s) => s.Length <= 200 ? s : s[..200] + "…";
}
