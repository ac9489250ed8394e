namespace Crawlscope.Fetching;

/// <summary>
/// The bytes of one HTTP/1.1 exchange as they crossed the connection (after TLS, before any HTTP parsing):
/// what was written is the request, what was read is the response, head and body as transmitted. Reading
/// beyond <see cref="MaxReceived"/> is not kept (the fetcher stops there too).
/// </summary>
internal sealed class WireRecorder(int maxReceived)
{
    internal static readonly HttpRequestOptionsKey<WireRecorder> Key = new("crawlscope.wire");

    public MemoryStream Sent { get; } = new();
    public MemoryStream Received { get; } = new();
    public int MaxReceived { get; } = maxReceived;

    public void OnRead(ReadOnlySpan<byte> data)
    {
        int room = MaxReceived - (int)Received.Length;
        if (room > 0) Received.Write(data[..Math.Min(room, data.Length)]);
    }
}

/// <summary>A connection stream that hands every byte read and written to a <see cref="WireRecorder"/>.</summary>
internal sealed class RecordingStream(Stream inner, WireRecorder recorder) : Stream
{
    public override bool CanRead => inner.CanRead;
    public override bool CanSeek => false;
    public override bool CanWrite => inner.CanWrite;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override int Read(byte[] buffer, int offset, int count)
    {
        int n = inner.Read(buffer, offset, count);
        recorder.OnRead(buffer.AsSpan(offset, n));
        return n;
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        int n = await inner.ReadAsync(buffer, cancellationToken);
        recorder.OnRead(buffer.Span[..n]);
        return n;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override void Write(byte[] buffer, int offset, int count)
    {
        recorder.Sent.Write(buffer, offset, count);
        inner.Write(buffer, offset, count);
    }

    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        recorder.Sent.Write(buffer.Span);
        return inner.WriteAsync(buffer, cancellationToken);
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override void Flush() => inner.Flush();
    public override Task FlushAsync(CancellationToken cancellationToken) => inner.FlushAsync(cancellationToken);
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing) inner.Dispose();
        base.Dispose(disposing);
    }

    public override ValueTask DisposeAsync() => inner.DisposeAsync();
}
