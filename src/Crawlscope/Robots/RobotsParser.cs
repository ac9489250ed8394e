using System.Text;

namespace Crawlscope.Robots;

/// <summary>
/// robots.txt bytes to <see cref="RobotsRules"/>, following RFC 9309 and, where it is more lenient, Google's
/// open-source parser (the de-facto reference): a UTF-8 BOM (or part of one) at the start is skipped; LF, CR
/// and CRLF end lines; a line is cut at 16,663 bytes; '#' starts a comment; a missing colon is accepted when the
/// line is exactly two words; keys match by prefix, case-insensitively, with common typos ("useragent",
/// "dissallow", ...). Only the first 500 KiB are parsed. Never throws on any input.
/// </summary>
public static class RobotsParser
{
    /// <summary>RFC 9309 §2.5: crawlers must parse at least 500 kibibytes.</summary>
    public const int MaxBytes = 500 * 1024;

    // Google's line buffer is 2083 * 8 bytes including the terminating NUL.
    internal const int MaxLineBytes = 2083 * 8 - 1;

    private static readonly byte[] Bom = [0xEF, 0xBB, 0xBF];

    public static RobotsRules Parse(string text) => Parse(Encoding.UTF8.GetBytes(text));

    public static RobotsRules Parse(ReadOnlySpan<byte> body)
    {
        bool truncated = body.Length > MaxBytes;
        if (truncated) body = body[..MaxBytes];

        var directives = new List<RobotsDirective>();
        int unknown = 0, lineNumber = 0;
        var line = new byte[Math.Min(MaxLineBytes, body.Length)];
        int lineLength = 0, bomPos = 0;
        bool lastWasCr = false;

        foreach (byte ch in body)
        {
            // Google skips a BOM prefix byte by byte, so a partial BOM is skipped too.
            if (bomPos < Bom.Length && ch == Bom[bomPos++]) continue;
            bomPos = Bom.Length;
            if (ch != '\n' && ch != '\r')
            {
                if (lineLength < MaxLineBytes) line[lineLength++] = ch;
            }
            else
            {
                bool crlfContinuation = lineLength == 0 && lastWasCr && ch == '\n';
                if (!crlfContinuation) ParseLine(++lineNumber, line.AsSpan(0, lineLength), directives, ref unknown);
                lineLength = 0;
                lastWasCr = ch == '\r';
            }
        }
        ParseLine(++lineNumber, line.AsSpan(0, lineLength), directives, ref unknown);
        return new RobotsRules(directives, unknown, lineNumber, truncated);
    }

    private static void ParseLine(int number, ReadOnlySpan<byte> raw, List<RobotsDirective> output, ref int unknown)
    {
        // The reference parser works on C strings: a NUL byte ends the line.
        int nul = raw.IndexOf((byte)0);
        if (nul >= 0) raw = raw[..nul];
        int hash = raw.IndexOf((byte)'#');
        if (hash >= 0) raw = raw[..hash];
        raw = Trim(raw);
        if (raw.IsEmpty) return;

        ReadOnlySpan<byte> key, value;
        int colon = raw.IndexOf((byte)':');
        if (colon >= 0)
        {
            key = Trim(raw[..colon]);
            value = Trim(raw[(colon + 1)..]);
        }
        else
        {
            // Google accepts whitespace instead of the colon, but only between exactly two words.
            int ws = raw.IndexOfAny((byte)' ', (byte)'\t');
            if (ws < 0) return;
            value = Trim(raw[ws..]);
            if (value.IndexOfAny((byte)' ', (byte)'\t') >= 0) return;
            key = Trim(raw[..ws]);
        }
        if (key.IsEmpty) return;

        var kind = Classify(key);
        string text = Encoding.UTF8.GetString(raw);
        string latin1 = Encoding.Latin1.GetString(value);
        switch (kind)
        {
            case RobotsDirectiveKind.Allow or RobotsDirectiveKind.Disallow:
                output.Add(new RobotsDirective(number, kind, EscapePattern(latin1), text));
                break;
            case RobotsDirectiveKind.Unknown:
                unknown++;
                output.Add(new RobotsDirective(number, kind, latin1, text));
                break;
            case RobotsDirectiveKind.Sitemap:
                // Sitemap URLs are shown and fetched, so keep them as text, not as matcher bytes.
                output.Add(new RobotsDirective(number, kind, Encoding.UTF8.GetString(value), text));
                break;
            default:
                output.Add(new RobotsDirective(number, kind, latin1, text));
                break;
        }
    }

