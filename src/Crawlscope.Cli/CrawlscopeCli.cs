using System.CommandLine;
using System.CommandLine.Help;
using Crawlscope.Cli.Commands;

namespace Crawlscope.Cli;

/// <summary>
/// The command line. Exit codes: 0 success, 1 failure (one line on stderr), 2 bad usage, 130 interrupted (a crawl
/// stopped by Ctrl+C or SIGTERM before its end; it resumes where it stopped).
/// </summary>
public static class CrawlscopeCli
{
    public const int Success = 0, Failure = 1, BadUsage = 2, Interrupted = 130;

    public static int Run(string[] args, TextWriter stdout, TextWriter stderr) => Run(args, stdout, stderr, Console.In);

    /// <param name="stop">Cancelled when the process is asked to stop (SIGTERM, Ctrl+C): every command stops cleanly.</param>
    public static int Run(string[] args, TextWriter stdout, TextWriter stderr, TextReader stdin, CancellationToken stop = default)
    {
        var root = Root(stdout, stderr, stdin);
        Dictionary<string, (string File, int Line)> fromFile;
        try
        {
            args = Options.ConfigFile.Expand(args, out fromFile);
        }
        catch (Options.ConfigFileException ex)
        {
            foreach (var problem in ex.Problems) stderr.WriteLine($"crawlscope: {problem}");
            return BadUsage;
        }
        ParseResult parsed;
        try
        {
            parsed = root.Parse(args);
        }
        catch (InvalidOperationException ex) when (Unconvertible(ex.Message) is { } problem)
        {
            // A validator read a value the parser could not convert (a number out of its type's range).
            var source = fromFile.FirstOrDefault(f => problem.Contains(f.Key, StringComparison.Ordinal));
            stderr.WriteLine($"crawlscope: {(source.Key is null ? "" : $"{source.Value.File}:{source.Value.Line}: ")}{problem} (see --help)");
            return BadUsage;
        }
        if (parsed.Errors.Count > 0 && parsed.Action is not HelpAction)
        {
            // One line, as every failure; a value the configuration file gave is named with its line.
            // An unknown word is the likeliest cause of the other errors ("Required command was not provided"): it goes first,
            // with the nearest command or option.
            var error = parsed.Errors.FirstOrDefault(e => UnknownToken(e.Message) is not null) ?? parsed.Errors[0];
            string hint = UnknownToken(error.Message) is { } token ? Options.UsageHints.DidYouMean(token, token.StartsWith('-')
                ? parsed.CommandResult.Command.Options.SelectMany(o => o.Aliases.Prepend(o.Name))
                : (parsed.CommandResult.Command.Subcommands.Count > 0 ? parsed.CommandResult.Command : root).Subcommands.Select(c => c.Name)) : "";
            var source = fromFile.FirstOrDefault(f => error.Message.Contains(f.Key, StringComparison.Ordinal));
            stderr.WriteLine($"crawlscope: {(source.Key is null ? "" : $"{source.Value.File}:{source.Value.Line}: ")}{error.Message}{hint} (see --help)");
            return BadUsage;
        }
        try
        {
            // Signals are ours (ShutdownSignal), not System.CommandLine's, which would end the process two seconds
            // after the first one whether the command had finished cleaning up or not.
            return parsed.InvokeAsync(new InvocationConfiguration
            {
                Output = stdout, Error = stderr, EnableDefaultExceptionHandler = false, ProcessTerminationTimeout = null,
            }, stop).GetAwaiter().GetResult();
        }
        catch (CommandException ex)
        {
            stderr.WriteLine($"crawlscope: {ex.Message}");
            return ex.ExitCode;
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            // Stopped before the command had anything to stop cleanly (a signal while it was still starting).
            stderr.WriteLine("crawlscope: interrupted");
            return Interrupted;
        }
        catch (Microsoft.Data.Sqlite.SqliteException ex) when (Crawlscope.Storage.SqliteCrawlStore.Condition(ex) is { } condition)
        {
            stderr.WriteLine($"crawlscope: {condition}");
            return Failure;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or FormatException or InvalidOperationException
                                   or Crawlscope.Storage.ClickHouse.ClickHouseException)
        {
            stderr.WriteLine($"crawlscope: {OneLine(ex.Message)}");
            return Failure;
        }
#pragma warning disable CA1031 // the outermost boundary: a bug still gets one line, not a stack trace
        catch (Exception ex)
#pragma warning restore CA1031
        {
            stderr.WriteLine($"crawlscope: internal error ({ex.GetType().Name}): {OneLine(ex.Message)}" +
                             (Environment.GetEnvironmentVariable("CRAWLSCOPE_DEBUG") == "1" ? "\n" + ex : " (set CRAWLSCOPE_DEBUG=1 for details)"));
            return Failure;
        }
    }

