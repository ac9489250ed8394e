using System.Collections;
using System.Diagnostics.CodeAnalysis;
using System.Net;
using Crawlscope.SampleWeb;

namespace Crawlscope.Cli.Benchmarks;

/// <summary>
/// The resolve map of a broad sample web (site0.test ... siteN.test, all on loopback) computed from the name, so a
/// million-host bench measures the crawler's memory per host and not a million-entry map of its own.
/// </summary>
internal sealed class GeneratedHostsResolve(int count) : IReadOnlyDictionary<string, IPAddress>
{
    public IPAddress this[string key] => TryGetValue(key, out var address) ? address : throw new KeyNotFoundException(key);

    public int Count => count;

    public IEnumerable<string> Keys => SampleSites.GeneratedNames(count);

    public IEnumerable<IPAddress> Values => Keys.Select(_ => IPAddress.Loopback);

    public bool ContainsKey(string key) => SampleSites.GeneratedIndex(key, count) is not null;

    public bool TryGetValue(string key, [MaybeNullWhen(false)] out IPAddress value)
    {
        value = ContainsKey(key) ? IPAddress.Loopback : null;
        return value is not null;
    }

    public IEnumerator<KeyValuePair<string, IPAddress>> GetEnumerator() => Keys.Select(k => KeyValuePair.Create(k, IPAddress.Loopback)).GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
