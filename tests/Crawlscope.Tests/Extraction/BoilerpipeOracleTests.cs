using System.Diagnostics;
using System.IO.Compression;
using System.Text;
using AngleSharp.Html.Parser;
using Crawlscope.Extraction.Boilerpipe;
using Crawlscope.Tests.Support;
using Xunit.Abstractions;

namespace Crawlscope.Tests.Extraction;

/// <summary>
/// Our boilerpipe against the original: Debian's libboilerpipe-java (boilerpipe 1.2.0) runs through a small
/// Java harness on the 181 pages of the Scrapinghub benchmark, and the two outputs must agree (mean
/// token-level F1 at least 0.95).
/// </summary>
public class BoilerpipeOracleTests(ITestOutputHelper output)
{
    [SkippableTheory]
    [InlineData("article", BoilerpipeMode.Article)]
    [InlineData("default", BoilerpipeMode.Default)]
    public void Scrapinghub181_AgreesWithJavaOriginal(string javaMode, BoilerpipeMode mode)
    {
        string htmlDir = SharedData.Find("datasets/article-extraction-benchmark/html");
        var oracle = JavaBoilerpipe.Run(javaMode, Directory.GetFiles(htmlDir, "*.html.gz").Order().ToArray(), output);
        if (oracle is null) return;

        var parser = new HtmlParser();
        double sumF1 = 0;
        int exact = 0;
        var worst = new List<(string Name, double F1)>();
        foreach (var (name, expected) in oracle)
        {
            string html = Encoding.UTF8.GetString(Gunzip(Path.Combine(htmlDir, name)));
            string ours = BoilerpipeExtractor.Extract(parser.ParseDocument(html), mode);
            double f1 = TokenF1(expected, ours);
            sumF1 += f1;
            if (Tokens(expected).SequenceEqual(Tokens(ours))) exact++;
            worst.Add((name, f1));
        }
        double mean = sumF1 / oracle.Count;
        string summary = $"boilerpipe {javaMode} vs Java boilerpipe 1.2.0 on {oracle.Count} Scrapinghub pages: mean token F1 {mean:F4}, identical {exact}";
        output.WriteLine(summary);
        Console.WriteLine(summary);
        foreach (var (name, f1) in worst.OrderBy(w => w.F1).Take(10)) output.WriteLine($"  {name}: {f1:F3}");
        Assert.Equal(181, oracle.Count);
        Assert.True(mean >= 0.95, summary);
    }

    internal static byte[] Gunzip(string path)
    {
        using var gz = new GZipStream(File.OpenRead(path), CompressionMode.Decompress);
        using var ms = new MemoryStream();
        gz.CopyTo(ms);
        return ms.ToArray();
    }

    internal static List<string> Tokens(string s)
    {
        var tokens = new List<string>();
        var sb = new StringBuilder();
        foreach (var rune in s.EnumerateRunes())
        {
            if (Rune.IsLetterOrDigit(rune) || rune.Value == '_') sb.Append(rune.ToString());
            else if (sb.Length > 0) { tokens.Add(sb.ToString()); sb.Clear(); }
        }
        if (sb.Length > 0) tokens.Add(sb.ToString());
        return tokens;
    }

    /// <summary>Bag-of-tokens F1 between two texts (1 when both are empty).</summary>
    internal static double TokenF1(string expected, string actual)
    {
        var e = Tokens(expected).GroupBy(t => t).ToDictionary(g => g.Key, g => g.Count());
        var a = Tokens(actual).GroupBy(t => t).ToDictionary(g => g.Key, g => g.Count());
        int ne = e.Values.Sum(), na = a.Values.Sum();
        if (ne == 0 && na == 0) return 1;
        if (ne == 0 || na == 0) return 0;
        int overlap = e.Sum(kv => Math.Min(kv.Value, a.GetValueOrDefault(kv.Key)));
        if (overlap == 0) return 0;
        double p = overlap / (double)na, r = overlap / (double)ne;
        return 2 * p * r / (p + r);
    }
}

/// <summary>Compiles and runs the Java harness around Debian's boilerpipe 1.2.0.</summary>
internal static class JavaBoilerpipe
{
    private const string Jars = "/usr/share/java/boilerpipe.jar:/usr/share/java/nekohtml.jar:/usr/share/java/xercesImpl.jar";

    internal static Dictionary<string, string>? Run(string mode, string[] files, ITestOutputHelper output)
    {
        if (!File.Exists("/usr/share/java/boilerpipe.jar") || !Exists("javac"))
        {
            string message = "boilerpipe oracle needs Debian's libboilerpipe-java and a JDK (test.sh installs them)";
            SharedData.Missing(message);
            return null;
        }
        string work = Directory.CreateTempSubdirectory("boilerpipe-oracle").FullName;
        try
        {
            string source = Path.Combine(AppContext.BaseDirectory, "Extraction", "Oracle", "BoilerpipeOracle.java");
            Exec("javac", ["-d", work, "-cp", Jars, source]);
            string outFile = Path.Combine(work, "out.tsv");
            Exec("java", ["-cp", work + ":" + Jars, "BoilerpipeOracle", mode, outFile, .. files]);
            var result = new Dictionary<string, string>();
            foreach (var line in File.ReadLines(outFile))
            {
                int tab = line.IndexOf('\t');
                string value = line[(tab + 1)..];
                result[line[..tab]] = value.StartsWith('!') ? "" : Encoding.UTF8.GetString(Convert.FromBase64String(value));
            }
            return result;
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }

    private static bool Exists(string tool) =>
        Environment.GetEnvironmentVariable("PATH")!.Split(':').Any(d => File.Exists(Path.Combine(d, tool)));

    private static void Exec(string tool, string[] args)
    {
        var psi = new ProcessStartInfo(tool) { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        var stderr = p.StandardError.ReadToEndAsync();
        p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        if (p.ExitCode != 0) throw new InvalidOperationException($"{tool} failed ({p.ExitCode}): {stderr.Result}");
    }
}
