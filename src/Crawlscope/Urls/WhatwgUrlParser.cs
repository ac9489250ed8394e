using System.Text;
using static Crawlscope.Urls.PercentEncoding;

namespace Crawlscope.Urls;

/// <summary>
/// The basic URL parser of the WHATWG URL Standard (https://url.spec.whatwg.org/#concept-basic-url-parser),
/// restricted to special schemes other than file: the state machine is written state by state in the
/// standard's order so it can be checked against it line by line. That is why this file is over 400 lines and its
/// parse method one long state machine: split, it could no longer be read against the standard.
/// </summary>
internal static class WhatwgUrlParser
{
    private enum State
    {
        SchemeStart, Scheme, NoScheme, SpecialRelativeOrAuthority, Relative, RelativeSlash,
        SpecialAuthoritySlashes, SpecialAuthorityIgnoreSlashes, Authority, Host, Port, PathStart, Path, Query, Fragment,
    }

    private const int Eof = -1;

    internal static WebUrl? Parse(string rawInput, WebUrl? baseUrl, out string? error)
    {
        error = null;
        int[] input = Preprocess(rawInput);

        string scheme = "";
        var username = new StringBuilder();
        var password = new StringBuilder();
        string? host = null;
        HostKind hostKind = HostKind.Domain;
        int? port = null;
        var path = new List<string>();
        StringBuilder? query = null;
        StringBuilder? fragment = null;

        var state = State.SchemeStart;
        var buffer = new StringBuilder();
        bool atSignSeen = false, insideBrackets = false, passwordTokenSeen = false;

        for (int pointer = 0; ; pointer++)
        {
            int c = pointer < input.Length ? input[pointer] : Eof;
            switch (state)
            {
                case State.SchemeStart:
                    if (IsAsciiAlpha(c))
                    {
                        buffer.Append(char.ToLowerInvariant((char)c));
                        state = State.Scheme;
                    }
                    else
                    {
                        state = State.NoScheme;
                        pointer--;
                    }
                    break;

                case State.Scheme:
                    if (IsAsciiAlphanumeric(c) || c is '+' or '-' or '.')
                    {
                        buffer.Append(char.ToLowerInvariant((char)c));
                    }
                    else if (c == ':')
                    {
                        scheme = buffer.ToString();
                        buffer.Clear();
                        if (!WebUrl.IsSpecialScheme(scheme))
                        {
                            error = scheme == "file" || scheme.Length > 0
                                ? $"unsupported scheme '{scheme}' (only http and https are crawled)"
                                : "missing scheme";
                            return null;
                        }
                        if (baseUrl is not null && baseUrl.Scheme == scheme) state = State.SpecialRelativeOrAuthority;
                        else state = State.SpecialAuthoritySlashes;
                    }
                    else
                    {
                        buffer.Clear();
                        state = State.NoScheme;
                        pointer = -1;
                    }
                    break;

                case State.NoScheme:
                    if (baseUrl is null)
                    {
                        error = "relative URL without a base";
                        return null;
                    }
                    state = State.Relative;
                    pointer--;
                    break;

                case State.SpecialRelativeOrAuthority:
                    if (c == '/' && At(input, pointer + 1) == '/')
                    {
                        state = State.SpecialAuthorityIgnoreSlashes;
                        pointer++;
                    }
                    else
                    {
                        state = State.Relative;
                        pointer--;
                    }
                    break;

                case State.Relative:
                    scheme = baseUrl!.Scheme;
                    if (c is '/' or '\\')
                    {
                        state = State.RelativeSlash;
                    }
                    else
                    {
                        CopyAuthority(baseUrl, username, password, out host, out hostKind, out port);
                        path = [.. baseUrl.PathSegments];
                        query = baseUrl.Query is null ? null : new StringBuilder(baseUrl.Query);
                        if (c == '?')
                        {
                            query = new StringBuilder();
                            state = State.Query;
                        }
                        else if (c == '#')
                        {
                            fragment = new StringBuilder();
                            state = State.Fragment;
                        }
                        else if (c != Eof)
                        {
                            query = null;
                            ShortenPath(path);
                            state = State.Path;
                            pointer--;
                        }
                    }
                    break;

                case State.RelativeSlash:
                    if (c is '/' or '\\')
                    {
                        state = State.SpecialAuthorityIgnoreSlashes;
                    }
                    else
                    {
                        CopyAuthority(baseUrl!, username, password, out host, out hostKind, out port);
                        state = State.Path;
                        pointer--;
                    }
                    break;

                case State.SpecialAuthoritySlashes:
                    state = State.SpecialAuthorityIgnoreSlashes;
                    if (c == '/' && At(input, pointer + 1) == '/') pointer++;
                    else pointer--;
                    break;

                case State.SpecialAuthorityIgnoreSlashes:
                    if (c is not '/' and not '\\')
                    {
                        state = State.Authority;
                        pointer--;
                    }
                    break;

                case State.Authority:
                    if (c == '@')
                    {
                        if (atSignSeen) buffer.Insert(0, "%40");
                        atSignSeen = true;
                        foreach (int cp in CodePoints(buffer.ToString()))
                        {
                            if (cp == ':' && !passwordTokenSeen)
                            {
                                passwordTokenSeen = true;
                                continue;
                            }
                            AppendEncoded(passwordTokenSeen ? password : username, cp, EncodeSet.Userinfo);
                        }
                        buffer.Clear();
                    }
                    else if (c is Eof or '/' or '?' or '#' or '\\')
                    {
                        if (atSignSeen && buffer.Length == 0)
                        {
                            error = "credentials without a host";
                            return null;
                        }
                        pointer -= CodePointCount(buffer) + 1;
                        buffer.Clear();
                        state = State.Host;
                    }
                    else
                    {
                        AppendCodePoint(buffer, c);
                    }
                    break;

                case State.Host:
                    if (c == ':' && !insideBrackets)
                    {
                        if (buffer.Length == 0)
                        {
                            error = "missing host";
                            return null;
                        }
                        if (!TryHost(buffer.ToString(), out host, out hostKind, out error)) return null;
                        buffer.Clear();
                        state = State.Port;
                    }
                    else if (c is Eof or '/' or '?' or '#' or '\\')
                    {
                        pointer--;
                        if (buffer.Length == 0)
                        {
                            error = "missing host";
                            return null;
                        }
                        if (!TryHost(buffer.ToString(), out host, out hostKind, out error)) return null;
                        buffer.Clear();
                        state = State.PathStart;
                    }
                    else
                    {
                        if (c == '[') insideBrackets = true;
                        if (c == ']') insideBrackets = false;
                        AppendCodePoint(buffer, c);
                    }
                    break;

                case State.Port:
                    if (c is >= '0' and <= '9')
                    {
                        buffer.Append((char)c);
                    }
                    else if (c is Eof or '/' or '?' or '#' or '\\')
                    {
                        if (buffer.Length > 0)
                        {
                            string digits = buffer.ToString().TrimStart('0');
                            if (digits.Length > 5 || (digits.Length > 0 && int.Parse(digits) > 65535))
                            {
                                error = "port out of range";
                                return null;
                            }
                            int value = digits.Length == 0 ? 0 : int.Parse(digits);
                            port = value == WebUrl.DefaultPort(scheme) ? null : value;
                            buffer.Clear();
                        }
                        state = State.PathStart;
                        pointer--;
                    }
                    else
                    {
                        error = "invalid port";
                        return null;
                    }
                    break;

                case State.PathStart:
                    state = State.Path;
                    if (c is not '/' and not '\\') pointer--;
                    break;

                case State.Path:
                    if (c is Eof or '/' or '\\' or '?' or '#')
                    {
                        string segment = buffer.ToString();
                        bool slash = c is '/' or '\\';
                        if (IsDoubleDot(segment))
                        {
                            ShortenPath(path);
                            if (!slash) path.Add("");
                        }
                        else if (IsSingleDot(segment))
                        {
                            if (!slash) path.Add("");
                        }
                        else
                        {
                            path.Add(segment);
                        }
                        buffer.Clear();
                        if (c == '?')
                        {
                            query = new StringBuilder();
                            state = State.Query;
                        }
                        else if (c == '#')
                        {
                            fragment = new StringBuilder();
                            state = State.Fragment;
                        }
                    }
                    else
                    {
                        AppendEncoded(buffer, c, EncodeSet.Path);
                    }
                    break;

                case State.Query:
                    if (c is '#' or Eof)
                    {
                        foreach (int cp in CodePoints(buffer.ToString()))
                            AppendEncoded(query!, cp, EncodeSet.SpecialQuery);
                        buffer.Clear();
                        if (c == '#')
                        {
                            fragment = new StringBuilder();
                            state = State.Fragment;
                        }
                    }
                    else
                    {
                        AppendCodePoint(buffer, c);
                    }
                    break;

                case State.Fragment:
                    if (c != Eof) AppendEncoded(fragment!, c, EncodeSet.Fragment);
                    break;
            }
            if (pointer >= input.Length) break;
        }

        if (host is null)
        {
            error = "missing host";
            return null;
        }
        return new WebUrl(scheme, username.ToString(), password.ToString(), host, hostKind, port, path,
            query?.ToString(), fragment?.ToString());
    }

