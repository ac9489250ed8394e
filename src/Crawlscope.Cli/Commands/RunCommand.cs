using System.Runtime.CompilerServices;
using System.CommandLine;
using Crawlscope.Cli.Options;
using Crawlscope.Crawling;
using Crawlscope.Frontier;
using Crawlscope.Inspection;
using Crawlscope.Operating;
using Crawlscope.Storage;
using Crawlscope.Urls;
using Crawlscope.Web;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Logging;

namespace Crawlscope.Cli.Commands;

/// <summary>
/// <c>crawlscope run [--config FILE] [crawl's options] [--urls ...] [--token T] [SEED ...]</c>: the crawl as a
/// service. It crawls without end (new URLs and due recrawls, by priority), serves the inspector and the API from the
/// same store, and is steered from there; SIGTERM or Ctrl+C finishes the pages in flight and exits 0.
/// </summary>
internal static class RunCommand
{
    private sealed class Options
    {
        public readonly CrawlCommand.Options Crawl = new();
        public readonly Option<string> Urls = new("--urls") { Description = "Where the inspector listens (semicolon-separated).", DefaultValueFactory = _ => Web.InspectorSiteOptions.DefaultUrls };
        public readonly Option<string?> Token = new("--token") { Description = $"Require this token on every page, API route and action (default: ${ServeCommand.TokenVariable})." };
        public readonly Option<string[]> AllowedHosts = new("--allowed-hosts") { Description = "Host names the site answers to besides the addresses it listens on.", AllowMultipleArgumentsPerToken = true };
        public readonly Option<int> MaxAge = CommonOptions.MaxAgeMonths();
        public readonly Option<int> DailyQuota = new("--daily-quota") { Description = "Crawl-now and recrawl-now requests per site per 24 hours.", DefaultValueFactory = _ => 50 };
        public readonly Option<string> RecrawlMin = new("--recrawl-min") { Description = "Shortest recrawl interval (500ms, 45s, 30m, 12h, 7d).", DefaultValueFactory = _ => "1d" };
        public readonly Option<string> RecrawlMax = new("--recrawl-max") { Description = "Longest recrawl interval.", DefaultValueFactory = _ => "30d" };
        public readonly Option<string> RecrawlCheck = new("--recrawl-check") { Description = "How often due recrawls are queued.", DefaultValueFactory = _ => "1m" };
        public readonly Option<string> LogFormat = new("--log-format") { Description = "text or json (one JSON object per line, for log collectors).", DefaultValueFactory = _ => "text" };
        public readonly Option<double> LogEvery = new("--log-every") { Description = "Seconds between two progress log lines.", DefaultValueFactory = _ => 10 };

        public Options()
        {
            LogFormat.AcceptOnlyFromAmong("text", "json");
            CommonOptions.AtLeast(DailyQuota, 0);
            LogEvery.Validators.Add(DurationText.Seconds("--log-every"));
        }

        public void AddTo(Command c)
        {
            Crawl.AddTo(c);
            foreach (Option o in new Option[] { Urls, Token, AllowedHosts, MaxAge, DailyQuota, RecrawlMin, RecrawlMax, RecrawlCheck, LogFormat, LogEvery, ConfigFile.Option() })
                c.Options.Add(o);
        }

        public CrawlOptions Build(ParseResult p)
        {
            RecrawlPolicy recrawl;
            try
            {
                recrawl = RecrawlPolicy.Create(DurationText.Parse(p.GetValue(RecrawlMin)!, "--recrawl-min"), DurationText.Parse(p.GetValue(RecrawlMax)!, "--recrawl-max"));
            }
            catch (ArgumentException ex)
            {
                throw new CommandException(ex.Message, CrawlscopeCli.BadUsage);
            }
            return Crawl.Build(p) with
            {
                Continuous = true, Recrawl = recrawl, RecrawlCheck = DurationText.Parse(p.GetValue(RecrawlCheck)!, "--recrawl-check"),
            };
        }
    }

    internal static Command Create(TextWriter stdout, TextWriter stderr)
    {
        var o = new Options();
        var command = new Command("run", "Run the crawl as a service: crawl and recrawl without end, serve the inspector and the API, act from there.");
        o.AddTo(command);
        command.SetAction(async (parse, ct) =>
        {
            // A run that cannot start leaves nothing behind: no store file it created, no lock file beside it.
            string? db = o.Crawl.Store.Cluster(parse) is null ? Path.GetFullPath(parse.GetValue(o.Crawl.Store.Db)!) : null;
            bool created = db is not null && !File.Exists(db);
            var started = new StrongBox<bool>();
            try
            {
                return await ServeAndCrawlAsync(o, parse, stdout, stderr, started, ct);
            }
            // Not when another run holds the lock: the files are its.
            catch (Exception ex) when (created && !started.Value && ex is not CrawlLockedException)
            {
                SqliteCrawlStore.DeleteFiles(db!);
                File.Delete(db + ".crawl-lock");
                throw;
            }
        });
        return command;
    }

