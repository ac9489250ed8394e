using System.CommandLine;
using System.Text.RegularExpressions;
using Crawlscope.Crawling;
using Crawlscope.Extraction;
using Crawlscope.Frontier;
using Crawlscope.Model;
using Crawlscope.Storage;
using Crawlscope.Storage.ClickHouse;
using Crawlscope.Urls;

namespace Crawlscope.Cli.Commands;

/// <summary><c>crawlscope crawl URL ... [--seeds-file FILE] [--db PATH] ...</c>: the main job.</summary>
internal static class CrawlCommand
{
    internal sealed class Options
    {
        public readonly Argument<string[]> Urls = new("url") { Description = "Seed URLs.", Arity = ArgumentArity.ZeroOrMore };
        public readonly Option<FileInfo?> SeedsFile = new("--seeds-file") { Description = "A file of seed URLs, one per line." };
        public readonly StoreOptions Store = new();
        public readonly Option<string?> WorkerShards = new("--worker-shards") { Description = "With --store: the shards this worker crawls, FROM-TO (default all). Start one worker per range." };
        public readonly Option<string?> StateDir = new("--state-dir") { Description = "With --store: the worker's own folder (frontier, seen-set, unshipped rows). Default crawlscope-state/shards-FROM-TO." };
        public readonly Option<string> Scope = new("--scope") { Description = "site (the seeds' registrable domains), seeds (their hosts) or any.", DefaultValueFactory = _ => "site" };
        public readonly Option<long?> MaxPages = new("--max-pages") { Description = "Stop after this many stored pages." };
        public readonly Option<int?> MaxDepth = new("--max-depth") { Description = "Follow links at most this deep from a seed." };
        public readonly Option<string[]> Include = new("--include") { Description = "Only URLs matching one of these regular expressions." };
        public readonly Option<string[]> Exclude = new("--exclude") { Description = "Never URLs matching one of these regular expressions." };
        public readonly Option<int> PerHost = new("--per-host") { Description = "Connections to one host at once.", DefaultValueFactory = _ => CrawlOptions.Defaults.PerHost };
        public readonly Option<double> Delay = new("--delay") { Description = "Seconds between two requests to one host.", DefaultValueFactory = _ => CrawlOptions.Defaults.Delay.TotalSeconds };
        public readonly Option<int> Concurrency = new("--concurrency") { Description = "Requests in flight over all hosts.", DefaultValueFactory = _ => CrawlOptions.Defaults.Concurrency };
        public readonly Option<string> ReadableScorer = new("--readable-scorer")
        {
            Description = "Who picks the readable Markdown's blocks: rules (hand-written, default) or learned (the block scorer of `crawlscope train extraction`).",
            DefaultValueFactory = _ => "rules",
        };
        public readonly Option<string> Extract = new("--extract") { Description = "full (every field) or none (fetch results, metadata, links, content hash and spam score; no boilerpipe, Markdown, readable text or near-duplicates).", DefaultValueFactory = _ => "full" };
        public readonly Option<int> Shards = CommonOptions.Shards();
        public readonly FetchCliOptions Fetch = new();
        public readonly Option<string?> Warc = new("--warc") { Description = "Write WARC/1.1 files of every exchange into this folder." };
        public readonly Option<long> WarcMaxBytes = new("--warc-max-bytes") { Description = "Start a new WARC file at this size.", DefaultValueFactory = _ => CrawlOptions.Defaults.WarcMaxFileBytes };
        public readonly Option<string> Render = new("--render") { Description = "Render pages in a headless browser: never, auto (pages whose HTML is an empty shell; learnt per site) or always.", DefaultValueFactory = _ => "auto" };
        public readonly Option<string?> Browser = new("--browser") { Description = "The browser to render with (default /usr/bin/chromium-headless-shell, else /usr/bin/chromium)." };
        public readonly Option<bool> Recrawl = new("--recrawl") { Description = "Fetch again the stored pages that are due (conditional GET), then crawl what is new." };

        public Options()
        {
            Scope.AcceptOnlyFromAmong("site", "seeds", "any");
            CommonOptions.AtLeast(WarcMaxBytes, 1_000_000);
            Extract.AcceptOnlyFromAmong("full", "none");
            ReadableScorer.AcceptOnlyFromAmong("rules", "learned");
            Render.AcceptOnlyFromAmong("never", "auto", "always");
            CommonOptions.AtLeast(PerHost, CrawlOptions.Least.PerHost);
            CommonOptions.AtLeast(Concurrency, CrawlOptions.Least.Concurrency);
            Delay.Validators.Add(DurationText.Seconds("--delay", zeroAllowed: true));
            CommonOptions.AtLeast(MaxPages, CrawlOptions.Least.MaxPages);
            CommonOptions.AtLeast(MaxDepth, CrawlOptions.Least.MaxDepth);
        }

