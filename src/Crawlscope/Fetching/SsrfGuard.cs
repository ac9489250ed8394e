using System.Net;
using System.Net.Sockets;

namespace Crawlscope.Fetching;

/// <summary>Raised inside the connect callback when every address of a host is off limits.</summary>
internal sealed class SsrfBlockedException(string host, string detail) : IOException($"refused to connect to {host}: {detail}")
{
    public string Host { get; } = host;
}

/// <summary>
/// Decides, at connect time (after DNS, so an answer cannot sneak past), whether an address may be fetched:
/// loopback, private, link-local, shared (CGNAT), multicast, documentation and reserved ranges are refused
/// unless private networks are allowed explicitly.
/// </summary>
internal static class SsrfGuard
{
    public static bool IsPublic(IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6) address = address.MapToIPv4();
        if (IPAddress.IsLoopback(address)) return false;
        if (address.AddressFamily == AddressFamily.InterNetwork)
        {
            byte[] b = address.GetAddressBytes();
            return !(b[0] == 0 || b[0] == 10 || b[0] == 127 || b[0] >= 224 ||                 // this network, private, loopback, multicast+reserved
                     (b[0] == 100 && b[1] >= 64 && b[1] <= 127) ||                           // shared address space (CGNAT)
                     (b[0] == 169 && b[1] == 254) ||                                          // link-local
                     (b[0] == 172 && b[1] >= 16 && b[1] <= 31) ||                             // private
                     (b[0] == 192 && b[1] == 168) ||                                          // private
                     (b[0] == 192 && b[1] == 0 && (b[2] == 0 || b[2] == 2)) ||                // IETF protocol assignments, TEST-NET-1
                     (b[0] == 198 && (b[1] == 18 || b[1] == 19)) ||                           // benchmarking
                     (b[0] == 198 && b[1] == 51 && b[2] == 100) || (b[0] == 203 && b[1] == 0 && b[2] == 113)); // TEST-NET-2/3
        }
        if (address.AddressFamily == AddressFamily.InterNetworkV6)
        {
            if (address.Equals(IPAddress.IPv6None) || address.Equals(IPAddress.IPv6Any)) return false;
            if (address.IsIPv6LinkLocal || address.IsIPv6SiteLocal || address.IsIPv6Multicast) return false;
            byte[] b = address.GetAddressBytes();
            if ((b[0] & 0xFE) == 0xFC) return false;                                        // unique local fc00::/7
            if (b[0] == 0x20 && b[1] == 0x01 && b[2] == 0x0D && b[3] == 0xB8) return false; // documentation 2001:db8::/32
            // Forms that carry an IPv4 address are judged by that address: the deprecated IPv4-compatible ::a.b.c.d
            // (some stacks still route it to a.b.c.d), NAT64 64:ff9b::/96 (RFC 6052) and 6to4 2002::/16 (RFC 3056).
            if (b.AsSpan(0, 12).IndexOfAnyExcept((byte)0) < 0) return IsPublic(new IPAddress(b.AsSpan(12, 4)));
            if (b[0] == 0x00 && b[1] == 0x64 && b[2] == 0xFF && b[3] == 0x9B)
                return b.AsSpan(4, 8).IndexOfAnyExcept((byte)0) < 0 && IsPublic(new IPAddress(b.AsSpan(12, 4)));  // 64:ff9b:1::/48 is local-use
            if (b[0] == 0x20 && b[1] == 0x02) return IsPublic(new IPAddress(b.AsSpan(2, 4)));
            return true;
        }
        return false;
    }

    /// <summary>
    /// Why a submitted URL's host would be refused at connect time, known without a DNS query: an address literal or a
    /// resolve-map entry that is not public, or a loopback name; null when nothing shows it yet (connect time still
    /// checks every address DNS gives). Lets an operator's submission be refused with the true reason at once.
    /// </summary>
    public static string? RefusalBeforeFetch(string host, FetchOptions options)
    {
        if (options.AllowPrivateNetworks) return null;
        string name = host.Trim('[', ']').ToLowerInvariant();
        if (options.TrustResolveMap && options.Resolve.ContainsKey(name)) return null;
        if (name is "localhost" || name.EndsWith(".localhost", StringComparison.Ordinal)) return $"{host} is a loopback name";
        IPAddress? address = options.Resolve.TryGetValue(name, out var mapped) ? mapped : IPAddress.TryParse(name, out var literal) ? literal : null;
        return address is not null && !IsPublic(address) ? $"{address} is not a public address" : null;
    }

    /// <summary>The connect callback for <see cref="SocketsHttpHandler"/>: resolve, filter, connect.</summary>
    public static Func<SocketsHttpConnectionContext, CancellationToken, ValueTask<Stream>> Connect(FetchOptions options) =>
        async (context, ct) =>
        {
            string host = context.DnsEndPoint.Host;
            IPAddress[] addresses = options.Resolve.TryGetValue(host.ToLowerInvariant(), out var mapped)
                ? [mapped]
                : IPAddress.TryParse(host.Trim('[', ']'), out var literal) ? [literal] : await Dns.GetHostAddressesAsync(host, ct);
            bool trusted = options.TrustResolveMap && mapped is not null;
            var allowed = options.AllowPrivateNetworks || trusted ? addresses : addresses.Where(IsPublic).ToArray();
            if (allowed.Length == 0)
                throw new SsrfBlockedException(host, addresses.Length == 0 ? "no address" : $"{string.Join(", ", addresses.Select(a => a.ToString()))} is not a public address");

            Exception? last = null;
            foreach (var address in allowed)
            {
                var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
                try
                {
                    await socket.ConnectAsync(new IPEndPoint(address, context.DnsEndPoint.Port), ct);
                    return new NetworkStream(socket, ownsSocket: true);
                }
                catch (SocketException ex)
                {
                    socket.Dispose();
                    last = ex;
                }
            }
            throw last ?? new IOException("no address to connect to");
        };
}
