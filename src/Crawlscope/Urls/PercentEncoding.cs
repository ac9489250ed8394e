using System.Text;

namespace Crawlscope.Urls;

/// <summary>The percent-encode sets of the WHATWG URL Standard, and percent-decoding.</summary>
internal static class PercentEncoding
{
    internal enum EncodeSet { C0Control, Fragment, Query, SpecialQuery, Path, Userinfo }

    private static readonly char[] Hex = "0123456789ABCDEF".ToCharArray();

    internal static bool InSet(int c, EncodeSet set)
    {
        if (c < 0x20 || c > 0x7E) return true;
        return set switch
        {
            EncodeSet.C0Control => false,
            EncodeSet.Fragment => c is ' ' or '"' or '<' or '>' or '`',
            EncodeSet.Query => c is ' ' or '"' or '#' or '<' or '>',
            EncodeSet.SpecialQuery => c is ' ' or '"' or '#' or '<' or '>' or '\'',
            EncodeSet.Path => c is ' ' or '"' or '#' or '<' or '>' or '?' or '^' or '`' or '{' or '}',
            EncodeSet.Userinfo => c is ' ' or '"' or '#' or '<' or '>' or '?' or '^' or '`' or '{' or '}'
                or '/' or ':' or ';' or '=' or '@' or '[' or '\\' or ']' or '|',
            _ => false,
        };
    }

    /// <summary>Appends the code point, UTF-8 percent-encoded when it is in <paramref name="set"/>.</summary>
    internal static void AppendEncoded(StringBuilder sb, int codePoint, EncodeSet set)
    {
        if (codePoint < 0x80)
        {
            if (InSet(codePoint, set)) AppendByte(sb, (byte)codePoint);
            else sb.Append((char)codePoint);
            return;
        }
        // Lone surrogates cannot be UTF-8 encoded; the standard's encoder writes U+FFFD for them.
        if (codePoint is >= 0xD800 and <= 0xDFFF) codePoint = 0xFFFD;
        Span<byte> buf = stackalloc byte[4];
        int n = new Rune(codePoint).EncodeToUtf8(buf);
        for (int i = 0; i < n; i++) AppendByte(sb, buf[i]);
    }

    internal static void AppendByte(StringBuilder sb, byte b) => sb.Append('%').Append(Hex[b >> 4]).Append(Hex[b & 0xF]);

    internal static int HexValue(char c) => c switch
    {
        >= '0' and <= '9' => c - '0',
        >= 'a' and <= 'f' => c - 'a' + 10,
        >= 'A' and <= 'F' => c - 'A' + 10,
        _ => -1,
    };

    internal static bool IsHexTriplet(string s, int i) =>
        i + 2 < s.Length && s[i] == '%' && HexValue(s[i + 1]) >= 0 && HexValue(s[i + 2]) >= 0;

    /// <summary>Percent-decodes a string into bytes (the string's own characters UTF-8 encoded).</summary>
    internal static byte[] DecodeToBytes(string s)
    {
        byte[] utf8 = Encoding.UTF8.GetBytes(s);
        var output = new byte[utf8.Length];
        int o = 0;
        for (int i = 0; i < utf8.Length; i++)
        {
            byte b = utf8[i];
            if (b == '%' && i + 2 < utf8.Length)
            {
                int h = HexValue((char)utf8[i + 1]), l = HexValue((char)utf8[i + 2]);
                if (h >= 0 && l >= 0)
                {
                    output[o++] = (byte)(h * 16 + l);
                    i += 2;
                    continue;
                }
            }
            output[o++] = b;
        }
        return output.AsSpan(0, o).ToArray();
    }
}