        public void AddTo(Command c)
        {
            c.Arguments.Add(Urls);
            foreach (Option o in new Option[] { SeedsFile, WorkerShards, StateDir, Scope, MaxPages, MaxDepth, Include, Exclude, PerHost, Delay, Concurrency, Extract, ReadableScorer, Render, Browser, Shards, Recrawl, Warc, WarcMaxBytes }.Concat(Fetch.All).Concat(Store.All))
                c.Options.Add(o);
        }

        public CrawlOptions Build(ParseResult p)
        {
            return new CrawlOptions
            {
                Scope = p.GetValue(Scope) switch { "seeds" => CrawlScopeKind.Seeds, "any" => CrawlScopeKind.Any, _ => CrawlScopeKind.Site },
                MaxPages = p.GetValue(MaxPages),
                MaxDepth = p.GetValue(MaxDepth),
                Include = (p.GetValue(Include) ?? []).Select(Pattern).ToList(),
                Exclude = (p.GetValue(Exclude) ?? []).Select(Pattern).ToList(),
                PerHost = p.GetValue(PerHost),
                Delay = TimeSpan.FromSeconds(p.GetValue(Delay)),
                Concurrency = p.GetValue(Concurrency),
                Extract = p.GetValue(Extract) == "none" ? ExtractionParts.Metadata : ExtractionParts.All,
                ReadableScorer = p.GetValue(ReadableScorer) == "learned" ? Extraction.MainContent.ReadableScorer.Learned : Extraction.MainContent.ReadableScorer.Rules,
                ShardCount = p.GetValue(Shards),
                Fetch = Fetch.Build(p),
                WarcDirectory = p.GetValue(Warc),
                WarcMaxFileBytes = p.GetValue(WarcMaxBytes),
                Render = new Rendering.RenderOptions
                {
                    Mode = p.GetValue(Render) switch { "never" => Rendering.RenderMode.Never, "always" => Rendering.RenderMode.Always, _ => Rendering.RenderMode.Auto },
                    BrowserPath = p.GetValue(Browser),
                },
            };
        }

        private static Regex Pattern(string p)
        {
            try
            {
                return new Regex(p, RegexOptions.CultureInvariant, TimeSpan.FromMilliseconds(100));
            }
            catch (ArgumentException ex)
            {
                throw new CommandException($"not a regular expression: {p} ({ex.Message})", CrawlscopeCli.BadUsage);
            }
        }

        private const long MaxSeedsFileBytes = 256L * 1024 * 1024;

        public List<string> Seeds(ParseResult p)
        {
            var seeds = new List<string>(p.GetValue(Urls) ?? []);
            // An option the command does not have lands among the seeds: name it as what it is, with the nearest one.
            if (seeds.FirstOrDefault(s => s.StartsWith('-')) is { } unknown)
            {
                var names = p.CommandResult.Command.Options.SelectMany(o => o.Aliases.Prepend(o.Name)).ToList();
                if (names.Contains(unknown))
                    throw new CommandException($"not a seed: {unknown} (it came after -- or from the config file's seeds, which are URLs only)", CrawlscopeCli.BadUsage);
                throw new CommandException($"unknown option {unknown}{Cli.Options.UsageHints.DidYouMean(unknown.Split('=')[0], names)}", CrawlscopeCli.BadUsage);
            }
            if (p.GetValue(SeedsFile) is { } file)
            {
                if (Cli.Options.InputFile.Problem(file.FullName, MaxSeedsFileBytes, "seeds file") is { } unusable) throw new CommandException(unusable, CrawlscopeCli.BadUsage);
                int number = 0;
                foreach (string line in File.ReadLines(file.FullName))
                {
                    number++;
                    string seed = line.Split('#')[0].Trim();
                    if (seed.Length == 0) continue;
                    // The line is not quoted back: a file named by mistake (or by a hostile config) stays unread in the error.
                    if (!WebUrl.TryParse(seed, out var parsed) || parsed.Scheme is not ("http" or "https"))
                        throw new CommandException($"{file.FullName}:{number}: not an http(s) URL (a seeds file holds one URL per line)", CrawlscopeCli.BadUsage);
                    seeds.Add(seed);
                }
            }
            return seeds;
        }
    }

