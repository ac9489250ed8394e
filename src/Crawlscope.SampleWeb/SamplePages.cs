using System.IO.Compression;
using System.Net;
using System.Text;

namespace Crawlscope.SampleWeb;

/// <summary>The content of every sample URL, decided by host kind and path.</summary>
internal static class SamplePages
{
    internal static SampleResponse Respond(SampleHost site, string path, string query, int hit, SampleWebOptions options, int port)
    {
        var response = RespondCore(site, path, query, hit, options, port);
        if (options.TemplateBlocks <= 0 || !options.Broad || response.Status != 200 || response.ContentType?.StartsWith("text/html", StringComparison.Ordinal) != true)
            return response;
        var blocks = new StringBuilder(options.TemplateBlocks * 80);
        for (int i = 0; i < options.TemplateBlocks; i++)
            blocks.Append($"<div class=\"b{i % 7}\">Block {i} of {site.Name}{path}, found on no other page of any site.</div>");
        string html = Encoding.UTF8.GetString(response.Body);
        int end = html.LastIndexOf("</body>", StringComparison.Ordinal);
        return response with { Body = Encoding.UTF8.GetBytes(end < 0 ? html + blocks : html.Insert(end, blocks.ToString())) };
    }

    private static SampleResponse RespondCore(SampleHost site, string path, string query, int hit, SampleWebOptions options, int port)
    {
        string origin = $"http://{site.Name}:{port}";
        int n = options.PagesPerHost;
        if (path == "/robots.txt") return Robots(site, origin, options);
        if (site.Kind == SiteKind.ClientRendered) return ScriptedPages.ClientRendered(path, n);
        if (site.Kind == SiteKind.HostileScripts) return ScriptedPages.Hostile(path, options.ProbePort ?? port);
        if (path.StartsWith("/private/", StringComparison.Ordinal)) return SampleResponse.Html(200, Page("Private", "<p>robots.txt disallows this page.</p>", ""));
        if (path == "/") return Home(site, origin, n, port, options);
        if (options.HostilePages && path.StartsWith(HostilePrefix, StringComparison.Ordinal) && StallingPage(path[HostilePrefix.Length..]) is { } hostile)
            return SampleResponse.Html(200, hostile);
        if (path.StartsWith("/section/", StringComparison.Ordinal) || path is "/about" or "/contact")
            return SampleResponse.Html(200, Page($"{site.Name}: {path.Trim('/')}", $"<h1>{WebUtility.HtmlEncode(path.Trim('/'))}</h1><p><a href=\"/\">Home</a></p>", ""));
        if (path.StartsWith("/articles/", StringComparison.Ordinal) && int.TryParse(path["/articles/".Length..], out int a) && a >= 0 && a < n)
            return SampleResponse.Html(200, Article(site, origin, a, n, siteLinks: !options.Broad));
        if (path.StartsWith("/archive/", StringComparison.Ordinal) && int.TryParse(path["/archive/".Length..], out int archive) && archive >= 1 && archive * ListingSize < n)
            return Archive(site, archive, n);

        return site.Kind switch
        {
            SiteKind.News => News(site, origin, path, n),
            SiteKind.Errors => Errors(path, origin, hit),
            SiteKind.Files => Files(path),
            SiteKind.Spam when path.StartsWith("/spam/", StringComparison.Ordinal) => Spam(path, origin),
            SiteKind.Mirror when path.StartsWith("/copy/", StringComparison.Ordinal) && int.TryParse(path[6..], out int c) && c < n => Mirror(c, n, port),
            SiteKind.Recipes when path.StartsWith("/recipes/", StringComparison.Ordinal) => Recipe(path, origin),
            SiteKind.Forum when path.StartsWith("/calendar/", StringComparison.Ordinal) => Calendar(path),
            SiteKind.SeedArticle when path == SampleSites.SeedArticlePath => SeedArticle(origin),
            _ => SampleResponse.Html(404, Page("Not found", "<p>No such page.</p>", "")),
        };
    }