    private static async Task<int> ServeAndCrawlAsync(Options o, ParseResult parse, TextWriter stdout, TextWriter stderr, StrongBox<bool> started, CancellationToken ct)
    {
        var options = o.Build(parse);
        var keyer = new UrlKeyer(PublicSuffixList.Default, UrlNormalizer.Default, options.ShardCount);
        var seeds = CrawlCommand.Identify(o.Crawl.Seeds(parse), options, keyer);
        string listen = parse.GetValue(o.Urls)!;
        string? token = parse.GetValue(o.Token) ?? Environment.GetEnvironmentVariable(ServeCommand.TokenVariable);
        if (token is { Length: 0 }) token = null;
        ServeCommand.CheckListen(listen, token, stderr);
        using var logs = LoggerFactory.Create(b =>
        {
            if (parse.GetValue(o.LogFormat) == "json") b.AddJsonConsole(j => j.TimestampFormat = "yyyy-MM-dd'T'HH:mm:ss.fff'Z'");
            else b.AddSimpleConsole(s => { s.SingleLine = true; s.TimestampFormat = "yyyy-MM-dd HH:mm:ss "; s.UseUtcTimestamp = true; });
        });
        var log = logs.CreateLogger("crawlscope");

        using var crawlLock = CrawlLock.Acquire(CrawlCommand.LockPath(o.Crawl, parse, keyer));
        await using var store = await CrawlCommand.OpenAsync(o.Crawl, parse, keyer, stderr, ct);
        using var engine = new CrawlEngine(options, store, keyer);
        var op = new CrawlOperator(store, keyer, engine, options.Fetch.UserAgent, new OperatorOptions { DailyQuotaPerSite = parse.GetValue(o.DailyQuota) });
        await using var app = InspectorSite.Build(new InspectorSiteOptions
        {
            Store = store, Keyer = keyer, Urls = listen, Token = token, Operator = op,
            Inspection = new InspectionOptions { MaxAgeMonths = parse.GetValue(o.MaxAge) },
            AllowedHosts = parse.GetValue(o.AllowedHosts) ?? [],
            Stopping = ct,
        });
        try
        {
            await app.StartAsync(ct);
        }
        catch (IOException ex)
        {
            throw new CommandException($"cannot listen on {listen}: {ex.Message}");
        }
        started.Value = true;
        foreach (var address in app.Urls) stdout.WriteLine($"Crawler Inspector on {address}/{(token is null ? "" : " (token required)")}");
        stdout.Flush();
        log.LogInformation("crawl service started: {Seeds} seeds, store {Store}, listening on {Urls}", seeds.Count,
            o.Crawl.Store.Cluster(parse)?.ToString() ?? Path.GetFullPath(parse.GetValue(o.Crawl.Store.Db)!), string.Join(" ", app.Urls));
        using var stopping = ct.Register(() => log.LogInformation("stopping: finishing the pages in flight"));
        var run = engine.RunAsync(seeds, ct);
        await LogProgressAsync(log, new CrawlFiguresSampler(store, engine), engine.Control, run, TimeSpan.FromSeconds(parse.GetValue(o.LogEvery)));
        var end = await run;
        await app.StopAsync(CancellationToken.None);
        log.LogInformation("crawl service stopped ({End}): {Pages} pages this run", end, engine.Progress.Pages);
        return CrawlscopeCli.Success;
    }

    private static async Task LogProgressAsync(ILogger log, CrawlFiguresSampler sampler, CrawlControl control, Task run, TimeSpan every)
    {
        // The store's condition is looked at every second (a full disk is said at once, once); progress every `every`.
        using var ticker = new PeriodicTimer(every < TimeSpan.FromSeconds(1) ? every : TimeSpan.FromSeconds(1));
        string? problem = null;
        var nextProgress = DateTime.UtcNow + every;
        while (await Task.WhenAny(run, ticker.WaitForNextTickAsync().AsTask()) != run)
        {
            if (control.StoreProblem != problem)
            {
                problem = control.StoreProblem;
                if (problem is not null) log.LogError("{Problem}", problem);
                else log.LogInformation("space is back: the crawl goes on");
            }
            if (DateTime.UtcNow < nextProgress) continue;
            nextProgress = DateTime.UtcNow + every;
            var f = await sampler.SampleAsync();
            log.LogInformation("{PagesPerSecond} pages/s, {Pages} pages this run, {Queued} queued, {InFlight} in flight, {RecrawlsDue} recrawls due, {Errors} errors{Paused}",
                f.PagesPerSecond, f.PagesThisRun, f.Queued, f.InFlight, f.RecrawlsDue, f.Errors, f.Paused ? " (paused)" : "");
        }
    }
}