    internal static Command Create(TextWriter stdout, TextWriter stderr)
    {
        var o = new Options();
        var command = new Command("crawl", "Crawl from seed URLs into the store, politely; run it again to resume.");
        o.AddTo(command);
        command.Options.Add(ConfigFile.Option());
        var leased = new LeasedCrawl.Flags();
        leased.AddTo(command);
        command.SetAction(async (parse, ct) =>
        {
            var seeds = o.Seeds(parse);
            bool recrawl = parse.GetValue(o.Recrawl);
            if (seeds.Count == 0 && !recrawl) throw new CommandException("give at least one seed URL (or --seeds-file, or --recrawl)", CrawlscopeCli.BadUsage);
            if (parse.GetValue(leased.Coordinator) is { } coordinator)
            {
                if (recrawl) throw new CommandException("--recrawl is not taken with --coordinator yet: give seeds", CrawlscopeCli.BadUsage);
                return await LeasedCrawl.RunAsync(o, leased, parse, coordinator, seeds, stdout, stderr, ct);
            }
            var options = o.Build(parse);
            var keyer = new UrlKeyer(PublicSuffixList.Default, UrlNormalizer.Default, options.ShardCount);
            var identities = Identify(seeds, options, keyer);
            using var crawlLock = CrawlLock.Acquire(LockPath(o, parse, keyer));
            await using var store = await OpenAsync(o, parse, keyer, stderr, ct);
            if (recrawl) stderr.WriteLine($"crawlscope: {await store.RequeueDueAsync(DateTimeOffset.UtcNow, DateTimeOffset.UtcNow, ct: ct)} stored pages are due and queued again");
            return await CrawlRunner.RunAsync(options, store, keyer, identities, stdout, stderr, ct);
        });
        return command;
    }

    /// <summary>The seeds as URL identities; an invalid one, or one the include and exclude patterns refuse, is a usage error.</summary>
    internal static List<UrlIdentity> Identify(IEnumerable<string> seeds, CrawlOptions options, UrlKeyer keyer)
    {
        var identities = new List<UrlIdentity>();
        foreach (var seed in seeds)
        {
            string shown = seed.Length > 200 ? seed[..200] + "…" : seed;
            if (!keyer.TryIdentify(seed, out var id, out var error))
                throw new CommandException($"not a valid http(s) URL: {shown} ({error}){UrlHints.SchemeHint(seed)}", CrawlscopeCli.BadUsage);
            // Seeds are in scope by definition, but pass the patterns like every other URL the crawl fetches.
            switch (CrawlScope.Patterns(options.ScopeRules, id.Normalized.Href))
            {
                case ScopeVerdict.NotIncluded: throw new CommandException($"seed {shown} matches no --include pattern", CrawlscopeCli.BadUsage);
                case ScopeVerdict.Excluded: throw new CommandException($"seed {shown} matches an --exclude pattern", CrawlscopeCli.BadUsage);
            }
            identities.Add(id);
        }
        return identities;
    }

    /// <summary>What the crawl lock guards: the embedded store's file, or a worker's state dir.</summary>
    internal static string LockPath(Options o, ParseResult parse, UrlKeyer keyer) =>
        o.Store.Cluster(parse) is null ? parse.GetValue(o.Store.Db)! : Path.Combine(StateDir(o, parse, keyer), "worker");

    private static string StateDir(Options o, ParseResult parse, UrlKeyer keyer) =>
        parse.GetValue(o.StateDir) ?? Path.Combine(StateRoot, $"shards-{Range(o, parse, keyer)}");

    /// <summary>Where workers keep their state dirs unless told (<c>STATE_ROOT/shards-FROM-TO</c>).</summary>
    internal const string StateRoot = "crawlscope-state";

    private static ShardRange Range(Options o, ParseResult parse, UrlKeyer keyer)
    {
        try
        {
            return parse.GetValue(o.WorkerShards) is { } text ? ShardRange.Parse(text) : new ShardRange(0, keyer.ShardCount - 1);
        }
        catch (FormatException ex)
        {
            throw new CommandException("--worker-shards: " + ex.Message, CrawlscopeCli.BadUsage);
        }
    }

    /// <summary>The embedded store, or on a cluster this worker's store (its shard range, its state dir).</summary>
    internal static async Task<IFrontierStore> OpenAsync(Options o, ParseResult parse, UrlKeyer keyer, TextWriter stderr, CancellationToken ct)
    {
        if (o.Store.Cluster(parse) is not { } address)
        {
            if (parse.GetValue(o.WorkerShards) is not null || parse.GetValue(o.StateDir) is not null)
                throw new CommandException("--worker-shards and --state-dir go with --store (a cluster crawl)", CrawlscopeCli.BadUsage);
            return await SqliteCrawlStore.OpenAsync(parse.GetValue(o.Store.Db)!, ct);
        }
        return await OpenWorkerAsync(address, keyer, Range(o, parse, keyer), StateDir(o, parse, keyer), stderr, ct);
    }

    /// <summary>A cluster worker's store for its shard range, its rows shipping in the background; problems as one line.</summary>
    internal static async Task<WorkerCrawlStore> OpenWorkerAsync(ClickHouseAddress address, UrlKeyer keyer, ShardRange range, string stateDir, TextWriter stderr,
        CancellationToken ct, long epoch = 0)
    {
        try
        {
            return await WorkerCrawlStore.OpenAsync(address, keyer, range, stateDir, message => stderr.WriteLine($"crawlscope: {message}"), ct, epoch: epoch);
        }
        catch (Exception ex) when (ex is ClickHouseException or ArgumentException)
        {
            throw new CommandException(ex.Message);
        }
    }
}
