using System.Diagnostics;
using System.Net;
using Crawlscope.Tests.Cli;
using Crawlscope.Tests.Crawling;
using Crawlscope.Tests.Support;
using Xunit.Abstractions;

namespace Crawlscope.Tests.Operating;

/// <summary>The documented install steps (<c>deploy/install.sh</c>) run into a temporary prefix; the service is then
/// started as the unit says (its user, working directory, environment file and command), reached, and stopped as
/// systemd stops it.</summary>
[Collection(CrawlCollection.Name)]
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class InstallTests(ITestOutputHelper output) : IDisposable
{
    private const string ServiceUser = "crawlscope-ci";
    private readonly string _prefix = Directory.CreateTempSubdirectory("crawlscope-install").FullName;

    public void Dispose() => Directory.Delete(_prefix, recursive: true);

    [SkippableFact]
    public async Task InstallScript_PublishesTheService_WhichRunsAsAnUnprivilegedUser_WithoutTheSdk_AndStopsOnSigterm()
    {
        if (Environment.UserName != "root") SharedData.Missing("the install test needs root (it creates a system user, as the install steps do)");
        // The temporary folder is the owner's only; a prefix such as /opt is open to every user.
        File.SetUnixFileMode(_prefix, (UnixFileMode)0b111_101_101);

        var install = CliRunner.RunProgram(Path.Combine(SharedData.RepoRoot, "deploy", "install.sh"), TimeSpan.FromMinutes(5), "--prefix", _prefix, "--user", ServiceUser);
        Assert.True(install.ExitCode == 0, install.Stdout + install.Stderr);

        string app = Path.Combine(_prefix, "opt", "crawlscope");
        Assert.True(File.Exists(Path.Combine(app, "libcoreclr.so")), "the published folder carries its own runtime (self-contained)");
        string envFile = Path.Combine(_prefix, "etc", "crawlscope.env");
        Assert.Equal((UnixFileMode)0b110_000_000, File.GetUnixFileMode(envFile));
        string token = File.ReadAllText(envFile).Trim().Split('=', 2)[1];
        Assert.True(token.Length >= 32, "a generated token");
        string state = Path.Combine(_prefix, "var", "lib", "crawlscope");
        Assert.Equal((UnixFileMode)0b111_000_000, File.GetUnixFileMode(state));

        var unit = Unit.Read(Path.Combine(_prefix, "etc", "systemd", "system", "crawlscope.service"));
        Assert.Equal(ServiceUser, unit.Value("User"));
        Assert.Equal(state, unit.Value("WorkingDirectory"));
        Assert.Equal("-" + envFile, unit.Value("EnvironmentFile"));
        Assert.Equal($"{state}", unit.Value("ReadWritePaths"));
        string[] command = unit.Value("ExecStart").Split(' ', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(Path.Combine(app, "Crawlscope.Cli"), command[0]);

        // As systemd would start it: the unit's user, folder and environment only (no SDK on the PATH, no DOTNET_ROOT).
        int port = ClickHouseCluster.FreePorts(1)[0];
        var psi = new ProcessStartInfo("/usr/bin/setpriv") { WorkingDirectory = state };
        psi.Environment.Clear();
        psi.Environment["PATH"] = "/usr/sbin:/usr/bin:/sbin:/bin";
        psi.Environment["DOTNET_ROOT"] = "/nonexistent";
        psi.Environment["CRAWLSCOPE_TOKEN"] = token;
        foreach (string setting in unit.Values("Environment")) psi.Environment[setting.Split('=', 2)[0]] = setting.Split('=', 2)[1];
        foreach (string a in (string[])["--reuid=" + ServiceUser, "--regid=" + ServiceUser, "--clear-groups", .. command, "--urls", $"http://127.0.0.1:{port}"])
            psi.ArgumentList.Add(a);
        using var service = RunningProcess.Start(psi);

        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(5) };
        await service.WaitUntilAsync(_ => IsReady(http), "/readyz answering 200");
        Assert.Equal(HttpStatusCode.Unauthorized, (await http.GetAsync("/api/stats")).StatusCode);
        using (var signedIn = new HttpRequestMessage(HttpMethod.Get, "/api/stats") { Headers = { { "Authorization", "Bearer " + token } } })
            Assert.Equal(HttpStatusCode.OK, (await http.SendAsync(signedIn)).StatusCode);
        Assert.Equal(ServiceUser, FileOwner(Path.Combine(state, "crawlscope.db")));

        var took = await service.TerminateAsync(TimeSpan.FromSeconds(10));
        Assert.True(took is not null && service.ExitCode == 0, $"exit {(took is null ? "none within 10 s" : service.ExitCode.ToString())}:\n{service.Stdout}\n{service.Stderr}");
        output.WriteLine($"stopped {took!.Value.TotalSeconds:F2} s after SIGTERM");
    }

    private static bool IsReady(HttpClient http)
    {
        try
        {
            return http.GetAsync("/readyz").GetAwaiter().GetResult().StatusCode == HttpStatusCode.OK;
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
        {
            return false;
        }
    }

    private static string FileOwner(string path) => CliRunner.RunProgram("/usr/bin/stat", TimeSpan.FromSeconds(10), "-c", "%U", path).Stdout.Trim();

    /// <summary>A systemd unit's <c>Key=Value</c> lines.</summary>
    private sealed record Unit(IReadOnlyList<KeyValuePair<string, string>> Lines)
    {
        public static Unit Read(string path) => new(File.ReadAllLines(path)
            .Where(l => l.Contains('=', StringComparison.Ordinal) && !l.StartsWith('#'))
            .Select(l => new KeyValuePair<string, string>(l.Split('=', 2)[0], l.Split('=', 2)[1])).ToList());

        public IEnumerable<string> Values(string key) => Lines.Where(l => l.Key == key).Select(l => l.Value);
        public string Value(string key) => Assert.Single(Values(key));
    }
}
