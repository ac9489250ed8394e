using System.Diagnostics;
using Crawlscope.Cli;
using Crawlscope.Tests.Support;

namespace Crawlscope.Tests.Cli;

public sealed record CliResult(int ExitCode, string Stdout, string Stderr);

/// <summary>Runs the CLI in-process (fast) or through the repository's ./crawlscope script (as users do).</summary>
public static class CliRunner
{
    public static CliResult Run(params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        int code = CrawlscopeCli.Run(args, stdout, stderr);
        return new CliResult(code, stdout.ToString(), stderr.ToString());
    }

    /// <summary>Starts ./crawlscope and leaves it running (tests that kill it); its output is read and dropped.</summary>
    public static Process StartScript(params string[] args)
    {
        var psi = new ProcessStartInfo(Path.Combine(SharedData.RepoRoot, "crawlscope")) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args) psi.ArgumentList.Add(a);
        var p = Process.Start(psi)!;
        p.OutputDataReceived += (_, _) => { };
        p.ErrorDataReceived += (_, _) => { };
        p.BeginOutputReadLine();
        p.BeginErrorReadLine();
        return p;
    }

    public static CliResult RunScript(params string[] args) =>
        RunProgram(Path.Combine(SharedData.RepoRoot, "crawlscope"), TimeSpan.FromMinutes(5), args);

    /// <summary>Runs a program from the repository's folder to its end, its output collected.</summary>
    public static CliResult RunProgram(string program, TimeSpan limit, params string[] args)
    {
        var psi = new ProcessStartInfo(program)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = SharedData.RepoRoot,
        };
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var process = Process.Start(psi)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(limit))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{Path.GetFileName(program)} did not finish in {limit.TotalMinutes:0.#} minutes");
        }
        return new CliResult(process.ExitCode, stdout.Result, stderr.Result);
    }
}
