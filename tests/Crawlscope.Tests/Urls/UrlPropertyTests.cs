using System.Text;
using Crawlscope.Urls;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;

namespace Crawlscope.Tests.Urls;

/// <summary>
/// Property tests over generated URLs: the key parses back to the normalised URL, normalisation is idempotent,
/// and no input at all makes the parser, normaliser or key reader throw.
/// </summary>
public class UrlPropertyTests
{
    private static readonly UrlKeyer Keyer = new(PublicSuffixListTests.EmbeddedList(), UrlNormalizer.Default);

    [Property(MaxTest = 3000, Arbitrary = [typeof(UrlArbitraries)])]
    public bool Key_RoundTripsToNormalizedUrl(CrawlableUrl url)
    {
        if (!Keyer.TryIdentify(url.Text, out var id, out _)) return true; // generator may produce invalid hosts
        WebUrl back = id.Key.ToUrl();
        return back.Href == id.Normalized.Href && Keyer.Identify(back).Key == id.Key && Keyer.Locate(id.Key).Shard == id.Shard;
    }

    [Fact]
    public void Generator_MostUrlsAreCrawlable_SoPropertiesAreNotVacuous()
    {
        var sample = UrlArbitraries.Urls().Generator.Sample(20, 2000);
        int ok = sample.Count(u => Keyer.TryIdentify(u.Text, out _, out _));
        Assert.True(ok > sample.Length * 9 / 10, $"only {ok}/{sample.Length} generated URLs were crawlable");
    }

    [Property(MaxTest = 3000, Arbitrary = [typeof(UrlArbitraries)])]
    public bool Normalize_IsIdempotent(CrawlableUrl url)
    {
        if (!UrlNormalizer.Default.TryNormalize(url.Text, out var once, out _)) return true;
        return UrlNormalizer.Default.TryNormalize(once.Href, out var twice, out _) && twice.Href == once.Href;
    }

    [Property(MaxTest = 3000, Arbitrary = [typeof(UrlArbitraries)])]
    public bool Key_SortsSitePagesTogether(CrawlableUrl url)
    {
        if (!Keyer.TryIdentify(url.Text, out var id, out _)) return true;
        string prefix = id.Key.Value[..(id.Key.Value.IndexOf('!') + 1)];
        return Keyer.TryIdentify(url.SiblingOnSameSite(), out var sibling, out _) && sibling.Key.Value.StartsWith(prefix, StringComparison.Ordinal);
    }

    [Property(MaxTest = 5000)]
    public bool AnyString_NeverThrows(string input, string relative)
    {
        WebUrl.TryParse(input, null, out var baseUrl, out _);
        WebUrl.TryParse(relative, baseUrl, out _, out _);
        Keyer.TryIdentify(input ?? "", out _, out _);
        UrlKey.TryParse(input, out var key);
        if (UrlKey.TryParse(input, out key)) _ = SafeToUrl(key);
        return true;
    }

    [Fact]
    public void HugeAndOddInputs_NeverThrow()
    {
        string[] inputs =
        [
            "http://" + new string('a', 10_000_000) + ".com/",
            "http://example.com/" + new string('/', 1_000_000),
            "http://example.com/" + string.Concat(Enumerable.Repeat("../", 100_000)),
            "http://[" + new string(':', 100_000) + "]/",
            "http://0x" + new string('f', 100_000) + "/",
            "http://example.com/?" + new string('&', 1_000_000),
            "http://\uD800\uDC00\uD800.com/\uDFFF",
            "http://xn--" + new string('-', 5000) + ".com/",
            "http://%" + new string('%', 5000) + "/",
        ];
        foreach (var input in inputs)
        {
            Keyer.TryIdentify(input, out _, out _);
            WebUrl.TryParse(input, null, out _, out _);
        }
    }

    [Fact]
    public void RandomBytes_NeverThrow()
    {
        var random = new Random(20261125);
        var buffer = new byte[256];
        for (int i = 0; i < 20_000; i++)
        {
            random.NextBytes(buffer);
            int length = random.Next(buffer.Length);
            string s = Encoding.UTF8.GetString(buffer, 0, length);
            string withPrefix = (i % 3) switch { 0 => "http://" + s, 1 => "https://x.com/" + s, _ => s };
            Keyer.TryIdentify(withPrefix, out _, out _);
            UrlKey.TryParse(s, out _);
        }
    }

    private static WebUrl? SafeToUrl(UrlKey key)
    {
        // A syntactically valid key may still name an invalid host; that is a FormatException, never anything else.
        try
        {
            return key.ToUrl();
        }
        catch (FormatException)
        {
            return null;
        }
    }
}

public sealed record CrawlableUrl(string Scheme, string[] SubLabels, string Site, int? Port, string Path, string? Query, string? Fragment)
{
    public string Text => $"{Scheme}://{Host}{(Port is null ? "" : ":" + Port)}{Path}{(Query is null ? "" : "?" + Query)}{(Fragment is null ? "" : "#" + Fragment)}";
    private string Host => SubLabels.Length == 0 || Site.StartsWith('[') || char.IsAsciiDigit(Site[0]) ? Site : string.Join('.', SubLabels) + "." + Site;
    public string SiblingOnSameSite() => $"{Scheme}://{Host}/other?page=2";
    public override string ToString() => Text;
}

public static class UrlArbitraries
{
    private static readonly string[] Sites =
    [
        "example.com", "pickl.ai", "example.co.uk", "foo.github.io", "bücher.de", "例え.jp", "EXAMPLE.ORG", "a-b.net",
        "127.0.0.1", "10.1.2.3", "[::1]", "[2001:db8::7]", "localhost", "test.example", "xn--bcher-kva.de", "sub.kobe.jp",
    ];
    private static readonly string[] Labels = ["www", "a", "b", "blog", "m", "WWW", "x-y", "ü", "123", "_dmarc"];
    private static readonly string[] PathPieces =
    [
        "", "a", "b.html", ".", "..", "%2e", "%2E%2e", "%7E", "%7e", "~user", "%41", "%2F", "%3f", "€", "a b", "%zz", "%",
        "ü", "q&a", "x;y", "=", "*", "'", "\"", "<", "{", "^", "|", "\\", "@", ":",
    ];
    private static readonly string[] QueryPieces =
    [
        "a=1", "b=2", "utm_source=x", "UTM_Medium=y", "gclid=z", "fbclid=1", "mc_cid=2", "mc_eid=3", "q=%e2%82%ac", "x", "",
        "k=a+b", "k=a%20b", "k='x'", "z=%7e", "c=%3D",
    ];

    public static Arbitrary<CrawlableUrl> Urls()
    {
        var gen =
            from scheme in Gen.Elements("http", "https", "HTTP", "hTTps")
            from subCount in Gen.Choose(0, 3)
            from sub in Gen.Elements(Labels).ArrayOf(subCount)
            from site in Gen.Elements(Sites)
            from port in Gen.OneOf(Gen.Constant<int?>(null), Gen.Elements<int?>(80, 443, 8080, 1, 65535))
            from pathCount in Gen.Choose(0, 5)
            from path in Gen.Elements(PathPieces).ArrayOf(pathCount)
            from hasQuery in Gen.Elements(true, false)
            from queryCount in Gen.Choose(0, 4)
            from query in Gen.Elements(QueryPieces).ArrayOf(queryCount)
            from fragment in Gen.Elements<string?>(null, "", "top", "a b")
            select new CrawlableUrl(scheme, sub, site, port, "/" + string.Join('/', path), hasQuery ? string.Join('&', query) : null, fragment);
        return gen.ToArbitrary();
    }
}