    private static SampleResponse Robots(SampleHost site, string origin, SampleWebOptions options)
    {
        var sb = new StringBuilder("User-agent: *\nDisallow: /private/\n");
        switch (site.Kind)
        {
            case SiteKind.Docs when site.Name.StartsWith("iota", StringComparison.Ordinal):
                return SampleResponse.Text(404, "no robots.txt here");
            case SiteKind.Slow when !options.Fast:
                sb.Append("Crawl-delay: 2\n");
                break;
            case SiteKind.Forum:
                sb.Append("Disallow: /search\n");
                break;
            case SiteKind.News:
                sb.Append($"Sitemap: {origin}/sitemap_index.xml\n");
                break;
        }
        sb.Append("\nUser-agent: BadBot\nDisallow: /\n");
        return SampleResponse.Text(200, sb.ToString());
    }

    private static string Page(string title, string body, string head) =>
        $"<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>{WebUtility.HtmlEncode(title)}</title>{head}</head><body>{body}</body></html>";

    private static SampleResponse Home(SampleHost site, string origin, int n, int port, SampleWebOptions options)
    {
        var sb = new StringBuilder($"<h1>{site.Name}</h1><ul>");
        ListArticles(sb, site, 0, Math.Min(n, ListingSize));
        sb.Append("</ul><p>Older articles: ");
        for (int page = 1; page * ListingSize < n; page++) sb.Append($"<a href=\"/archive/{page}\">{page}</a> ");
        sb.Append(options.Broad ? "</p><ul>" : "</p><p>Also: <a href=\"/private/report\">private report</a></p><ul>");
        foreach (var special in Specials(site.Kind, n)) sb.Append($"<li><a href=\"{special}\">{special}</a></li>");
        if (options.HostilePages && site == SampleSites.Hosts[0])
            foreach (var name in HostileNames) sb.Append($"<li><a href=\"{HostilePrefix}{name}\">{name}</a></li>");
        sb.Append("</ul><footer>Other sites: ");
        foreach (var other in Neighbours(site, options)) sb.Append($"<a href=\"http://{other}:{port}/\">{other}</a> ");
        sb.Append("</footer>");
        return SampleResponse.Html(200, Page($"{site.Name} home", sb.ToString(), ""));
    }

    private const string HostilePrefix = "/hostile/";
    private static readonly string[] HostileNames = ["million-paragraphs", "unclosed-tables"];

    /// <summary>The pages of the third hardening round's attack 1: 3 MB of a million unclosed &lt;p&gt;, and 80,000
    /// unclosed nested tables (extraction was quadratic in siblings and nesting).</summary>
    private static string? StallingPage(string name) => name switch
    {
        "million-paragraphs" => "<html><head><title>flat</title></head><body>" + new StringBuilder(3_000_000).Insert(0, "<p>", 1_000_000) + "</body></html>",
        "unclosed-tables" => "<html><head><title>tables</title></head><body>" + new StringBuilder(1_200_000).Insert(0, "<table><tr><td>x", 80_000) + "</body></html>",
        _ => null,
    };

    // A home page lists the first articles and links archive pages of the rest, as sites paginate, so no page of a
    // big sample web carries tens of thousands of links.
    private const int ListingSize = 1_000;

    private static void ListArticles(StringBuilder sb, SampleHost site, int from, int to)
    {
        for (int i = from; i < to; i++) sb.Append($"<li><a href=\"/articles/{i}\">{WebUtility.HtmlEncode(ArticlePages.Title(Seed(site, i)))}</a></li>");
    }

    private static SampleResponse Archive(SampleHost site, int page, int n)
    {
        var sb = new StringBuilder($"<h1>{site.Name}: archive {page}</h1><ul>");
        ListArticles(sb, site, page * ListingSize, Math.Min(n, (page + 1) * ListingSize));
        sb.Append("</ul><p><a href=\"/\">Home</a></p>");
        return SampleResponse.Html(200, Page($"{site.Name} archive {page}", sb.ToString(), ""));
    }

