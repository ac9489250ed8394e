using System.IO.Compression;
using System.Text;
using System.Xml;

namespace Crawlscope.Sitemaps;

/// <summary>What a sitemap file holds: page URLs, or (for an index) more sitemaps.</summary>
public sealed record SitemapContent(bool IsIndex, IReadOnlyList<string> Urls, bool Truncated, string? Error);

/// <summary>
/// Reads sitemaps as sitemaps.org protocol 0.9 defines them: XML url sets and sitemap indexes, plain-text
/// sitemaps (one URL a line), gzip-compressed or not. Protocol limits apply (50,000 URLs, 50 MB uncompressed);
/// DTDs and external entities are refused, so a hostile sitemap cannot expand or reach out.
/// </summary>
public static class SitemapParser
{
    public const int MaxUrls = 50_000;
    public const long MaxBytes = 50L * 1024 * 1024;

    public static SitemapContent Parse(byte[] body)
    {
        byte[] data;
        try
        {
            data = body.Length >= 2 && body[0] == 0x1F && body[1] == 0x8B ? Gunzip(body) : body;
        }
        catch (InvalidDataException ex)
        {
            return new SitemapContent(false, [], false, "broken gzip: " + ex.Message);
        }
        bool truncated = data.Length > MaxBytes;
        if (truncated) data = data.AsSpan(0, (int)MaxBytes).ToArray();

        int start = 0;
        while (start < data.Length && (data[start] is (byte)' ' or (byte)'\n' or (byte)'\r' or (byte)'\t' or 0xEF or 0xBB or 0xBF)) start++;
        return start < data.Length && data[start] == '<' ? ParseXml(data, truncated) : ParseText(data, truncated);
    }

    private static SitemapContent ParseText(byte[] data, bool truncated)
    {
        var urls = new List<string>();
        foreach (var line in Encoding.UTF8.GetString(data).Split('\n'))
        {
            string url = line.Trim().TrimStart('\uFEFF');
            if (url.Length == 0) continue;
            if (urls.Count >= MaxUrls) return new SitemapContent(false, urls, true, null);
            urls.Add(url);
        }
        return new SitemapContent(false, urls, truncated, null);
    }

    private static SitemapContent ParseXml(byte[] data, bool truncated)
    {
        var settings = new XmlReaderSettings
        {
            DtdProcessing = DtdProcessing.Prohibit,
            XmlResolver = null,
            IgnoreComments = true,
            IgnoreWhitespace = true,
            MaxCharactersFromEntities = 0,
        };
        var urls = new List<string>();
        bool isIndex = false;
        try
        {
            using var reader = XmlReader.Create(new MemoryStream(data), settings);
            while (reader.Read())
            {
                if (reader.NodeType != XmlNodeType.Element) continue;
                if (reader.LocalName == "sitemapindex") isIndex = true;
                if (reader.LocalName != "loc") continue;
                string url = reader.ReadElementContentAsString().Trim();
                if (url.Length == 0) continue;
                if (urls.Count >= MaxUrls) return new SitemapContent(isIndex, urls, true, null);
                urls.Add(url);
            }
        }
        catch (XmlException ex)
        {
            return new SitemapContent(isIndex, urls, truncated, "XML error: " + ex.Message);
        }
        return new SitemapContent(isIndex, urls, truncated, null);
    }

    private static byte[] Gunzip(byte[] body)
    {
        using var gz = new GZipStream(new MemoryStream(body), CompressionMode.Decompress);
        using var ms = new MemoryStream();
        var buffer = new byte[81920];
        int n;
        // Stop at the protocol limit: a gzip bomb must not fill memory.
        while ((n = gz.Read(buffer)) > 0)
        {
            ms.Write(buffer, 0, n);
            if (ms.Length > MaxBytes + 1) break;
        }
        return ms.ToArray();
    }
}
