using System.CommandLine;
using Crawlscope.Model;
using Crawlscope.Urls;

namespace Crawlscope.Cli.Commands;

/// <summary><c>crawlscope ban add|remove|list DOMAIN [--reason TEXT]</c>: the per-domain/host ban (<c>fh_dont_index</c>).</summary>
internal static class BanCommand
{
    internal static Command Create(TextWriter stdout)
    {
        var storeOptions = new StoreOptions();
        var shards = CommonOptions.Shards();
        Task<ICrawlStore> Open(ParseResult p, CancellationToken ct) =>
            storeOptions.OpenAsync(p, new UrlKeyer(PublicSuffixList.Default, UrlNormalizer.Default, p.GetValue(shards)), ct, create: true);
        var name = new Argument<string>("domain") { Description = "A registrable domain or a host." };
        var reason = new Option<string?>("--reason") { Description = "Why (shown by the inspector)." };
        var add = new Command("add", "Ban a domain or host: its pages are not indexable (fh_dont_index = 1).") { name, reason, shards };
        add.SetAction(async (p, ct) =>
        {
            if (!Classification.BanName.TryNormalize(p.GetValue(name), out string banned, out string error)) throw new CommandException(error, CrawlscopeCli.BadUsage);
            if (Classification.BanName.ReasonProblem(p.GetValue(reason)) is { } tooLong) throw new CommandException(tooLong, CrawlscopeCli.BadUsage);
            await using var store = await Open(p, ct);
            await store.BanAsync(banned, p.GetValue(reason), null, ct);
            stdout.WriteLine($"banned {banned}");
            return CrawlscopeCli.Success;
        });
        var removeName = new Argument<string>("domain") { Description = "A banned domain or host." };
        var remove = new Command("remove", "Lift a ban.") { removeName, shards };
        remove.SetAction(async (p, ct) =>
        {
            await using var store = await Open(p, ct);
            if (!await store.UnbanAsync(p.GetValue(removeName)!, null, ct)) throw new CommandException($"{p.GetValue(removeName)} is not banned");
            stdout.WriteLine($"unbanned {p.GetValue(removeName)!.ToLowerInvariant()}");
            return CrawlscopeCli.Success;
        });
        var list = new Command("list", "List bans.") { shards };
        list.SetAction(async (p, ct) =>
        {
            await using var store = await Open(p, ct);
            foreach (var b in await store.BansAsync(ct)) stdout.WriteLine($"{b.Name}\t{b.Created:yyyy-MM-dd HH:mm:ss}\t{b.Reason}");
            return CrawlscopeCli.Success;
        });
        foreach (var c in new[] { add, remove, list }) storeOptions.AddTo(c);
        return new Command("ban", "Manage per-domain and per-host bans.") { add, remove, list };
    }
}
