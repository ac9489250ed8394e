using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Crawlscope.SampleWeb;
using Crawlscope.Tests.Cli;
using Crawlscope.Tests.Crawling;
using Crawlscope.Tests.Support;
using Crawlscope.Urls;
using Microsoft.Data.Sqlite;

namespace Crawlscope.Tests.Operating;

/// <summary>The service's life: its configuration file checked whole before it starts, SIGTERM, and kill -9 while URLs are submitted.</summary>
[Collection(CrawlCollection.Name)]
public class ServiceLifecycleTests
{
    [Fact]
    public void ConfigFile_EveryProblemIsReportedWithItsLine_BeforeAnythingStarts()
    {
        string dir = Directory.CreateTempSubdirectory("crawlscope-config-").FullName;
        string path = Path.Combine(dir, "bad.toml");
        File.WriteAllText(path, """
            seeds = ["https://example.com/"]
            colour = "blue"

            [politeness]
            delay = "fast"
            per_host = 0

            [scope]
            kind = "everything"

            [recrawl]
            min = "soon"
            [web
            """);
        var result = CliRunner.Run("run", "--config", path, "--db", Path.Combine(dir, "never.db"));
        Assert.Equal(2, result.ExitCode);
        foreach (var expected in new[]
                 {
                     "bad.toml:2: unknown setting 'colour'", "bad.toml:5: politeness.delay: expected a number", "bad.toml:6: politeness.per_host: must be at least 1",
                     "bad.toml:9: scope.kind: 'everything' is not one of site, seeds, any", "bad.toml:12: recrawl.min: a duration", "bad.toml:13:",
                 })
            Assert.Contains(expected, result.Stderr);
        Assert.False(File.Exists(Path.Combine(dir, "never.db")));
        Directory.Delete(dir, true);
    }

    /// <summary>Config errors that help: the nearest key for each unknown one (by its last part when the table is the
    /// mistake), the known keys listed once at the end, problems in line order, one line for a missing ']' (the parser
    /// reported 8), and one string accepted where a list of one is meant.</summary>
    [Fact]
    public void ConfigErrors_SuggestTheNearestKey_ListTheKeysOnce_InLineOrder()
    {
        string dir = Directory.CreateTempSubdirectory("crawlscope-config-").FullName;
        string path = Path.Combine(dir, "typos.toml");
        File.WriteAllText(path, """
            seeds = "https://example.com/"
            [politeness]
            concurrancy = 4
            [crawl]
            max_pagez = 3
            [web
            token = "x"
            """);
        var result = CliRunner.Run("run", "--config", path, "--db", Path.Combine(dir, "never.db"));
        Assert.Equal(2, result.ExitCode);
        var lines = result.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal([
            $"crawlscope: {path}:3: unknown setting 'politeness.concurrancy' (did you mean politeness.concurrency?)",
            $"crawlscope: {path}:5: unknown setting 'crawl.max_pagez' (did you mean limits.max_pages?)",
        ], lines.Take(2));
        Assert.StartsWith($"crawlscope: {path}:6: ", lines[2]);
        Assert.Single(lines, l => l.Contains(":6: ", StringComparison.Ordinal) || l.Contains(":7: ", StringComparison.Ordinal));
        Assert.StartsWith($"crawlscope: {path}: known settings: extract, fetch.allow_private_networks,", lines[3]);
        Assert.Equal(4, lines.Length);
        Assert.DoesNotContain("seeds", string.Join("\n", lines.Take(3)));
        Directory.Delete(dir, true);
    }

    [Fact]
    public void TheShippedConfigFile_IsValid_AndFlagsOverrideIt()
    {
        string config = Path.Combine(SharedData.RepoRoot, "deploy", "crawlscope.toml");
        var help = CliRunner.Run("run", "--config", config, "--help");
        Assert.True(help.ExitCode == 0, help.Stderr);
        // A bad value given as a flag beats the file's good one, and is reported as the flag's.
        var flag = CliRunner.Run("run", "--config", config, "--extract", "some");
        Assert.Equal(2, flag.ExitCode);
        Assert.Contains("some", flag.Stderr);
        Assert.DoesNotContain("crawlscope.toml:", flag.Stderr);
    }