    private static bool TryHost(string buffer, out string? host, out HostKind kind, out string? error)
    {
        var parsed = HostParser.Parse(buffer, out error);
        host = parsed?.Serialized;
        kind = parsed?.Kind ?? HostKind.Domain;
        return parsed is not null;
    }

    private static void CopyAuthority(WebUrl b, StringBuilder username, StringBuilder password, out string? host, out HostKind kind, out int? port)
    {
        username.Clear().Append(b.Username);
        password.Clear().Append(b.Password);
        host = b.Host;
        kind = b.HostKind;
        port = b.Port;
    }

    private static void ShortenPath(List<string> path)
    {
        if (path.Count > 0) path.RemoveAt(path.Count - 1);
    }

    private static bool IsSingleDot(string s) => s == "." || s.Equals("%2e", StringComparison.OrdinalIgnoreCase);

    private static bool IsDoubleDot(string s) => s.Length switch
    {
        2 => s == "..",
        4 => s.Equals(".%2e", StringComparison.OrdinalIgnoreCase) || s.Equals("%2e.", StringComparison.OrdinalIgnoreCase),
        6 => s.Equals("%2e%2e", StringComparison.OrdinalIgnoreCase),
        _ => false,
    };

    private static int At(int[] input, int i) => i < input.Length ? input[i] : Eof;

