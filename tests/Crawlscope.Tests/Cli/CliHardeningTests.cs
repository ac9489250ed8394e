using System.Diagnostics;
using System.Text;
using Crawlscope.Tests.Support;
using Microsoft.Data.Sqlite;

namespace Crawlscope.Tests.Cli;

/// <summary>Bad input to the commands gets a clear one-line error, never "internal error", and nothing is lost.</summary>
public sealed class CliHardeningTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("crawlscope-cli-hardening").FullName;

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(_dir, recursive: true);
    }

    private static void AssertClearError(CliResult result, int code, string expected)
    {
        Assert.Equal(code, result.ExitCode);
        Assert.Contains(expected, result.Stderr);
        Assert.DoesNotContain("internal error", result.Stderr);
    }

    [Theory]
    [InlineData("--max-pages", "-1", "--max-pages must be at least 1")]
    [InlineData("--max-pages", "0", "--max-pages must be at least 1")]
    [InlineData("--max-depth", "-2", "--max-depth cannot be negative")]
    public void Crawl_NonsenseLimits_AreRefused(string option, string value, string expected) =>
        AssertClearError(CliRunner.Run("crawl", "https://example.com/", option, value, "--db", Path.Combine(_dir, "x.db")), 2, expected);

    /// <summary>Numbers out of range or not numbers at all: one line and exit 2 before anything starts, never a stack trace.</summary>
    [Theory]
    [InlineData("--concurrency", "abc", "--concurrency: 'abc' is not a whole number")]
    [InlineData("--per-host", "99999999999", "--per-host: '99999999999' is not a whole number up to 2,147,483,647")]
    [InlineData("--max-pages", "99999999999999999999", "--max-pages: '99999999999999999999' is not a whole number")]
    [InlineData("--delay", "1e308", "--delay must be at most a year")]
    [InlineData("--timeout", "1e308", "--timeout must be at most a year")]
    public void Crawl_UnconvertibleNumbers_AreUsageErrors(string option, string value, string expected) =>
        AssertClearError(CliRunner.Run("crawl", "https://example.com/", option, value, "--db", Path.Combine(_dir, "n.db")), 2, expected);

    [Theory]
    [InlineData("[recrawl]\nmin = \"1e300d\"", "n.toml:3: recrawl.min")]
    [InlineData("[operator]\ndaily_quota = 9223372036854775807", "n.toml:3: --daily-quota: '9223372036854775807' is not a whole number")]
    [InlineData("[politeness]\ndelay = 1e308", "n.toml:3: --delay must be at most a year")]
    [InlineData("[log]\nevery = 1e308", "n.toml:3: --log-every must be at most a year")]
    public void Config_UnconvertibleNumbers_AreUsageErrorsWithTheirLine(string setting, string expected)
    {
        string config = Path.Combine(_dir, "n.toml");
        File.WriteAllText(config, $"seeds = [\"https://example.com/\"]\n{setting}\n");
        AssertClearError(CliRunner.Run("run", "--config", config, "--db", Path.Combine(_dir, "n.db")), 2, expected);
        Assert.False(File.Exists(Path.Combine(_dir, "n.db")));
    }

    /// <summary>A configuration or seeds file is a regular file of bounded size: a FIFO does not hang the command, /dev/zero
    /// does not fill its memory, and a file named by mistake is not quoted back in the error.</summary>
    [Theory]
    [InlineData("fifo")]
    [InlineData("/dev/zero")]
    [InlineData("/proc/self/environ")]
    [InlineData("directory")]
    public void ConfigFile_ThatIsNotARegularFile_IsRefusedAtOnce(string kind)
    {
        string path = kind switch
        {
            "fifo" => Path.Combine(_dir, "config.fifo"),
            "directory" => _dir,
            _ => kind,
        };
        if (kind == "fifo") using (var mkfifo = Process.Start("mkfifo", [path])) mkfifo.WaitForExit();
        var clock = Stopwatch.StartNew();
        var result = CliRunner.Run("crawl", "--config", path, "--db", Path.Combine(_dir, "c.db"));
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), $"took {clock.Elapsed}");
        AssertClearError(result, 2, path);
        Assert.DoesNotContain("PATH=", result.Stderr);
    }

    [Fact]
    public void SeedsFile_OfAnotherKind_IsNotQuotedBack()
    {
        string secret = Path.Combine(_dir, "shadow");
        File.WriteAllText(secret, "root:$6$s3cr3tSalt$hashhashhash:19000:0:99999:7:::\n");
        var result = CliRunner.Run("crawl", "--seeds-file", secret, "--db", Path.Combine(_dir, "s.db"));
        AssertClearError(result, 2, $"{secret}:1: not an http(s) URL");
        Assert.DoesNotContain("s3cr3t", result.Stderr);
        AssertClearError(CliRunner.Run("crawl", "--seeds-file", "/dev/zero", "--db", Path.Combine(_dir, "s.db")), 2, "not a regular file");
    }

    /// <summary>A damaged store is named as such, with how to check and recover, in one line (not "internal error").</summary>
    [Fact]
    public void DamagedStore_IsSaidInOneLine_WithTheWayOut()
    {
        string db = Path.Combine(_dir, "damaged.db");
        Assert.Equal(0, CliRunner.Run("ban", "add", "example.com", "--db", db).ExitCode);
        SqliteConnection.ClearAllPools();
        // Every page after the first overwritten at its start: the file still opens as SQLite, its tables are garbage.
        using (var file = new FileStream(db, FileMode.Open, FileAccess.Write))
            for (long offset = 4096; offset < file.Length; offset += 4096)
            {
                file.Position = offset;
                file.Write(Enumerable.Repeat((byte)0xFF, 200).ToArray());
            }
        foreach (var command in new[] { new[] { "stats", "--db", db }, ["ban", "list", "--db", db], ["inspect", "https://example.com/", "--db", db] })
        {
            var result = CliRunner.Run(command);
            AssertClearError(result, 1, $"the store {db} is damaged");
            Assert.Contains("PRAGMA integrity_check", result.Stderr);
            Assert.Single(result.Stderr.Trim().Split('\n'));
        }
    }

    /// <summary>A usage error names the nearest right thing: the misspelt option or command, the URL with its scheme.</summary>
    [Theory]
    [InlineData(new[] { "crawl", "https://example.com/", "--max-page", "10" }, "unknown option --max-page (did you mean --max-pages?)")]
    [InlineData(new[] { "inspekt", "https://example.com/" }, "(did you mean inspect?)")]
    [InlineData(new[] { "crawl", "https://example.com/", "--delya", "1" }, "(did you mean --delay?)")]
    [InlineData(new[] { "crawl", "www.example.test" }, "(did you mean https://www.example.test/?)")]
    [InlineData(new[] { "crawl", "example.test/blog/" }, "(did you mean https://example.test/blog/?)")]
    public void UsageErrors_SuggestTheNearestRightThing(string[] args, string expected) =>
        AssertClearError(CliRunner.Run([.. args, "--db", Path.Combine(_dir, "hints.db")]), 2, expected);

    [Fact]
    public void InspectingAUrlWithoutItsScheme_SuggestsIt()
    {
        string db = Path.Combine(_dir, "hint-inspect.db");
        Assert.Equal(0, CliRunner.Run("ban", "add", "example.com", "--db", db).ExitCode);
        var result = CliRunner.Run("inspect", "example.test/blog/", "--db", db);
        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("(did you mean https://example.test/blog/?)", result.Stderr);
    }

    [Theory]
    [InlineData("inspekt", "inspect", 1)]
    [InlineData("--max-page", "--max-pages", 1)]
    [InlineData("crawl", "crawl", 0)]
    [InlineData("abc", "cba", 2)]
    public void Distance_CountsEditsAndTranspositions(string a, string b, int distance) =>
        Assert.Equal(distance, Crawlscope.Cli.Options.UsageHints.Distance(a, b));

    /// <summary>A user agent is one header value: a line break would inject headers into every request.</summary>
    [Fact]
    public void UserAgent_WithALineBreak_OrHuge_IsRefused_InTheCliTheConfigAndTheLibrary()
    {
        AssertClearError(CliRunner.Run("crawl", "https://example.com/", "--user-agent", "Evil\r\nX-Injected: 1", "--db", Path.Combine(_dir, "ua.db")), 2, "line break");
        AssertClearError(CliRunner.Run("crawl", "https://example.com/", "--user-agent", new string('a', 100_000), "--db", Path.Combine(_dir, "ua.db")), 2, "at most 512");
        string config = Path.Combine(_dir, "ua.toml");
        File.WriteAllText(config, "seeds = [\"https://example.com/\"]\n[fetch]\nuser_agent = \"Evil\\r\\nX-Injected: 1\"\n");
        AssertClearError(CliRunner.Run("crawl", "--config", config, "--db", Path.Combine(_dir, "ua.db")), 2, "ua.toml:3:");
        Assert.Throws<ArgumentException>(() => new Crawlscope.Fetching.Fetcher(new Crawlscope.Fetching.FetchOptions { UserAgent = "a\nX-Injected: 1" }));
        Assert.False(File.Exists(Path.Combine(_dir, "ua.db")));
    }

    /// <summary>A configuration file's values are values: a seed spelled like a flag is a (bad) seed, and a text
    /// value spelled like a flag is that text, never the option it names (the SSRF guard stays on).</summary>
    [Fact]
    public void ConfigValues_NeverBecomeFlags()
    {
        using var counter = new Rendering.ConnectionCounter();
        string config = Path.Combine(_dir, "flags.toml");
        File.WriteAllText(config, $"seeds = [\"http://127.0.0.1:{counter.Port}/x\", \"--allow-private-networks\"]\n");
        var result = CliRunner.Run("crawl", "--config", config, "--db", Path.Combine(_dir, "flags.db"));
        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("--allow-private-networks", result.Stderr);
        Assert.DoesNotContain("internal error", result.Stderr);

        // Alone, the loopback seed is refused by the SSRF guard: nothing connects.
        File.WriteAllText(config, $"seeds = [\"http://127.0.0.1:{counter.Port}/x\"]\n[fetch]\nuser_agent = \"--allow-private-networks\"\n");
        var alone = CliRunner.Run("crawl", "--config", config, "--db", Path.Combine(_dir, "flags2.db"));
        Assert.True(alone.ExitCode == 0, alone.Stderr);
        Assert.Equal(0, counter.Connections);
        var stats = CliRunner.Run("stats", "--db", Path.Combine(_dir, "flags2.db"));
        Assert.Contains("ssrf_blocked", stats.Stdout);
    }

    [Theory]
    [InlineData("", "give a domain or a host to ban")]
    [InlineData("   ", "give a domain or a host to ban")]
    [InlineData("example.com/path", "not a domain or host name")]
    [InlineData("example.com:8080", "not a domain or host name")]
    [InlineData(".", "not a domain or host name")]
    [InlineData("a..b", "not a domain or host name")]
    [InlineData("*.test", "no wildcards")]
    [InlineData("127.0.0.1", "an address")]
    public void BanAdd_WithoutAName_IsRefused(string name, string expected)
    {
        string db = Path.Combine(_dir, "bans.db");
        AssertClearError(CliRunner.Run("ban", "add", name, "--db", db), 2, expected);
        Assert.False(File.Exists(db) && CliRunner.Run("ban", "list", "--db", db).Stdout.Trim().Length > 0);
    }

    [Fact]
    public void BanAdd_HugeNameOrReason_IsRefused()
    {
        string db = Path.Combine(_dir, "bans.db");
        string label = new('a', 60);
        AssertClearError(CliRunner.Run("ban", "add", string.Join('.', Enumerable.Repeat(label, 5)) + ".test", "--db", db), 2, "at most 253");
        AssertClearError(CliRunner.Run("ban", "add", "example.com", "--reason", new string('r', 5_000), "--db", db), 2, "at most 1,000");
    }

    [Fact]
    public void BanAdd_NormalisesTheName()
    {
        string db = Path.Combine(_dir, "bans.db");
        Assert.Equal(0, CliRunner.Run("ban", "add", " Example.COM ", "--db", db).ExitCode);
        Assert.StartsWith("example.com\t", CliRunner.Run("ban", "list", "--db", db).Stdout);
    }

    [Fact]
    public void Crawl_SeedOfTenMegabytes_IsRefusedInOneShortLine()
    {
        string seed = "https://example.com/" + new string('a', 10 * 1024 * 1024);
        var result = CliRunner.Run("crawl", seed, "--db", Path.Combine(_dir, "x.db"));
        // A seed that is not a URL is bad usage: exit 2, as every usage error.
        AssertClearError(result, 2, "URL too long");
        Assert.True(result.Stderr.Length < 1000, $"{result.Stderr.Length:N0} characters of error");
    }

    [Fact]
    public void Crawl_SeedExcludedByThePatterns_IsRefused() =>
        AssertClearError(CliRunner.Run("crawl", "https://example.com/private/x", "--exclude", "/private/", "--db", Path.Combine(_dir, "x.db")), 2,
            "matches an --exclude pattern");

    [Theory]
    [InlineData("stats")]
    [InlineData("crawl")]
    [InlineData("export")]
    public void Db_ThatIsAFolder_SaysSo(string command)
    {
        string folder = Directory.CreateDirectory(Path.Combine(_dir, "a-folder")).FullName;
        string[] args = command switch
        {
            "crawl" => ["crawl", "https://example.com/", "--db", folder],
            "export" => ["export", "--format", "jsonl", "--out", Path.Combine(_dir, "out.jsonl"), "--db", folder],
            _ => [command, "--db", folder],
        };
        AssertClearError(CliRunner.Run(args), 1, "is a folder");
    }

    [Theory]
    [InlineData("stats")]
    [InlineData("crawl")]
    public void Db_ThatIsNotADatabase_SaysSo(string command)
    {
        string file = Path.Combine(_dir, "notes.db");
        File.WriteAllText(file, string.Concat(Enumerable.Repeat("these are my notes, not a crawl store\n", 200)));
        string[] args = command == "crawl" ? ["crawl", "https://example.com/", "--db", file] : [command, "--db", file];
        AssertClearError(CliRunner.Run(args), 1, "is not a crawl store");
        Assert.StartsWith("these are my notes", File.ReadAllText(file));
    }

    /// <summary>Reading commands work on a store in a folder the user cannot write: run as nobody when the tests
    /// run as root (root writes anywhere), else with the folder made read-only.</summary>
    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public void ReadingCommands_OnAStoreInAReadOnlyFolder_Work()
    {
        string folder = Directory.CreateDirectory(Path.Combine(_dir, "readonly")).FullName;
        string db = Path.Combine(folder, "store.db");
        Assert.Equal(0, CliRunner.Run("ban", "add", "example.com", "--db", db).ExitCode);
        SqliteConnection.ClearAllPools();
        bool root = Environment.UserName == "root";
        File.SetUnixFileMode(_dir, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);
        File.SetUnixFileMode(folder, UnixFileMode.UserRead | UnixFileMode.UserExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);
        File.SetUnixFileMode(db, UnixFileMode.UserRead | UnixFileMode.OtherRead);
        try
        {
            foreach (string[] args in new[] { new[] { "stats", "--db", db }, ["inspect", "https://example.com/", "--db", db, "--json"] })
            {
                var (code, stdout, stderr) = root ? RunAs(65534, args) : ToTuple(CliRunner.RunScript(args));
                Assert.True(code == 0, $"{string.Join(' ', args)}: {stderr}");
                Assert.NotEmpty(stdout);
            }
            Assert.False(File.Exists(db + "-wal"));
        }
        finally
        {
            File.SetUnixFileMode(folder, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
    }

    private static (int, string, string) ToTuple(CliResult r) => (r.ExitCode, r.Stdout, r.Stderr);

    private static (int Code, string Stdout, string Stderr) RunAs(int uid, string[] args)
    {
        string dll = Path.Combine(SharedData.RepoRoot, "artifacts", "bin", "Crawlscope.Cli", "release", "Crawlscope.Cli.dll");
        var psi = new ProcessStartInfo("setpriv") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in new[] { $"--reuid={uid}", $"--regid={uid}", "--clear-groups", "env", "HOME=/tmp", "DOTNET_CLI_TELEMETRY_OPTOUT=1", "dotnet", dll })
            psi.ArgumentList.Add(a);
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var process = Process.Start(psi)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        string stderr = process.StandardError.ReadToEnd();
        process.WaitForExit();
        return (process.ExitCode, stdout.Result, stderr);
    }

    /// <summary>A record that declares 2 GiB, and a 40 MB one: streamed, at most a page's cap kept, the import
    /// going on with the next record.</summary>
    [Fact]
    public async Task ImportWarc_HugeDeclaredAndHugeRealRecords_AreStreamed()
    {
        string warc = Path.Combine(_dir, "hostile.warc");
        await using (var file = File.Create(warc))
        {
            var writer = new Crawlscope.Archiving.WarcRecordWriter(file, "1.1");
            byte[] big = Encoding.ASCII.GetBytes("HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n\r\n<html><title>Big</title><body>" + new string('x', 40 * 1024 * 1024) + "</body></html>");
            await writer.WriteAsync("response", [("WARC-Target-URI", "https://big.example/"), ("Content-Type", "application/http; msgtype=response")], big, default);
            byte[] good = Encoding.ASCII.GetBytes("HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n\r\n<html><title>Good</title><body><p>fine</p></body></html>");
            await writer.WriteAsync("response", [("WARC-Target-URI", "https://good.example/"), ("Content-Type", "application/http; msgtype=response")], good, default);
        }
        // A header that promises 2 GiB in a file that ends soon after (uncompressed, as some tools write them).
        string liar = Path.Combine(_dir, "liar.warc");
        await File.WriteAllTextAsync(liar, "WARC/1.1\r\nWARC-Type: response\r\nWARC-Target-URI: https://liar.example/\r\n" +
                                           "Content-Type: application/http\r\nContent-Length: 2147483647\r\n\r\nHTTP/1.1 200 OK\r\n\r\nshort");
        string db = Path.Combine(_dir, "import.db");
        var result = CliRunner.Run("import-warc", liar, warc, "--db", db);
        Assert.Equal(1, result.ExitCode);
        Assert.Contains("truncated: the block has", result.Stderr);
        Assert.DoesNotContain("internal error", result.Stderr);
        var stats = CliRunner.Run("inspect", "https://good.example/", "--db", db, "--json");
        Assert.Contains("\"Good\"", stats.Stdout);
        var bigPage = CliRunner.Run("inspect", "https://big.example/", "--db", db, "--json");
        Assert.Contains("\"Big\"", bigPage.Stdout);
    }
}
