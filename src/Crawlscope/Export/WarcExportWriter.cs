using System.Globalization;
using System.Text;
using Crawlscope.Archiving;
using Crawlscope.Model;

namespace Crawlscope.Export;

/// <summary>
/// WARC/1.1 from the store: per page a <c>metadata</c> record (the chosen fields as <c>application/warc-fields</c>)
/// and a <c>conversion</c> record with its text (<c>text/markdown</c> for Markdown). The store keeps extracted
/// pages, not responses: the exchanges themselves are archived by <c>crawl --warc</c>.
/// </summary>
public sealed class WarcExportWriter(Stream output, string fileName, IReadOnlyList<string> fields, ExportText text, TimeProvider? time = null, ExportContext? context = null)
    : WarcFileExportWriter(output, "1.1", fileName, "pages exported from a Crawlscope store (metadata and extracted text)", time)
{
    protected override async Task<string?> WritePageAsync(PageRecord page, CancellationToken ct)
    {
        var stamp = page.DownloadStamp ?? Now;
        string id = $"{page.SrcUnparsed}:{stamp.ToUnixTimeMilliseconds()}";
        // The texts go in the conversion record; every other chosen field is a metadata line.
        var lines = fields.Where(f => f is not ("boilerpipe_text" or "markdown" or "readable_markdown"))
            .Select(f => (Name: f, Value: PageExport.Value(page, f, context) switch
            {
                null => null,
                DateTimeOffset t => WarcRecordWriter.Date(t),
                var v => Convert.ToString(v, CultureInfo.InvariantCulture),
            }))
            .Where(l => l.Value is not null)
            .Select(l => (l.Name, l.Value!));
        string metadataId = WarcRecordWriter.RecordId("metadata:" + id);
        await Warc.WriteAsync("metadata", [("WARC-Target-URI", page.Url), ("WARC-Date", WarcRecordWriter.Date(stamp)), ("WARC-Record-ID", metadataId),
            ("Content-Type", "application/warc-fields")], WarcRecordWriter.Fields(lines), ct);
        if (PageExport.Text(page, text) is { Length: > 0 } content)
            await Warc.WriteAsync("conversion", [("WARC-Target-URI", page.Url), ("WARC-Date", WarcRecordWriter.Date(stamp)),
                ("WARC-Record-ID", WarcRecordWriter.RecordId($"conversion:{id}:{text}")), ("WARC-Concurrent-To", metadataId),
                ("Content-Type", text == ExportText.Boilerpipe ? "text/plain" : "text/markdown")], Encoding.UTF8.GetBytes(content), ct);
        return null;
    }
}
