using System.Text.Json;
using Crawlscope.Extraction;
using Crawlscope.Tests.Support;
using Crawlscope.Urls;

namespace Crawlscope.Tests.Urls;

/// <summary>A link is keyed from the URL extraction resolved, not from its serialisation parsed again; the two must
/// give the same identity (or both be refused) for every http(s) case of the WHATWG test data.</summary>
public class ParsedLinkKeyingTests
{
    [Fact]
    public void KeyingAParsedUrl_EqualsKeyingItsSerialisation_ForEveryHttpCaseOfTheUrlTestData()
    {
        using var doc = JsonDocument.Parse(File.ReadAllBytes(SharedData.Conformance("url/urltestdata.json")));
        var keyer = UrlKeyer.Default;
        int compared = 0;
        foreach (var item in doc.RootElement.EnumerateArray())
        {
            if (item.ValueKind != JsonValueKind.Object) continue;
            string input = item.GetProperty("input").GetString()!;
            string? baseText = item.TryGetProperty("base", out var b) && b.ValueKind == JsonValueKind.String ? b.GetString() : null;
            if (!WhatwgConformanceTests.InScope(input, baseText)) continue;
            WebUrl? baseUrl = null;
            if (baseText is not null && !WebUrl.TryParse(baseText, null, out baseUrl, out _)) continue;
            if (!WebUrl.TryParse(input, baseUrl, out var url, out _)) continue;
            bool fromParsed = keyer.TryIdentify(url, out var parsedIdentity, out _);
            bool fromText = keyer.TryIdentify(url.Href, out var textIdentity, out _);
            Assert.True(fromParsed == fromText, $"{input} (base {baseText}): {fromParsed} from the parsed URL, {fromText} from {url.Href}");
            if (fromParsed) Assert.Equal(textIdentity, parsedIdentity);
            compared++;
        }
        Assert.True(compared > 200, $"expected over 200 http(s) cases, compared {compared}");
    }

    [Fact]
    public void ExtractedLinks_CarryTheirResolvedUrl()
    {
        var page = PageExtractor.Default.Extract("<a href='../b/./c?q=1#x'>c</a><a href='//other.example/%7Ed'>d</a>"u8.ToArray(), WebUrl.Parse("http://example.com/a/p"));
        Assert.Equal(["http://example.com/b/c?q=1#x", "http://other.example/%7Ed"], page.Links.Select(l => l.Parsed!.Href));
        Assert.All(page.Links, l => Assert.Equal(l.Url, l.Parsed!.Href));
    }

    [Fact]
    public void AnOverlongParsedUrl_IsRefusedAsItsTextIs()
    {
        var url = WebUrl.Parse("http://example.com/" + new string('a', UrlKeyer.MaxUrlLength));
        Assert.False(UrlKeyer.Default.TryIdentify(url, out _, out string? error));
        Assert.Contains("too long", error);
    }
}
