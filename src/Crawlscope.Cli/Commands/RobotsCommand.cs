using System.CommandLine;
using Crawlscope.Robots;

namespace Crawlscope.Cli.Commands;

/// <summary>
/// <c>crawlscope robots --file ROBOTS_TXT --agent NAME [URL ...] [--json]</c>: verdicts with the deciding rule,
/// or without URLs the group that applies to the agent.
/// </summary>
internal static class RobotsCommand
{
    private sealed record UrlVerdict(string Url, bool Allowed, int? RuleLine, string? Rule, string Group);

    private sealed record RuleLine(int Line, string Rule);

    private sealed record GroupReport(string Agent, string Group, bool IsSpecific, IReadOnlyList<RuleLine> Rules,
        double? CrawlDelay, IReadOnlyList<string> Sitemaps);

    internal static Command Create(TextWriter stdout)
    {
        var file = new Option<FileInfo>("--file") { Description = "The robots.txt file to read.", Required = true };
        var agent = new Option<string>("--agent")
        {
            Description = "The crawler's user agent; its product token (leading letters, '-' and '_') is matched.",
            Required = true,
        };
        var urls = new Argument<string[]>("url") { Description = "URLs or paths to check.", Arity = ArgumentArity.ZeroOrMore };
        var json = CommonOptions.Json();
        var command = new Command("robots", "Check URLs against a robots.txt file (RFC 9309, as Google's parser reads it).")
        {
            file, agent, urls, json,
        };
        command.SetAction(parse =>
        {
            FileInfo path = parse.GetValue(file)!;
            if (!path.Exists) throw new CommandException($"robots.txt file not found: {path.FullName}");
            string token = RobotsAgent.ProductToken(parse.GetValue(agent));
            if (token.Length == 0)
                throw new CommandException("--agent must start with a product token made of letters, '-' or '_' (e.g. Crawlscope)", CrawlscopeCli.BadUsage);

            var rules = RobotsParser.Parse(File.ReadAllBytes(path.FullName));
            string[] targets = parse.GetValue(urls) ?? [];
            bool asJson = parse.GetValue(json);
            if (targets.Length == 0)
            {
                WriteGroup(stdout, rules, token, asJson);
                return CrawlscopeCli.Success;
            }

            var verdicts = targets.Select(u =>
            {
                var d = rules.Check(token, u);
                return new UrlVerdict(u, d.Allowed, d.RuleLine, d.Rule, d.Group);
            }).ToList();
            if (asJson)
            {
                CliJson.Write(stdout, verdicts);
            }
            else
            {
                int width = verdicts.Max(v => v.Url.Length);
                foreach (var v in verdicts)
                {
                    string rule = v.RuleLine is null ? "no matching rule" : $"line {v.RuleLine}: {v.Rule}";
                    stdout.WriteLine($"{(v.Allowed ? "allowed" : "disallowed"),-10}  {v.Url.PadRight(width)}  {rule}");
                }
            }
            return CrawlscopeCli.Success;
        });
        return command;
    }

    private static void WriteGroup(TextWriter stdout, RobotsRules rules, string token, bool asJson)
    {
        var group = rules.ForAgent(token);
        var report = new GroupReport(token, group.Name, group.IsSpecific,
            group.Rules.Select(r => new RuleLine(r.Line, r.Text)).ToList(), group.CrawlDelaySeconds, rules.Sitemaps);
        if (asJson)
        {
            CliJson.Write(stdout, report);
            return;
        }
        stdout.WriteLine($"agent {token}: {(group.IsSpecific ? "its own group" : group.Name == "none" ? "no group applies, everything allowed" : "the * group")} ({group.Name})");
        foreach (var r in report.Rules) stdout.WriteLine($"  line {r.Line}: {r.Rule}");
        if (report.Rules.Count == 0) stdout.WriteLine("  (no allow or disallow rules)");
        stdout.WriteLine($"crawl-delay: {(group.CrawlDelaySeconds is { } d ? d.ToString(System.Globalization.CultureInfo.InvariantCulture) + " s" : "none")}");
        stdout.WriteLine(rules.Sitemaps.Count == 0 ? "sitemaps: none" : "sitemaps:");
        foreach (var s in rules.Sitemaps) stdout.WriteLine("  " + s);
    }
}
