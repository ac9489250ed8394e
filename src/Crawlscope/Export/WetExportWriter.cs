using System.Text;
using Crawlscope.Archiving;
using Crawlscope.Model;

namespace Crawlscope.Export;

/// <summary>
/// WET, Common Crawl's plain-text extracts: a <c>warcinfo</c> record, then one <c>conversion</c> record per page
/// with a text (readable Markdown, boilerpipe text or full Markdown) as <c>text/plain</c>. Pages without that
/// text (failures, non-HTML) are skipped.
/// </summary>
public sealed class WetExportWriter(Stream output, string fileName, ExportText text, TimeProvider? time = null)
    : WarcFileExportWriter(output, "1.0", fileName, $"WET: the {text} text of stored pages", time)
{
    protected override async Task<bool> WritePageAsync(PageRecord page, CancellationToken ct)
    {
        if (PageExport.Text(page, text) is not { Length: > 0 } content) return false;
        var stamp = page.DownloadStamp ?? Now;
        await Warc.WriteAsync("conversion",
        [
            ("WARC-Target-URI", page.Url),
            ("WARC-Date", WarcRecordWriter.Date(stamp)),
            ("WARC-Record-ID", WarcRecordWriter.RecordId($"conversion:{page.SrcUnparsed}:{stamp.ToUnixTimeMilliseconds()}:{text}")),
            ("Content-Type", "text/plain"),
        ], Encoding.UTF8.GetBytes(content), ct);
        return true;
    }
}
