using System.Diagnostics;

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
            if (SharedData.IsCi) throw new FileNotFoundException(message);
            Console.Error.WriteLine("NOT RUN: " + message);
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
}
