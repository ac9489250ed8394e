using System.Diagnostics;
using System.Net.Sockets;

namespace Crawlscope.Tests.Support;

/// <summary>One ZooKeeper server on 127.0.0.1 (Debian's <c>zookeeper</c> package, installed by ./test.sh), standalone,
/// its data in a temporary folder. Stopped and started again by tests that take it away from the replicas.</summary>
public sealed class ZooKeeperServer : IDisposable
{
    public const string JarPath = "/usr/share/java/zookeeper.jar";

    private readonly string _dir = Directory.CreateTempSubdirectory("crawlscope-zookeeper").FullName;
    private Process? _process;

    public ZooKeeperServer()
    {
        if (!File.Exists(JarPath))
            throw new InvalidOperationException($"{JarPath} not found: the replicated cluster tests need Debian's zookeeper (./test.sh installs it: apt-get install zookeeper)");
        Port = ClickHouseCluster.FreePorts(1)[0];
        File.WriteAllText(Path.Combine(_dir, "zoo.cfg"), $"""
            tickTime=2000
            dataDir={_dir}/data
            clientPort={Port}
            clientPortAddress=127.0.0.1
            admin.enableServer=false
            4lw.commands.whitelist=ruok
            """);
        Start();
    }

    public int Port { get; }

    public void Start()
    {
        _process = ServerProcess.Start("java", _dir, "-Xmx256m", "-cp", JarPath, "org.apache.zookeeper.server.ZooKeeperServerMain", Path.Combine(_dir, "zoo.cfg"));
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (DateTime.UtcNow < deadline)
        {
            if (_process.HasExited) throw new InvalidOperationException($"ZooKeeper exited with {_process.ExitCode}");
            try
            {
                using var client = new TcpClient("127.0.0.1", Port);
                client.GetStream().Write("ruok"u8);
                var answer = new byte[4];
                if (client.GetStream().Read(answer) == 4 && answer.AsSpan().SequenceEqual("imok"u8)) return;
            }
            catch (SocketException)
            {
            }
            catch (IOException)
            {
            }
            Thread.Sleep(200);
        }
        throw new TimeoutException("ZooKeeper did not answer within 60 s");
    }

    public void Stop()
    {
        if (_process is null) return;
        _process.Kill(entireProcessTree: true);
        _process.WaitForExit();
        _process.Dispose();
        _process = null;
    }

    public void Dispose()
    {
        Stop();
        try
        {
            Directory.Delete(_dir, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}

/// <summary>Two shards of two replicas each (four clickhouse-server processes) and the ZooKeeper they replicate
/// through, as a cluster that survives losing a machine is laid out.</summary>
public sealed class ReplicatedClickHouseCluster : ClickHouseCluster
{
    public ReplicatedClickHouseCluster() : this(new ZooKeeperServer())
    {
    }

    private ReplicatedClickHouseCluster(ZooKeeperServer zooKeeper) : base(shards: 2, replicas: 2, zooKeeper.Port) => ZooKeeper = zooKeeper;

    public ZooKeeperServer ZooKeeper { get; }

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        ZooKeeper.Dispose();
    }
}

/// <summary>Two shards of two replicas set up from deploy/cluster/'s drop-ins over Debian's own server configuration,
/// and their ZooKeeper.</summary>
public sealed class DeployedClickHouseCluster : ClickHouseCluster
{
    public DeployedClickHouseCluster() : this(new ZooKeeperServer())
    {
    }

    private DeployedClickHouseCluster(ZooKeeperServer zooKeeper) : base(shards: 2, replicas: 2, zooKeeper.Port, deployed: true) => ZooKeeper = zooKeeper;

    public ZooKeeperServer ZooKeeper { get; }

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        ZooKeeper.Dispose();
    }
}

/// <summary>Tests on the replicated cluster share one and run one class at a time (they stop nodes).</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ReplicatedClickHouseCollection : ICollectionFixture<ReplicatedClickHouseCluster>
{
    public const string Name = "replicated clickhouse";
}
