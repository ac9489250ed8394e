using System.Text;

namespace Crawlscope.Robots;

/// <summary>The part of a URL that robots.txt rules match: path, params and query, without the fragment.</summary>
internal static class RobotsPath
{
    /// <summary>
    /// Extracts the path as Google's GetPathParamsQuery does (always starting with '/'), and returns it as
    /// UTF-8 bytes in Latin-1 chars, because rules match bytes. The URL is used as given, not re-encoded.
    /// </summary>
    public static string FromUrl(string url)
    {
        string path = Extract(url ?? "");
        return IsAscii(path) ? path : Encoding.Latin1.GetString(Encoding.UTF8.GetBytes(path));
    }

    internal static string Extract(string url)
    {
        int searchStart = url.Length >= 2 && url[0] == '/' && url[1] == '/' ? 2 : 0;
        int earlyPath = IndexOfAny(url, "/?;", searchStart);
        int protocolEnd = url.IndexOf("://", searchStart, StringComparison.Ordinal);
        if (earlyPath >= 0 && (protocolEnd < 0 || earlyPath < protocolEnd)) protocolEnd = -1;
        protocolEnd = protocolEnd < 0 ? searchStart : protocolEnd + 3;

        int pathStart = IndexOfAny(url, "/?;", protocolEnd);
        if (pathStart < 0) return "/";
        int hash = url.IndexOf('#', searchStart);
        if (hash >= 0 && hash < pathStart) return "/";
        int pathEnd = hash < 0 ? url.Length : hash;
        string result = url[pathStart..pathEnd];
        return url[pathStart] == '/' ? result : "/" + result;
    }

    private static int IndexOfAny(string s, string chars, int start) =>
        start >= s.Length ? -1 : s.IndexOfAny(chars.ToCharArray(), start);

    private static bool IsAscii(string s)
    {
        foreach (char c in s)
            if (c >= 0x80) return false;
        return true;
    }
}
