using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text;
using Crawlscope.Tests.Support;

namespace Crawlscope.Tests.Cli;

/// <summary>A ./crawlscope process started as a user would, its output collected as it comes, and signals sent to it
/// as systemd, Docker or a terminal would.</summary>
public sealed partial class RunningProcess : IDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _stdout = new(), _stderr = new();

    private RunningProcess(Process process) => _process = process;

    public static RunningProcess Start(params string[] args) => Start(new Dictionary<string, string>(), args);

    /// <param name="environment">Variables set for the process (and inherited by its children).</param>
    public static RunningProcess Start(IReadOnlyDictionary<string, string> environment, params string[] args)
    {
        var psi = new ProcessStartInfo(Path.Combine(SharedData.RepoRoot, "crawlscope"))
        {
            RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = SharedData.RepoRoot,
        };
        foreach (var (name, value) in environment) psi.Environment[name] = value;
        foreach (var a in args) psi.ArgumentList.Add(a);
        return Start(psi);
    }

    /// <summary>Any program, as <paramref name="psi"/> says (its output is redirected here).</summary>
    public static RunningProcess Start(ProcessStartInfo psi)
    {
        psi.RedirectStandardOutput = psi.RedirectStandardError = true;
        var running = new RunningProcess(Process.Start(psi)!);
        running._process.OutputDataReceived += (_, e) => { lock (running._stdout) running._stdout.AppendLine(e.Data); };
        running._process.ErrorDataReceived += (_, e) => { lock (running._stderr) running._stderr.AppendLine(e.Data); };
        running._process.BeginOutputReadLine();
        running._process.BeginErrorReadLine();
        return running;
    }

    public string Stdout { get { lock (_stdout) return _stdout.ToString(); } }
    public string Stderr { get { lock (_stderr) return _stderr.ToString(); } }
    public bool HasExited => _process.HasExited;
    public int ExitCode => _process.ExitCode;

    /// <summary>Waits until <paramref name="ready"/> holds (polled), failing if the process ends or a minute passes.</summary>
    public async Task WaitUntilAsync(Func<RunningProcess, bool> ready, string what)
    {
        var deadline = DateTime.UtcNow.AddMinutes(2);
        while (!ready(this))
        {
            if (_process.HasExited) throw new InvalidOperationException($"./crawlscope ended (code {_process.ExitCode}) before {what}:\n{Stdout}\n{Stderr}");
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"no {what} in two minutes:\n{Stdout}\n{Stderr}");
            await Task.Delay(50);
        }
    }

    /// <summary>Sends SIGTERM and waits for the exit; the time it took, or null when it did not exit in <paramref name="limit"/>.</summary>
    public async Task<TimeSpan?> TerminateAsync(TimeSpan limit)
    {
        var clock = Stopwatch.StartNew();
        SendTerm();
        return await WaitForExitAsync(limit, clock);
    }

    /// <summary>SIGTERM, once, without waiting (what systemd sends before it waits).</summary>
    public void SendTerm() => Assert.Equal(0, Kill(_process.Id, SigTerm));

    /// <summary>Waits for the exit; the time since <paramref name="clock"/> started, or null when it did not exit in <paramref name="limit"/>.</summary>
    public async Task<TimeSpan?> WaitForExitAsync(TimeSpan limit, Stopwatch clock)
    {
        using var timeout = new CancellationTokenSource(limit);
        try
        {
            await _process.WaitForExitAsync(timeout.Token);
            _process.WaitForExit(); // the output is read to its end
            return clock.Elapsed;
        }
        catch (OperationCanceledException)
        {
            return null;
        }
    }

    /// <summary>SIGKILL, as <c>kill -9</c>: the process gets no chance to finish anything.</summary>
    public void KillHard()
    {
        Assert.Equal(0, Kill(_process.Id, SigKill));
        _process.WaitForExit();
    }

    private const int SigTerm = 15, SigKill = 9;

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int signal);

    public void Dispose()
    {
        if (!_process.HasExited) _process.Kill(entireProcessTree: true);
        _process.Dispose();
    }
}
