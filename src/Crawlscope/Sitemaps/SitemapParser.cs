using System.IO.Compression;
using System.Text;
using System.Xml;

namespace Crawlscope.Sitemaps;

/// <summary>What a sitemap file holds: page URLs, or (for an index) more sitemaps.</summary>
internal sealed record SitemapContent(bool IsIndex, IReadOnlyList<string> Urls, bool Truncated, string? Error);

/// <summary>
/// Reads sitemaps as sitemaps.org protocol 0.9 defines them: XML url sets and sitemap indexes, plain-text
/// sitemaps (one URL a line), gzip-compressed or not. Protocol limits apply (50,000 URLs, 50 MB uncompressed);
/// DTDs and external entities are refused, so a hostile sitemap cannot expand or reach out. The file is read as a
/// stream, decompressed as it is read and never held whole, so memory stays small whatever it expands to.
/// </summary>
internal static class SitemapParser
{
    public const int MaxUrls = 50_000;
    public const long MaxBytes = 50L * 1024 * 1024;
    /// <summary>Longer lines of a text sitemap are not URLs a crawler would fetch (see <see cref="Urls.UrlKeyer.MaxUrlLength"/>).</summary>
    public const int MaxLineBytes = 8 * 1024;

    public static SitemapContent Parse(byte[] body)
    {
        bool gzip = body.Length >= 2 && body[0] == 0x1F && body[1] == 0x8B;
        using Stream raw = gzip ? new GZipStream(new MemoryStream(body), CompressionMode.Decompress) : new MemoryStream(body);
        var input = new CappedStream(raw, MaxBytes);
        try
        {
            return input.StartsWithMarkup() ? ParseXml(input) : ParseText(input);
        }
        catch (InvalidDataException ex)
        {
            return new SitemapContent(false, [], input.Truncated, "broken gzip: " + ex.Message);
        }
    }

    private static SitemapContent ParseText(CappedStream input)
    {
        var urls = new List<string>();
        var line = new byte[MaxLineBytes];
        var buffer = new byte[64 * 1024];
        int length = 0;
        bool tooLong = false;
        int n;
        while ((n = input.Read(buffer)) > 0)
        {
            for (int i = 0; i < n; i++)
            {
                byte b = buffer[i];
                if (b != '\n')
                {
                    if (length < line.Length) line[length++] = b;
                    else tooLong = true;
                    continue;
                }
                if (!tooLong && Line(line.AsSpan(0, length)) is { } url)
                {
                    if (urls.Count >= MaxUrls) return new SitemapContent(false, urls, true, null);
                    urls.Add(url);
                }
                length = 0;
                tooLong = false;
            }
        }
        if (!tooLong && Line(line.AsSpan(0, length)) is { } last)
        {
            if (urls.Count >= MaxUrls) return new SitemapContent(false, urls, true, null);
            urls.Add(last);
        }
        return new SitemapContent(false, urls, input.Truncated, null);
    }

    private static ReadOnlySpan<byte> Utf8Bom => [0xEF, 0xBB, 0xBF];

    private static string? Line(ReadOnlySpan<byte> bytes)
    {
        if (bytes.StartsWith(Utf8Bom)) bytes = bytes[3..];
        bytes = bytes.Trim(" \t\r\f\v"u8);
        return bytes.IsEmpty ? null : Encoding.UTF8.GetString(bytes);
    }

    private static SitemapContent ParseXml(CappedStream input)
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
            using var reader = XmlReader.Create(input, settings);
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
            return new SitemapContent(isIndex, urls, input.Truncated, "XML error: " + ex.Message);
        }
        return new SitemapContent(isIndex, urls, input.Truncated, null);
    }

    /// <summary>Reads at most a cap from the inner stream (a gzip bomb stops there), and can look at the first
    /// bytes before anyone reads them.</summary>
    private sealed class CappedStream(Stream inner, long cap) : Stream
    {
        private readonly byte[] _head = new byte[4096];
        private int _headLength, _headRead;
        private long _read;

        /// <summary>The cap was reached with more bytes behind it.</summary>
        public bool Truncated { get; private set; }

        /// <summary>Whether the first byte after whitespace and a byte-order mark is '&lt;'.</summary>
        public bool StartsWithMarkup()
        {
            _headLength = ReadCapped(_head);
            int start = 0;
            while (start < _headLength && _head[start] is (byte)' ' or (byte)'\n' or (byte)'\r' or (byte)'\t' or 0xEF or 0xBB or 0xBF) start++;
            return start < _headLength && _head[start] == '<';
        }

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            if (_headRead < _headLength)
            {
                int n = Math.Min(buffer.Length, _headLength - _headRead);
                _head.AsSpan(_headRead, n).CopyTo(buffer);
                _headRead += n;
                return n;
            }
            return ReadCapped(buffer);
        }

        private int ReadCapped(Span<byte> buffer)
        {
            long room = cap - _read;
            if (room <= 0)
            {
                if (!Truncated && inner.Read(stackalloc byte[1]) > 0) Truncated = true;
                return 0;
            }
            int n = inner.Read(buffer[..(int)Math.Min(buffer.Length, room)]);
            _read += n;
            return n;
        }

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => _read; set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
