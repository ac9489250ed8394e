using System.Buffers;
using System.Net;
using System.Text;

namespace Crawlscope.Storage.ClickHouse;

/// <summary>
/// A request body of many strings, sent as UTF-8 through one small buffer. A shipped batch is tens of megabytes:
/// joining its rows into one string and encoding that again (a <see cref="StringContent"/>) made large-object copies
/// and garbage collections that cost the client more than building the rows.
/// </summary>
internal sealed class Utf8PartsContent : HttpContent
{
    private const int BufferBytes = 64 * 1024;
    private readonly IReadOnlyList<string> _parts;

    public Utf8PartsContent(IReadOnlyList<string> parts)
    {
        _parts = parts;
        Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("text/plain") { CharSet = "utf-8" };
    }

    protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) => SerializeToStreamAsync(stream, context, CancellationToken.None);

    protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context, CancellationToken cancellationToken)
    {
        byte[] buffer = ArrayPool<byte>.Shared.Rent(BufferBytes);
        try
        {
            var encoder = Encoding.UTF8.GetEncoder();
            int used = 0;
            foreach (string part in _parts)
            {
                int done = 0;
                while (done < part.Length)
                {
                    // Room for at least one character's bytes, whatever it is.
                    if (buffer.Length - used < 8)
                    {
                        await stream.WriteAsync(buffer.AsMemory(0, used), cancellationToken);
                        used = 0;
                    }
                    encoder.Convert(part.AsSpan(done), buffer.AsSpan(used), flush: true, out int chars, out int bytes, out _);
                    done += chars;
                    used += bytes;
                }
            }
            if (used > 0) await stream.WriteAsync(buffer.AsMemory(0, used), cancellationToken);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    protected override bool TryComputeLength(out long length)
    {
        length = 0;
        foreach (string part in _parts) length += Encoding.UTF8.GetByteCount(part);
        return true;
    }
}
