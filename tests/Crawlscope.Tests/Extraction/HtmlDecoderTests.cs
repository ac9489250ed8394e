using System.Text;
using AngleSharp.Html.Parser;
using Crawlscope.Evaluation;
using Crawlscope.Extraction;
using Crawlscope.Tests.Support;
using Xunit.Abstractions;

namespace Crawlscope.Tests.Extraction;

public class HtmlDecoderTests(ITestOutputHelper output)
{
    [SkippableFact]
    public void TrafilaturaEval_The27NonUtf8Pages_DecodeCorrectly()
    {
        string root = SharedData.Find("datasets");
        var strict = new UTF8Encoding(false, true);
        int nonUtf8 = 0, snippets = 0, found = 0;
        var bad = new List<string>();
        foreach (var page in ExtractionDatasets.Load(root, ExtractionDatasets.Trafilatura))
        {
            byte[] bytes = page.ReadHtml();
            try
            {
                strict.GetString(bytes);
                continue;
            }
            catch (DecoderFallbackException)
            {
                nonUtf8++;
            }
            var decoded = HtmlDecoder.Decode(bytes, null);
            string text = Normalize(new HtmlParser().ParseDocument(decoded.Text).Body?.TextContent ?? "");
            int pageFound = page.With.Count(w => text.Contains(Normalize(w), StringComparison.Ordinal));
            snippets += page.With.Count;
            found += pageFound;
            output.WriteLine($"{page.Id}: {decoded.Encoding.WebName} ({decoded.EncodingSource}), {pageFound}/{page.With.Count} snippets");
            // A page that declares UTF-8 but holds stray bytes keeps U+FFFD for them, as browsers do; what matters
            // is that the labelled text comes out right.
            if (pageFound < page.With.Count) bad.Add(page.Id);
        }
        string summary = $"decoding: {nonUtf8} non-UTF-8 pages, {found}/{snippets} labelled snippets found in the decoded text";
        output.WriteLine(summary);
        Console.WriteLine(summary);
        Assert.Equal(27, nonUtf8);
        Assert.Empty(bad);
        Assert.True(found >= snippets * 0.95, summary);
    }

    private static string Normalize(string s) => string.Join(' ', s.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));

    [SkippableTheory]
    [InlineData(new byte[] { 0xEF, 0xBB, 0xBF, (byte)'a' }, null, "utf-8", "bom")]
    [InlineData(new byte[] { 0xE9 }, "text/html; charset=ISO-8859-1", "windows-1252", "http")]
    [InlineData(new byte[] { 0xE9 }, "text/html; charset=\"koi8-r\"", "koi8-r", "http")]
    [InlineData(new byte[] { 0xC3, 0xA9 }, null, "utf-8", "utf8-valid")]
    [InlineData(new byte[] { 0xE9, (byte)'x' }, null, "windows-1252", "fallback")]
    [InlineData(new byte[] { 0xE9 }, "text/html; charset=bogus-charset", "windows-1252", "fallback")]
    public void Decode_Order(byte[] body, string? contentType, string encoding, string source)
    {
        var d = HtmlDecoder.Decode(body, contentType);
        Assert.Equal(encoding, d.Encoding.WebName);
        Assert.Equal(source, d.EncodingSource);
    }

    [SkippableTheory]
    // UTF-8 declared (header, then meta) over windows-1252 bytes: "Naïve résumé".
    [InlineData("text/html; charset=utf-8", "", "windows-1252", "bytes", "Naïve résumé")]
    [InlineData("text/html", "<meta charset=\"utf-8\">", "windows-1252", "bytes", "Naïve résumé")]
    // windows-1252 declared over UTF-8 bytes.
    [InlineData("text/html; charset=iso-8859-1", "", "utf-8", "bytes", "Naïve résumé", true)]
    [InlineData("text/html", "<meta charset=\"koi8-r\">", "utf-8", "bytes", "Naïve résumé", true)]
    // A UTF-8 page with one stray byte stays UTF-8 (U+FFFD for the stray, as browsers show it).
    [InlineData("text/html; charset=utf-8", "", "utf-8", "http", "Naïve résumé \uFFFD", true, true)]
    public void Decode_ADeclarationTheBytesContradict_IsOverruled(string contentType, string head, string encoding, string source, string text,
        bool utf8Bytes = false, bool stray = false)
    {
        var html = Encoding.ASCII.GetBytes($"<html><head>{head}</head><body>").Concat(
            utf8Bytes ? Encoding.UTF8.GetBytes("Naïve résumé ") : Encoding.Latin1.GetBytes("Naïve résumé ")).Concat(stray ? new byte[] { 0xE9 } : []).ToArray();
        var d = HtmlDecoder.Decode(html, contentType);
        Assert.Equal(encoding, d.Encoding.WebName);
        Assert.Equal(source, d.EncodingSource);
        Assert.Contains(text.TrimEnd(), d.Text, StringComparison.Ordinal);
        if (source == "bytes") Assert.NotNull(d.IgnoredCharset);
    }

    [SkippableTheory]
    [InlineData("<meta charset=\"iso-8859-2\"><p>\u0000</p>", "iso-8859-2")]
    [InlineData("<meta http-equiv=\"Content-Type\" content=\"text/html; charset=windows-1251\">", "windows-1251")]
    [InlineData("<meta charset=utf-16>", "utf-8")]
    public void Decode_MetaDeclarations(string head, string expected)
    {
        var bytes = Encoding.ASCII.GetBytes(head);
        Assert.Equal(expected, HtmlDecoder.Decode(bytes, null).Encoding.WebName);
    }

    [SkippableFact]
    public void Decode_Windows1252Fallback_MapsCurlyQuotes()
    {
        var d = HtmlDecoder.Decode([0x93, (byte)'h', (byte)'i', 0x94], null);
        Assert.Equal("\u201Chi\u201D", d.Text);
    }
}
