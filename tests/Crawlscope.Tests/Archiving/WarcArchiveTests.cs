using System.IO.Compression;
using System.Text;
using System.Text.Json;
using Crawlscope.Archiving;
using Crawlscope.Crawling;
using Crawlscope.Frontier;
using Crawlscope.SampleWeb;
using Crawlscope.Tests.Crawling;
using Crawlscope.Tests.Support;
using Crawlscope.Urls;

namespace Crawlscope.Tests.Archiving;

/// <summary>crawl --warc: files read by warcio.js, every digest recomputed, revisits for 304s, files rolled.</summary>
[Collection(CrawlCollection.Name)]
public class WarcArchiveTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("crawlscope-warc-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [SkippableFact]
    public async Task CrawlWithWarc_RecordsAreReadByWarcio_DigestsHold_RevisitsAndRollingWork()
    {
        await using var web = await SampleWebServer.StartAsync(new SampleWebOptions { PagesPerHost = 3, Hosts = 1 });
        await using var temp = await TempCrawlStore.OpenAsync("warc");
        var keyer = new UrlKeyer(PublicSuffixList.Default, UrlNormalizer.Default);
        keyer.TryIdentify($"http://www.alpha-news.test:{web.Port}/", out var seed, out _);
        var fast = CrawlTestOptions.Fast();
        var options = new CrawlOptions
        {
            Scope = CrawlScopeKind.Seeds, Delay = TimeSpan.Zero, MaxDepth = 1, Fetch = fast.Fetch, MaxAttempts = 2, RetryBase = TimeSpan.FromMilliseconds(50),
            WarcDirectory = _dir, WarcMaxFileBytes = 20_000,
        };
        using (var engine = new CrawlEngine(options, temp.Store, keyer))
            await engine.RunAsync([seed!], CancellationToken.None);
        // A recrawl of the due pages: /articles answer 304 to the stored ETag.
        await temp.Store.RequeueDueAsync(DateTimeOffset.UtcNow.AddDays(40), DateTimeOffset.UtcNow);
        using (var engine = new CrawlEngine(options, temp.Store, keyer))
            await engine.RunAsync([], CancellationToken.None);

        var files = Directory.GetFiles(_dir, "*.warc.gz").Order().ToList();
        Assert.True(files.Count > 1, $"{files.Count} file(s): 20,000 bytes per file should roll");
        var records = new List<(JsonElement Index, Dictionary<string, string> Headers, byte[] Block)>();
        foreach (var file in files)
        {
            if (Warcio.Index(file, "offset", "warc-type", "warc-target-uri", "warc-record-id", "warc-concurrent-to", "warc-block-digest", "warc-payload-digest", "warc-profile", "warc-refers-to") is not { } rows) return;
            Assert.Equal("warcinfo", rows[0].GetProperty("warc-type").GetString());
            byte[] bytes = File.ReadAllBytes(file);
            for (int i = 0; i < rows.Count; i++)
            {
                int start = rows[i].GetProperty("offset").GetInt32();
                int end = i + 1 < rows.Count ? rows[i + 1].GetProperty("offset").GetInt32() : bytes.Length;
                var (headers, block) = ReadMember(bytes.AsSpan(start, end - start).ToArray());
                records.Add((rows[i], headers, block));
            }
        }

        // Every block digest warcio reports is the SHA-1 of the block; every payload digest, of the body after the HTTP head.
        foreach (var (index, headers, block) in records)
        {
            Assert.Equal(index.GetProperty("warc-block-digest").GetString(), WarcRecordWriter.Sha1Base32(block));
            Assert.Equal(block.Length.ToString(), headers["Content-Length"]);
            if (index.GetProperty("warc-type").GetString() == "response")
            {
                // The payload is the body with the transfer coding (chunks) removed.
                Assert.True(WarcImport.TryParseResponse(new WarcRecord(0, "1.1", headers, block), "http://x.test/", int.MaxValue, null, out _, out var problem, out var payload), problem);
                Assert.Equal(index.GetProperty("warc-payload-digest").GetString(), WarcRecordWriter.Sha1Base32(payload));
                // The bytes as Kestrel sent them: its status line and its own header fields.
                Assert.StartsWith("HTTP/1.1 ", Encoding.ASCII.GetString(block, 0, 9));
                Assert.Contains("\r\nServer: Kestrel\r\n", Encoding.ASCII.GetString(block));
            }
        }
        string Type(JsonElement e) => e.GetProperty("warc-type").GetString()!;
        var responses = records.Where(r => Type(r.Index) is "response" or "revisit").ToList();
        var requests = records.Where(r => Type(r.Index) == "request").ToList();
        Assert.Equal(responses.Count, requests.Count);
        var responseIds = responses.Select(r => r.Index.GetProperty("warc-record-id").GetString()).ToHashSet();
        Assert.All(requests, r => Assert.Contains(r.Index.GetProperty("warc-concurrent-to").GetString(), responseIds));
        Assert.All(requests, r => Assert.Matches(@"^GET /\S* HTTP/1\.1\r\nHost: [a-z.-]+:\d+\r\n(.+\r\n)*\r\n$", Encoding.ASCII.GetString(r.Block)));

        // robots.txt and the sitemaps are archived like pages.
        Assert.Contains(responses, r => r.Index.GetProperty("warc-target-uri").GetString()!.EndsWith("/robots.txt", StringComparison.Ordinal));
        Assert.Contains(responses, r => r.Index.GetProperty("warc-target-uri").GetString()!.EndsWith("/sitemap-1.xml.gz", StringComparison.Ordinal));
        var revisits = records.Where(r => Type(r.Index) == "revisit").ToList();
        Assert.NotEmpty(revisits);
        var notModified = revisits.Where(r => r.Index.GetProperty("warc-profile").GetString() == WarcArchive.ServerNotModified).ToList();
        Assert.NotEmpty(notModified);
        Assert.All(notModified, r => Assert.StartsWith("HTTP/1.1 304", Encoding.ASCII.GetString(r.Block)));
        // A revisit of an identical payload carries the digest of a response archived before it.
        var archivedPayloads = responses.Where(r => Type(r.Index) == "response").Select(r => r.Index.GetProperty("warc-payload-digest").GetString()).ToHashSet();
        Assert.All(revisits.Except(notModified), r => Assert.Contains(r.Index.GetProperty("warc-payload-digest").GetString(), archivedPayloads));
        var responseRecordIds = responses.Where(r => Type(r.Index) == "response").Select(r => r.Index.GetProperty("warc-record-id").GetString()).ToHashSet();
        Assert.All(revisits.Except(notModified), r => Assert.Contains(r.Index.GetProperty("warc-refers-to").GetString(), responseRecordIds));

        var article = records.Single(r => Type(r.Index) == "metadata" && r.Index.GetProperty("warc-target-uri").GetString()!.EndsWith("/articles/1", StringComparison.Ordinal));
        string fields = Encoding.UTF8.GetString(article.Block);
        var stored = await temp.Store.GetPageAsync(keyer.Identify(WebUrl.Parse($"http://www.alpha-news.test:{web.Port}/articles/1")).Key.Value);
        Assert.Contains($"title: {stored!.MetaTitle}\r\n", fields);
        Assert.Contains($"content-hash: {stored.ContentHash}\r\n", fields);
    }

    private static (Dictionary<string, string> Headers, byte[] Block) ReadMember(byte[] member)
    {
        using var gzip = new GZipStream(new MemoryStream(member), CompressionMode.Decompress);
        using var all = new MemoryStream();
        gzip.CopyTo(all);
        var bytes = all.ToArray();
        int split = bytes.AsSpan().IndexOf("\r\n\r\n"u8);
        var headers = Encoding.UTF8.GetString(bytes, 0, split).Split("\r\n").Skip(1)
            .Select(l => l.Split(": ", 2)).ToDictionary(p => p[0], p => p[1]);
        int length = int.Parse(headers["Content-Length"]);
        Assert.Equal("\r\n\r\n", Encoding.ASCII.GetString(bytes, split + 4 + length, 4));
        return (headers, bytes.AsSpan(split + 4, length).ToArray());
    }
}

