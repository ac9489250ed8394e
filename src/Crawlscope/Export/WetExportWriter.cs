using System.Text;
using Crawlscope.Archiving;
using Crawlscope.Model;
using Crawlscope.Vocabulary;

namespace Crawlscope.Export;

/// <summary>
/// WET, Common Crawl's plain-text extracts: a <c>warcinfo</c> record, then one <c>conversion</c> record per page
/// with a text (readable Markdown, boilerpipe text or full Markdown) as <c>text/plain</c>. Pages without that
/// text (failures, non-HTML, pages whose main content was not found) are left out, counted by why.
/// </summary>
public sealed class WetExportWriter(Stream output, string fileName, ExportText text, TimeProvider? time = null)
    : WarcFileExportWriter(output, "1.0", fileName, $"WET: the {text} text of stored pages", time)
{
    protected override async Task<string?> WritePageAsync(PageRecord page, CancellationToken ct)
    {
        if (PageExport.Text(page, text) is not { Length: > 0 } content) return WhyNoText(page);
        var stamp = page.DownloadStamp ?? Now;
        await Warc.WriteAsync("conversion",
        [
            ("WARC-Target-URI", page.Url),
            ("WARC-Date", WarcRecordWriter.Date(stamp)),
            ("WARC-Record-ID", WarcRecordWriter.RecordId($"conversion:{page.SrcUnparsed}:{stamp.ToUnixTimeMilliseconds()}:{text}")),
            ("Content-Type", "text/plain"),
        ], Encoding.UTF8.GetBytes(content), ct);
        return null;
    }

    /// <summary>Why a page has no text of the kind asked for, as the export's summary says it.</summary>
    private string WhyNoText(PageRecord page)
    {
        if (page.DownloadHttpCode is not { } code) return "not fetched (failed, refused or not yet crawled)";
        if (code != 200) return $"answered {code}";
        if (page.ContentType is { } type && !type.Contains("html", StringComparison.OrdinalIgnoreCase)) return "not HTML";
        if (page.FailureReason is { } failure) return $"not extracted ({StoreNames.Of(failure)})";
        return text == ExportText.Readable && !string.IsNullOrEmpty(page.Markdown)
            ? "no main content found (near-empty or all boilerplate)" : $"no {text.ToString().ToLowerInvariant()} text";
    }
}
