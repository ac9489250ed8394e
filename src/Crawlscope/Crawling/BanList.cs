using Crawlscope.Storage;
using Crawlscope.Urls;

namespace Crawlscope.Crawling;

/// <summary>
/// The operator's bans (<c>fh_dont_index</c>, set by <c>crawlscope ban add</c>), read from the store and read
/// again every few seconds, so a ban added while a crawl runs takes effect without a restart. A name bans
/// the host of that name, or a whole registrable domain, as the inspector's spam/ban check reads it.
/// </summary>
internal sealed class BanList(ICrawlStore store, TimeProvider time)
{
    private static readonly TimeSpan RefreshEvery = TimeSpan.FromSeconds(5);
    private readonly SemaphoreSlim _refresh = new(1, 1);
    private HashSet<string> _names = new(StringComparer.Ordinal);
    private DateTimeOffset _next = DateTimeOffset.MinValue;

    public async ValueTask<bool> IsBannedAsync(UrlIdentity url, CancellationToken ct)
    {
        if (time.GetUtcNow() >= _next) await RefreshAsync(ct);
        var names = _names;
        return names.Count > 0 && (names.Contains(url.Host) || names.Contains(url.Site));
    }

    private async Task RefreshAsync(CancellationToken ct)
    {
        await _refresh.WaitAsync(ct);
        try
        {
            if (time.GetUtcNow() < _next) return;
            _names = (await store.BansAsync(ct)).Select(b => b.Name).ToHashSet(StringComparer.Ordinal);
            _next = time.GetUtcNow() + RefreshEvery;
        }
        finally
        {
            _refresh.Release();
        }
    }
}
