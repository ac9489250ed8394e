using System.IO.Compression;
using System.Text.Json;

namespace Crawlscope.Evaluation;

/// <summary>A labelled page of an extraction benchmark.</summary>
public sealed record LabelledPage(
    string Dataset,
    string Id,
    string Url,
    string HtmlPath,
    string? MainContent,
    string? PageType,
    IReadOnlyList<string> With,
    IReadOnlyList<string> Without,
    string? Title,
    string? Description)
{
    public byte[] ReadHtml()
    {
        using var gz = new GZipStream(File.OpenRead(HtmlPath), CompressionMode.Decompress);
        using var ms = new MemoryStream();
        gz.CopyTo(ms);
        return ms.ToArray();
    }
}

/// <summary>Readers for the three datasets in ../shared/datasets (layout described in their README).</summary>
public static class ExtractionDatasets
{
    public const string Scrapinghub = "scrapinghub", Wcxb = "wcxb", Trafilatura = "trafilatura";
    public static readonly string[] All = [Scrapinghub, Wcxb, Trafilatura];

    /// <summary>
    /// The validation part: pages whose host hashes (XxHash3 of the lower-case host, mod 10) to 7, 8 or 9, about
    /// 30 %. The block scorer is trained on the other pages of WCXB and trafilatura's set and never sees these; the
    /// split is by host so that no site's template is seen in training and scored in validation. Scrapinghub's pages
    /// are all held out.
    /// </summary>
    public static bool IsValidation(LabelledPage page) => HostBucket(page) >= 7;

    /// <summary>Which tenth of the hosts a page's host is in (0-9); buckets 5 and 6 are the tuning hosts
    /// (<c>train extraction --tuning</c> leaves them out, to choose the trainer's settings on them).</summary>
    public static int HostBucket(LabelledPage page) => (int)(HostHash(page, 0) % 10);

    /// <summary>XxHash3 of the page's lower-case host (its id when the URL has none) with the given seed.</summary>
    public static ulong HostHash(LabelledPage page, long seed)
    {
        string host = Uri.TryCreate(page.Url, UriKind.Absolute, out var uri) ? uri.Host.ToLowerInvariant() : page.Id;
        return System.IO.Hashing.XxHash3.HashToUInt64(System.Text.Encoding.UTF8.GetBytes(host), seed);
    }

    public static bool IsTuning(LabelledPage page) => HostBucket(page) is 5 or 6;

    public static IReadOnlyList<LabelledPage> Load(string datasetsRoot, string name) => name switch
    {
        Scrapinghub => LoadScrapinghub(Path.Combine(datasetsRoot, "article-extraction-benchmark")),
        Wcxb => LoadWcxb(Path.Combine(datasetsRoot, "wcxb")),
        Trafilatura => LoadTrafilatura(Path.Combine(datasetsRoot, "trafilatura-eval")),
        _ => throw new ArgumentException($"unknown dataset '{name}' (known: {string.Join(", ", All)})", nameof(name)),
    };

    private static IReadOnlyList<LabelledPage> LoadScrapinghub(string dir)
    {
        using var doc = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(dir, "ground-truth.json")));
        return doc.RootElement.EnumerateObject().OrderBy(p => p.Name, StringComparer.Ordinal).Select(p => new LabelledPage(
            Scrapinghub, p.Name, p.Value.GetProperty("url").GetString() ?? "", Path.Combine(dir, "html", p.Name + ".html.gz"),
            p.Value.TryGetProperty("articleBody", out var b) ? b.GetString() ?? "" : "", null, [], [], null, null)).ToList();
    }

    private static IReadOnlyList<LabelledPage> LoadWcxb(string dir)
    {
        var pages = new List<LabelledPage>();
        foreach (var file in Directory.GetFiles(Path.Combine(dir, "dev", "ground-truth"), "*.json").Order(StringComparer.Ordinal))
        {
            using var doc = JsonDocument.Parse(File.ReadAllBytes(file));
            var root = doc.RootElement;
            string id = Path.GetFileNameWithoutExtension(file);
            var gt = root.GetProperty("ground_truth");
            string? type = root.TryGetProperty("_internal", out var internals) && internals.TryGetProperty("page_type", out var pt) &&
                           pt.TryGetProperty("primary", out var primary) ? primary.GetString() : null;
            string url = root.TryGetProperty("url", out var u) ? u.GetString() ?? "" : "";
            pages.Add(new LabelledPage(Wcxb, id, url, Path.Combine(dir, "dev", "html", id + ".html.gz"),
                gt.TryGetProperty("main_content", out var mc) ? mc.GetString() ?? "" : "", type,
                Strings(gt, "with"), Strings(gt, "without"), gt.TryGetProperty("title", out var t) ? t.GetString() : null, null));
        }
        return pages;
    }

    private static IReadOnlyList<LabelledPage> LoadTrafilatura(string dir)
    {
        using var doc = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(dir, "evaldata.json")));
        return doc.RootElement.EnumerateObject().Select(p => new LabelledPage(
            Trafilatura, p.Value.GetProperty("file").GetString()!, p.Name, Path.Combine(dir, "html", p.Value.GetProperty("file").GetString()! + ".gz"),
            null, null, Strings(p.Value, "with"), Strings(p.Value, "without"),
            p.Value.TryGetProperty("title", out var t) ? t.GetString() : null,
            p.Value.TryGetProperty("description", out var d) ? d.GetString() : null)).ToList();
    }

    private static List<string> Strings(JsonElement e, string name) =>
        e.TryGetProperty(name, out var arr) && arr.ValueKind == JsonValueKind.Array
            ? arr.EnumerateArray().Select(x => x.GetString() ?? "").ToList()
            : [];
}