    internal static RobotsDirectiveKind Classify(ReadOnlySpan<byte> key)
    {
        if (StartsWith(key, "user-agent") || StartsWith(key, "useragent") || StartsWith(key, "user agent"))
            return RobotsDirectiveKind.UserAgent;
        if (StartsWith(key, "allow")) return RobotsDirectiveKind.Allow;
        if (StartsWith(key, "disallow") || StartsWith(key, "dissallow") || StartsWith(key, "dissalow") ||
            StartsWith(key, "disalow") || StartsWith(key, "diasllow") || StartsWith(key, "disallaw"))
            return RobotsDirectiveKind.Disallow;
        if (StartsWith(key, "sitemap") || StartsWith(key, "site-map")) return RobotsDirectiveKind.Sitemap;
        // Not in Google's parser (it ignores the line); RFC 9309 leaves other records to crawlers.
        if (StartsWith(key, "crawl-delay") || StartsWith(key, "crawldelay")) return RobotsDirectiveKind.CrawlDelay;
        return RobotsDirectiveKind.Unknown;
    }

    /// <summary>
    /// Percent-encodes bytes outside ASCII and upper-cases existing escapes; nothing else changes (so "%62"
    /// stays "%62"). Input and output are byte strings held as Latin-1 chars.
    /// </summary>
    public static string EscapePattern(string pattern)
    {
        StringBuilder? sb = null;
        for (int i = 0; i < pattern.Length; i++)
        {
            char c = pattern[i];
            if (c == '%' && i + 2 < pattern.Length && char.IsAsciiHexDigit(pattern[i + 1]) && char.IsAsciiHexDigit(pattern[i + 2]))
            {
                if (sb is null && (char.IsAsciiLetterLower(pattern[i + 1]) || char.IsAsciiLetterLower(pattern[i + 2])))
                    sb = new StringBuilder(pattern, 0, i, pattern.Length + 8);
                sb?.Append('%').Append(char.ToUpperInvariant(pattern[i + 1])).Append(char.ToUpperInvariant(pattern[i + 2]));
                i += 2;
            }
            else if (c >= 0x80)
            {
                sb ??= new StringBuilder(pattern, 0, i, pattern.Length + 16);
                sb.Append('%').Append(((int)c).ToString("X2"));
            }
            else
            {
                sb?.Append(c);
            }
        }
        return sb?.ToString() ?? pattern;
    }

    private static bool StartsWith(ReadOnlySpan<byte> key, string prefix)
    {
        if (key.Length < prefix.Length) return false;
        for (int i = 0; i < prefix.Length; i++)
        {
            byte b = key[i];
            if (b is >= (byte)'A' and <= (byte)'Z') b = (byte)(b + 0x20);
            if (b != prefix[i]) return false;
        }
        return true;
    }

    // absl::ascii_isspace: space, \t, \n, \v, \f, \r.
    private static bool IsSpace(byte b) => b is (byte)' ' or (byte)'\t' or (byte)'\n' or 0x0B or 0x0C or (byte)'\r';

    private static ReadOnlySpan<byte> Trim(ReadOnlySpan<byte> s)
    {
        int start = 0, end = s.Length;
        while (start < end && IsSpace(s[start])) start++;
        while (end > start && IsSpace(s[end - 1])) end--;
        return s[start..end];
    }
}
