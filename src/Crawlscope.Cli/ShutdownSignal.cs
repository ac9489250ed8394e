using System.Runtime.InteropServices;

namespace Crawlscope.Cli;

/// <summary>
/// SIGTERM (what systemd, Docker and Kubernetes send) and the first Ctrl+C (SIGINT) ask the running command to
/// stop cleanly: its token is cancelled and the command finishes or hands back its work, flushes, prints its
/// summary and exits. A second Ctrl+C or SIGTERM leaves at once with exit code 130.
/// </summary>
internal sealed class ShutdownSignal : IDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly PosixSignalRegistration[] _registrations;
    private int _signals;

    private ShutdownSignal()
    {
        _registrations = [PosixSignalRegistration.Create(PosixSignal.SIGTERM, Handle), PosixSignalRegistration.Create(PosixSignal.SIGINT, Handle)];
    }

    /// <summary>Cancelled at the first SIGTERM or SIGINT.</summary>
    public CancellationToken Token => _stop.Token;

    /// <summary>Takes over SIGTERM and SIGINT for this process (the CLI's entry point does, once).</summary>
    public static ShutdownSignal Register() => new();

    private void Handle(PosixSignalContext context)
    {
        // The default action (terminate now) is replaced by a clean stop; a second signal means "now".
        context.Cancel = true;
        if (Interlocked.Increment(ref _signals) > 1) Environment.Exit(CrawlscopeCli.Interrupted);
        _stop.Cancel();
    }

    public void Dispose()
    {
        foreach (var r in _registrations) r.Dispose();
        _stop.Dispose();
    }
}
