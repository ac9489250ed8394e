using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;

namespace Crawlscope.Archiving;

/// <summary>One WARC record: where it starts (in the uncompressed stream), its header fields and its block
/// (at most <see cref="WarcReader.MaxBlockBytes"/> of it: <see cref="Truncated"/> when the record's block is longer).</summary>
internal sealed record WarcRecord(long Offset, string Version, IReadOnlyDictionary<string, string> Headers, byte[] Block, bool Truncated = false)
{
    public string Type => Headers.GetValueOrDefault("WARC-Type", "");
    public string? TargetUri => Headers.GetValueOrDefault("WARC-Target-URI");
}

/// <summary>A record that could not be read, and why; reading goes on with the next record when it can.</summary>
public sealed record WarcReadError(long Offset, string Message);

/// <summary>
/// Reads WARC files, ours and others': uncompressed or gzip (per record or whole file), WARC/1.0 and 1.1.
/// Offsets are positions in the uncompressed stream. A record with a wrong block digest is reported and
/// skipped; a stretch that is not a record is reported and skipped up to the next "WARC/" line; a truncated
/// record ends the file. Blocks are read as streams: whatever length a record declares, at most
/// <see cref="MaxBlockBytes"/> of it is kept (the rest is read for the digest and dropped).
/// </summary>
internal static class WarcReader
{
    private const int MaxHeaderLine = 64 * 1024;

    /// <summary>A page's body cap (10 MiB, as the fetcher's) plus room for the HTTP head.</summary>
    public const int MaxBlockBytes = 10 * 1024 * 1024 + 256 * 1024;