    /// <summary>"--per-host: '99999999999' is not a whole number from -2,147,483,648 to 2,147,483,647" for System.CommandLine's
    /// "Cannot parse argument 'X' for option 'Y' as expected type 'Z'"; null for other messages.</summary>
    internal static string? Unconvertible(string message)
    {
        var m = System.Text.RegularExpressions.Regex.Match(message, "^Cannot parse argument '(.*)' for option '(.*)' as expected type '(.*)'");
        if (!m.Success) return null;
        string type = m.Groups[3].Value;
        string expected = type.Contains("Int32", StringComparison.Ordinal) ? $"a whole number up to {int.MaxValue:N0}"
            : type.Contains("Int64", StringComparison.Ordinal) ? $"a whole number up to {long.MaxValue:N0}"
            : type.Contains("Double", StringComparison.Ordinal) ? "a number" : type;
        string value = m.Groups[1].Value.Length > 40 ? m.Groups[1].Value[..40] + "…" : m.Groups[1].Value;
        return $"{m.Groups[2].Value}: '{value}' is not {expected}";
    }

    /// <summary>The word of an "Unrecognized command or argument 'X'" error; null for other errors.</summary>
    private static string? UnknownToken(string message)
    {
        var m = System.Text.RegularExpressions.Regex.Match(message, "^Unrecognized command or argument '(.+)'");
        return m.Success ? m.Groups[1].Value : null;
    }

    /// <summary>Every command.</summary>
    private static Command Root(TextWriter stdout, TextWriter stderr, TextReader stdin)
    {
        // A plain Command rather than RootCommand, so help says "crawlscope" whatever the assembly is called.
        var root = new Command("crawlscope", "Crawlscope: a polite, persistent web crawler with an inspector that explains every URL.")
        {
            new HelpOption(),
            new VersionOption(),
        };
        root.Subcommands.Add(UrlCommand.Create(stdout));
        root.Subcommands.Add(RobotsCommand.Create(stdout));
        root.Subcommands.Add(ExtractCommand.Create(stdout, stdin));
        root.Subcommands.Add(EvalCommand.Create(stdout, stderr));
        root.Subcommands.Add(TrainCommand.Create(stdout, stderr));
        root.Subcommands.Add(BenchCommand.Create(stdout, stderr));
        root.Subcommands.Add(CrawlCommand.Create(stdout, stderr));
        root.Subcommands.Add(StatsCommand.Create(stdout));
        root.Subcommands.Add(BanCommand.Create(stdout));
        root.Subcommands.Add(StoreCommand.Create(stdout));
        root.Subcommands.Add(SampleWebCommand.Create(stdout));
        root.Subcommands.Add(DemoCommand.Create(stdout, stderr));
        root.Subcommands.Add(InspectCommand.Create(stdout));
        root.Subcommands.Add(ServeCommand.Create(stdout, stderr));
        root.Subcommands.Add(RunCommand.Create(stdout, stderr));
        root.Subcommands.Add(ExportCommand.Create(stdout, stderr));
        root.Subcommands.Add(ImportWarcCommand.Create(stdout, stderr));
        return root;
    }

    private static string OneLine(string s) => s.ReplaceLineEndings(" ");
}

/// <summary>A failure a command reports to the user as one line; <see cref="ExitCode"/> 1 or 2.</summary>
public sealed class CommandException(string message, int exitCode = CrawlscopeCli.Failure) : Exception(message)
{
    public int ExitCode { get; } = exitCode;
}
