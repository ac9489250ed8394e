using System.Diagnostics;
using System.Text.Json;

namespace Crawlscope.Tests.Support;

/// <summary>webrecorder's warcio.js, installed by ./test.sh under tools/node: it reads our WARC and WET files
/// from outside. Missing fails under CI (CI=true) and says so locally.</summary>
public static class Warcio
{
    /// <summary>Runs the warcio CLI and returns its standard output; null (locally only) when it is not installed.</summary>
    public static string? Run(params string[] args)
    {
        string cli = Path.Combine(SharedData.RepoRoot, "tools", "node", "node_modules", "warcio", "dist", "cli.js");
        if (!File.Exists(cli))
        {
            string message = $"warcio not found at {cli} (./test.sh installs it with npm)";
            SharedData.Missing(message);
            return null;
        }
        var psi = new ProcessStartInfo("node") { RedirectStandardOutput = true, RedirectStandardError = true };
        psi.ArgumentList.Add(cli);
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var process = Process.Start(psi)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        string stderr = process.StandardError.ReadToEnd();
        process.WaitForExit();
        Assert.True(process.ExitCode == 0, stderr);
        return stdout.Result;
    }

    /// <summary><c>warcio index</c> of a file with the given fields, one JSON object per record; null (locally only) when warcio is missing.</summary>
    public static List<JsonElement>? Index(string path, params string[] fields) =>
        Run(["index", path, "-f", .. fields])?.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement).ToList();
}
