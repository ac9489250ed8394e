using System.Text;
using Crawlscope.Archiving;
using Crawlscope.Storage;

namespace Crawlscope.Export;

/// <summary>
/// WET, Common Crawl's plain-text extracts: a <c>warcinfo</c> record, then one <c>conversion</c> record per page
/// with a text (readable Markdown, boilerpipe text or full Markdown) as <c>text/plain</c>. Pages without that
/// text (failures, non-HTML) are skipped.
/// </summary>
public sealed class WetExportWriter : IPageExportWriter
{
    private readonly WarcRecordWriter _warc;
    private readonly ExportText _text;
    private readonly Stream _output;
    private bool _started;
    private readonly string _fileName;

    public WetExportWriter(Stream output, string fileName, ExportText text)
    {
        _output = output;
        _warc = new WarcRecordWriter(output);
        _text = text;
        _fileName = fileName;
    }

    public long Count { get; private set; }

    public async Task WriteAsync(PageRecord page, CancellationToken ct)
    {
        if (!_started)
        {
            _started = true;
            await _warc.WriteWarcinfoAsync(_fileName, $"WET: the {_text} text of stored pages", ct);
        }
        if (PageExport.Text(page, _text) is not { Length: > 0 } text) return;
        var stamp = page.DownloadStamp ?? DateTimeOffset.UtcNow;
        await _warc.WriteAsync("conversion",
        [
            ("WARC-Target-URI", page.Url),
            ("WARC-Date", WarcRecordWriter.Date(stamp)),
            ("WARC-Record-ID", WarcRecordWriter.RecordId($"conversion:{page.SrcUnparsed}:{stamp.ToUnixTimeMilliseconds()}:{_text}")),
            ("Content-Type", "text/plain"),
        ], Encoding.UTF8.GetBytes(text), ct);
        Count++;
    }

    public async ValueTask DisposeAsync() => await _output.FlushAsync();
}
