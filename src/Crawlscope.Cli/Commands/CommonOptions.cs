using System.CommandLine;
using Crawlscope.Urls;

namespace Crawlscope.Cli.Commands;

/// <summary>Options shared by several commands, defined once so they read and validate the same everywhere.</summary>
internal static class CommonOptions
{
    internal static Option<bool> Json() => new("--json") { Description = "Print JSON instead of text." };

    internal static Option<int> Shards()
    {
        var option = new Option<int>("--shards")
        {
            Description = "Number of shards sites are spread over.",
            DefaultValueFactory = _ => SiteHash.DefaultShardCount,
        };
        option.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<int>() < 1) result.AddError("--shards must be at least 1");
        });
        return option;
    }

    internal static Option<string?> Psl() => new("--psl")
    {
        Description = $"Public Suffix List file (default: {PublicSuffixList.SystemPath}, else the embedded copy).",
    };

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
}
