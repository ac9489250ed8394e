using System.Diagnostics;
using System.Net.Sockets;

namespace Crawlscope.Tests.Support;

/// <summary>One etcd server on 127.0.0.1 (Debian's etcd-server 3.4, installed by ./test.sh), a single-member cluster
/// with its data in a temporary folder; stopped and removed on dispose.</summary>
public sealed class EtcdServer : IDisposable
{
    public const string ServerPath = "/usr/bin/etcd";

    private readonly string _dir = Directory.CreateTempSubdirectory("crawlscope-etcd").FullName;
    private readonly Process _process;

    public EtcdServer()
    {
        if (!File.Exists(ServerPath))
            throw new InvalidOperationException($"{ServerPath} not found: the lease tests need Debian's etcd-server (./test.sh installs it: apt-get install etcd-server)");
        var ports = ClickHouseCluster.FreePorts(2);
        Port = ports[0];
        string peer = $"http://127.0.0.1:{ports[1]}";
        _process = ServerProcess.Start(ServerPath, _dir, "--name", "test", "--data-dir", Path.Combine(_dir, "data"), "--listen-client-urls", $"http://127.0.0.1:{Port}",
            "--advertise-client-urls", $"http://127.0.0.1:{Port}", "--listen-peer-urls", peer, "--initial-advertise-peer-urls", peer, "--initial-cluster", $"test={peer}");
        var deadline = DateTime.UtcNow.AddSeconds(30);
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        while (DateTime.UtcNow < deadline)
        {
            if (_process.HasExited) throw new InvalidOperationException($"etcd exited with {_process.ExitCode}");
            try
            {
                if (http.GetStringAsync($"http://127.0.0.1:{Port}/health").GetAwaiter().GetResult().Contains("true", StringComparison.Ordinal)) return;
            }
            catch (HttpRequestException)
            {
            }
            catch (TaskCanceledException)
            {
            }
            Thread.Sleep(100);
        }
        throw new TimeoutException("etcd did not answer within 30 s");
    }

    public int Port { get; }

    public string Coordinator => $"etcd://127.0.0.1:{Port}";

    private bool _disposed;

    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        if (!_process.HasExited) _process.Kill(entireProcessTree: true);
        _process.WaitForExit();
        _process.Dispose();
        try
        {
            Directory.Delete(_dir, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
