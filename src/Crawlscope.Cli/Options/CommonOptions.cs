using System.CommandLine;
using Crawlscope.Urls;

namespace Crawlscope.Cli.Options;

/// <summary>Options shared by several commands, defined once so they read and validate the same everywhere.</summary>
internal static class CommonOptions
{
    internal static Option<bool> Json() => new("--json") { Description = "Print JSON instead of text." };

    /// <summary>The indexability filter's age cut-off, defaulting to the rule's own.</summary>
    internal static Option<int> MaxAgeMonths() => new("--max-age-months")
    {
        Description = "Age cut-off of the indexability filter.", DefaultValueFactory = _ => Model.IndexabilityRule.DefaultMaxAgeMonths,
    };

    internal static Option<int> Shards()
    {
        var option = new Option<int>("--shards")
        {
            Description = "Number of shards sites are spread over.",
            DefaultValueFactory = _ => SiteHash.DefaultShardCount,
        };
        AtLeast(option, Crawling.CrawlOptions.Least.ShardCount);
        return option;
    }

    internal static Option<string?> Psl() => new("--psl")
    {
        Description = $"Public Suffix List file (default: {PublicSuffixList.SystemPath}, else the embedded copy).",
    };

    internal static Option<string> Db() => new("--db")
    {
        Description = "The embedded crawl store (a SQLite file).",
        DefaultValueFactory = _ => "crawlscope.db",
    };

    internal static Option<string?> Datasets() => new("--datasets")
    {
        Description = "The datasets folder (default: shared/datasets beside the checkout, or $CRAWLSCOPE_DATASETS).",
    };

    /// <summary>The datasets folder: the option, else $CRAWLSCOPE_DATASETS, else ../shared/datasets beside the checkout.</summary>
    internal static string DatasetsRoot(string? option)
    {
        string? root = option ?? Environment.GetEnvironmentVariable("CRAWLSCOPE_DATASETS");
        if (root is null)
        {
            string? home = Environment.GetEnvironmentVariable("CRAWLSCOPE_HOME") ?? Directory.GetCurrentDirectory();
            root = Path.GetFullPath(Path.Combine(home, "..", "shared", "datasets"));
        }
        if (!Directory.Exists(root)) throw new CommandException($"datasets folder not found: {root} (give --datasets DIR)");
        return root;
    }

    internal static PublicSuffixList LoadPsl(string? path)
    {
        try
        {
            return path is null ? PublicSuffixList.Default : PublicSuffixList.Load(path);
        }
        catch (FileNotFoundException ex)
        {
            throw new CommandException(ex.Message);
        }
    }

    /// <summary>Refuses a value below <paramref name="least"/>: "--x must be at least N" (thousands grouped from 10,000),
    /// or "--x cannot be negative" for 0. An option left out (null) passes.</summary>
    internal static void AtLeast<T>(Option<T> option, long least)
    {
        var invariant = System.Globalization.CultureInfo.InvariantCulture;
        string shown = least >= 10_000 ? least.ToString("N0", invariant) : least.ToString(invariant);
        option.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<T>() is { } value && Convert.ToInt64(value, invariant) < least)
                r.AddError(least == 0 ? $"{option.Name} cannot be negative" : $"{option.Name} must be at least {shown}");
        });
    }
}
