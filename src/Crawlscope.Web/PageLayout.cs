namespace Crawlscope.Web;

/// <summary>The frame every page of the site shares: head, navigation, the lookup forms.</summary>
internal static class PageLayout
{
    internal static string Render(string title, Action<HtmlBuilder> body)
    {
        var h = new HtmlBuilder();
        h.Tag("!DOCTYPE html").Tag("html", ("lang", "en")).Tag("head")
            .Tag("meta", ("charset", "utf-8"))
            .Tag("meta", ("name", "viewport"), ("content", "width=device-width, initial-scale=1"))
            .Element("title", title)
            .Tag("link", ("rel", "stylesheet"), ("href", "/assets/site.css"))
            .Tag("link", ("rel", "icon"), ("href", "/assets/favicon.svg"), ("type", "image/svg+xml"))
            .Tag("script", ("src", "/assets/site.js"), ("defer", "defer")).End("script")
            .End("head").Tag("body")
            .Tag("header").Tag("h1").Text("🕷️ Crawler Inspector").End("h1")
            .Tag("nav").Link("/", "Inspect").Text(" ").Link("/indexing", "Page indexing").Text(" ").Link("/crawl-stats", "Crawl stats").Text(" ").Link("/overview", "Crawl overview").Text(" ").Link(ApiRoutes.ReferencePath, "API").End("nav")
            .End("header").Tag("main");
        body(h);
        h.End("main").End("body").End("html");
        return h.ToString();
    }

    /// <summary>The two lookup forms of the seed, filled with what was asked.</summary>
    internal static void LookupForms(HtmlBuilder h, string? url, int? shard, string? key)
    {
        h.Tag("section", ("class", "lookups"))
            .Tag("form", ("id", "url-lookup"), ("method", "get"), ("action", "/inspect"))
            .Element("h2", "URL Lookup")
            .Tag("label", ("for", "url")).Text("URL").End("label")
            .Tag("input", ("id", "url"), ("name", "url"), ("type", "text"), ("size", "80"), ("value", url), ("placeholder", "https://example.com/page"), ("required", "required"))
            .Element("button", "Inspect", ("type", "submit"))
            .End("form")
            .Tag("form", ("id", "direct-lookup"), ("method", "get"), ("action", "/inspect"))
            .Element("h2", "Direct Parameter Lookup")
            .Tag("label", ("for", "shard")).Text("Shard").End("label")
            .Tag("input", ("id", "shard"), ("name", "shard"), ("type", "number"), ("min", "0"), ("value", shard?.ToString(System.Globalization.CultureInfo.InvariantCulture)), ("required", "required"))
            .Tag("label", ("for", "key")).Text("Key (src_unparsed)").End("label")
            .Tag("input", ("id", "key"), ("name", "key"), ("type", "text"), ("size", "60"), ("value", key), ("required", "required"))
            .Element("button", "Look up", ("type", "submit"))
            .End("form")
            .End("section");
    }

    internal static string InspectHref(string url) => "/inspect?url=" + Uri.EscapeDataString(url);
}
