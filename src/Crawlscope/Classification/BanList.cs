using Crawlscope.Model;
using Crawlscope.Urls;

namespace Crawlscope.Classification;

/// <summary>
/// The operator's bans (<c>fh_dont_index</c>, set by <c>crawlscope ban add</c>), read from the store and read
/// again every few seconds, so a ban added while a crawl runs takes effect without a restart, and at once when
/// <paramref name="changes"/> (a count of bans made in this process) moves. A name bans the host of that name, or a
/// whole registrable domain, as the inspector's spam/ban check reads it.
/// </summary>
internal sealed class BanList(IBanStore store, TimeProvider time, Func<long>? changes = null)
{
    private long _seenChanges;
    private static readonly TimeSpan RefreshEvery = TimeSpan.FromSeconds(5);
    private readonly SemaphoreSlim _refresh = new(1, 1);
    private HashSet<string> _names = new(StringComparer.Ordinal);
    private DateTimeOffset _next = DateTimeOffset.MinValue;

    public async ValueTask<bool> IsBannedAsync(UrlIdentity url, CancellationToken ct)
    {
        long changed = changes?.Invoke() ?? 0;
        if (time.GetUtcNow() >= _next || changed != Volatile.Read(ref _seenChanges)) await RefreshAsync(changed, ct);
        var names = _names;
        return names.Count > 0 && (names.Contains(url.Host) || names.Contains(url.Site));
    }

    private async Task RefreshAsync(long changed, CancellationToken ct)
    {
        await _refresh.WaitAsync(ct);
        try
        {
            if (time.GetUtcNow() < _next && changed == _seenChanges) return;
            _names = (await store.BansAsync(ct)).Select(b => b.Name).ToHashSet(StringComparer.Ordinal);
            _next = time.GetUtcNow() + RefreshEvery;
            Volatile.Write(ref _seenChanges, changed);
        }
        finally
        {
            _refresh.Release();
        }
    }
}

/// <summary>The name a ban is stored under.</summary>
public static class BanName
{
    /// <summary>A DNS name is at most 253 characters (RFC 1035), a reason at most this many.</summary>
    public const int MaxNameLength = 253, MaxReasonLength = 1000;

    /// <summary>A ban names a host or a registrable domain as the crawler keys them (lower case, IDNA): the name is
    /// checked and normalised by parsing it as a URL's host; anything else (empty, a path, a port, an address, a
    /// wildcard, an empty label as in <c>a..b</c> or <c>.</c>, more than 253 characters) is refused. <c>*.</c> is not
    /// a wildcard: banning a registrable domain already covers all its hosts.</summary>
    /// <summary>Why <paramref name="reason"/> cannot be a ban's reason (too long); null when it can.</summary>
    public static string? ReasonProblem(string? reason) =>
        reason is { Length: > MaxReasonLength } ? $"the reason is {reason.Length:N0} characters long (at most {MaxReasonLength:N0})" : null;

    public static bool TryNormalize(string? name, out string normalized, out string error)
    {
        normalized = "";
        string trimmed = (name ?? "").Trim();
        if (trimmed.Length == 0)
        {
            error = "give a domain or a host to ban";
            return false;
        }
        if (trimmed.IndexOfAny(['/', '?', '#', '@', ':', ' ', '\\']) >= 0 || !WebUrl.TryParse($"http://{trimmed}/", null, out var url, out _))
        {
            error = $"not a domain or host name: {(trimmed.Length > 100 ? trimmed[..100] + "…" : trimmed)}";
            return false;
        }
        string host = url.Host.TrimEnd('.');
        string shown = trimmed.Length > 100 ? trimmed[..100] + "…" : trimmed;
        if (url.HostKind != HostKind.Domain) error = $"not a domain or host name: {shown} (an address; ban the names that point to it)";
        else if (trimmed.Contains('*')) error = $"not a domain or host name: {shown} (no wildcards: ban the registrable domain to cover all its hosts)";
        else if (host.Length == 0 || host.Split('.').Any(l => l.Length == 0)) error = $"not a domain or host name: {shown} (an empty label)";
        else if (host.Length > MaxNameLength) error = $"not a domain or host name: {host.Length:N0} characters (at most {MaxNameLength})";
        else error = "";
        if (error.Length > 0) return false;
        normalized = host;
        return true;
    }
}
