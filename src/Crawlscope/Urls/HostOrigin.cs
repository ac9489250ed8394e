namespace Crawlscope.Urls;

/// <summary>
/// A URL's scheme, host and port: what robots.txt, politeness and sitemaps are per. <see cref="Href"/> is the
/// origin as written in URLs (the default port left out); <see cref="Key"/> names it with its port always, as the
/// robots table is keyed.
/// </summary>
internal readonly record struct HostOrigin(string Scheme, string Host, int? Port, int EffectivePort)
{
    public static HostOrigin Of(WebUrl url) => new(url.Scheme, url.Host, url.Port, url.EffectivePort);

    public string Href => $"{Scheme}://{Host}{(Port is null ? "" : ":" + Port)}";

    public string Key => $"{Scheme}://{Host}:{EffectivePort}";

    /// <summary>A path on this origin (<c>/robots.txt</c>, <c>/sitemap.xml</c>).</summary>
    public string Url(string path) => Href + path;

    public override string ToString() => Href;
}
