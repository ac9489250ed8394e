using System.Numerics;
using System.Text;

namespace Crawlscope.Urls;

/// <summary>The WHATWG host parser for special schemes: IPv6 literals, IPv4 in all its legacy forms, and domains.</summary>
internal static class HostParser
{
    internal readonly record struct ParsedHost(string Serialized, HostKind Kind);

    internal static ParsedHost? Parse(string input, out string? error)
    {
        error = null;
        if (input.StartsWith('['))
        {
            if (!input.EndsWith(']') || input.Length < 2)
            {
                error = "IPv6 address is missing its closing bracket";
                return null;
            }
            ushort[]? pieces = ParseIPv6(input.AsSpan(1, input.Length - 2));
            if (pieces is null)
            {
                error = "invalid IPv6 address";
                return null;
            }
            return new ParsedHost("[" + SerializeIPv6(pieces) + "]", HostKind.IPv6);
        }

        string domain = Encoding.UTF8.GetString(PercentEncoding.DecodeToBytes(input));
        string? ascii = DomainToAscii(domain);
        if (ascii is null)
        {
            error = "invalid host name";
            return null;
        }
        if (EndsInANumber(ascii))
        {
            uint? v4 = ParseIPv4(ascii);
            if (v4 is null)
            {
                error = "invalid IPv4 address";
                return null;
            }
            return new ParsedHost(SerializeIPv4(v4.Value), HostKind.IPv4);
        }
        return new ParsedHost(ascii, HostKind.Domain);
    }

    internal static string? DomainToAscii(string domain)
    {
        string? result;
        if (IsAsciiFastPath(domain)) result = domain.ToLowerInvariant();
        else result = Idna.ToAscii(domain);
        if (string.IsNullOrEmpty(result)) return null;
        foreach (char c in result)
            if (IsForbiddenDomainCodePoint(c)) return null;
        return result;
    }

    // The standard lower-cases an all-ASCII domain without UTS #46 validation (so "xn--a" stays as it is);
    // only a domain with non-ASCII code points goes through the full mapping.
    private static bool IsAsciiFastPath(string domain)
    {
        foreach (char c in domain)
            if (c >= 0x80) return false;
        return true;
    }

    internal static bool IsForbiddenHostCodePoint(int c) =>
        c is 0 or '\t' or '\n' or '\r' or ' ' or '#' or '/' or ':' or '<' or '>' or '?' or '@' or '[' or '\\' or ']' or '^' or '|';

    internal static bool IsForbiddenDomainCodePoint(int c) =>
        IsForbiddenHostCodePoint(c) || c <= 0x1F || c == '%' || c == 0x7F;

    internal static bool EndsInANumber(string input)
    {
        var parts = input.Split('.');
        int last = parts.Length - 1;
        if (parts[last].Length == 0)
        {
            if (parts.Length == 1) return false;
            last--;
        }
        string p = parts[last];
        if (p.Length > 0 && p.All(char.IsAsciiDigit)) return true;
        return ParseIPv4Number(p) is not null;
    }

    internal static uint? ParseIPv4(string input)
    {
        var parts = input.Split('.').ToList();
        if (parts[^1].Length == 0 && parts.Count > 1) parts.RemoveAt(parts.Count - 1);
        if (parts.Count > 4) return null;
        var numbers = new List<BigInteger>(parts.Count);
        foreach (var part in parts)
        {
            BigInteger? n = ParseIPv4Number(part);
            if (n is null) return null;
            numbers.Add(n.Value);
        }
        for (int i = 0; i < numbers.Count - 1; i++)
            if (numbers[i] > 255) return null;
        if (numbers[^1] >= BigInteger.Pow(256, 5 - numbers.Count)) return null;
        BigInteger ipv4 = numbers[^1];
        for (int i = 0; i < numbers.Count - 1; i++)
            ipv4 += numbers[i] * BigInteger.Pow(256, 3 - i);
        return (uint)ipv4;
    }

    private static BigInteger? ParseIPv4Number(string input)
    {
        if (input.Length == 0) return null;
        int radix = 10;
        if (input.Length >= 2 && input[0] == '0' && (input[1] | 0x20) == 'x')
        {
            input = input[2..];
            radix = 16;
        }
        else if (input.Length >= 2 && input[0] == '0')
        {
            input = input[1..];
            radix = 8;
        }
        if (input.Length == 0) return BigInteger.Zero;
        BigInteger value = BigInteger.Zero;
        foreach (char c in input)
        {
            int d = PercentEncoding.HexValue(c);
            if (d < 0 || d >= radix) return null;
            value = value * radix + d;
        }
        return value;
    }

