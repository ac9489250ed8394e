using System.Globalization;
using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;

namespace Crawlscope.Archiving;

/// <summary>
/// Writes WARC records (ISO 28500: WARC/1.1 for archives, WARC/1.0 as Common Crawl's WET files use it), each
/// gzip-compressed as its own member so readers can seek to any record. Digests are SHA-1 in base32, as the
/// standard's examples write them. Uncompressed when <paramref name="compress"/> is false (a file not named .gz).
/// </summary>
public sealed class WarcRecordWriter(Stream output, string version = "1.0", bool compress = true)
{
    public long Records { get; private set; }

    /// <summary>Writes one record; returns its length in the file.</summary>
    public async Task<long> WriteAsync(string type, IReadOnlyList<(string Name, string Value)> headers, byte[] block, CancellationToken ct)
    {
        var head = new StringBuilder("WARC/").Append(version).Append("\r\n");
        head.Append("WARC-Type: ").Append(type).Append("\r\n");
        foreach (var (name, value) in headers)
        {
            // Header values are ours or URLs; a line break would forge a header, so it never passes.
            if (value.Contains('\r') || value.Contains('\n')) throw new ArgumentException($"WARC header {name} holds a line break");
            head.Append(name).Append(": ").Append(value).Append("\r\n");
        }
        head.Append("WARC-Block-Digest: ").Append(Sha1Base32(block)).Append("\r\n");
        head.Append("Content-Length: ").Append(block.Length.ToString(CultureInfo.InvariantCulture)).Append("\r\n\r\n");
        byte[] headBytes = Encoding.UTF8.GetBytes(head.ToString());
        Records++;
        if (!compress)
        {
            await output.WriteAsync(headBytes, ct);
            await output.WriteAsync(block, ct);
            await output.WriteAsync("\r\n\r\n"u8.ToArray(), ct);
            return headBytes.Length + block.Length + 4;
        }
        using var member = new MemoryStream();
        await using (var gzip = new GZipStream(member, CompressionLevel.Fastest, leaveOpen: true))
        {
            await gzip.WriteAsync(headBytes, ct);
            await gzip.WriteAsync(block, ct);
            await gzip.WriteAsync("\r\n\r\n"u8.ToArray(), ct);
        }
        member.Position = 0;
        await member.CopyToAsync(output, ct);
        return member.Length;
    }

    /// <summary>The <c>warcinfo</c> record that opens a file: our software, the format, and a description.</summary>
    public Task<long> WriteWarcinfoAsync(string fileName, string description, DateTimeOffset date, CancellationToken ct) =>
        WriteAsync("warcinfo", [("WARC-Date", Date(date)), ("WARC-Filename", fileName),
            ("WARC-Record-ID", RecordId("warcinfo:" + fileName)), ("Content-Type", "application/warc-fields")],
            Fields([
                ("software", $"Crawlscope/{typeof(WarcRecordWriter).Assembly.GetName().Version?.ToString(3)}"),
                ("format", $"WARC File Format {version}"),
                ("conformsTo", $"https://iipc.github.io/warc-specifications/specifications/warc-format/warc-{version}/"),
                ("description", description),
            ]), ct);

    /// <summary>An <c>application/warc-fields</c> block: one "name: value" line each, line breaks in values made spaces.</summary>
    public static byte[] Fields(IEnumerable<(string Name, string Value)> fields)
    {
        var block = new StringBuilder();
        foreach (var (name, value) in fields) block.Append(name).Append(": ").Append(value.ReplaceLineEndings(" ")).Append("\r\n");
        return Encoding.UTF8.GetBytes(block.ToString());
    }

    public static string Sha1Base32(byte[] data) => "sha1:" + Base32(SHA1.HashData(data));

    /// <summary>RFC 4648 base32, upper case, no padding needed for 20 bytes.</summary>
    public static string Base32(ReadOnlySpan<byte> data)
    {
        const string alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
        var sb = new StringBuilder((data.Length * 8 + 4) / 5);
        int buffer = 0, bits = 0;
        foreach (byte b in data)
        {
            buffer = (buffer << 8) | b;
            bits += 8;
            while (bits >= 5)
            {
                sb.Append(alphabet[(buffer >> (bits - 5)) & 31]);
                bits -= 5;
            }
        }
        if (bits > 0) sb.Append(alphabet[(buffer << (5 - bits)) & 31]);
        while (sb.Length % 8 != 0) sb.Append('=');
        return sb.ToString();
    }

    /// <summary>A record ID that depends only on <paramref name="name"/> (RFC 4122 name-based, SHA-1), so exports are reproducible.</summary>
    public static string RecordId(string name)
    {
        var hash = SHA1.HashData(Encoding.UTF8.GetBytes("crawlscope:" + name));
        hash[6] = (byte)((hash[6] & 0x0F) | 0x50);
        hash[8] = (byte)((hash[8] & 0x3F) | 0x80);
        var hex = Convert.ToHexStringLower(hash.AsSpan(0, 16));
        return $"<urn:uuid:{hex[..8]}-{hex[8..12]}-{hex[12..16]}-{hex[16..20]}-{hex[20..32]}>";
    }

    public static string Date(DateTimeOffset t) => t.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
}
