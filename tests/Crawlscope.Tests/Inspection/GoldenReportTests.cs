using System.Text.Json;
using System.Text.Json.Nodes;
using Crawlscope.Inspection;
using Crawlscope.Model;
using Crawlscope.Tests.Support;
using Crawlscope.Urls;
using Microsoft.Extensions.Time.Testing;

namespace Crawlscope.Tests.Inspection;

/// <summary>
/// The inspector's JSON answer for one stored page, compared with the answer the build before the structure work gave
/// (Golden/inspect-report.json, written by that build from this same store): restructuring must not change a byte
/// of what API clients read. Only the queries' measured durations are masked; everything else, stamps included, is
/// fixed by the store's contents and the clock given.
/// </summary>
public sealed class GoldenReportTests
{
    private static readonly DateTimeOffset Stamp = new(2026, 11, 20, 10, 30, 15, TimeSpan.Zero);
    private static readonly string GoldenPath = Path.Combine(AppContext.BaseDirectory, "Inspection", "Golden", "inspect-report.json");

    [Fact]
    public async Task InspectionReport_Json_IsTheSameAsBeforeTheRestructuring()
    {
        string json = await ReportJsonAsync();
        Assert.True(File.Exists(GoldenPath), $"golden file missing: {GoldenPath}");
        Assert.Equal(File.ReadAllText(GoldenPath).ReplaceLineEndings("\n").TrimEnd(), json.TrimEnd());
    }

    /// <summary>The report as the API serialises it, durations masked. Also used to write the golden file from an
    /// older build: <c>CRAWLSCOPE_WRITE_GOLDEN=path dotnet test --filter GoldenReportTests</c>.</summary>
    internal static async Task<string> ReportJsonAsync()
    {
        await using var temp = await TempCrawlStore.OpenAsync("golden");
        var keyer = UrlKeyer.Default;
        var page = Page(keyer, "https://www.golden-news.com/world/2026/story-of-the-day");
        var linked = Page(keyer, "https://www.golden-news.com/world/") with { Depth = 0, Outlinks = 1 };
        await temp.Store.SaveAsync(linked, Fetch(linked), [new LinkRecord(linked.SrcUnparsed, page.SrcUnparsed, "Story of the day", false)], []);
        await temp.Store.SaveAsync(page, Fetch(page),
            [new LinkRecord(page.SrcUnparsed, linked.SrcUnparsed, "World", false), new LinkRecord(page.SrcUnparsed, "com,elsewhere)/x", "Elsewhere", true)], []);
        var inspector = new UrlInspector(temp.Store, keyer, new InspectionOptions(), new FakeTimeProvider(Stamp.AddDays(2)));
        var report = await inspector.LookupAsync(page.Url, null, null);
        var node = JsonSerializer.SerializeToNode(report, ReportJson.Options)!;
        Mask(node);
        string json = node.ToJsonString(ReportJson.Options);
        if (Environment.GetEnvironmentVariable("CRAWLSCOPE_WRITE_GOLDEN") is { Length: > 0 } path) File.WriteAllText(path, json + "\n");
        return json;
    }

    private static void Mask(JsonNode? node)
    {
        switch (node)
        {
            case JsonObject o:
                foreach (var (name, value) in o.ToList())
                    if (name is "elapsed_ms" or "query_ms" or "duration_ms") o[name] = 0;
                    else Mask(value);
                break;
            case JsonArray a:
                foreach (var item in a) Mask(item);
                break;
        }
    }

    private static PageRecord Page(UrlKeyer keyer, string url)
    {
        var id = keyer.TryIdentify(url, out var identity, out var error) ? identity : throw new ArgumentException(error);
        return new PageRecord
        {
            SrcUnparsed = id.Key.Value, Url = id.Normalized.Href, Shard = id.Shard, RootHash = id.RootHash, Host = id.Host, Site = id.Site,
            DownloadHttpCode = 200, DownloadStamp = Stamp, FirstIndexed = Stamp.AddDays(-3), ContentType = "text/html; charset=utf-8",
            MlSpamScore = 3, SpamSignals = [new SpamSignal("link_ratio", 0.25, 0.5, 1, "1 of 4 words in links")], MetaTitle = "Story of the day",
            MetaDescription = "What happened, with 'quotes' and ünïcode", MetaCanonical = id.Key.Value, RobotsNoIndex = false, RobotsSources = "meta",
            Lang = "en", BoilerpipeText = "Body text\nline two", Markdown = "# Story of the day\n\nBody text", ReadableMarkdown = "Body text",
            ContentHash = "0123456789abcdef" + id.Key.Value.Length, SimHash = 42 + id.Key.Value.Length,
            ResponseHeaders = new Dictionary<string, string> { ["server"] = "golden", ["content-type"] = "text/html; charset=utf-8" }, BodyBytes = 1234,
            Outlinks = 2, Depth = 1, Etag = "\"e1\"", LastModified = "Wed, 18 Nov 2026 10:00:00 GMT", NextFetch = Stamp.AddDays(7), PageType = "article",
            PageTypeConfidence = 87,
        };
    }

    private static FetchRecord Fetch(PageRecord p) => new(p.SrcUnparsed, p.Url, Stamp, 200, null, 12.5, 1234, p.ContentType, null);
}
