using System.Text;
using Crawlscope.Model;
using Crawlscope.Storage;
using Crawlscope.Tests.Support;
using Crawlscope.Urls;
using Microsoft.Data.Sqlite;

namespace Crawlscope.Tests.Storage;

/// <summary>The embedded store keeps a page's three texts compressed, the two cut from the page against its Markdown,
/// and every reader still sees the texts (rows written as plain text before included).</summary>
public sealed class PageTextStorageTests
{
    private static readonly DateTimeOffset Stamp = new(2026, 12, 6, 9, 0, 0, TimeSpan.Zero);

    private static string Article(int seed)
    {
        var words = new[] { "river", "harbour", "council", "ünïcode", "budget", "school", "😀", "bridge", "museum", "railway", "festival", "market" };
        var text = new StringBuilder();
        var random = new Random(seed);
        for (int paragraph = 0; paragraph < 40; paragraph++)
        {
            for (int w = 0; w < 60; w++) text.Append(words[random.Next(words.Length)]).Append(w % 12 == 11 ? ". " : " ");
            text.Append("\n\n");
        }
        return text.ToString();
    }

    private static PageRecord Page(string url, string? markdown, string? readable, string? boilerpipe)
    {
        var id = UrlKeyer.Default.TryIdentify(url, out var i, out var error) ? i : throw new ArgumentException(error);
        return new PageRecord
        {
            SrcUnparsed = id.Key.Value, Url = id.Normalized.Href, Shard = id.Shard, RootHash = id.RootHash, Host = id.Host, Site = id.Site,
            DownloadHttpCode = 200, DownloadStamp = Stamp, FirstIndexed = Stamp, ContentType = "text/html", MetaTitle = "T",
            Markdown = markdown, ReadableMarkdown = readable, BoilerpipeText = boilerpipe, ContentHash = "h" + url.Length,
        };
    }

    private static async Task SaveAsync(SqliteCrawlStore store, PageRecord p) =>
        await store.SaveAsync(p, new FetchRecord(p.SrcUnparsed, p.Url, Stamp, 200, null, 1, 1, "text/html", null), [], []);

    private static async Task<(string Type, long Bytes)> StoredAsync(string path, string key, string column)
    {
        await using var connection = new SqliteConnection($"Data Source={path};Mode=ReadOnly;Pooling=False");
        await connection.OpenAsync();
        var cmd = connection.CreateCommand();
        // The column name comes from the test's own constants, never from data.
        cmd.CommandText = $"SELECT typeof({column}), length(CAST({column} AS BLOB)) FROM pages WHERE src_unparsed = $k";
        cmd.Parameters.AddWithValue("$k", key);
        await using var r = await cmd.ExecuteReaderAsync();
        Assert.True(await r.ReadAsync());
        return (r.GetString(0), r.IsDBNull(1) ? 0 : r.GetInt64(1));
    }

    [Fact]
    public async Task LongTexts_AreStoredCompressed_AndReadBackExactly_ThroughRecordsAndRawQueries()
    {
        await using var temp = await TempCrawlStore.OpenAsync("texts");
        string article = Article(1);
        var page = Page("https://www.texts.test/a", "# Heading\n\n" + article + "\n\n[nav](/x) [home](/)", article, article.Replace("\n\n", "\n", StringComparison.Ordinal));
        await SaveAsync(temp.Store, page);

        var back = await temp.Store.GetPageAsync(page.SrcUnparsed);
        Assert.Equal(page.Markdown, back!.Markdown);
        Assert.Equal(page.ReadableMarkdown, back.ReadableMarkdown);
        Assert.Equal(page.BoilerpipeText, back.BoilerpipeText);

        long raw = 0, stored = 0;
        foreach (var (column, text) in new[] { ("markdown", page.Markdown!), ("readable_markdown", page.ReadableMarkdown!), ("boilerpipe_text", page.BoilerpipeText!) })
        {
            var (type, bytes) = await StoredAsync(temp.Path, page.SrcUnparsed, column);
            Assert.Equal("blob", type);
            raw += Encoding.UTF8.GetByteCount(text);
            stored += bytes;
        }
        // Random words from a dozen compress about 3× alone; the two texts cut from the Markdown cost almost nothing beside it.
        Assert.True(stored * 5 < raw, $"{stored} bytes stored for {raw} bytes of text");

        // The inspector's details query answers with the texts, as before.
        var details = await temp.Store.InspectAsync(temp.Store.Queries.Details, [("$shard", page.Shard), ("$key", page.SrcUnparsed)]);
        Assert.Equal(page.ReadableMarkdown, details.Rows[0]["readable_markdown"]);
        Assert.Equal(page.Markdown, details.Rows[0]["markdown"]);
        Assert.Contains("# Heading", details.RawResponse, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ShortAndMissingTexts_StayPlain_AndRowsWrittenAsTextStillRead()
    {
        await using var temp = await TempCrawlStore.OpenAsync("texts-plain");
        var small = Page("https://www.texts.test/small", "# Hi", null, "Hi");
        await SaveAsync(temp.Store, small);
        Assert.Equal("text", (await StoredAsync(temp.Path, small.SrcUnparsed, "markdown")).Type);
        Assert.Equal("null", (await StoredAsync(temp.Path, small.SrcUnparsed, "readable_markdown")).Type);
        var back = await temp.Store.GetPageAsync(small.SrcUnparsed);
        Assert.Equal(("# Hi", (string?)null, "Hi"), (back!.Markdown, back.ReadableMarkdown, back.BoilerpipeText));

        // A row as schema 13 wrote it: plain text in every text column.
        string article = Article(2);
        var old = Page("https://www.texts.test/old", "x", "x", "x");
        await SaveAsync(temp.Store, old);
        await using (var connection = new SqliteConnection($"Data Source={temp.Path};Pooling=False"))
        {
            await connection.OpenAsync();
            var cmd = connection.CreateCommand();
            cmd.CommandText = "UPDATE pages SET markdown = $t, readable_markdown = $t, boilerpipe_text = $t WHERE src_unparsed = $k";
            cmd.Parameters.AddWithValue("$t", article);
            cmd.Parameters.AddWithValue("$k", old.SrcUnparsed);
            Assert.Equal(1, await cmd.ExecuteNonQueryAsync());
        }
        var oldBack = await temp.Store.GetPageAsync(old.SrcUnparsed);
        Assert.Equal((article, article, article), (oldBack!.Markdown, oldBack.ReadableMarkdown, oldBack.BoilerpipeText));
    }

    [Fact]
    public void ABlobThisBuildDoesNotKnow_IsAClearError_NotGarbageText()
    {
        var error = Assert.Throws<InvalidDataException>(() => PageTextCodec.Unpack(new byte[] { 9, 1, 2, 3 }, null, null));
        Assert.Contains("marker 9", error.Message, StringComparison.Ordinal);
        // Cut against a Markdown that is not there: refused the same way.
        var packed = PageTextCodec.Pack(new PageTexts(Article(3), Article(3), null));
        Assert.Throws<InvalidDataException>(() => PageTextCodec.Unpack(null, packed.ReadableMarkdown, null));
    }
}