    public static async IAsyncEnumerable<(WarcRecord? Record, WarcReadError? Error)> ReadAsync(string path,
        [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken ct = default)
    {
        await using var file = File.OpenRead(path);
        var magic = new byte[2];
        int got = await file.ReadAsync(magic, ct);
        file.Position = 0;
        Stream stream = got == 2 && magic[0] == 0x1f && magic[1] == 0x8b ? new GZipStream(file, CompressionMode.Decompress) : file;
        var input = new CountingReader(new BufferedStream(stream, 1 << 16));
        while (true)
        {
            ct.ThrowIfCancellationRequested();
            var (goOn, record, error, skipped) = ReadRecord(input);
            if (skipped is not null) yield return (null, skipped);
            if (error is not null || record is not null) yield return (record, error);
            if (!goOn) yield break;
        }
    }

    /// <summary>The next record, or why there is none here, and any stretch skipped before it; <c>GoOn</c> is false
    /// when the file ends or cannot be read further.</summary>
    private static (bool GoOn, WarcRecord? Record, WarcReadError? Error, WarcReadError? Skipped) ReadRecord(CountingReader input)
    {
        var (offset, first, skipped) = VersionLine(input);
        if (first is null) return (false, null, skipped, null);
        var (goOn, record, error) = ReadAfterVersionLine(input, offset, first);
        return (goOn, record, error, skipped);
    }

    private static (bool GoOn, WarcRecord? Record, WarcReadError? Error) ReadAfterVersionLine(CountingReader input, long offset, string first)
    {
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        string? header;
        while ((header = input.ReadLine()) is { Length: > 0 })
        {
            int colon = header.IndexOf(':');
            if (colon > 0) headers[header[..colon].Trim()] = header[(colon + 1)..].Trim();
        }
        if (header is null) return (false, null, new WarcReadError(offset, "truncated: the file ends inside the record's header"));
        if (!headers.TryGetValue("Content-Length", out var lengthText) || !long.TryParse(lengthText, out long length) || length < 0)
            return (true, null, new WarcReadError(offset, "no valid Content-Length; skipping to the next record"));
        var (block, read, sha1) = input.ReadBlock(length, MaxBlockBytes);
        if (read < length) return (false, null, new WarcReadError(offset, $"truncated: the block has {read} of its {length} bytes"));
        input.ReadLine();
        input.ReadLine();
        if (headers.TryGetValue("WARC-Block-Digest", out var digest) && digest.StartsWith("sha1:", StringComparison.OrdinalIgnoreCase) &&
            !string.Equals(digest, "sha1:" + WarcRecordWriter.Base32(sha1), StringComparison.OrdinalIgnoreCase))
            return (true, null, new WarcReadError(offset, $"block digest mismatch ({headers.GetValueOrDefault("WARC-Type")} {headers.GetValueOrDefault("WARC-Target-URI")}); record skipped"));
        return (true, new WarcRecord(offset, first[5..], headers, block, Truncated: length > block.Length), null);
    }

    /// <summary>The record's version line and where it starts. A stretch that is not a record is reported and skipped
    /// up to the next version line (then <c>Line</c> is that line, <c>Offset</c> where it starts, and reading goes on);
    /// corrupt compressed data and a file that is not WARC at all end the reading (then <c>Line</c> is null).</summary>
    private static (long Offset, string? Line, WarcReadError? Error) VersionLine(CountingReader input)
    {
        long offset = input.Position;
        string? first;
        try
        {
            first = input.ReadLine();
            while (first is { Length: 0 }) { offset = input.Position; first = input.ReadLine(); }
        }
        catch (InvalidDataException ex)
        {
            return (offset, null, new WarcReadError(offset, $"corrupt data: {ex.Message}"));
        }
        if (first is null || first.StartsWith("WARC/", StringComparison.Ordinal))
        {
            if (first is not null) input.SawRecord = true;
            return (offset, first, null);
        }
        if (!input.SawRecord) return (offset, null, new WarcReadError(offset, "not a WARC file (no WARC/ version line)"));
        var error = new WarcReadError(offset, "not a WARC record here; skipping to the next one");
        string? line;
        do { offset = input.Position; line = input.ReadLine(); } while (line is not null && !line.StartsWith("WARC/", StringComparison.Ordinal));
        return (offset, line, error);
    }

    /// <summary>Byte-exact reading of lines and blocks, counting the position.</summary>
    private sealed class CountingReader(Stream stream)
    {
        public long Position { get; private set; }

        /// <summary>A version line has been read: what follows is a WARC file, even where it is broken.</summary>
        public bool SawRecord { get; set; }

        public string? ReadLine()
        {
            var bytes = new List<byte>();
            while (true)
            {
                int b = stream.ReadByte();
                if (b < 0) return bytes.Count == 0 ? null : Encoding.UTF8.GetString([.. bytes]);
                Position++;
                if (b == '\n')
                {
                    if (bytes.Count > 0 && bytes[^1] == '\r') bytes.RemoveAt(bytes.Count - 1);
                    return Encoding.UTF8.GetString([.. bytes]);
                }
                if (bytes.Count >= MaxHeaderLine) throw new InvalidDataException("a header line longer than 64 KB");
                bytes.Add((byte)b);
            }
        }

        /// <summary>Reads a block of <paramref name="length"/> bytes, keeping at most <paramref name="keep"/> of them and
        /// hashing all; returns fewer than asked when the stream ends first (broken compressed data ends it too).</summary>
        public (byte[] Kept, long Read, byte[] Sha1) ReadBlock(long length, int keep)
        {
            using var sha1 = IncrementalHash.CreateHash(HashAlgorithmName.SHA1);
            using var kept = new MemoryStream((int)Math.Min(length, 1 << 20));
            var buffer = System.Buffers.ArrayPool<byte>.Shared.Rent(1 << 16);
            long total = 0;
            try
            {
                while (total < length)
                {
                    int n = stream.Read(buffer, 0, (int)Math.Min(buffer.Length, length - total));
                    if (n == 0) break;
                    sha1.AppendData(buffer, 0, n);
                    int room = (int)Math.Min(n, keep - kept.Length);
                    if (room > 0) kept.Write(buffer, 0, room);
                    total += n;
                }
            }
            catch (Exception ex) when (ex is InvalidDataException or EndOfStreamException)
            {
                // Reported by the caller as a truncated record.
            }
            finally
            {
                System.Buffers.ArrayPool<byte>.Shared.Return(buffer);
            }
            Position += total;
            return (kept.ToArray(), total, sha1.GetHashAndReset());
        }
    }
}
