using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Crawlscope.Storage.ClickHouse;

namespace Crawlscope.Tests.Support;

/// <summary>
/// A real ClickHouse cluster on 127.0.0.1: clickhouse-server processes (Debian's package, installed by ./test.sh),
/// each with its own config and data folder in a temporary directory, and a remote_servers section naming them as
/// cluster "crawl". By default two nodes, each a shard; <see cref="ReplicatedClickHouseCluster"/> has shards of
/// replicas and a ZooKeeper. Stopped and removed when the tests are done.
/// </summary>
public class ClickHouseCluster : IDisposable
{
    public const string ServerPath = "/usr/sbin/clickhouse-server";
    public const string ClusterName = "crawl";

    private readonly string _root = Directory.CreateTempSubdirectory("crawlscope-clickhouse").FullName;
    private readonly Node[] _nodes;
    private readonly int? _zooKeeperPort;
    private readonly bool _deployed;

    /// <summary>One node: its ports and, while it runs, its process.</summary>
    public sealed class Node(int index, int httpPort, int tcpPort, int interserverPort, string dir, int shard = 0, int replica = 0)
    {
        public int Index { get; } = index;
        /// <summary>Its shard and its replica within it, from 1 (every node its own shard when unreplicated).</summary>
        public int Shard { get; } = shard == 0 ? index + 1 : shard;
        public int Replica { get; } = replica == 0 ? 1 : replica;
        public int HttpPort { get; } = httpPort;
        public int TcpPort { get; } = tcpPort;
        public int InterserverPort { get; } = interserverPort;
        public string Dir { get; } = dir;
        public Process? Process { get; set; }
        public Uri Http => new($"http://127.0.0.1:{HttpPort}/");
    }

    public ClickHouseCluster() : this(shards: 2, replicas: 1, zooKeeperPort: null)
    {
    }

    /// <param name="zooKeeperPort">The ZooKeeper the replicas share; null when unreplicated.</param>
    /// <param name="deployed">Each node set up as deploy/cluster/ tells an operator to (<see cref="WriteDeployedConfig"/>).</param>
    protected ClickHouseCluster(int shards, int replicas, int? zooKeeperPort, bool deployed = false)
    {
        _deployed = deployed;
        if (!File.Exists(ServerPath))
            throw new InvalidOperationException($"{ServerPath} not found: the cluster tests need Debian's clickhouse-server (./test.sh installs it: apt-get install clickhouse-server)");
        _zooKeeperPort = zooKeeperPort;
        var ports = FreePorts(3 * shards * replicas);
        _nodes = [.. Enumerable.Range(0, shards * replicas).Select(i =>
            new Node(i, ports[3 * i], ports[3 * i + 1], ports[3 * i + 2], Path.Combine(_root, $"node{i}"), i / replicas + 1, i % replicas + 1))];
        foreach (var node in _nodes)
        {
            if (deployed) WriteDeployedConfig(node);
            else WriteConfig(node);
        }
        foreach (var node in _nodes) Start(node);
        foreach (var node in _nodes) WaitReady(node);
    }

    public IReadOnlyList<Node> Nodes => _nodes;

    /// <summary>The store URL of a database on this cluster (every node's HTTP port).</summary>
    public string StoreUrl(string database) =>
        $"clickhouse://{string.Join(",", _nodes.Select(n => $"127.0.0.1:{n.HttpPort}"))}/{database}?cluster={ClusterName}" +
        (_deployed ? $"&user=crawlscope&password={DeployedPassword}" : "");

    /// <summary>The crawl user's password on a cluster set up from deploy/cluster/ (its SHA-256 goes in the users drop-in).</summary>
    public const string DeployedPassword = "test-password-1";

    public ClickHouseAddress Address(string database) => ClickHouseAddress.Parse(StoreUrl(database));

    /// <summary>A fresh database name, so tests sharing the cluster never see each other's rows.</summary>
    public static string NewDatabase(string prefix) => $"{prefix}_{Guid.NewGuid():N}"[..Math.Min(40, prefix.Length + 33)];

    /// <summary>Runs SQL on one node directly (tests read local tables to see where rows landed).</summary>
    public async Task<string> QueryAsync(int node, string sql)
    {
        using var http = new HttpClient();
        using var response = await http.PostAsync(_nodes[node].Http, new StringContent(sql));
        string body = await response.Content.ReadAsStringAsync();
        if (!response.IsSuccessStatusCode) throw new InvalidOperationException($"node {node}: {body}");
        return body;
    }

    /// <summary>A count (or any one number) asked of one node directly.</summary>
    public async Task<long> CountAsync(int node, string sql) =>
        long.Parse((await QueryAsync(node, sql)).Trim(), System.Globalization.CultureInfo.InvariantCulture);

    public void Stop(int node)
    {
        var n = _nodes[node];
        if (n.Process is null) return;
        n.Process.Kill(entireProcessTree: true);
        n.Process.WaitForExit();
        n.Process.Dispose();
        n.Process = null;
    }

