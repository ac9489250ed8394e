using Crawlscope.Archiving;
using Crawlscope.Model;

namespace Crawlscope.Export;

/// <summary>What the WARC-family exports share: a <c>warcinfo</c> record before the first page, a count of
/// pages written and of those left out by why, gzip records only when the file's name ends in .gz, the stream
/// flushed at the end.</summary>
public abstract class WarcFileExportWriter(Stream output, string version, string fileName, string description, TimeProvider? time) : IPageExportWriter
{
    /// <summary>Now, for the warcinfo record and for pages stored without a download time.</summary>
    protected DateTimeOffset Now => (time ?? TimeProvider.System).GetUtcNow();

    private bool _started;

    protected WarcRecordWriter Warc { get; } = new(output, version, fileName.EndsWith(".gz", StringComparison.OrdinalIgnoreCase));

    public long Count { get; private set; }

    private readonly SortedDictionary<string, long> _leftOut = new(StringComparer.Ordinal);

    /// <summary>Pages not written, counted by why.</summary>
    public IReadOnlyDictionary<string, long> LeftOut => _leftOut;

    public async Task WriteAsync(PageRecord page, CancellationToken ct)
    {
        if (!_started)
        {
            _started = true;
            await Warc.WriteWarcinfoAsync(fileName, description, Now, ct);
        }
        if (await WritePageAsync(page, ct) is { } why) _leftOut[why] = _leftOut.GetValueOrDefault(why) + 1;
        else Count++;
    }

    /// <summary>Writes the page's records; why it wrote none, or null when it did.</summary>
    protected abstract Task<string?> WritePageAsync(PageRecord page, CancellationToken ct);

    public async ValueTask DisposeAsync()
    {
        await output.FlushAsync();
        GC.SuppressFinalize(this);
    }
}
