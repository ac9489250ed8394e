using Crawlscope.Extraction;
using Crawlscope.Extraction.MainContent;
using Crawlscope.SampleWeb;
using Crawlscope.Urls;

namespace Crawlscope.Evaluation;

/// <summary>Readable-text word F1 (WCXB's metric) on the sample web's templated site, without and with the template
/// learnt from the same pages, and how many blocks the template holds.</summary>
public sealed record SiteTemplateResult(int Pages, double WithoutTemplate, double WithTemplate, int TemplateBlocks);

/// <summary>
/// Measures what learning a site's template adds: every page of <see cref="TemplatedSite"/> is extracted on its own,
/// its blocks are learnt, and then every page is extracted again with the template of all of them (a frozen
/// snapshot, so the result does not depend on page order). Each page's article text is known.
/// </summary>
public static class SiteTemplateEvaluation
{
    public static SiteTemplateResult Run(int pages = 60)
    {
        var extractor = PageExtractor.Default;
        var template = new SiteTemplate();
        double without = 0;
        var html = Enumerable.Range(0, pages).Select(TemplatedSite.Html).ToList();
        for (int i = 0; i < pages; i++)
        {
            var page = extractor.Extract(html[i], Url(i));
            without += Score(i, page);
            template.Learn(page.BlockFingerprints);
        }
        var snapshot = template.Snapshot();
        double with = 0;
        for (int i = 0; i < pages; i++) with += Score(i, extractor.Extract(html[i], Url(i), siteTemplate: snapshot));
        return new SiteTemplateResult(pages, without / pages, with / pages, snapshot.Count);
    }

    private static WebUrl Url(int i) => WebUrl.Parse("https://www.riverside-chronicle.test" + TemplatedSite.Path(i));

    private static double Score(int i, ExtractedPage page) =>
        TextMetrics.WordScore(string.Join("\n\n", TemplatedSite.ArticleText(i)), TextMetrics.MarkdownToText(page.ReadableMarkdown)).F1;
}
