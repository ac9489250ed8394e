using System.Text.Json;
using Crawlscope.Tests.Support;
using Crawlscope.Urls;
using Xunit.Abstractions;

namespace Crawlscope.Tests.Urls;

public class PublicSuffixListTests(ITestOutputHelper output)
{
    public static TheoryData<string> Lists => new() { "shared", "system", "embedded" };

    [SkippableTheory]
    [MemberData(nameof(Lists))]
    public void TestPsl_All78Cases_Pass(string which)
    {
        string cases = SharedData.Conformance("psl/test_psl.json");
        PublicSuffixList list;
        switch (which)
        {
            case "shared":
                string dat = SharedData.Conformance("psl/public_suffix_list.dat");
                list = PublicSuffixList.Load(dat);
                break;
            case "system":
                if (!File.Exists(PublicSuffixList.SystemPath))
                {
                    SharedData.Missing("no system Public Suffix List (test.sh installs Debian's publicsuffix package)");
                    return;
                }
                list = PublicSuffixList.Load(PublicSuffixList.SystemPath);
                break;
            default:
                list = EmbeddedList();
                break;
        }

        using var doc = JsonDocument.Parse(File.ReadAllBytes(cases));
        var failures = new List<string>();
        int total = 0;
        foreach (var c in doc.RootElement.EnumerateArray())
        {
            total++;
            string? input = c.GetProperty("input").GetString();
            string? expected = c.GetProperty("expected_registrable").GetString();
            string? actual = list.GetRegistrableDomain(input);
            if (actual != expected) failures.Add($"{input}: expected {expected ?? "null"}, got {actual ?? "null"}");
        }
        string summary = $"PSL ({which}, {list.Source}, {list.RuleCount} rules): {total - failures.Count}/{total} passed";
        output.WriteLine(summary);
        Console.WriteLine(summary);
        Assert.Equal(78, total);
        Assert.True(failures.Count == 0, summary + "\n" + string.Join("\n", failures));
    }

    [Fact]
    public void Load_MissingFile_ThrowsNamingIt()
    {
        var ex = Assert.Throws<FileNotFoundException>(() => PublicSuffixList.Load("/nonexistent/psl.dat"));
        Assert.Contains("/nonexistent/psl.dat", ex.Message);
    }

    [Fact]
    public void Load_NoPath_PrefersSystemFile()
    {
        var list = PublicSuffixList.Load(null);
        Assert.Equal(File.Exists(PublicSuffixList.SystemPath) ? PublicSuffixList.SystemPath : "embedded", list.Source);
    }

    [SkippableTheory]
    [InlineData("www.pickl.ai", "pickl.ai")]
    [InlineData("a.b.example.co.uk", "example.co.uk")]
    [InlineData("foo.github.io", "foo.github.io")] // private section
    [InlineData("github.io", null)]
    [InlineData("localhost", null)]
    [InlineData("example.com.", "example.com")]
    [InlineData("a..example.com", null)]
    public void GetRegistrableDomain_Examples(string host, string? expected) =>
        Assert.Equal(expected, EmbeddedList().GetRegistrableDomain(host));

    internal static PublicSuffixList EmbeddedList()
    {
        // Load(null) reads the system file when present; read the embedded copy directly to test it.
        using var stream = typeof(PublicSuffixList).Assembly.GetManifestResourceStream("Crawlscope.public_suffix_list.dat")!;
        using var reader = new StreamReader(stream);
        return PublicSuffixList.Parse(reader.ReadToEnd(), "embedded");
    }
}

/// <summary>No list text and no host makes the Public Suffix List throw.</summary>
public class PublicSuffixListRobustnessTests
{
    private static readonly PublicSuffixList List = PublicSuffixListTests.EmbeddedList();

    [FsCheck.Xunit.Property(MaxTest = 5000)]
    public bool AnyHost_NeverThrows(string host)
    {
        List.GetRegistrableDomain(host);
        return true;
    }

    [FsCheck.Xunit.Property(MaxTest = 2000)]
    public bool AnyListText_NeverThrows(string text, string host)
    {
        PublicSuffixList.Parse(text ?? "").GetRegistrableDomain(host);
        return true;
    }

    [Fact]
    public void HugeAndOddHosts_NeverThrow()
    {
        foreach (var host in new[] { new string('a', 1_000_000) + ".com", string.Concat(Enumerable.Repeat("a.", 100_000)) + "uk", "\uD800.com", "..", ".", "*.ck", "!www.ck", "xn--" })
            List.GetRegistrableDomain(host);
    }
}