    [Fact]
    public void TheShippedConfigFile_CrawlsNothing_AndShowsEverySettingTheFileKnows()
    {
        string text = File.ReadAllText(Path.Combine(SharedData.RepoRoot, "deploy", "crawlscope.toml"));
        Assert.Matches(new System.Text.RegularExpressions.Regex(@"(?m)^seeds = \[\]"), text);
        // The settings the file knows, as the command names them when it meets one it does not.
        string dir = Directory.CreateTempSubdirectory("crawlscope-known-").FullName;
        string probe = Path.Combine(dir, "probe.toml");
        File.WriteAllText(probe, "no_such_setting = 1\n");
        var refused = CliRunner.Run("run", "--config", probe);
        Directory.Delete(dir, true);
        Assert.Equal(2, refused.ExitCode);
        string known = refused.Stderr.Split('\n').Single(l => l.Contains("known settings: ", StringComparison.Ordinal));
        var keys = known[(known.IndexOf("known settings: ", StringComparison.Ordinal) + "known settings: ".Length)..].Trim().Split(", ");
        Assert.Contains("fetch.resolve_file", keys);
        Assert.Contains("warc.dir", keys);
        // Each appears in the shipped file, set or commented out, under its section.
        var missing = keys.Where(k =>
        {
            string section = k.Contains('.', StringComparison.Ordinal) ? k[..k.IndexOf('.', StringComparison.Ordinal)] : "";
            string name = k[(k.IndexOf('.', StringComparison.Ordinal) + 1)..];
            int from = section.Length == 0 ? 0 : text.IndexOf($"\n[{section}]", StringComparison.Ordinal);
            if (from < 0) return true;
            int to = text.IndexOf("\n[", from + 1, StringComparison.Ordinal) is var next and >= 0 && section.Length > 0 ? next : text.Length;
            if (section.Length == 0) to = text.IndexOf("\n[", StringComparison.Ordinal);
            return !System.Text.RegularExpressions.Regex.IsMatch(text[from..to], $@"(?m)^#? ?{System.Text.RegularExpressions.Regex.Escape(name)} = ");
        }).ToList();
        Assert.True(missing.Count == 0, "not in deploy/crawlscope.toml: " + string.Join(", ", missing));
    }