    internal static string SerializeIPv4(uint address) =>
        $"{address >> 24}.{(address >> 16) & 0xFF}.{(address >> 8) & 0xFF}.{address & 0xFF}";

    /// <summary>The standard's IPv6 parser (https://url.spec.whatwg.org/#concept-ipv6-parser), written step by step
    /// in the standard's order so it can be checked against it.</summary>
    internal static ushort[]? ParseIPv6(ReadOnlySpan<char> span)
    {
        var address = new ushort[8];
        int pieceIndex = 0;
        int? compress = null;
        int p = 0;
        string input = span.ToString();
        char C(int i) => i < input.Length ? input[i] : '\0';
        bool Eof(int i) => i >= input.Length;

        if (C(p) == ':')
        {
            if (C(p + 1) != ':') return null;
            p += 2;
            pieceIndex++;
            compress = pieceIndex;
        }
        while (!Eof(p))
        {
            if (pieceIndex == 8) return null;
            if (C(p) == ':')
            {
                if (compress is not null) return null;
                p++;
                pieceIndex++;
                compress = pieceIndex;
                continue;
            }
            int value = 0, length = 0;
            while (length < 4 && !Eof(p) && PercentEncoding.HexValue(C(p)) >= 0)
            {
                value = value * 0x10 + PercentEncoding.HexValue(C(p));
                p++;
                length++;
            }
            if (C(p) == '.' && !Eof(p))
            {
                if (length == 0) return null;
                p -= length;
                if (pieceIndex > 6 || !ParseEmbeddedIPv4(input, p, address, pieceIndex)) return null;
                pieceIndex += 2;
                break;
            }
            else if (C(p) == ':' && !Eof(p))
            {
                p++;
                if (Eof(p)) return null;
            }
            else if (!Eof(p)) return null;
            address[pieceIndex] = (ushort)value;
            pieceIndex++;
        }
        if (compress is { } at) MoveAfterCompression(address, at, pieceIndex);
        else if (pieceIndex != 8) return null;
        return address;
    }

    /// <summary>The standard's last step: the pieces after "::" move to the end of the address.</summary>
    private static void MoveAfterCompression(ushort[] address, int compress, int pieceIndex)
    {
        int swaps = pieceIndex - compress;
        pieceIndex = 7;
        while (pieceIndex != 0 && swaps > 0)
        {
            (address[pieceIndex], address[compress + swaps - 1]) = (address[compress + swaps - 1], address[pieceIndex]);
            pieceIndex--;
            swaps--;
        }
    }

    /// <summary>The standard's IPv4-in-IPv6 steps: four decimal numbers from <paramref name="p"/> to the end of the
    /// input, written into the two pieces from <paramref name="pieceIndex"/>. False when they are not exactly that.</summary>
    private static bool ParseEmbeddedIPv4(string input, int p, ushort[] address, int pieceIndex)
    {
        int numbersSeen = 0;
        while (p < input.Length)
        {
            int? ipv4Piece = null;
            if (numbersSeen > 0)
            {
                if (input[p] == '.' && numbersSeen < 4) p++;
                else return false;
            }
            if (p >= input.Length || !char.IsAsciiDigit(input[p])) return false;
            while (p < input.Length && char.IsAsciiDigit(input[p]))
            {
                int number = input[p] - '0';
                if (ipv4Piece is null) ipv4Piece = number;
                else if (ipv4Piece == 0) return false;
                else ipv4Piece = ipv4Piece * 10 + number;
                if (ipv4Piece > 255) return false;
                p++;
            }
            address[pieceIndex] = (ushort)(address[pieceIndex] * 0x100 + ipv4Piece!.Value);
            numbersSeen++;
            if (numbersSeen is 2 or 4) pieceIndex++;
        }
        return numbersSeen == 4;
    }

    internal static string SerializeIPv6(ushort[] address)
    {
        // Compress the first longest run of two or more zero pieces.
        int bestStart = -1, bestLen = 1;
        for (int i = 0; i < 8;)
        {
            if (address[i] != 0) { i++; continue; }
            int j = i;
            while (j < 8 && address[j] == 0) j++;
            if (j - i > bestLen) { bestStart = i; bestLen = j - i; }
            i = j;
        }
        var sb = new StringBuilder();
        bool ignore0 = false;
        for (int i = 0; i < 8; i++)
        {
            if (ignore0 && address[i] == 0) continue;
            ignore0 = false;
            if (bestStart == i)
            {
                sb.Append(i == 0 ? "::" : ":");
                ignore0 = true;
                continue;
            }
            sb.Append(address[i].ToString("x"));
            if (i != 7) sb.Append(':');
        }
        return sb.ToString();
    }
}
