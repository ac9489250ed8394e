using System.Globalization;
using System.Text;
using Crawlscope.Archiving;
using Crawlscope.Storage;

namespace Crawlscope.Export;

/// <summary>
/// WARC/1.1 from the store: per page a <c>metadata</c> record (the chosen fields as <c>application/warc-fields</c>)
/// and a <c>conversion</c> record with its text (<c>text/markdown</c> for Markdown). The store keeps extracted
/// pages, not responses: the exchanges themselves are archived by <c>crawl --warc</c>.
/// </summary>
public sealed class WarcExportWriter : IPageExportWriter
{
    private readonly WarcRecordWriter _warc;
    private readonly Stream _output;
    private readonly IReadOnlyList<string> _fields;
    private readonly ExportText _text;
    private readonly string _fileName;
    private bool _started;

    public WarcExportWriter(Stream output, string fileName, IReadOnlyList<string> fields, ExportText text)
    {
        _output = output;
        _warc = new WarcRecordWriter(output, "1.1");
        _fields = fields;
        _text = text;
        _fileName = fileName;
    }

    public long Count { get; private set; }

    public async Task WriteAsync(PageRecord page, CancellationToken ct)
    {
        if (!_started)
        {
            _started = true;
            await _warc.WriteWarcinfoAsync(_fileName, "pages exported from a Crawlscope store (metadata and extracted text)", ct);
        }
        var stamp = page.DownloadStamp ?? DateTimeOffset.UtcNow;
        string id = $"{page.SrcUnparsed}:{stamp.ToUnixTimeMilliseconds()}";
        var fields = new StringBuilder();
        foreach (var field in _fields)
        {
            if (field is "boilerpipe_text" or "markdown" or "readable_markdown") continue; // the texts go in the conversion record
            var value = PageExport.Value(page, field) switch
            {
                null => null,
                DateTimeOffset t => WarcRecordWriter.Date(t),
                var v => Convert.ToString(v, CultureInfo.InvariantCulture),
            };
            if (value is not null) fields.Append(field).Append(": ").Append(value.ReplaceLineEndings(" ")).Append("\r\n");
        }
        string metadataId = WarcRecordWriter.RecordId("metadata:" + id);
        await _warc.WriteAsync("metadata", [("WARC-Target-URI", page.Url), ("WARC-Date", WarcRecordWriter.Date(stamp)), ("WARC-Record-ID", metadataId),
            ("Content-Type", "application/warc-fields")], Encoding.UTF8.GetBytes(fields.ToString()), ct);
        if (PageExport.Text(page, _text) is { Length: > 0 } text)
            await _warc.WriteAsync("conversion", [("WARC-Target-URI", page.Url), ("WARC-Date", WarcRecordWriter.Date(stamp)),
                ("WARC-Record-ID", WarcRecordWriter.RecordId($"conversion:{id}:{_text}")), ("WARC-Concurrent-To", metadataId),
                ("Content-Type", _text == ExportText.Boilerpipe ? "text/plain" : "text/markdown")], Encoding.UTF8.GetBytes(text), ct);
        Count++;
    }

    public async ValueTask DisposeAsync() => await _output.FlushAsync();
}
