using System.Text;
using BenchmarkDotNet.Attributes;
using Crawlscope.Classification;
using Crawlscope.Evaluation;
using Crawlscope.Extraction;
using Crawlscope.SampleWeb;
using Crawlscope.Urls;

namespace Crawlscope.Benchmarks;

/// <summary>
/// The whole extraction pass (decode, parse, metadata, boilerpipe, Markdown, readable Markdown, spam score) per page:
/// a typical 20 KB page, and the Scrapinghub pages (set CRAWLSCOPE_DATASETS or keep ../shared beside the checkout).
/// Run: dotnet run -c Release --project bench/Crawlscope.Benchmarks -- --filter '*'
/// </summary>
[MemoryDiagnoser]
public class ExtractionBenchmarks
{
    private byte[] _typical = [];
    private readonly WebUrl _url = WebUrl.Parse("https://news.sample.test/articles/1");
    private List<(byte[] Html, WebUrl Url)> _scrapinghub = [];
    private int _next;

    [GlobalSetup]
    public void Setup()
    {
        _typical = Encoding.UTF8.GetBytes(ArticlePages.Generate(1, "Sample News",
            Enumerable.Range(1, 12).Select(k => ($"/articles/{k}", ArticlePages.Title(k))).ToList()));
        string root = Environment.GetEnvironmentVariable("CRAWLSCOPE_DATASETS") ?? FindDatasets();
        _scrapinghub = ExtractionDatasets.Load(root, ExtractionDatasets.Scrapinghub)
            .Select(p => (p.ReadHtml(), WebUrl.TryParse(p.Url, null, out var u, out _) ? u : _url)).ToList();
    }

    [Benchmark(Description = "whole pass, typical 20 KB page")]
    public int TypicalPage() => SpamClassifier.Classify(PageExtractor.Default.Extract(_typical, _url)).Level;

    [Benchmark(Description = "whole pass, next Scrapinghub page (cycles through 181)")]
    public int ScrapinghubPage()
    {
        var (html, url) = _scrapinghub[_next++ % _scrapinghub.Count];
        return SpamClassifier.Classify(PageExtractor.Default.Extract(html, url)).Level;
    }

    private static string FindDatasets()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            string candidate = Path.Combine(dir.FullName, "shared", "datasets");
            if (Directory.Exists(candidate)) return candidate;
        }
        throw new DirectoryNotFoundException("shared/datasets not found; set CRAWLSCOPE_DATASETS");
    }
}
