using System.Net;
using System.Text;

namespace Crawlscope.SampleWeb;

/// <summary>
/// A news site whose template says nothing about itself: no nav, header, footer or aside elements, classes that
/// name nothing (c1, c2 ...), and on every article the same prose paragraphs in the story's own container — an
/// appeal for donations in the middle, the author's biography and a corrections note at the end — beside a "most
/// read" column with teasers and the publisher's address. Read one page at a time they look like content; only the site's other pages show they are template.
/// Each page's article text is known (<see cref="ArticleText"/>), so extraction can be scored against it.
/// </summary>
public static class TemplatedSite
{
    public const string Name = "Riverside Chronicle";

    private const string Appeal = "The Riverside Chronicle is a reader-funded newsroom. Support independent local reporting with a monthly gift of any size, and receive our printed almanac every spring.";
    private const string Biography = "Morgan Lee has covered transport, housing and the council for the Chronicle since 2011, and before that reported from the coast for a regional daily newspaper.";
    private const string Corrections = "Corrections policy: we fix errors promptly and note every change at the foot of the story; write to the desk whenever you spot something we got wrong.";
    private const string Address = "Riverside Chronicle, 14 Mill Lane, Riverside. Published every week since 1921 by the Riverside Newspaper Trust, a registered charity.";

    private static readonly (string Headline, string Teaser)[] MostRead =
    [
        ("Council approves the new footbridge after a decade of debate", "Work starts in spring and should finish before the regatta, the engineers said on Tuesday."),
        ("Why the bakery on Quay Street still opens at five every morning", "Three generations of one family explain what keeps the ovens lit before dawn."),
        ("The allotment waiting list is longer than ever", "More than four hundred households have asked for a plot, and the council is looking for land."),
        ("A guide to the autumn festival, from the lantern walk to the cider tent", "Everything you need to know about the weekend, including where to park and what it costs."),
    ];

    /// <summary>The paragraphs of article <paramref name="seed"/>: the text a reader came for.</summary>
    public static IReadOnlyList<string> ArticleText(int seed)
    {
        var random = new Random(seed * 7919 + 17);
        string subject = ArticlePages.Subject(seed);
        var paragraphs = new List<string>();
        for (int p = 0; p < 6; p++)
        {
            var sb = new StringBuilder();
            for (int k = 0; k < 3; k++) sb.Append(ArticlePages.Sentence(random.Next(), subject)).Append(' ');
            sb.Append($"This is paragraph {p + 1} of story {seed}.");
            paragraphs.Add(sb.ToString());
        }
        return paragraphs;
    }

    public static string Path(int seed) => $"/story/{seed}";

    /// <summary>Article <paramref name="seed"/> as the site serves it.</summary>
    public static string Html(int seed)
    {
        var sb = new StringBuilder(8_000);
        string title = ArticlePages.Title(seed);
        sb.Append($"<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>{Encode(title)} - {Name}</title></head><body>");
        sb.Append($"<div class=\"c1\"><div class=\"c2\"><a href=\"/\">{Name}</a> <a href=\"/town\">Town</a> <a href=\"/sport\">Sport</a> <a href=\"/letters\">Letters</a></div></div>");
        sb.Append("<div class=\"c3\"><div class=\"c4\">");
        sb.Append($"<div class=\"c6\"><h1>{Encode(title)}</h1>");
        var article = ArticleText(seed);
        for (int p = 0; p < article.Count; p++)
        {
            sb.Append($"<p>{Encode(article[p])}</p>");
            // The appeal sits in the middle of every story, as a paragraph like the others.
            if (p == 2) sb.Append($"<p>{Appeal}</p>");
        }
        sb.Append($"<p>{Biography}</p><p>{Corrections}</p>");
        sb.Append("</div></div><div class=\"c9\"><p>Most read this week</p>");
        for (int i = 0; i < MostRead.Length; i++)
            sb.Append($"<div class=\"c10\"><p><a href=\"/story/{1000 + i}\">{MostRead[i].Headline}</a></p><p>{MostRead[i].Teaser}</p></div>");
        sb.Append("</div></div>");
        sb.Append($"<div class=\"c11\"><p>{Address}</p></div>");
        sb.Append("</body></html>");
        return sb.ToString();
    }

    private static string Encode(string s) => WebUtility.HtmlEncode(s);
}