    /// <summary>The hosts a home page links: every hand-made host, or a generated host's ten children.</summary>
    private static IEnumerable<string> Neighbours(SampleHost site, SampleWebOptions options)
    {
        if (!options.Broad) return SampleSites.Hosts.Select(h => h.Name);
        long first = (long)SampleSites.GeneratedIndex(site.Name, options.Hosts)!.Value * SampleSites.GeneratedFanOut + 1;
        return Enumerable.Range(0, SampleSites.GeneratedFanOut).Select(k => first + k).Where(i => i < options.Hosts).Select(i => SampleSites.GeneratedName((int)i));
    }

    private static IEnumerable<string> Specials(SiteKind kind, int n) => kind switch
    {
        SiteKind.News => ["/articles/1?utm_source=newsletter&utm_medium=email", "/articles/1?fbclid=abc123", "/print/2", "/old/2", "/noindex-meta", "/noindex-header", "/gone-soon"],
        SiteKind.Errors => ["/missing", "/gone", "/broken", "/busy", "/rate-limited", "/loop/a", "/chain/1", "/slow-timeout", "/soft-missing", "/produkt-entfernt",
            "/guides/fixing-404-pages"],
        SiteKind.Files => ["/files/report.pdf", "/files/data.json", "/image.png", "/huge", "/latin1", "/wrong-charset", "/gzip-page", "/hostile"],
        SiteKind.Spam => Enum.GetValues<SpamKind>().SelectMany(k => new[] { $"/spam/{k}/1", $"/spam/{k}/2" }),
        SiteKind.Mirror => Enumerable.Range(0, Math.Min(n, 5)).Select(i => $"/copy/{i}"),
        SiteKind.Recipes => ["/recipes/1", "/recipes/1/print", "/recipes/2", "/recipes/2/print"],
        SiteKind.Forum => ["/calendar/2026/1", "/search?q=crawler"],
        SiteKind.SeedArticle => [SampleSites.SeedArticlePath],
        _ => [],
    };

    private static int Seed(SampleHost site, int i) => (Math.Abs(StableHash(site.Name)) % 997) * 100 + i;

    private static int StableHash(string s)
    {
        unchecked
        {
            int h = 17;
            foreach (char c in s) h = h * 31 + c;
            return h;
        }
    }

    private static string Article(SampleHost site, string origin, int i, int n, bool siteLinks = true)
    {
        var links = Enumerable.Range(1, 6).Select(k => ($"/articles/{(i + k) % n}", ArticlePages.Title(Seed(site, (i + k) % n)))).ToList();
        return ArticlePages.Generate(Seed(site, i), site.Name, links, $"<link rel=\"canonical\" href=\"{origin}/articles/{i}\">", siteLinks: siteLinks);
    }

