using System.Net;
using System.Text;
using System.Text.Json;

namespace Crawlscope.SampleWeb;

/// <summary>
/// Sites whose pages scripts build in the browser. The client-rendered site sends empty shells whose articles
/// arrive as JSON (its article links exist only after rendering) beside server-rendered sections; the hostile one
/// sends shells whose scripts try to reach loopback and private addresses, redirect a request there, never finish
/// loading, loop forever, eat memory, open popups and flood requests.
/// </summary>
public static class ScriptedPages
{
    /// <summary>The article text the JSON of client-rendered article <paramref name="n"/> carries (the test's truth).</summary>
    public static IReadOnlyList<string> ArticleParagraphs(int n)
    {
        var random = new Random(7919 * (n + 1));
        string subject = ArticlePages.Subject(n);
        return Enumerable.Range(0, 6).Select(_ => string.Join(' ', Enumerable.Range(0, 4).Select(_ => ArticlePages.Sentence(random.Next(), subject)))).ToList();
    }

    public static string ArticleTitle(int n) => "App story: " + ArticlePages.Title(n);

    /// <summary>The hostile site's pages, each a shell whose script does one bad thing.</summary>
    public static readonly IReadOnlyList<string> HostilePaths = ["/probe", "/redirect-probe", "/busy", "/never", "/hog", "/popup", "/flood"];

    internal static SampleResponse ClientRendered(string path, int n)
    {
        if (path == "/app.js") return SampleResponse.Text(200, AppScript, "text/javascript; charset=utf-8");
        if (path == "/api/articles")
            return Json(Enumerable.Range(0, n).Select(i => new { href = $"/articles/{i}", title = ArticleTitle(i) }));
        if (path.StartsWith("/api/articles/", StringComparison.Ordinal) && int.TryParse(path["/api/articles/".Length..], out int a) && a >= 0 && a < n)
            return Json(new { title = ArticleTitle(a), paragraphs = ArticleParagraphs(a), related = new[] { $"/articles/{(a + 1) % n}" } });
        if (path is "/" or "/latest" || (path.StartsWith("/articles/", StringComparison.Ordinal) && int.TryParse(path["/articles/".Length..], out int s) && s >= 0 && s < n))
            return SampleResponse.Html(200, Shell("App news", "<script src=\"/app.js\"></script>"));
        // A server-rendered section of the same site: never a shell, so never rendered in auto.
        if (path is "/about" or "/contact")
            return SampleResponse.Html(200, $"<!DOCTYPE html><html lang=\"en\"><head><title>About app news</title></head><body><h1>About</h1>" +
                $"<p>{string.Join(' ', ArticleParagraphs(1000))}</p><p><a href=\"/\">Home</a> <a href=\"/about\">About</a> <a href=\"/contact\">Contact</a> " +
                "<a href=\"/latest\">Latest</a> <a href=\"/articles/0\">First story</a></p></body></html>");
        return SampleResponse.Html(404, "<html><head><title>Not found</title></head><body><p>No such page.</p></body></html>");
    }

    // The single-page app: its router reads the path, fetches JSON and builds the page. Links are real anchors.
    private const string AppScript = """
        (async () => {
          const root = document.getElementById('root');
          const path = location.pathname;
          const el = (tag, text) => { const e = document.createElement(tag); e.textContent = text; return e; };
          const link = (href, text) => { const a = el('a', text); a.href = href; return a; };
          if (path === '/' || path === '/latest') {
            const list = await (await fetch('/api/articles')).json();
            root.appendChild(el('h1', 'App news: every story'));
            const ul = document.createElement('ul');
            for (const item of list) { const li = document.createElement('li'); li.appendChild(link(item.href, item.title)); ul.appendChild(li); }
            root.appendChild(ul);
            root.appendChild(link('/about', 'About'));
          } else {
            const n = path.split('/').pop();
            const story = await (await fetch('/api/articles/' + n)).json();
            document.title = story.title;
            const article = document.createElement('article');
            article.appendChild(el('h1', story.title));
            for (const p of story.paragraphs) article.appendChild(el('p', p));
            root.appendChild(article);
            const nav = document.createElement('nav');
            for (const r of story.related) nav.appendChild(link(r, 'Next story'));
            nav.appendChild(link('/', 'All stories'));
            root.appendChild(nav);
          }
        })();
        """;

    internal static SampleResponse Hostile(string path, int probePort)
    {
        string forbidden = $"http://127.0.0.1:{probePort}";
        return path switch
        {
            "/" => SampleResponse.Html(200, "<!DOCTYPE html><html lang=\"en\"><head><title>Scripts that misbehave</title></head><body><h1>Scripts that misbehave</h1>" +
                "<p>Each page below is an empty shell whose script tries something a renderer must not allow.</p><ul>" +
                string.Concat(HostilePaths.Select(p => $"<li><a href=\"{p}\">{p.Trim('/')}</a></li>")) + "</ul></body></html>"),
            "/probe" => Script($$"""
                const targets = ['{{forbidden}}/secret', 'http://localhost:{{probePort}}/secret', 'http://[::1]:{{probePort}}/secret',
                  'http://10.0.0.1/', 'http://169.254.169.254/latest/meta-data/', 'http://192.168.1.1/'];
                for (const t of targets) { fetch(t).catch(() => {}); }
                const img = new Image(); img.src = '{{forbidden}}/pixel.png';
                try { new WebSocket('ws://127.0.0.1:{{probePort}}/socket'); } catch (e) {}
                const frame = document.createElement('iframe'); frame.src = '{{forbidden}}/frame'; document.body.appendChild(frame);
                document.getElementById('root').textContent = 'The probe ran.';
                """),
            "/redirect-probe" => Script("fetch('/bounce').then(r => r.text()).then(t => { document.getElementById('root').textContent = 'bounced: ' + t; }).catch(() => {});"),
            "/bounce" => SampleResponse.Redirect(302, $"{forbidden}/secret"),
            "/busy" => Script("while (true) {}"),
            "/never" => SampleResponse.Html(200, Shell("Never loads", "<script src=\"/slow.js\"></script>")),
            "/slow.js" => SampleResponse.Text(200, "document.getElementById('root').textContent = 'late';", "text/javascript") with { Delay = TimeSpan.FromSeconds(60) },
            "/hog" => Script("const keep = []; while (true) { keep.push(new Array(1000000).fill(keep.length)); }"),
            "/popup" => Script($"window.open('{forbidden}/popup'); alert('hello'); confirm('sure?'); location.href = '{forbidden}/moved';"),
            "/flood" => Script("for (let i = 0; i < 3000; i++) { fetch('/item?i=' + i).catch(() => {}); } document.getElementById('root').textContent = 'flooded';"),
            "/item" => SampleResponse.Text(200, "{}", "application/json"),
            _ => SampleResponse.Html(404, "<html><head><title>Not found</title></head><body><p>No such page.</p></body></html>"),
        };
    }

    private static SampleResponse Script(string script) => SampleResponse.Html(200, Shell("Scripted", $"<script>{script}</script>"));

    private static string Shell(string title, string scripts) =>
        $"<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>{WebUtility.HtmlEncode(title)}</title></head><body>" +
        $"<noscript>You need to enable JavaScript to run this app.</noscript><div id=\"root\"></div>{scripts}</body></html>";

    private static SampleResponse Json(object value) =>
        new(200, Encoding.UTF8.GetBytes(JsonSerializer.Serialize(value)), "application/json; charset=utf-8", []);
}
