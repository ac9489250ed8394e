using Crawlscope.Crawling;
using Crawlscope.Frontier;
using Crawlscope.Tests.Crawling;
using Crawlscope.SampleWeb;
using Crawlscope.Storage.ClickHouse;
using Crawlscope.Tests.Cli;
using Crawlscope.Tests.Support;
using Crawlscope.Urls;
using Microsoft.Data.Sqlite;

namespace Crawlscope.Tests.Storage;

/// <summary>
/// A cluster worker keeps only crawl state: once a page is shipped its texts are dropped from the worker's SQLite
/// (links and fetch history are never kept there), a recrawl that answers 304 builds the next version from the
/// cluster's full row, so the cluster keeps the texts; with the cluster away, the page is fetched whole instead.
/// </summary>
[Collection(ClickHouseCollection.Name)]
public sealed class WorkerShippedPagesTests(ClickHouseCluster cluster)
{
    private static async Task CrawlAsync(WorkerCrawlStore store, UrlKeyer keyer, params UrlIdentity[] seeds)
    {
        using var engine = new CrawlEngine(new CrawlOptions { Delay = TimeSpan.Zero, MaxDepth = 1, Scope = CrawlScopeKind.Seeds, Fetch = CrawlTestOptions.Fast().Fetch }, store, keyer);
        await engine.RunAsync(seeds, CancellationToken.None);
    }

    [Fact]
    public async Task AShippedPagesTexts_AreDroppedFromTheWorker_AndA304RecrawlKeepsThemInTheCluster()
    {
        string db = ClickHouseCluster.NewDatabase("shipped");
        string dir = Directory.CreateTempSubdirectory("crawlscope-shipped").FullName;
        Assert.Equal(0, CliRunner.Run("store", "init", "--store", cluster.StoreUrl(db)).ExitCode);
        await using var web = await SampleWebServer.StartAsync(new SampleWebOptions { PagesPerHost = 2, Hosts = 1 });
        var keyer = UrlKeyer.Default;
        keyer.TryIdentify($"http://www.alpha-news.test:{web.Port}/", out var seed, out _);
        keyer.TryIdentify($"http://www.alpha-news.test:{web.Port}/articles/1", out var article, out _);
        string key = article!.Key.Value;
        try
        {
            await using (var worker = await WorkerCrawlStore.OpenAsync(cluster.Address(db), keyer, new ShardRange(0, keyer.ShardCount - 1), dir))
            {
                await CrawlAsync(worker, keyer, seed!);
                await worker.FlushAsync();

                // Here: the article's crawl state (its validators) without its texts; no links or fetches at all.
                var local = (await worker.Local.InspectAsync("SELECT markdown, boilerpipe_text, response_headers, etag, content_hash FROM pages WHERE src_unparsed = $k", [("$k", key)])).Rows.Single();
                Assert.Null(local["markdown"]);
                Assert.Null(local["boilerpipe_text"]);
                Assert.Null(local["response_headers"]);
                Assert.Equal(0L, (await worker.Local.InspectAsync("SELECT COUNT(*) AS n FROM page_shipping", [])).Rows[0]["n"]);
                Assert.NotNull(local["etag"]);
                Assert.NotNull(local["content_hash"]);
                Assert.Equal(0L, (await worker.Local.InspectAsync("SELECT (SELECT COUNT(*) FROM links) + (SELECT COUNT(*) FROM fetches) AS n", [])).Rows[0]["n"]);
                // The worker's record of the page is the cluster's, texts and all.
                var record = await worker.GetPageAsync(key);
                Assert.False(string.IsNullOrEmpty(record!.Markdown));
                Assert.False(string.IsNullOrEmpty(record.BoilerpipeText));

                // A recrawl: the article answers 304, and its next version carries the texts the cluster had.
                var now = DateTimeOffset.UtcNow;
                Assert.True(await worker.RequeueDueAsync(now.AddDays(40), now) >= 3);
                await CrawlAsync(worker, keyer);
                await worker.FlushAsync();
            }
            // (Stamps are whole seconds in the cluster, so the two fetches are compared as a set; the page's latest
            // version is the one with the highest row version.)
            var codes = (await cluster.QueryAsync(0, $"SELECT http_code FROM {db}.fetches WHERE src_unparsed = '{key}' FORMAT TSV")).Split('\n', StringSplitOptions.RemoveEmptyEntries);
            Assert.Equal(["200", "304"], codes.Order(StringComparer.Ordinal));
            string row = (await cluster.QueryAsync(0, $"SELECT argMax(length(markdown), version) > 100, argMax(length(boilerpipe_text), version) > 100 FROM {db}.pages WHERE src_unparsed = '{key}' FORMAT TSV")).Trim();
            Assert.Equal("1\t1", row);

            // With the cluster away, the worker does not know the page's texts: it says it has no record, so the page
            // is fetched whole rather than shipped without them.
            await using (var worker = await WorkerCrawlStore.OpenAsync(cluster.Address(db), keyer, new ShardRange(0, keyer.ShardCount - 1), dir))
            {
                cluster.Stop(0);
                cluster.Stop(1);
                Assert.Null(await worker.GetPageAsync(key));
                cluster.Restart(0);
                cluster.Restart(1);
            }
        }
        finally
        {
            if (cluster.Nodes[0].Process is null) cluster.Restart(0);
            if (cluster.Nodes[1].Process is null) cluster.Restart(1);
            SqliteConnection.ClearAllPools();
            Directory.Delete(dir, recursive: true);
        }
    }
}