/// <summary>import-warc: the round trip through a WARC gives the same pages; bad input is reported by offset and skipped.</summary>
[Collection(CrawlCollection.Name)]
public class WarcImportTests : IAsyncLifetime
{
    private readonly string _dir = Directory.CreateTempSubdirectory("crawlscope-import-").FullName;
    private SampleWebServer _web = null!;
    private TempCrawlStore _crawled = null!;
    private readonly UrlKeyer _keyer = new(PublicSuffixList.Default, UrlNormalizer.Default);

    public async Task InitializeAsync()
    {
        _web = await SampleWebServer.StartAsync(new SampleWebOptions { PagesPerHost = 3, Hosts = 3, Fast = true });
        _crawled = await TempCrawlStore.OpenAsync("import-source");
        var fast = CrawlTestOptions.Fast();
        // Small files: the archive rolls over many times, so revisits refer to responses in earlier files.
        var options = new CrawlOptions { Delay = TimeSpan.Zero, MaxDepth = 2, Fetch = fast.Fetch, MaxAttempts = 1, WarcDirectory = Path.Combine(_dir, "warc"), WarcMaxFileBytes = 20_000 };
        using var engine = new CrawlEngine(options, _crawled.Store, _keyer);
        await engine.RunAsync(_web.Seeds.Select(s => _keyer.Identify(WebUrl.Parse(s))).ToList(), CancellationToken.None);
    }

    public async Task DisposeAsync()
    {
        await _crawled.DisposeAsync();
        await _web.DisposeAsync();
        Directory.Delete(_dir, recursive: true);
    }

    private string[] WarcFiles => Directory.GetFiles(Path.Combine(_dir, "warc"), "*.warc.gz").Order(StringComparer.Ordinal).ToArray();

