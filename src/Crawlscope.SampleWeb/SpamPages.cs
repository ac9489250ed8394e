using System.Text;

namespace Crawlscope.SampleWeb;

/// <summary>The kinds of content spam the sample web serves and the spam classifier is measured on.</summary>
public enum SpamKind
{
    KeywordStuffing,
    LinkFarm,
    Doorway,
    HiddenText,
    ScrapedAndSpun,
}

/// <summary>
/// Deterministic generated spam pages, one per (kind, seed): keyword-stuffed articles, link farms, doorway pages,
/// pages hiding stuffed keywords, and scraped text "spun" through synonym lists with keywords woven in.
/// </summary>
public static class SpamPages
{
    private static readonly string[][] Topics =
    [
        ["cheap flights", "discount airfare", "last minute deals"],
        ["payday loans", "fast cash", "bad credit loans"],
        ["weight loss pills", "lose weight fast", "diet supplements"],
        ["online casino", "free spins", "casino bonus"],
        ["replica watches", "luxury watches cheap", "designer replica"],
        ["seo services", "backlinks cheap", "rank first google"],
    ];

    private static readonly string[] Filler =
    [
        "best", "top", "great", "official", "online", "now", "today", "guaranteed", "free", "instant", "real", "trusted",
        "save", "buy", "order", "compare", "review", "offer", "price", "lowest",
    ];

    // A tiny spinner vocabulary: each slot picks one synonym at random.
    private static readonly string[][] Spin =
    [
        ["excellent", "superb", "outstanding", "remarkable"], ["service", "solution", "provider", "company"],
        ["customers", "clients", "users", "buyers"], ["quickly", "rapidly", "swiftly", "speedily"],
        ["receive", "obtain", "acquire", "get"], ["results", "outcomes", "benefits", "rewards"],
    ];

    public static string Generate(SpamKind kind, int seed, string linkBase = "http://spam.example/")
    {
        var random = new Random(seed * 31 + (int)kind);
        string[] topic = Topics[random.Next(Topics.Length)];
        string keyword = topic[0];
        return kind switch
        {
            SpamKind.KeywordStuffing => Page($"{keyword} {keyword} - {Title(topic)} {keyword}", Stuffed(random, topic, 60), ""),
            SpamKind.LinkFarm => Page($"{Title(topic)} directory", $"<p>{Title(topic)} links</p>" + Links(random, topic, linkBase, 150 + random.Next(150)), ""),
            SpamKind.Doorway => Page($"{keyword} {Title(topic)} {keyword}",
                $"<h1>{keyword}</h1><p>{Sentence(random, topic, 12)}</p>" + Links(random, topic, linkBase, 90 + random.Next(40)),
                $"<meta http-equiv=\"refresh\" content=\"0;url={linkBase}landing\">"),
            SpamKind.HiddenText => Page(Title(topic), Article(random) + $"<div style=\"display:none\">{Stuffed(random, topic, 25)}</div>", ""),
            _ => Page(Title(topic), Spun(random, topic, 40), ""),
        };
    }

    private static string Title(string[] topic) => string.Join(" | ", topic);

    private static string Page(string title, string body, string head) =>
        $"<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>{title}</title>{head}" +
        $"<meta name=\"description\" content=\"{title}\"></head><body>{body}</body></html>";

    private static string Sentence(Random r, string[] topic, int words)
    {
        var sb = new StringBuilder();
        for (int i = 0; i < words; i++)
        {
            sb.Append(i % 3 == 0 ? topic[r.Next(topic.Length)] : Filler[r.Next(Filler.Length)]);
            sb.Append(i + 1 < words ? ' ' : '.');
        }
        return char.ToUpperInvariant(sb[0]) + sb.ToString()[1..];
    }

    private static string Stuffed(Random r, string[] topic, int sentences)
    {
        var sb = new StringBuilder();
        for (int i = 0; i < sentences / 6; i++)
        {
            sb.Append("<p>");
            for (int j = 0; j < 6; j++) sb.Append(Sentence(r, topic, 8 + r.Next(10))).Append(' ');
            sb.Append("</p>");
        }
        return sb.ToString();
    }

    private static string Links(Random r, string[] topic, string linkBase, int count)
    {
        var sb = new StringBuilder("<ul>");
        for (int i = 0; i < count; i++)
        {
            string anchor = $"{Filler[r.Next(Filler.Length)]} {topic[r.Next(topic.Length)]}";
            sb.Append($"<li><a href=\"{linkBase}{anchor.Replace(' ', '-')}-{i}\">{anchor}</a></li>");
        }
        return sb.Append("</ul>").ToString();
    }

    private static string Spun(Random r, string[] topic, int sentences)
    {
        var sb = new StringBuilder("<article>");
        for (int i = 0; i < sentences; i++)
        {
            if (i % 5 == 0) sb.Append("<p>");
            var words = new List<string>();
            foreach (var slot in Spin) words.Add(slot[r.Next(slot.Length)]);
            words.Insert(r.Next(words.Count), topic[r.Next(topic.Length)]);
            words.Insert(r.Next(words.Count), topic[0]);
            sb.Append(char.ToUpperInvariant(words[0][0])).Append(string.Join(' ', words)[1..]).Append(". ");
            if (i % 5 == 4) sb.Append("</p>");
        }
        return sb.Append("</article>").ToString();
    }

    private static readonly string[] Prose =
    [
        "The committee met on Tuesday to review the proposal, and most members agreed that the plan needed more work before a vote.",
        "Researchers have spent years studying how small changes in temperature affect the growth of plants in mountain regions.",
        "In the end, the decision came down to cost: the older bridge could be repaired for a fraction of the price of a new one.",
        "She remembered the house as it had been when she was a child, with a garden that seemed to go on forever.",
        "Local businesses say the new parking rules have made it harder for customers to stop by during the lunch hour.",
    ];

    /// <summary>An ordinary article, the visible cover for hidden-text spam.</summary>
    public static string Article(Random r)
    {
        var sb = new StringBuilder("<article><h1>Notes from the town meeting</h1>");
        for (int p = 0; p < 4; p++)
        {
            sb.Append("<p>");
            for (int s = 0; s < 3; s++) sb.Append(Prose[r.Next(Prose.Length)]).Append(' ');
            sb.Append("</p>");
        }
        return sb.Append("</article>").ToString();
    }
}
