using System.CommandLine;
using System.Globalization;
using Tomlyn.Parsing;
using Tomlyn.Syntax;

namespace Crawlscope.Cli.Options;

/// <summary>
/// The configuration file (<c>--config FILE</c>, TOML) of <c>run</c> and <c>crawl</c>. Each key stands for one
/// command-line flag, so the file can say nothing the flags cannot, and a flag given on the command line overrides
/// the file. The whole file is checked before anything starts: every problem (syntax, unknown key, wrong type, bad
/// value) is reported at once, each with its line.
/// </summary>
internal static class ConfigFile
{
    private enum Kind { Text, Integer, Number, Boolean, List, Duration }

    /// <summary>A key of the file: the flag it stands for, its type, the smallest value or the allowed words.</summary>
    private sealed record Key(string Flag, Kind Kind, double Min = double.MinValue, string[]? Words = null, bool RunOnly = false);

    private static readonly Dictionary<string, Key> Keys = new(StringComparer.Ordinal)
    {
        ["seeds"] = new("", Kind.List),
        ["seeds_file"] = new("--seeds-file", Kind.Text),
        ["extract"] = new("--extract", Kind.Text, Words: ["full", "none"]),
        ["readable_scorer"] = new("--readable-scorer", Kind.Text, Words: ["rules", "learned"]),
        ["render.mode"] = new("--render", Kind.Text, Words: ["never", "auto", "always"]),
        ["render.browser"] = new("--browser", Kind.Text),
        ["shards"] = new("--shards", Kind.Integer, Crawling.CrawlOptions.Least.ShardCount),
        ["scope.kind"] = new("--scope", Kind.Text, Words: ["site", "seeds", "any"]),
        ["scope.max_depth"] = new("--max-depth", Kind.Integer, Crawling.CrawlOptions.Least.MaxDepth),
        ["scope.include"] = new("--include", Kind.List),
        ["scope.exclude"] = new("--exclude", Kind.List),
        ["politeness.delay"] = new("--delay", Kind.Number, 0),
        ["politeness.per_host"] = new("--per-host", Kind.Integer, Crawling.CrawlOptions.Least.PerHost),
        ["politeness.concurrency"] = new("--concurrency", Kind.Integer, Crawling.CrawlOptions.Least.Concurrency),
        ["fetch.user_agent"] = new("--user-agent", Kind.Text),
        ["fetch.timeout"] = new("--timeout", Kind.Number, 0.001),
        ["fetch.max_body_bytes"] = new("--max-body-bytes", Kind.Integer, Crawling.CrawlOptions.Least.MaxBodyBytes),
        ["fetch.allow_private_networks"] = new("--allow-private-networks", Kind.Boolean),
        ["fetch.resolve"] = new("--resolve", Kind.List),
        ["fetch.resolve_file"] = new("--resolve-file", Kind.List),
        ["fetch.trust_resolve"] = new("--trust-resolve", Kind.Boolean),
        ["limits.max_pages"] = new("--max-pages", Kind.Integer, Crawling.CrawlOptions.Least.MaxPages),
        ["store.db"] = new("--db", Kind.Text),
        ["store.url"] = new("--store", Kind.Text),
        ["store.worker_shards"] = new("--worker-shards", Kind.Text),
        ["store.state_dir"] = new("--state-dir", Kind.Text),
        ["warc.dir"] = new("--warc", Kind.Text),
        ["warc.max_bytes"] = new("--warc-max-bytes", Kind.Integer, 1_000_000),
        ["recrawl.min"] = new("--recrawl-min", Kind.Duration, RunOnly: true),
        ["recrawl.max"] = new("--recrawl-max", Kind.Duration, RunOnly: true),
        ["recrawl.check"] = new("--recrawl-check", Kind.Duration, RunOnly: true),
        ["web.urls"] = new("--urls", Kind.Text, RunOnly: true),
        ["web.token"] = new("--token", Kind.Text, RunOnly: true),
        ["web.allowed_hosts"] = new("--allowed-hosts", Kind.List, RunOnly: true),
        ["web.max_age_months"] = new("--max-age-months", Kind.Integer, 1, RunOnly: true),
        ["operator.daily_quota"] = new("--daily-quota", Kind.Integer, 0, RunOnly: true),
        ["log.format"] = new("--log-format", Kind.Text, Words: ["text", "json"], RunOnly: true),
        ["log.every"] = new("--log-every", Kind.Number, 0.001, RunOnly: true),
    };

