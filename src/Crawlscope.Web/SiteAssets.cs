using System.Reflection;
using Microsoft.AspNetCore.Http;

namespace Crawlscope.Web;

/// <summary>The stylesheet, script and icon, embedded in the assembly and served from memory.</summary>
internal static class SiteAssets
{
    private static readonly Dictionary<string, (byte[] Bytes, string Type)> Assets = Load();

    public static IResult Get(string name) =>
        Assets.TryGetValue(name, out var asset) ? Results.Bytes(asset.Bytes, asset.Type) : Results.NotFound();

    private static Dictionary<string, (byte[], string)> Load()
    {
        var assembly = Assembly.GetExecutingAssembly();
        var result = new Dictionary<string, (byte[], string)>(StringComparer.Ordinal);
        const string prefix = "Crawlscope.Web.Assets.";
        foreach (var name in assembly.GetManifestResourceNames().Where(n => n.StartsWith(prefix, StringComparison.Ordinal)))
        {
            using var stream = assembly.GetManifestResourceStream(name)!;
            using var copy = new MemoryStream();
            stream.CopyTo(copy);
            string file = name[prefix.Length..];
            string type = Path.GetExtension(file) switch
            {
                ".css" => "text/css; charset=utf-8",
                ".js" => "text/javascript; charset=utf-8",
                ".svg" => "image/svg+xml",
                _ => "application/octet-stream",
            };
            result[file] = (copy.ToArray(), type);
        }
        return result;
    }
}