    [Fact]
    public void ARunThatCannotStart_CreatesNothing_AndLeavesAnExistingStoreAlone()
    {
        using var taken = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        taken.Start();
        int port = ((System.Net.IPEndPoint)taken.LocalEndpoint).Port;
        string dir = Directory.CreateTempSubdirectory("crawlscope-nostart-").FullName;
        try
        {
            string db = Path.Combine(dir, "new.db");
            var refused = CliRunner.Run("run", "--urls", $"http://127.0.0.1:{port}", "--db", db);
            Assert.Equal(1, refused.ExitCode);
            Assert.Contains($"cannot listen on http://127.0.0.1:{port}", refused.Stderr);
            Assert.Empty(Directory.GetFileSystemEntries(dir));

            // A store that was there before is the operator's: it stays.
            Assert.Equal(0, CliRunner.Run("crawl", "--db", db, "--max-pages", "1", "http://127.0.0.1:1/").ExitCode);
            Assert.True(File.Exists(db));
            Assert.Equal(1, CliRunner.Run("run", "--urls", $"http://127.0.0.1:{port}", "--db", db).ExitCode);
            Assert.True(File.Exists(db));
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }

    [Fact]
    public async Task Sigterm_StopsTheServiceCleanly_WithExitCode0()
    {
        await using var web = await SampleWebServer.StartAsync(new SampleWebOptions { Hosts = 2, PagesPerHost = 200, Fast = true });
        string dir = Directory.CreateTempSubdirectory("crawlscope-sigterm-").FullName;
        int port = ServiceFixture.FreePort();
        string config = Path.Combine(dir, "c.toml");
        File.WriteAllText(config, ServiceFixture.Config(web.Port, port, Path.Combine(dir, "s.db")).Replace("max_depth = 0", "max_depth = 3").Replace("delay = 0.05", "delay = 0.2"));
        using var service = RunningProcess.Start("run", "--config", config, "--log-every", "1");
        await service.WaitUntilAsync(p => p.Stdout.Contains("pages/s", StringComparison.Ordinal), "a progress line");
        var took = await service.TerminateAsync(TimeSpan.FromSeconds(10));
        Assert.True(took is not null, "no exit within 10 s of SIGTERM:\n" + service.Stderr);
        Assert.Equal(0, service.ExitCode);
        Assert.Contains("crawl service stopped", service.Stderr + service.Stdout);
        Directory.Delete(dir, true);
    }

    [Fact]
    public async Task Kill9_WhileUrlsAreSubmitted_EveryQueuedUrlSurvives_AndNoneIsFetchedTwice()
    {
        await using var web = await SampleWebServer.StartAsync(new SampleWebOptions { Hosts = 3, PagesPerHost = 400, Fast = true });
        string dir = Directory.CreateTempSubdirectory("crawlscope-kill9-").FullName;
        string db = Path.Combine(dir, "s.db");
        int port = ServiceFixture.FreePort();
        string config = Path.Combine(dir, "c.toml");
        File.WriteAllText(config, ServiceFixture.Config(web.Port, port, db).Replace("daily_quota = 5", "daily_quota = 100000").Replace("delay = 0.05", "delay = 0.01"));
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", ServiceFixture.Token);
        string api = $"http://127.0.0.1:{port}";
        var hosts = SampleSites.Hosts.Take(3).Select(h => h.Name).ToArray();

        var queued = new List<string>();
        using (var first = RunningProcess.Start("run", "--config", config))
        {
            await first.WaitUntilAsync(p => p.Stdout.Contains("Crawler Inspector on", StringComparison.Ordinal), "the service listening");
            var submitting = Task.Run(async () =>
            {
                for (int i = 0; ; i++)
                {
                    var urls = Enumerable.Range(0, 6).Select(k => $"http://{hosts[k % 3]}:{web.Port}/articles/{(i * 6 + k) / 3}").ToArray();
                    try
                    {
                        using var response = await http.PostAsync(api + "/api/urls", new StringContent(JsonSerializer.Serialize(new { urls }), Encoding.UTF8, "application/json"));
                        foreach (var a in JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.EnumerateArray())
                            if (a.GetProperty("status").GetString() == "queued") lock (queued) queued.Add(a.GetProperty("url").GetString()!);
                    }
                    catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or JsonException)
                    {
                        return; // the service is gone
                    }
                }
            });
            await Task.Delay(2500);
            first.KillHard();
            await submitting;
        }
        Assert.True(queued.Count > 30, $"only {queued.Count} URLs queued before the kill");

        using (var second = RunningProcess.Start("run", "--config", config))
        {
            await second.WaitUntilAsync(p => p.Stdout.Contains("Crawler Inspector on", StringComparison.Ordinal), "the service listening again");
            await ServiceFixture.EventuallyAsync(async () =>
            {
                using var response = await http.GetAsync(api + "/api/stats");
                var stats = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
                return stats.GetProperty("queued").GetInt64() == 0 && stats.GetProperty("leased").GetInt64() == 0;
            }, "every queued URL crawled after the restart", TimeSpan.FromSeconds(90));
            Assert.NotNull(await second.TerminateAsync(TimeSpan.FromSeconds(15)));
        }

        await using var connection = new SqliteConnection($"Data Source={db};Mode=ReadOnly;Pooling=False");
        await connection.OpenAsync();
        int missing = 0, twice = 0;
        foreach (var url in queued)
        {
            string key = UrlKeyer.Default.TryIdentify(url, out var id, out _) ? id.Key.Value : throw new InvalidOperationException(url);
            await using var cmd = connection.CreateCommand();
            cmd.CommandText = "SELECT (SELECT COUNT(*) FROM pages WHERE src_unparsed = $k), (SELECT COUNT(*) FROM fetches WHERE src_unparsed = $k)";
            cmd.Parameters.AddWithValue("$k", key);
            await using var r = await cmd.ExecuteReaderAsync();
            await r.ReadAsync();
            if (r.GetInt64(0) == 0) missing++;
            if (r.GetInt64(1) > 1) twice++;
        }
        Assert.Equal((0, 0), (missing, twice));
        Directory.Delete(dir, true);
    }
}