    /// <summary>A configuration file is small: a larger one is refused before it is read.</summary>
    public const long MaxBytes = 1024 * 1024;

    public static Option<string?> Option() => new("--config") { Description = "A TOML configuration file; flags given on the command line override it (see README)." };

    /// <summary>
    /// The arguments with the configuration file's settings put in front, for those the command line does not give.
    /// Unchanged when there is no <c>--config</c>.
    /// </summary>
    /// <param name="lines">Which line of the file set each flag, for messages about its value.</param>
    /// <exception cref="ConfigFileException">Every problem of the file, each with its line.</exception>
    public static string[] Expand(string[] args, out Dictionary<string, (string File, int Line)> lines)
    {
        lines = new Dictionary<string, (string, int)>(StringComparer.Ordinal);
        if (args.Length == 0 || args[0] is not ("run" or "crawl")) return args;
        int at = Array.FindIndex(args, a => a == "--config" || a.StartsWith("--config=", StringComparison.Ordinal));
        if (at < 0) return args;
        string path = args[at].Length > "--config".Length ? args[at]["--config=".Length..] : at + 1 < args.Length ? args[at + 1] : "";
        if (path.Length == 0) throw new ConfigFileException(["--config needs a file"]);
        if (InputFile.Problem(path, MaxBytes, "configuration file") is { } unusable) throw new ConfigFileException([unusable]);
        var doc = SyntaxParser.Parse(File.ReadAllText(path), path, true);
        // A syntax error confuses the parser for the rest of its line and often the next (a missing ']' gave 8 lines):
        // the first error of each line is said, and lines right after an error only when they have one of their own
        // that is not about the tokens the first left behind.
        var problems = new List<(int Line, string Text)>();
        int lastSyntaxLine = -10;
        foreach (var d in doc.Diagnostics.Where(d => d.Kind == DiagnosticMessageKind.Error).OrderBy(d => d.Span.Start.Line))
        {
            int line = d.Span.Start.Line + 1;
            if (line <= lastSyntaxLine + 1) continue;
            problems.Add((line, $"{path}:{line}: {d.Message}"));
            lastSyntaxLine = line;
        }
        var settings = new List<(string Name, Key Key, ValueSyntax Value, int Line)>();
        foreach (var kv in doc.KeyValues) Collect("", kv, settings, problems, path);
        foreach (var table in doc.Tables)
        {
            string prefix = table.Name?.ToString().Trim() ?? "";
            foreach (var item in table.Items.OfType<KeyValueSyntax>()) Collect(prefix + ".", item, settings, problems, path);
        }
        var tokens = new List<string>();
        var positional = new List<string>();
        foreach (var (name, key, value, line) in settings)
        {
            if (key.RunOnly && args[0] != "run") continue;
            if (key.Flag.Length > 0 && args.Any(a => a == key.Flag || a.StartsWith(key.Flag + "=", StringComparison.Ordinal))) continue;
            if (Tokens(name, key, value, path, line, problems) is { } given)
            {
                (key.Flag.Length > 0 ? tokens : positional).AddRange(given);
                if (key.Flag.Length > 0) lines[key.Flag] = (path, line);
            }
        }
        if (problems.Count > 0)
        {
            var ordered = problems.OrderBy(p => p.Line).Select(p => p.Text).ToList();
            if (problems.Any(p => p.Text.Contains(": unknown setting '", StringComparison.Ordinal)))
                ordered.Add($"{path}: known settings: {string.Join(", ", Keys.Keys.Order(StringComparer.Ordinal))}");
            throw new ConfigFileException(ordered);
        }
        // A setting's value is a value, never an option: flags take theirs as --flag=value, and the seeds come after
        // "--", where the parser reads every token as an argument ("--allow-private-networks" as a seed is refused).
        return positional.Count == 0 ? [args[0], .. tokens, .. args[1..]]
            : args.Contains("--") ? [args[0], .. tokens, .. args[1..], .. positional]
            : [args[0], .. tokens, .. args[1..], "--", .. positional];
    }