    /// <summary>Deletes a stopped node's data folder: the machine's disk is lost.</summary>
    public void WipeData(int node)
    {
        string data = Path.Combine(_nodes[node].Dir, "data");
        Directory.Delete(data, recursive: true);
        Directory.CreateDirectory(data);
    }

    /// <summary>Starts a node again, as its operator would. A replica killed with -9 can hold a part it wrote but never
    /// registered in ZooKeeper, and 18.16 then refuses to start ("the local set of parts ... doesn't look like the set
    /// of parts in ZooKeeper"): the documented answer is the <c>flags/force_restore_data</c> file, with which the server
    /// sets such parts aside and fetches what its peer has (the worker still holds those rows until both replicas
    /// confirm them). Any other exit while starting is tried again for up to a minute.</summary>
    public void Restart(int node)
    {
        Stop(node);
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            Start(_nodes[node]);
            try
            {
                WaitReady(_nodes[node]);
                return;
            }
            catch (InvalidOperationException ex) when (DateTime.UtcNow < deadline)
            {
                Stop(node);
                if (ex.Message.Contains("set of parts in ZooKeeper", StringComparison.Ordinal))
                {
                    string flags = Path.Combine(_nodes[node].Dir, "data", "flags");
                    Directory.CreateDirectory(flags);
                    File.WriteAllText(Path.Combine(flags, "force_restore_data"), "");
                }
                else Thread.Sleep(3000);
            }
        }
    }

    private void WriteConfig(Node n)
    {
        Directory.CreateDirectory(Path.Combine(n.Dir, "data"));
        // Replicas of a shard replicate their tables themselves (through ZooKeeper): a Distributed insert goes to one.
        string replication = _zooKeeperPort is null ? "" : "<internal_replication>true</internal_replication>";
        string shards = string.Concat(_nodes.GroupBy(o => o.Shard).Select(s =>
            $"<shard>{replication}{string.Concat(s.Select(o => $"<replica><host>127.0.0.1</host><port>{o.TcpPort}</port></replica>"))}</shard>"));
        string zooKeeper = _zooKeeperPort is { } zk
            ? $"<zookeeper><node><host>127.0.0.1</host><port>{zk}</port></node><session_timeout_ms>30000</session_timeout_ms></zookeeper>" +
              $"<macros><shard>{n.Shard:D2}</shard><replica>node{n.Index}</replica></macros><interserver_http_host>127.0.0.1</interserver_http_host>"
            : "";
        File.WriteAllText(Path.Combine(n.Dir, "config.xml"), $"""
            <?xml version="1.0"?>
            <yandex>
              <logger><level>warning</level><log>{n.Dir}/server.log</log><errorlog>{n.Dir}/error.log</errorlog><size>10M</size><count>1</count></logger>
              <http_port>{n.HttpPort}</http_port>
              <tcp_port>{n.TcpPort}</tcp_port>
              <interserver_http_port>{n.InterserverPort}</interserver_http_port>
              <listen_host>127.0.0.1</listen_host>
              <path>{n.Dir}/data/</path>
              <tmp_path>{n.Dir}/tmp/</tmp_path>
              <user_files_path>{n.Dir}/user_files/</user_files_path>
              <format_schema_path>{n.Dir}/format_schemas/</format_schema_path>
              <mark_cache_size>5368709120</mark_cache_size>
              <max_concurrent_queries>100</max_concurrent_queries>
              <users>
                <default><password></password><networks><ip>127.0.0.1</ip></networks><profile>default</profile><quota>default</quota></default>
              </users>
              <profiles><default></default></profiles>
              <quotas><default></default></quotas>
              <remote_servers><{ClusterName}>{shards}</{ClusterName}></remote_servers>
              {zooKeeper}
            </yandex>
            """);
    }

    /// <summary>
    /// A node as deploy/cluster/ tells an operator to set it up: Debian's own config.xml and users.xml, the project's
    /// drop-ins in config.d/ and users.d/ with this machine's names, ports and macros written in (the part the files'
    /// comments say to edit per machine, plus the loopback address and ports these tests must use, and the test's one
    /// ZooKeeper for the three named), and one drop-in of the test's for the folders.
    /// </summary>
    private void WriteDeployedConfig(Node n)
    {
        string deploy = Path.Combine(SharedData.RepoRoot, "deploy", "cluster");
        Directory.CreateDirectory(Path.Combine(n.Dir, "config.d"));
        Directory.CreateDirectory(Path.Combine(n.Dir, "users.d"));
        Directory.CreateDirectory(Path.Combine(n.Dir, "data"));
        File.Copy("/etc/clickhouse-server/config.xml", Path.Combine(n.Dir, "config.xml"), overwrite: true);
        File.Copy("/etc/clickhouse-server/users.xml", Path.Combine(n.Dir, "users.xml"), overwrite: true);

        var node = System.Xml.Linq.XDocument.Load(Path.Combine(deploy, "clickhouse-node.xml"));
        var root = node.Root!;
        root.Element("listen_host")!.Value = "127.0.0.1";
        root.Element("http_port")!.Value = n.HttpPort.ToString(System.Globalization.CultureInfo.InvariantCulture);
        root.Element("tcp_port")!.Value = n.TcpPort.ToString(System.Globalization.CultureInfo.InvariantCulture);
        root.Element("interserver_http_port")!.Value = n.InterserverPort.ToString(System.Globalization.CultureInfo.InvariantCulture);
        root.Element("interserver_http_host")!.Value = "127.0.0.1";
        var replicas = root.Element("remote_servers")!.Element(ClusterName)!.Elements("shard").SelectMany(s => s.Elements("replica")).ToList();
        for (int i = 0; i < replicas.Count; i++)
        {
            replicas[i].Element("host")!.Value = "127.0.0.1";
            replicas[i].Element("port")!.Value = _nodes[i].TcpPort.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }
        foreach (var zk in root.Element("zookeeper")!.Elements("node"))
        {
            zk.Element("host")!.Value = "127.0.0.1";
            zk.Element("port")!.Value = _zooKeeperPort!.Value.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }
        root.Element("macros")!.Element("shard")!.Value = n.Shard.ToString("D2", System.Globalization.CultureInfo.InvariantCulture);
        root.Element("macros")!.Element("replica")!.Value = $"ch{n.Index + 1}";
        node.Save(Path.Combine(n.Dir, "config.d", "crawlscope.xml"));

        var users = System.Xml.Linq.XDocument.Load(Path.Combine(deploy, "clickhouse-users.xml"));
        var crawl = users.Root!.Element("users")!.Element("crawlscope")!;
        crawl.Element("password_sha256_hex")!.Value = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(DeployedPassword)));
        crawl.Element("networks")!.Element("ip")!.Value = "127.0.0.1";
        users.Save(Path.Combine(n.Dir, "users.d", "crawlscope.xml"));

        File.WriteAllText(Path.Combine(n.Dir, "config.d", "test-folders.xml"), $"""
            <?xml version="1.0"?>
            <yandex>
              <logger><level>warning</level><log>{n.Dir}/server.log</log><errorlog>{n.Dir}/error.log</errorlog><size>10M</size><count>1</count></logger>
              <path>{n.Dir}/data/</path>
              <tmp_path>{n.Dir}/tmp/</tmp_path>
              <user_files_path>{n.Dir}/user_files/</user_files_path>
              <format_schema_path>{n.Dir}/format_schemas/</format_schema_path>
            </yandex>
            """);
    }

    private static void Start(Node n)
    {
        var p = ServerProcess.Start(ServerPath, n.Dir, $"--config-file={Path.Combine(n.Dir, "config.xml")}");
        n.Process = p;
    }

    private static void WaitReady(Node n)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (DateTime.UtcNow < deadline)
        {
            if (n.Process is { HasExited: true } p)
                throw new InvalidOperationException($"clickhouse-server node {n.Index} exited with {p.ExitCode}: {ReadLog(n)}");
            try
            {
                if (http.GetStringAsync(new Uri(n.Http, "/ping")).GetAwaiter().GetResult().StartsWith("Ok", StringComparison.Ordinal)) return;
            }
            catch (HttpRequestException)
            {
            }
            catch (TaskCanceledException)
            {
            }
            Thread.Sleep(100);
        }
        throw new TimeoutException($"clickhouse-server node {n.Index} did not answer within 60 s: {ReadLog(n)}");
    }

    private static string ReadLog(Node n)
    {
        string log = Path.Combine(n.Dir, "error.log");
        // The last error lines themselves, not the stack frames that follow them.
        return File.Exists(log)
            ? string.Join(" | ", File.ReadLines(log).Where(l => l.Contains("<Error>", StringComparison.Ordinal) || l.Contains("Exception", StringComparison.Ordinal)).TakeLast(3))
            : "(no log)";
    }

    internal static int[] FreePorts(int count)
    {
        var listeners = Enumerable.Range(0, count).Select(_ => new TcpListener(IPAddress.Loopback, 0)).ToList();
        foreach (var l in listeners) l.Start();
        var ports = listeners.Select(l => ((IPEndPoint)l.LocalEndpoint).Port).ToArray();
        foreach (var l in listeners) l.Stop();
        return ports;
    }

    public void Dispose()
    {
        Dispose(true);
        GC.SuppressFinalize(this);
    }

    protected virtual void Dispose(bool disposing)
    {
        for (int i = 0; i < _nodes.Length; i++) Stop(i);
        try
        {
            Directory.Delete(_root, recursive: true);
        }
        catch (IOException)
        {
            // A server's last writes may race the delete; the temp folder is cleaned by the system.
        }
    }
}

/// <summary>Tests on the cluster share one; they run one class at a time (some stop a node).</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ClickHouseCollection : ICollectionFixture<ClickHouseCluster>
{
    public const string Name = "clickhouse";
}
