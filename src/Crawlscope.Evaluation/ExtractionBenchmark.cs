using System.Diagnostics;
using AngleSharp.Dom;
using AngleSharp.Html.Parser;
using Crawlscope.Classification;
using Crawlscope.Extraction;
using Crawlscope.Extraction.Boilerpipe;
using Crawlscope.Extraction.MainContent;
using Crawlscope.Urls;

namespace Crawlscope.Evaluation;

/// <summary>Median milliseconds per page for each extraction step and for the whole pass, on one core.</summary>
/// <param name="TextBytes">The three stored texts (Markdown, readable Markdown, boilerpipe text) per page on average, as
/// UTF-8 and as the embedded store packs them.</param>
public sealed record ExtractionTimings(string Corpus, int Pages, double AverageKilobytes, IReadOnlyDictionary<string, double> MedianMs,
    IReadOnlyDictionary<string, double> MedianAllocatedKilobytes, (double Plain, double Packed) TextBytes);

/// <summary>
/// Times extraction page by page on a single thread (after a warm-up pass), so the figures are per-core costs.
/// The whole pass is timed separately from the steps, as the crawler runs it.
/// </summary>
public static class ExtractionBenchmark
{
    public static readonly string[] Steps =
        ["decode", "parse", "metadata", "boilerpipe", "markdown", "readable", "readable, learned block scorer", "spam", "whole pass", "whole pass, learned block scorer"];

    private static readonly PageExtractor WithScorer = new(new PageExtractorOptions { Scorer = ReadableScorer.Learned });

    public static ExtractionTimings Run(string corpus, IReadOnlyList<(byte[] Html, WebUrl Url)> pages)
    {
        var parser = new HtmlParser();
        var samples = Steps.ToDictionary(s => s, _ => new List<double>());
        var allocated = Steps.ToDictionary(s => s, _ => new List<double>());
        long plainText = 0, packedText = 0;
        for (int round = 0; round < 2; round++)
        {
            bool record = round == 1;
            foreach (var (html, url) in pages)
            {
                var sw = Stopwatch.StartNew();
                long bytes = GC.GetAllocatedBytesForCurrentThread();
                var decoded = HtmlDecoder.Decode(html, null);
                Lap("decode");
                var doc = parser.ParseDocument(decoded.Text);
                Lap("parse");
                var baseUrl = MetadataExtractor.BaseUrl(doc, url);
                string? title = MetadataExtractor.Title(doc);
                var robots = MetadataExtractor.Robots(doc, null, "crawlscope");
                var links = MetadataExtractor.Links(doc, baseUrl, robots.NoFollow);
                _ = MetadataExtractor.Description(doc);
                _ = MetadataExtractor.Canonical(doc, baseUrl, null);
                Lap("metadata");
                string boilerpipe = BoilerpipeExtractor.Extract(doc);
                Lap("boilerpipe");
                _ = MarkdownConverter.Convert(doc.Body ?? (INode)doc, baseUrl);
                Lap("markdown");
                _ = MainContentExtractor.Extract(doc, baseUrl, boilerpipe);
                Lap("readable");
                _ = MainContentExtractor.Extract(doc, baseUrl, boilerpipe, scorer: ReadableScorer.Learned);
                Lap("readable, learned block scorer");
                _ = SpamClassifier.Classify(StatisticsCollector.Collect(doc, title, html.Length, links.Count), title);
                Lap("spam");

                sw.Restart();
                bytes = GC.GetAllocatedBytesForCurrentThread();
                var page = PageExtractor.Default.Extract(html, url);
                _ = SpamClassifier.Classify(page);
                Lap("whole pass");
                if (record) (plainText, packedText) = (plainText + TextBytes(page).Plain, packedText + TextBytes(page).Packed);
                sw.Restart();
                bytes = GC.GetAllocatedBytesForCurrentThread();
                _ = SpamClassifier.Classify(WithScorer.Extract(html, url));
                Lap("whole pass, learned block scorer");

                void Lap(string step)
                {
                    long now = GC.GetAllocatedBytesForCurrentThread();
                    if (record)
                    {
                        samples[step].Add(sw.Elapsed.TotalMilliseconds);
                        allocated[step].Add((now - bytes) / 1024.0);
                    }
                    bytes = GC.GetAllocatedBytesForCurrentThread();
                    sw.Restart();
                }
            }
        }
        return new ExtractionTimings(corpus, pages.Count, pages.Average(p => p.Html.Length) / 1024.0,
            samples.ToDictionary(kv => kv.Key, kv => Median(kv.Value)), allocated.ToDictionary(kv => kv.Key, kv => Median(kv.Value)),
            ((double)plainText / pages.Count, (double)packedText / pages.Count));
    }

    private static (long Plain, long Packed) TextBytes(ExtractedPage page)
    {
        var packed = Storage.PageTextCodec.Pack(new Storage.PageTexts(page.Markdown, page.ReadableMarkdown, page.BoilerpipeText));
        static long Size(object? stored) => stored switch { byte[] b => b.Length, string s => System.Text.Encoding.UTF8.GetByteCount(s), _ => 0 };
        long plain = Size(page.Markdown) + Size(page.ReadableMarkdown) + Size(page.BoilerpipeText);
        return (plain, Size(packed.Markdown) + Size(packed.ReadableMarkdown) + Size(packed.BoilerpipeText));
    }

    private static double Median(List<double> values)
    {
        if (values.Count == 0) return 0;
        values.Sort();
        return values.Count % 2 == 1 ? values[values.Count / 2] : (values[values.Count / 2 - 1] + values[values.Count / 2]) / 2;
    }
}