    private static void Collect(string prefix, KeyValueSyntax kv, List<(string, Key, ValueSyntax, int)> settings, List<(int, string)> problems, string path)
    {
        string name = prefix + (kv.Key?.ToString().Trim() ?? "");
        int line = kv.Span.Start.Line + 1;
        if (kv.Value is null) return; // a syntax error, reported by the parser
        if (!Keys.TryGetValue(name, out var key))
        {
            problems.Add((line, $"{path}:{line}: unknown setting '{name}'{Nearest(name)}"));
            return;
        }
        settings.Add((name, key, kv.Value, line));
    }

    /// <summary>" (did you mean politeness.concurrency?)": the nearest key by its whole name, or by its last part when the
    /// table is the mistake ("crawl.concurrancy").</summary>
    private static string Nearest(string name)
    {
        string whole = UsageHints.DidYouMean(name, Keys.Keys);
        if (whole.Length > 0) return whole;
        string last = name[(name.LastIndexOf('.') + 1)..];
        var byLast = Keys.Keys.ToLookup(k => k[(k.LastIndexOf('.') + 1)..], StringComparer.Ordinal);
        string hint = UsageHints.DidYouMean(last, byLast.Select(g => g.Key));
        if (hint.Length == 0) return "";
        string part = hint[" (did you mean ".Length..^"?)".Length];
        return $" (did you mean {string.Join(" or ", byLast[part].Order(StringComparer.Ordinal))}?)";
    }

    /// <summary>The command-line tokens for one setting, or null (and a problem) when its value is not what the key takes.</summary>
    private static List<string>? Tokens(string name, Key key, ValueSyntax value, string path, int line, List<(int, string)> problems)
    {
        List<string>? Problem(string what)
        {
            problems.Add((line, $"{path}:{line}: {name}: {what}"));
            return null;
        }
        switch (key.Kind, value)
        {
            case (Kind.Text, StringValueSyntax s) when key.Words is { } words && !words.Contains(s.Value):
                return Problem($"'{s.Value}' is not one of {string.Join(", ", words)}");
            case (Kind.Text, StringValueSyntax s):
                return [key.Flag + "=" + s.Value];
            case (Kind.Duration, StringValueSyntax s) when DurationText.TryParse(s.Value, out _):
                return [key.Flag + "=" + s.Value];
            case (Kind.Duration, _):
                return Problem("a duration in quotes, like \"30m\", \"12h\" or \"7d\"");
            case (Kind.Integer, IntegerValueSyntax i) when i.Value >= key.Min:
                return [key.Flag + "=" + i.Value.ToString(CultureInfo.InvariantCulture)];
            case (Kind.Number, IntegerValueSyntax i) when i.Value >= key.Min:
                return [key.Flag + "=" + i.Value.ToString(CultureInfo.InvariantCulture)];
            case (Kind.Number, FloatValueSyntax f) when f.Value >= key.Min && double.IsFinite(f.Value):
                return [key.Flag + "=" + f.Value.ToString("R", CultureInfo.InvariantCulture)];
            case (Kind.Integer or Kind.Number, IntegerValueSyntax or FloatValueSyntax):
                return Problem($"must be at least {key.Min.ToString(CultureInfo.InvariantCulture)}");
            case (Kind.Boolean, BooleanValueSyntax b):
                return b.Value ? [key.Flag] : [];
            // One string where a list of one is meant: seeds = "https://example.com/".
            case (Kind.List, StringValueSyntax one):
                return key.Flag.Length == 0 ? [one.Value!] : [key.Flag + "=" + one.Value];
            case (Kind.List, ArraySyntax array) when array.Items.All(i => i.Value is StringValueSyntax):
                var items = array.Items.Select(i => ((StringValueSyntax)i.Value!).Value!).ToList();
                return key.Flag.Length == 0 ? items : items.Select(v => key.Flag + "=" + v).ToList();
            default:
                return Problem($"expected {key.Kind switch { Kind.List => "a list of strings", Kind.Integer => "a whole number", Kind.Number => "a number", Kind.Boolean => "true or false", _ => "a string" }}");
        }
    }
}

/// <summary>Every problem of a configuration file, one per line.</summary>
internal sealed class ConfigFileException(IReadOnlyList<string> problems) : Exception(string.Join("\n", problems))
{
    public IReadOnlyList<string> Problems { get; } = problems;
}
