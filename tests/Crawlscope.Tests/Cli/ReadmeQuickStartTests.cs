using System.Text.Json;
using System.Text.RegularExpressions;
using Crawlscope.SampleWeb;
using Crawlscope.Tests.Crawling;
using Crawlscope.Tests.Support;

namespace Crawlscope.Tests.Cli;

/// <summary>
/// The README's three quick starts, run as written: the commands are read from the README's code blocks, with only
/// what cannot be run here changed: https://example.com/ becomes a host of the sample web (with the flags that let
/// a crawl reach loopback), URL a page the demo stored, file names a temporary folder, and the long-running
/// `serve` and `run` lines are asked for --help instead. Each command must exit 0 and say what the README promises.
/// </summary>
[Collection(CrawlCollection.Name)]
public sealed class ReadmeQuickStartTests : IAsyncLifetime
{
    private readonly string _dir = Directory.CreateTempSubdirectory("crawlscope-readme-").FullName;
    private SampleWebServer _web = null!;

    public async Task InitializeAsync() => _web = await SampleWebServer.StartAsync(new SampleWebOptions { PagesPerHost = 6, Hosts = 2, Fast = true });

    public async Task DisposeAsync()
    {
        await _web.DisposeAsync();
        Directory.Delete(_dir, recursive: true);
    }

    /// <summary>The commands of the quick start whose heading starts with <paramref name="title"/>.</summary>
    private static List<string> QuickStart(string title)
    {
        string readme = File.ReadAllText(Path.Combine(SharedData.RepoRoot, "README.md"));
        int at = readme.IndexOf("**" + title, StringComparison.Ordinal);
        Assert.True(at >= 0, $"README has no quick start '{title}'");
        var block = Regex.Match(readme[at..], "```sh\n(.*?)```", RegexOptions.Singleline).Groups[1].Value;
        return block.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => Regex.Replace(l, @"\s+#.*$", "").Trim()).Where(l => l.Length > 0).ToList();
    }

    /// <summary>One README line as arguments, with the substitutions the class comment names.</summary>
    private string[] Arguments(string line, string? url)
    {
        Assert.StartsWith("./crawlscope ", line);
        var args = new List<string>();
        string seed = _web.Seeds[0];
        foreach (string token in line["./crawlscope ".Length..].Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            if (token == "https://example.com/") args.AddRange([seed, "--allow-private-networks", "--delay", "0", "--resolve", $"{new Uri(seed).Host}=127.0.0.1"]);
            else if (token == "URL") args.Add(url ?? throw new InvalidOperationException("URL before the demo ran"));
            else if (token.Contains('*')) args.AddRange(Directory.GetFiles(Path.Combine(_dir, Path.GetDirectoryName(token)!), Path.GetFileName(token)).Order());
            else if (Regex.IsMatch(token, @"^[\w.-]+(\.db|\.jsonl|\.gz|/)$")) args.Add(Path.Combine(_dir, token));
            else args.Add(token);
        }
        if (args[0] == "demo") args.AddRange(["--db", Path.Combine(_dir, "crawlscope-demo.db"), "--pages", "2"]);
        if (args[0] is "serve" or "run") args = [args[0], "--help"];
        return [.. args];
    }

    private CliResult Run(string line, string? url = null)
    {
        var result = CliRunner.Run(Arguments(line, url));
        Assert.True(result.ExitCode == 0, $"{line}: exit {result.ExitCode}: {result.Stderr}");
        return result;
    }

    [Fact]
    public async Task WhyIsThisUrlNotIndexed()
    {
        var lines = QuickStart("Why is this URL not indexed?");
        Assert.StartsWith("./crawlscope demo", lines[0]);
        Run(lines[0]);
        string url;
        await using (var store = await Crawlscope.Storage.SqliteCrawlStore.OpenAsync(Path.Combine(_dir, "crawlscope-demo.db")))
            url = (string)(await store.InspectAsync("SELECT url FROM pages WHERE download_http_code = 200 AND url LIKE '%/articles/%' ORDER BY url LIMIT 1", [])).Rows[0]["url"]!;
        foreach (string line in lines.Skip(1))
        {
            var result = Run(line, url);
            if (line.Contains("--reason noindex")) Assert.Contains("noindex", result.Stdout);
            else if (line.Contains("stats --indexing")) Assert.Contains("indexed", result.Stdout);
            else if (line.Contains("--links out")) Assert.Contains("http", result.Stdout);
            else if (line.Contains(" inspect ")) Assert.Contains(url, result.Stdout);
        }
    }

    [Fact]
    public void ASitesReadableMarkdownForACorpus()
    {
        var lines = QuickStart("A site's readable Markdown for a corpus");
        foreach (string line in lines) Run(line);
        // Every article of the site is there with its readable Markdown (a two-word contact page has none to give).
        var articles = File.ReadAllLines(Path.Combine(_dir, "site.jsonl")).Select(l => JsonDocument.Parse(l).RootElement)
            .Where(r => r.GetProperty("url").GetString()!.Contains("/articles/", StringComparison.Ordinal)).ToList();
        Assert.Equal(6, articles.Count);
        Assert.All(articles, r => Assert.True(r.GetProperty("readable_markdown").GetString()!.Length > 500));
    }

    [Fact]
    public void ArchiveASiteAndReadItBack()
    {
        var lines = QuickStart("Archive a site and read it back");
        foreach (string line in lines)
        {
            var result = Run(line);
            if (line.Contains("import-warc")) Assert.Contains(" 0 errors", result.Stdout);
        }
        Assert.True(new FileInfo(Path.Combine(_dir, "copy.warc.gz")).Length > 1000);
    }
}
