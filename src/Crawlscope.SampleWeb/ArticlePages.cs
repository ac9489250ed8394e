using System.Net;
using System.Text;

namespace Crawlscope.SampleWeb;

/// <summary>
/// Deterministic article pages of about 20 KB shaped like real news and blog pages: navigation, a sidebar,
/// a footer, inline scripts and styles, and an article body of several sections.
/// </summary>
public static class ArticlePages
{
    private static readonly string[] Subjects =
    [
        "the river crossing", "the new library", "solar panels on school roofs", "the night train", "urban beekeeping",
        "the harbour renovation", "community gardens", "the old observatory", "electric buses", "the winter market",
    ];

    private static readonly string[] Sentences =
    [
        "Planning for {0} began almost three years ago, when a small group of residents presented their idea to the council.",
        "Supporters argue that {0} will bring visitors to the area, while critics worry about the cost and the noise.",
        "Engineers who studied {0} say the biggest challenge is not the money but the time it takes to get every permit.",
        "For many families, {0} has already changed the rhythm of the week, and few would want to go back.",
        "The first survey about {0} drew more than two thousand answers, far more than the organisers expected.",
        "Nobody involved in {0} claims to have every answer, but most agree the questions are finally being asked.",
        "A report published last month compared {0} with similar projects in four other cities across the region.",
        "Local shops near {0} report that Saturday mornings are busier than they have been for a decade.",
    ];

    /// <summary>What article <paramref name="seed"/> is about.</summary>
    public static string Subject(int seed) => Subjects[seed % Subjects.Length];

    /// <summary>One of the articles' sentences about <paramref name="subject"/>, chosen by <paramref name="choice"/>.</summary>
    public static string Sentence(int choice, string subject) => string.Format(Sentences[(choice & int.MaxValue) % Sentences.Length], subject);

    public static string Title(int seed) => $"What we learned from {Subjects[seed % Subjects.Length]} (part {seed / Subjects.Length + 1})";

    /// <summary>An article page; <paramref name="links"/> are (href, text) pairs placed in the body and sidebar. Without
    /// <paramref name="siteLinks"/> the navigation and footer link nowhere (a broad sample web's hosts have no
    /// section pages), so a host's pages are its home and its articles.</summary>
    public static string Generate(int seed, string siteName, IReadOnlyList<(string Href, string Text)> links, string extraHead = "", int sections = 12, bool siteLinks = true)
    {
        var random = new Random(seed);
        string subject = Subjects[seed % Subjects.Length];
        string title = Title(seed);
        var sb = new StringBuilder(24_000);
        sb.Append("<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">");
        sb.Append($"<title>{Encode(title)} - {Encode(siteName)}</title>");
        sb.Append($"<meta name=\"description\" content=\"{Encode($"A report on {subject}: what worked, what did not, and what comes next.")}\">");
        sb.Append(extraHead);
        sb.Append("<style>body{font-family:serif;margin:0}nav a{margin:0 .5em}.sidebar{float:right;width:30%}footer{clear:both}</style>");
        sb.Append("<script>window.dataLayer=window.dataLayer||[];function gtag(){dataLayer.push(arguments)}gtag('js',new Date());</script>");
        sb.Append("</head><body><header><nav>");
        foreach (var section in new[] { "News", "Politics", "Science", "Culture", "Sport", "Opinion", "Weather" })
            sb.Append(siteLinks ? $"<a href=\"/section/{section.ToLowerInvariant()}\">{section}</a>" : $"<span>{section}</span>");
        sb.Append("</nav></header><div class=\"sidebar\"><h3>Most read</h3><ul>");
        for (int i = 0; i < links.Count; i++)
            if (i % 2 == 1) sb.Append($"<li><a href=\"{Encode(links[i].Href)}\">{Encode(links[i].Text)}</a></li>");
        sb.Append("</ul></div><main><article>");
        sb.Append($"<h1>{Encode(title)}</h1><p class=\"byline\">By Staff Writer</p>");
        int link = 0;
        for (int s = 0; s < sections; s++)
        {
            sb.Append($"<h2>Part {s + 1}: {Encode(subject)}</h2>");
            for (int p = 0; p < 3; p++)
            {
                sb.Append("<p>");
                for (int k = 0; k < 4; k++) sb.Append(string.Format(Sentences[random.Next(Sentences.Length)], subject)).Append(' ');
                while (link < links.Count && link % 2 == 1) link++;
                if (link < links.Count && random.Next(3) == 0)
                {
                    sb.Append($"See also <a href=\"{Encode(links[link].Href)}\">{Encode(links[link].Text)}</a>.");
                    link++;
                }
                sb.Append("</p>");
            }
        }
        // Links the body did not use go in a related-stories list.
        sb.Append("</article><aside><h3>Related</h3><ul>");
        for (; link < links.Count; link++)
            if (link % 2 == 0) sb.Append($"<li><a href=\"{Encode(links[link].Href)}\">{Encode(links[link].Text)}</a></li>");
        sb.Append("</ul></aside></main>");
        sb.Append(siteLinks ? "<footer><p>© Sample Web. All rights reserved.</p><a href=\"/about\">About</a> <a href=\"/contact\">Contact</a></footer>"
            : "<footer><p>© Sample Web. All rights reserved.</p></footer>");
        sb.Append("<script>document.querySelectorAll('a').forEach(function(a){a.addEventListener('click',function(){})});</script>");
        sb.Append("</body></html>");
        return sb.ToString();
    }

    private static string Encode(string s) => WebUtility.HtmlEncode(s);
}