    private static SampleResponse News(SampleHost site, string origin, string path, int n)
    {
        if (path.StartsWith("/print/", StringComparison.Ordinal) && int.TryParse(path[7..], out int p) && p < n)
            return SampleResponse.Html(200, ArticlePages.Generate(Seed(site, p) + 50_000, site.Name, [], $"<link rel=\"canonical\" href=\"{origin}/articles/{p}\">"));
        if (path.StartsWith("/old/", StringComparison.Ordinal)) return SampleResponse.Redirect(301, "/moved/" + path[5..]);
        if (path.StartsWith("/moved/", StringComparison.Ordinal)) return SampleResponse.Redirect(302, $"{origin}/articles/{path[7..]}");
        if (path == "/noindex-meta")
            return SampleResponse.Html(200, Page("Hidden from search", "<p>This page asks not to be indexed.</p>", "<meta name=\"robots\" content=\"noindex, follow\">"));
        if (path == "/noindex-header")
            return SampleResponse.Html(200, Page("Header noindex", "<p>This page is noindex by header.</p>", ""), ("X-Robots-Tag", "noindex"));
        if (path == "/gone-soon") return SampleResponse.Html(410, Page("Gone", "<p>Removed.</p>", ""));
        if (path == "/sitemap_index.xml")
            return SampleResponse.Text(200, $"<?xml version=\"1.0\"?><sitemapindex xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\"><sitemap><loc>{origin}/sitemap-1.xml.gz</loc></sitemap></sitemapindex>", "application/xml");
        if (path == "/sitemap-1.xml.gz")
        {
            var xml = new StringBuilder("<?xml version=\"1.0\"?><urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">");
            for (int i = 0; i < n; i++) xml.Append($"<url><loc>{origin}/articles/{i}</loc></url>");
            xml.Append($"<url><loc>{origin}/sitemap-only</loc></url></urlset>");
            using var ms = new MemoryStream();
            using (var gz = new GZipStream(ms, CompressionLevel.Fastest, leaveOpen: true)) gz.Write(Encoding.UTF8.GetBytes(xml.ToString()));
            return new SampleResponse(200, ms.ToArray(), "application/gzip", []);
        }
        if (path == "/sitemap-only") return SampleResponse.Html(200, Page("Only in the sitemap", "<p>No page links here; the sitemap does.</p>", ""));
        return SampleResponse.Html(404, Page("Not found", "<p>No such page.</p>", ""));
    }

    private static SampleResponse Errors(string path, string origin, int hit) => path switch
    {
        "/missing" => SampleResponse.Html(404, Page("Not found", "<p>Missing.</p>", "")),
        "/gone" => SampleResponse.Html(410, Page("Gone", "<p>Gone for good.</p>", "")),
        "/broken" => SampleResponse.Html(500, Page("Error", "<p>Server error.</p>", "")),
        "/busy" when hit <= 2 => new SampleResponse(503, Encoding.UTF8.GetBytes("busy"), "text/plain", [("Retry-After", "1")]),
        "/busy" => SampleResponse.Html(200, Page("Busy page, finally served", "<p>Served after two 503 answers with Retry-After.</p>", "")),
        "/rate-limited" when hit <= 1 => new SampleResponse(429, Encoding.UTF8.GetBytes("slow down"), "text/plain", [("Retry-After", "1")]),
        "/rate-limited" => SampleResponse.Html(200, Page("Rate limited page", "<p>Served after a 429.</p>", "")),
        "/loop/a" => SampleResponse.Redirect(302, "/loop/b"),
        "/loop/b" => SampleResponse.Redirect(302, "/loop/a"),
        "/slow-timeout" => SampleResponse.Html(200, Page("Slow", "<p>slow</p>", "")) with { Delay = TimeSpan.FromSeconds(6) },
        // Soft 404s: "not found" answered 200, in English and in German; and an article about 404 pages, which is not one.
        "/soft-missing" => SampleResponse.Html(200, Page("Page not found", "<p>Sorry, we could not find that page. Try the search box above.</p>", "")),
        "/produkt-entfernt" => SampleResponse.Html(200, Page("Seite nicht gefunden", "<p>Dieses Produkt gibt es nicht mehr.</p>", "")),
        "/guides/fixing-404-pages" => SampleResponse.Html(200, Page("How to fix 404 not found errors",
            string.Concat(Enumerable.Range(1, 12).Select(i => $"<p>Step {i}: a server answers 404 when a path names nothing it has; a good error page " +
                "keeps the visitor on the site with a search box, links to the sections and a short apology, and is served with the 404 status so that " +
                "crawlers do not keep it as a page of its own.</p>")), "")),
        _ when path.StartsWith("/chain/", StringComparison.Ordinal) && int.TryParse(path[7..], out int step) =>
            step < 8 ? SampleResponse.Redirect(301, $"{origin}/chain/{step + 1}") : SampleResponse.Html(200, Page("End of chain", "<p>end</p>", "")),
        _ => SampleResponse.Html(404, Page("Not found", "<p>No such page.</p>", "")),
    };

    private static SampleResponse Files(string path)
    {
        switch (path)
        {
            case "/files/report.pdf": return new SampleResponse(200, Encoding.ASCII.GetBytes("%PDF-1.4\n%sample\n"), "application/pdf", []);
            case "/files/data.json": return SampleResponse.Text(200, "{\"sample\": true}", "application/json");
            case "/image.png": return new SampleResponse(200, [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 0], "image/png", []);
            case "/huge":
            {
                var sb = new StringBuilder("<!DOCTYPE html><html><head><title>Huge page</title></head><body>", 12 * 1024 * 1024 + 100);
                string para = "<p>" + string.Concat(Enumerable.Repeat("This page is far larger than the body cap. ", 20)) + "</p>";
                while (sb.Length < 12 * 1024 * 1024) sb.Append(para);
                sb.Append("</body></html>");
                return SampleResponse.Html(200, sb.ToString());
            }
            case "/latin1":
                return new SampleResponse(200, Encoding.Latin1.GetBytes(Page("Café crème", "<p>Déjà vu à la française: crème brûlée.</p>", "")), "text/html; charset=iso-8859-1", []);
            case "/wrong-charset":
                // The header says nothing; the first meta says UTF-8 (the page template's), a later one windows-1252; the bytes are windows-1252.
                return new SampleResponse(200, Encoding.Latin1.GetBytes(Page("Naïve résumé", "<p>Naïve résumé with façade.</p>", "<meta charset=\"windows-1252\">")), "text/html", []);
            case "/hostile":
                return SampleResponse.Html(200, HostilePage);
            case "/gzip-page":
                return SampleResponse.Html(200, Page("Compressed page", "<p>Sent with gzip content encoding.</p>", "")) with { Gzip = true };
            default:
                return SampleResponse.Html(404, Page("Not found", "<p>No such file.</p>", ""));
        }
    }

    /// <summary>
    /// A page whose title, description, text, links and Markdown carry script, event handlers and javascript:
    /// links, each setting window.__xss when it runs: the inspector must show it all as inert text.
    /// </summary>
    internal const string HostilePage = """
        <!DOCTYPE html><html><head>
        <title><script>window.__xss='title'</script>"><img src=x onerror="window.__xss='title-img'"></title>
        <meta name="description" content="&quot;&gt;&lt;script&gt;window.__xss='description'&lt;/script&gt;&lt;img src=x onerror=&quot;window.__xss='description-img'&quot;&gt; &#x1b;[2J&#x1b;]0;terminal title&#x07; escape sequences">
        </head><body><article>
        <h1>Hostile &lt;script&gt;window.__xss='heading'&lt;/script&gt; page</h1>
        <p>This paragraph carries markup as text: &lt;img src=x onerror="window.__xss='text'"&gt; and &lt;script&gt;window.__xss='text-script'&lt;/script&gt;.
        It is long enough to count as the main text of the page, so that every extractor keeps it and the inspector shows it.</p>
        <p>Links: <a href="javascript:window.__xss='link'">a javascript: link</a>,
        <a href="JaVaScRiPt:window.__xss='link-case'">a mixed-case one</a>,
        <a href="data:text/html,<script>window.__xss='data'</script>">a data: link</a>,
        <a href="/articles/0?q=&quot;&gt;&lt;svg onload=window.__xss='url'&gt;" onclick="window.__xss='onclick'">a quoted query</a>.</p>
        <p onmouseover="window.__xss='handler'">Markdown that tries HTML: <b>bold</b> and [a link](javascript:window.__xss='md-link') and ![img](x" onerror="window.__xss='md-img').</p>
        <script>window.__xss='inline'</script>
        </article></body></html>
        """;

    private static SampleResponse Spam(string path, string origin)
    {
        var parts = path.Split('/', StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length == 3 && Enum.TryParse<SpamKind>(parts[1], out var kind) && int.TryParse(parts[2], out int seed))
            // Link farms point away from the sample web's domains, so a site-scoped crawl does not follow them.
            return SampleResponse.Html(200, SpamPages.Generate(kind, seed, "http://spam-target.example/"));
        return SampleResponse.Html(404, Page("Not found", "<p>No such page.</p>", ""));
    }

    private static SampleResponse Mirror(int i, int n, int port)
    {
        // The same article as www.alpha-news.test, pointing there as canonical: an exact duplicate on another host.
        var alpha = SampleSites.Hosts[0];
        string html = Article(alpha, $"http://{alpha.Name}:{port}", i, n);
        return SampleResponse.Html(200, html);
    }

    private static SampleResponse Recipe(string path, string origin)
    {
        var parts = path.Split('/', StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length < 2 || !int.TryParse(parts[1], out int r)) return SampleResponse.Html(404, Page("Not found", "", ""));
        bool print = parts.Length == 3 && parts[2] == "print";
        var steps = new StringBuilder("<ol>");
        string[] actions = ["Chop the onions finely and soften them in butter", "Add the rice and stir until it shines", "Pour in the stock a ladle at a time",
            "Stir often and let each ladle soak in before the next", "Fold in the cheese and rest the pot for two minutes", "Season and serve at once on warm plates"];
        foreach (var a in actions) steps.Append($"<li>{a} (recipe {r}).</li>");
        steps.Append("</ol>");
        string intro = $"<p>This risotto number {r} is the one our family makes every winter, slowly, with a good stock and patience.</p>";
        string body = $"<article><h1>Winter risotto {r}</h1>{intro}{steps}{(print ? "<p>Printed from the recipe box.</p>" : "")}</article>";
        return SampleResponse.Html(200, Page($"Winter risotto {r}", body, ""));
    }

    private static SampleResponse Calendar(string path)
    {
        // An endless calendar: every month links to the next one, forever (a spider trap).
        var parts = path.Split('/', StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length != 3 || !int.TryParse(parts[1], out int year) || !int.TryParse(parts[2], out int month) || month is < 1 or > 12)
            return SampleResponse.Html(404, Page("Not found", "", ""));
        int nextYear = month == 12 ? year + 1 : year, nextMonth = month == 12 ? 1 : month + 1;
        return SampleResponse.Html(200, Page($"Events {year}-{month:00}", $"<p>No events this month.</p><a href=\"/calendar/{nextYear}/{nextMonth}\">Next month</a>", ""));
    }

    private static SampleResponse SeedArticle(string origin)
    {
        string body = """
            <header><nav><a href="/blog/">Blog</a> <a href="/courses/">Courses</a> <a href="/about-us/">About us</a></nav></header>
            <article><h1>Understanding Python Global Interpreter Lock (GIL)</h1>
            <p><strong>Summary:</strong> The Global Interpreter Lock lets only one thread run Python bytecode at a time in CPython. This article explains why it exists, what it costs multi-threaded programs, and how to work around it.</p>
            <h2>What is the GIL?</h2>
            <p>CPython manages memory with reference counts. Updating a count from two threads at once could corrupt it, so the interpreter protects its internals with a single lock that a thread must hold to run bytecode.</p>
            <h2>What it means for your programs</h2>
            <p>Threads still help when a program waits on the network or the disk, because a thread that blocks on I/O gives the lock up. Code that keeps the processor busy in pure Python does not get faster with more threads.</p>
            <h2>Ways around it</h2>
            <ul><li>Use the <code>multiprocessing</code> module to spread work over processes.</li><li>Use <code>asyncio</code> for many concurrent I/O tasks.</li><li>Move hot loops into C extensions that release the lock.</li></ul>
            <p>Recent work on a build of CPython without the lock (PEP 703) may change the picture in future releases.</p>
            </article>
            <footer><p>© Pickl sample 2026</p></footer>
            """;
        return SampleResponse.Html(200, Page("Understanding Python Global Interpreter Lock (GIL) - Pickl.AI", body,
            "<meta name=\"description\" content=\"Explore the Python Global Interpreter Lock (GIL): what it is, what it costs, and how to work around it.\">"));
    }
}
