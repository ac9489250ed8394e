using System.Diagnostics;

namespace Crawlscope.Tests.Support;

/// <summary>Starts a server the tests run (ClickHouse, ZooKeeper, etcd) in its folder, its output read and dropped so
/// that a full pipe never blocks it.</summary>
public static class ServerProcess
{
    public static Process Start(string file, string workingDirectory, params string[] args)
    {
        var psi = new ProcessStartInfo(file) { WorkingDirectory = workingDirectory, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args) psi.ArgumentList.Add(a);
        var process = Process.Start(psi)!;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }
}