    [SkippableFact]
    public async Task RoundTrip_ImportedPagesEqualTheCrawledOnes()
    {
        await using var imported = await TempCrawlStore.OpenAsync("import-target");
        Assert.True(WarcFiles.Length > 3, $"{WarcFiles.Length} files");
        var import = new WarcImport(imported.Store, _keyer);
        long pages = 0;
        foreach (var file in WarcFiles)
        {
            var result = await import.ImportAsync(file);
            Assert.Empty(result.Errors);
            pages += result.Pages;
        }
        Assert.True(pages > 20, $"{pages} pages");
        int compared = 0;
        await foreach (var page in imported.Store.PagesAsync("1 = 1", []))
        {
            // robots.txt and sitemaps are in the archive, marked: the crawl stored no page for them, nor does the import.
            var original = await _crawled.Store.GetPageAsync(page.SrcUnparsed);
            Assert.True(original is not null, $"{page.Url} imported as a page, but the crawl stored none");
            Assert.Equal(original!.DownloadHttpCode, page.DownloadHttpCode);
            Assert.Equal(original.FailureReason, page.FailureReason);
            Assert.Equal(original.ContentType, page.ContentType);
            Assert.Equal(original.MetaTitle, page.MetaTitle);
            Assert.Equal(original.MetaDescription, page.MetaDescription);
            Assert.Equal(original.MetaCanonical, page.MetaCanonical);
            Assert.Equal(original.BoilerpipeText, page.BoilerpipeText);
            Assert.Equal(original.Markdown, page.Markdown);
            Assert.Equal(original.ReadableMarkdown, page.ReadableMarkdown);
            Assert.Equal(original.ContentHash, page.ContentHash);
            Assert.Equal(original.MlSpamScore, page.MlSpamScore);
            Assert.Equal(original.RedirectTarget, page.RedirectTarget);
            compared++;
        }
        Assert.True(compared <= pages);
        // Every stored page the crawl fetched with an answer is in the archive, and so in the import.
        var answered = await _crawled.Store.InspectAsync("SELECT COUNT(DISTINCT src_unparsed) AS n FROM fetches WHERE http_code IS NOT NULL", []);
        Assert.Equal((long)answered.Rows[0]["n"]!, compared);
        // The command over every file: exit 0, no error line.
        string db = Path.Combine(_dir, "cli-import.db");
        var cli = Crawlscope.Tests.Cli.CliRunner.Run(["import-warc", .. WarcFiles, "--db", db]);
        Assert.True(cli.ExitCode == 0, cli.Stderr);
        Assert.DoesNotContain("crawlscope:", cli.Stderr);
    }

    [SkippableFact]
    public async Task BadInput_IsReportedByOffset_AndTheImportGoesOn()
    {
        // An uncompressed copy with one body byte changed: that record's digest no longer holds.
        // The archive's files joined into one, as its records are in order.
        byte[] plain;
        using (var ms = new MemoryStream())
        {
            foreach (var file in WarcFiles)
            {
                using var gzip = new System.IO.Compression.GZipStream(File.OpenRead(file), System.IO.Compression.CompressionMode.Decompress);
                gzip.CopyTo(ms);
            }
            plain = ms.ToArray();
        }
        int article = plain.AsSpan().IndexOf("<title>"u8);
        plain[article + 7] ^= 0x20;
        string damaged = Path.Combine(_dir, "damaged.warc");
        File.WriteAllBytes(damaged, plain);
        await using (var store = await TempCrawlStore.OpenAsync("import-damaged"))
        {
            var result = await new WarcImport(store.Store, _keyer).ImportAsync(damaged);
            // The damaged record is reported and skipped; revisits that repeat its payload cannot be resolved either.
            var error = result.Errors[0];
            Assert.Contains("block digest mismatch", error.Message);
            Assert.InRange(error.Offset, 0, article);
            Assert.All(result.Errors.Skip(1), e => Assert.Contains("is not in this file", e.Message));
            Assert.True(result.Pages > 20);
        }

        // Truncated in the middle of a record: the records before it are imported, then a clear error.
        string truncated = Path.Combine(_dir, "truncated.warc");
        File.WriteAllBytes(truncated, plain[..(plain.Length / 2)]);
        await using (var store = await TempCrawlStore.OpenAsync("import-truncated"))
        {
            var result = await new WarcImport(store.Store, _keyer).ImportAsync(truncated);
            Assert.Contains(result.Errors, e => e.Message.StartsWith("truncated", StringComparison.Ordinal));
            Assert.True(result.Pages > 5);
        }

        // Not a WARC at all.
        string notWarc = Path.Combine(_dir, "page.html");
        File.WriteAllText(notWarc, "<html><body>hello</body></html>");
        var cli = Crawlscope.Tests.Cli.CliRunner.Run("import-warc", notWarc, "--db", Path.Combine(_dir, "x.db"));
        Assert.Equal(1, cli.ExitCode);
        Assert.Contains("record at byte 0: not a WARC file", cli.Stderr);
    }
}
