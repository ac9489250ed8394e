using Crawlscope.Archiving;
using Crawlscope.Model;

namespace Crawlscope.Export;

/// <summary>What the WARC-family exports share: a <c>warcinfo</c> record before the first page, a count of
/// pages written, the stream flushed at the end.</summary>
public abstract class WarcFileExportWriter(Stream output, string version, string fileName, string description, TimeProvider? time) : IPageExportWriter
{
    /// <summary>Now, for the warcinfo record and for pages stored without a download time.</summary>
    protected DateTimeOffset Now => (time ?? TimeProvider.System).GetUtcNow();

    private bool _started;

    protected WarcRecordWriter Warc { get; } = new(output, version);

    public long Count { get; private set; }

    public async Task WriteAsync(PageRecord page, CancellationToken ct)
    {
        if (!_started)
        {
            _started = true;
            await Warc.WriteWarcinfoAsync(fileName, description, Now, ct);
        }
        if (await WritePageAsync(page, ct)) Count++;
    }

    /// <summary>Writes the page's records; false when the page has nothing to write.</summary>
    protected abstract Task<bool> WritePageAsync(PageRecord page, CancellationToken ct);

    public async ValueTask DisposeAsync()
    {
        await output.FlushAsync();
        GC.SuppressFinalize(this);
    }
}