    private static bool IsAsciiAlpha(int c) => c is >= 'a' and <= 'z' or >= 'A' and <= 'Z';
    private static bool IsAsciiAlphanumeric(int c) => IsAsciiAlpha(c) || c is >= '0' and <= '9';

    /// <summary>Strips leading and trailing C0 controls and spaces, and removes every tab and newline.</summary>
    private static int[] Preprocess(string s)
    {
        int start = 0, end = s.Length;
        while (start < end && s[start] <= 0x20) start++;
        while (end > start && s[end - 1] <= 0x20) end--;
        var result = new List<int>(end - start);
        for (int i = start; i < end; i++)
        {
            char ch = s[i];
            if (ch is '\t' or '\n' or '\r') continue;
            if (char.IsHighSurrogate(ch) && i + 1 < end && char.IsLowSurrogate(s[i + 1]))
            {
                result.Add(char.ConvertToUtf32(ch, s[i + 1]));
                i++;
            }
            else
            {
                result.Add(ch);
            }
        }
        return [.. result];
    }

    private static IEnumerable<int> CodePoints(string s)
    {
        for (int i = 0; i < s.Length; i++)
        {
            if (char.IsHighSurrogate(s[i]) && i + 1 < s.Length && char.IsLowSurrogate(s[i + 1]))
            {
                yield return char.ConvertToUtf32(s[i], s[i + 1]);
                i++;
            }
            else
            {
                yield return s[i];
            }
        }
    }

    private static int CodePointCount(StringBuilder sb) => CodePoints(sb.ToString()).Count();

    private static void AppendCodePoint(StringBuilder sb, int c)
    {
        if (c > 0xFFFF) sb.Append(char.ConvertFromUtf32(c));
        else sb.Append((char)c);
    }
}
