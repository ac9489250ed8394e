using System.Text;
using System.Text.Json;
using Crawlscope.Archiving;
using Crawlscope.Export;
using Crawlscope.Inspection;
using Crawlscope.SampleWeb;
using Crawlscope.Tests.Cli;
using Crawlscope.Tests.Crawling;
using Crawlscope.Tests.Support;
using DuckDB.NET.Data;
using Parquet;
using Crawlscope.Model;

namespace Crawlscope.Tests.Export;

/// <summary>Exports of a crawl of the sample web, read back by tools that are not ours (warcio, Parquet.Net, DuckDB).</summary>
[Collection(CrawlCollection.Name)]
public class ExportTests(SampleWebCrawlFixture f) : IClassFixture<SampleWebCrawlFixture>, IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("crawlscope-export-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string Export(params string[] args)
    {
        var result = CliRunner.Run(["export", "--db", f.DbPath, .. args]);
        Assert.True(result.ExitCode == 0, result.Stderr);
        return result.Stdout;
    }

    [SkippableFact]
    public async Task Jsonl_EveryLineParses_AllPagesWithTheirFields()
    {
        string path = Path.Combine(_dir, "all.jsonl");
        Export("--format", "jsonl", "--out", path);
        var lines = File.ReadAllLines(path);
        Assert.Equal(await f.Store.PageCountAsync(), lines.Length);
        var rows = lines.Select(l => JsonDocument.Parse(l).RootElement).ToList();
        Assert.All(rows, r => Assert.Equal(PageExport.Fields, r.EnumerateObject().Select(p => p.Name)));
        var seed = rows.Single(r => r.GetProperty("url").GetString()!.EndsWith(SampleSites.SeedArticlePath, StringComparison.Ordinal));
        var stored = (await f.PageAsync("www.pickl.test", SampleSites.SeedArticlePath))!;
        Assert.Equal(stored.MetaTitle, seed.GetProperty("meta_title").GetString());
        Assert.Equal(stored.ReadableMarkdown, seed.GetProperty("readable_markdown").GetString());
        Assert.Equal(stored.Shard, seed.GetProperty("shard").GetInt32());
        Assert.Equal("article", seed.GetProperty("page_type").GetString());
        Assert.Equal(stored.PageTypeConfidence, seed.GetProperty("page_type_confidence").GetInt32());
    }

    /// <summary>Exports carry each page's reason (the inspector's verdict) and URLs instead of keys, and select by
    /// reason, not indexable, host and site.</summary>
    [SkippableFact]
    public async Task Jsonl_ReasonAndUrls_AgreeWithTheInspector_AndSelectByReasonHostAndSite()
    {
        string all = Path.Combine(_dir, "reasons.jsonl");
        Export("--format", "jsonl", "--out", all, "--fields", "url,reason,canonical_url,duplicate_of_url,host,site");
        var rows = File.ReadAllLines(all).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        var inspector = new UrlInspector(f.Store, f.Keyer);
        foreach (var row in rows.Where((_, i) => i % 11 == 0))
        {
            string url = row.GetProperty("url").GetString()!;
            Assert.Equal(Crawlscope.Vocabulary.StoreNames.Of((await inspector.InspectAsync(f.Identify(url))).Verdict.Reason), row.GetProperty("reason").GetString());
        }
        var print = rows.Single(r => r.GetProperty("url").GetString() == f.Url("www.alpha-news.test", "/print/2"));
        Assert.Equal("canonical_elsewhere", print.GetProperty("reason").GetString());
        Assert.Equal(f.Url("www.alpha-news.test", "/articles/2"), print.GetProperty("canonical_url").GetString());
        Assert.Contains(rows, r => r.GetProperty("reason").GetString() == "duplicate" && r.GetProperty("duplicate_of_url").GetString()!.StartsWith("http://", StringComparison.Ordinal));

        string robots = Path.Combine(_dir, "robots.jsonl");
        Export("--format", "jsonl", "--out", robots, "--fields", "url,reason", "--where", "reason=blocked_by_robots");
        var blocked = File.ReadAllLines(robots).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        Assert.Equal(rows.Count(r => r.GetProperty("reason").GetString() == "blocked_by_robots"), blocked.Count);
        Assert.All(blocked, r => Assert.Equal("blocked_by_robots", r.GetProperty("reason").GetString()));

        string not = Path.Combine(_dir, "not.jsonl");
        Export("--format", "jsonl", "--out", not, "--fields", "url,reason", "--where", "not-indexable");
        Assert.Equal(rows.Count(r => r.GetProperty("reason").GetString() != "indexed"), File.ReadAllLines(not).Length);

        string hostFile = Path.Combine(_dir, "host.jsonl"), siteFile = Path.Combine(_dir, "site.jsonl");
        Export("--format", "jsonl", "--out", hostFile, "--fields", "url,host", "--host", "www.alpha-news.test");
        Export("--format", "jsonl", "--out", siteFile, "--fields", "url,site", "--site", "alpha-news.test");
        Assert.Equal(rows.Count(r => r.GetProperty("host").GetString() == "www.alpha-news.test"), File.ReadAllLines(hostFile).Length);
        Assert.Equal(rows.Count(r => r.GetProperty("site").GetString() == "alpha-news.test"), File.ReadAllLines(siteFile).Length);
        Assert.True(File.ReadAllLines(siteFile).Length > File.ReadAllLines(hostFile).Length);

        var wrong = CliRunner.Run("export", "--db", f.DbPath, "--format", "jsonl", "--out", Path.Combine(_dir, "x.jsonl"), "--where", "reason=blocked");
        Assert.Equal(2, wrong.ExitCode);
        Assert.Contains("reason=NAME with NAME one of", wrong.Stderr);
    }

    [SkippableFact]
    public async Task Jsonl_IndexableOnly_AgreesWithTheInspector()
    {
        string path = Path.Combine(_dir, "indexable.jsonl");
        Export("--format", "jsonl", "--out", path, "--where", "indexable", "--fields", "url,src_unparsed");
        var urls = File.ReadAllLines(path).Select(l => JsonDocument.Parse(l).RootElement.GetProperty("url").GetString()!).ToList();
        Assert.NotEmpty(urls);
        Assert.True(urls.Count < await f.Store.PageCountAsync());
        var inspector = new UrlInspector(f.Store, f.Keyer);
        foreach (var url in urls.Where((_, i) => i % 7 == 0))
            Assert.True((await inspector.InspectAsync(f.Identify(url))).Badges.Indexable, url);
        foreach (var (host, path2) in new[] { ("www.alpha-news.test", "/noindex-meta"), ("www.alpha-news.test", "/private/report"), ("xi-files.test", "/files/report.pdf") })
        {
            Assert.DoesNotContain(f.Url(host, path2), urls);
            Assert.False((await inspector.InspectAsync(f.Identify(f.Url(host, path2)))).Badges.Indexable, path2);
        }
    }

    [SkippableFact]
    public async Task Parquet_ReadBackByParquetNetAndDuckDb()
    {
        string path = Path.Combine(_dir, "pages.parquet");
        Export("--format", "parquet", "--out", path);
        long pages = await f.Store.PageCountAsync();

        await using (var reader = await ParquetReader.CreateAsync(path))
        {
            long rows = 0;
            var keys = new List<string>();
            var keyField = reader.Schema.DataFields.Single(d => d.Name == "src_unparsed");
            for (int g = 0; g < reader.RowGroupCount; g++)
            {
                using var group = reader.OpenRowGroupReader(g);
                rows += group.RowCount;
                var column = new string?[group.RowCount];
                await group.ReadAsync(keyField, column.AsMemory());
                keys.AddRange(column.Select(k => k!));
            }
            Assert.Equal(pages, rows);
            Assert.Equal(pages, keys.Distinct().Count());
            Assert.Equal(PageExport.Fields, reader.Schema.DataFields.Select(d => d.Name));
        }

        using var duck = new DuckDBConnection("Data Source=:memory:");
        duck.Open();
        using var cmd = duck.CreateCommand();
        cmd.CommandText = $"SELECT COUNT(*), COUNT(DISTINCT src_unparsed), COUNT(*) FILTER (WHERE download_http_code = 200) FROM read_parquet('{path}')";
        using (var r = cmd.ExecuteReader())
        {
            Assert.True(r.Read());
            Assert.Equal(pages, Convert.ToInt64(r.GetValue(0)));
            Assert.Equal(pages, Convert.ToInt64(r.GetValue(1)));
            Assert.Equal((await f.Store.StatsAsync()).ByStatus["200"], Convert.ToInt64(r.GetValue(2)));
        }
        var stored = (await f.PageAsync("www.pickl.test", SampleSites.SeedArticlePath))!;
        cmd.CommandText = $"SELECT meta_title, readable_markdown, download_stamp, shard, page_type, page_type_confidence FROM read_parquet('{path}') WHERE src_unparsed = $k";
        cmd.Parameters.Add(new DuckDBParameter("k", stored.SrcUnparsed));
        using (var r = cmd.ExecuteReader())
        {
            Assert.True(r.Read());
            Assert.Equal(stored.MetaTitle, r.GetString(0));
            Assert.Equal(stored.ReadableMarkdown, r.GetString(1));
            Assert.Equal(stored.DownloadStamp!.Value.UtcDateTime, r.GetDateTime(2), TimeSpan.FromMilliseconds(1));
            Assert.Equal(stored.Shard, r.GetInt32(3));
            Assert.Equal("article", r.GetString(4));
            Assert.Equal(stored.PageTypeConfidence, r.GetInt32(5));
        }
    }

    [SkippableFact]
    public async Task Wet_IsReadByWarcio_WithEveryDigestRight()
    {
        string path = Path.Combine(_dir, "pages.warc.wet.gz");
        Export("--format", "wet", "--out", path, "--text", "readable");
        if (Warcio.Index(path, "offset", "warc-type", "warc-target-uri", "warc-block-digest", "warc-record-id") is not { } records) return;
        Assert.Equal("warcinfo", records[0].GetProperty("warc-type").GetString());
        var conversions = records.Skip(1).ToList();
        Assert.All(conversions, r => Assert.Equal("conversion", r.GetProperty("warc-type").GetString()));
        var pages = new Dictionary<string, Crawlscope.Model.PageRecord>();
        await foreach (var p in f.Store.PagesAsync("readable_markdown IS NOT NULL AND readable_markdown <> ''", [])) pages[p.Url] = p;
        Assert.Equal(pages.Count, conversions.Count);
        foreach (var r in conversions)
        {
            var page = pages[r.GetProperty("warc-target-uri").GetString()!];
            string expected = WarcRecordWriter.Sha1Base32(Encoding.UTF8.GetBytes(page.ReadableMarkdown!));
            Assert.Equal(expected, r.GetProperty("warc-block-digest").GetString());
        }
        Assert.Equal(records.Count, records.Select(r => r.GetProperty("warc-record-id").GetString()).Distinct().Count());
    }

    /// <summary>A corpus builder sees what WET left out and why, and gets gzip only when the name says so.</summary>
    [SkippableFact]
    public async Task Wet_SaysWhatItLeftOutAndWhy_AndCompressesOnlyWhenNamedGz()
    {
        string plain = Path.Combine(_dir, "pages.wet"), gz = Path.Combine(_dir, "pages.wet.gz");
        string said = Export("--format", "wet", "--out", plain, "--text", "readable");
        Export("--format", "wet", "--out", gz, "--text", "readable");
        Assert.StartsWith("WARC/1.0\r\nWARC-Type: warcinfo", Encoding.UTF8.GetString(File.ReadAllBytes(plain).AsSpan(0, 40)));
        Assert.Equal([0x1f, 0x8b], File.ReadAllBytes(gz).AsSpan(0, 2).ToArray());
        Assert.Equal(Warcio.Index(plain, "warc-record-id")?.Count, Warcio.Index(gz, "warc-record-id")?.Count);

        long pages = await f.Store.PageCountAsync(), failed = 0, withText = 0;
        await foreach (var p in f.Store.PagesAsync("1 = 1", []))
        {
            if (!string.IsNullOrEmpty(p.ReadableMarkdown)) withText++;
            else if (p.DownloadHttpCode is null) failed++;
        }
        var leftOut = System.Text.RegularExpressions.Regex.Match(said, @"left out ([\d,]+): (.*)");
        Assert.True(leftOut.Success, said);
        Assert.Equal(pages - withText, long.Parse(leftOut.Groups[1].Value, System.Globalization.NumberStyles.AllowThousands, System.Globalization.CultureInfo.InvariantCulture));
        Assert.Contains($"{failed:N0} not fetched (failed, refused or not yet crawled)", leftOut.Groups[2].Value);
        Assert.Contains("answered 404", leftOut.Groups[2].Value);
        Assert.Contains("not HTML", leftOut.Groups[2].Value);
    }

    [SkippableFact]
    public async Task Jsonl_Headline_IsTheTitleWithoutTheSiteName()
    {
        string path = Path.Combine(_dir, "headlines.jsonl");
        Export("--format", "jsonl", "--out", path, "--fields", "url,meta_title,headline");
        var seed = File.ReadAllLines(path).Select(l => JsonDocument.Parse(l).RootElement)
            .Single(r => r.GetProperty("url").GetString()!.EndsWith(SampleSites.SeedArticlePath, StringComparison.Ordinal));
        var stored = (await f.PageAsync("www.pickl.test", SampleSites.SeedArticlePath))!;
        string title = seed.GetProperty("meta_title").GetString()!;
        Assert.Equal(stored.MetaTitle, title);
        string headline = seed.GetProperty("headline").GetString()!;
        Assert.True(title.Length > headline.Length && title.StartsWith(headline, StringComparison.Ordinal), $"{title} → {headline}");
        Assert.DoesNotContain("pickl", headline, StringComparison.OrdinalIgnoreCase);
    }

    [SkippableFact]
    public async Task Warc_MetadataAndConversionRecords_AreReadByWarcio()
    {
        string path = Path.Combine(_dir, "pages.warc.gz");
        Export("--format", "warc", "--out", path, "--text", "markdown");
        if (Warcio.Index(path, "warc-type", "warc-target-uri", "warc-block-digest", "warc-concurrent-to", "warc-record-id") is not { } records) return;
        Assert.Equal("warcinfo", records[0].GetProperty("warc-type").GetString());
        Assert.Equal(await f.Store.PageCountAsync(), records.Count(r => r.GetProperty("warc-type").GetString() == "metadata"));
        var metadataIds = records.Where(r => r.GetProperty("warc-type").GetString() == "metadata").Select(r => r.GetProperty("warc-record-id").GetString()).ToHashSet();
        var conversions = records.Where(r => r.GetProperty("warc-type").GetString() == "conversion").ToList();
        Assert.NotEmpty(conversions);
        Assert.All(conversions, c => Assert.Contains(c.GetProperty("warc-concurrent-to").GetString(), metadataIds));
        var seed = (await f.PageAsync("www.pickl.test", SampleSites.SeedArticlePath))!;
        var seedConversion = conversions.Single(c => c.GetProperty("warc-target-uri").GetString() == seed.Url);
        Assert.Equal(WarcRecordWriter.Sha1Base32(Encoding.UTF8.GetBytes(seed.Markdown!)), seedConversion.GetProperty("warc-block-digest").GetString());
    }

    [SkippableTheory]
    [InlineData("", "")]
    [InlineData("f", "MY======")]
    [InlineData("foobar", "MZXW6YTBOI======")]
    public void Base32_MatchesRfc4648Vectors(string input, string expected) =>
        Assert.Equal(expected, WarcRecordWriter.Base32(Encoding.ASCII.GetBytes(input)));

    [SkippableFact]
    public void BadArguments_AreClearErrors()
    {
        var unknownField = CliRunner.Run("export", "--db", f.DbPath, "--format", "jsonl", "--out", Path.Combine(_dir, "x.jsonl"), "--fields", "url,password");
        Assert.Equal(2, unknownField.ExitCode);
        Assert.Contains("unknown field(s): password", unknownField.Stderr);
        Assert.Equal(2, CliRunner.Run("export", "--db", f.DbPath, "--format", "parquet", "--out", "-").ExitCode);
        Assert.Equal(2, CliRunner.Run("export", "--db", f.DbPath, "--format", "jsonl", "--out", "x", "--since", "yesterday-ish").ExitCode);
        Assert.Equal(1, CliRunner.Run("export", "--db", "/no/such.db", "--format", "jsonl", "--out", "x").ExitCode);
    }

    [SkippableFact]
    public void Since_InTheFuture_ExportsNothing()
    {
        string path = Path.Combine(_dir, "none.jsonl");
        Assert.Contains("exported 0 of 0", Export("--format", "jsonl", "--out", path, "--since", DateTimeOffset.UtcNow.AddDays(1).ToString("o")));
        Assert.Empty(File.ReadAllLines(path));
    }
}
