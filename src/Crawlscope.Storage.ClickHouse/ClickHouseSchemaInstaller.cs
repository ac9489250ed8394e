using System.Text.RegularExpressions;

namespace Crawlscope.Storage.ClickHouse;

/// <summary>
/// Applies <see cref="ClickHouseSchema.Migrations"/> to every node the store URL lists. On a cluster whose shards have
/// replicas (each node's <c>&lt;macros&gt;</c> name its shard and replica), local tables are created as
/// <c>ReplicatedReplacingMergeTree</c> with their ZooKeeper path from the macros; their ALTERs are sent once per shard
/// (ClickHouse replicates them; a second ALTER of the same column fails) and then waited for on every replica, within a
/// bound, with an error naming the replica that did not apply it. Migration by migration across all nodes, so a
/// replica's table is created with the structure its peers then had. A column already there is not added again (18.16
/// has no ADD COLUMN IF NOT EXISTS), so a replica created later, or restored, catches up without errors.
/// </summary>
internal static partial class ClickHouseSchemaInstaller
{
    /// <summary>How long a replica may take to show an ALTER its shard's first replica applied.</summary>
    internal static TimeSpan ReplicaWait { get; set; } = TimeSpan.FromSeconds(30);

    private sealed record NodeInfo(Uri Node, string? Shard, string? Replica)
    {
        public string Name => Replica is null ? Node.Authority : $"{Node.Authority} (shard {Shard}, replica {Replica})";
    }

    /// <param name="replicated">Whether the cluster's shards have replicas (it has more nodes than shards).</param>
    public static async Task<IReadOnlyList<(string Node, int Version)>> InstallAsync(ClickHouseClient client, ClickHouseAddress address,
        bool replicated, CancellationToken ct)
    {
        string db = address.Database;
        var nodes = new List<NodeInfo>();
        foreach (var node in address.Nodes)
        {
            var macros = await MacrosAsync(client, node, ct);
            nodes.Add(new NodeInfo(node, macros.GetValueOrDefault("shard"), macros.GetValueOrDefault("replica")));
        }
        if (replicated && nodes.FirstOrDefault(n => n.Shard is null || n.Replica is null) is { } bare)
            throw new ClickHouseException($"{bare.Node.Authority}: the cluster '{address.Cluster}' has replicas, but this server's config has no <macros> with <shard> and <replica>, which name its tables' replication paths", false);

        var versions = new Dictionary<Uri, int>();
        foreach (var n in nodes)
        {
            await client.QueryOnAsync(n.Node, $"CREATE DATABASE IF NOT EXISTS {db}", ct);
            await client.QueryOnAsync(n.Node, ClickHouseSchema.VersionTable.Replace("{db}", db, StringComparison.Ordinal), ct);
            versions[n.Node] = await ClickHouseCrawlStore.SchemaVersionAsync(client, n.Node, db, ct);
        }
        for (int v = versions.Values.Min(); v < ClickHouseSchema.Migrations.Length; v++)
        {
            var migration = ClickHouseSchema.Migrations[v];
            var behind = nodes.Where(n => versions[n.Node] <= v).ToList();
            foreach (string statement in migration.Local.Select(s => s.Replace("{db}", db, StringComparison.Ordinal)))
            {
                if (AlteredColumns().Match(statement) is { Success: true } alter)
                    await AlterAsync(client, db, statement, alter.Groups["table"].Value, behind, replicated && alter.Groups["table"].Value.EndsWith("_local", StringComparison.Ordinal), ct);
                else
                    foreach (var n in behind)
                        if (replicated) await CreateReplicaAsync(client, statement, n, nodes, ct);
                        else await client.QueryOnAsync(n.Node, statement, ct);
            }
            foreach (var n in behind)
            {
                foreach (var table in migration.Distributed) await client.QueryOnAsync(n.Node, ClickHouseSchema.DistributedTable(db, address.Cluster, table), ct);
                await client.QueryOnAsync(n.Node, $"INSERT INTO {db}.schema_version (version, applied) VALUES ({v + 1}, now())", ct);
            }
        }
        return [.. nodes.Select(n => (n.Node.Authority, Math.Max(versions[n.Node], ClickHouseSchema.Migrations.Length)))];
    }

    /// <summary>
    /// Creates a local table on one replica. When ZooKeeper already knows the table with a newer structure (a replica
    /// added after later migrations: code 122) or knows this very replica (one whose disk was lost: code 253), the
    /// table is made with the structure a peer of its shard has now: created, or attached where the replica exists,
    /// and the replica then fetches its peers' parts.
    /// </summary>
    private static async Task CreateReplicaAsync(ClickHouseClient client, string statement, NodeInfo node, List<NodeInfo> nodes, CancellationToken ct)
    {
        var create = CreatedTable().Match(statement);
        try
        {
            await client.QueryOnAsync(node.Node, Replicated(statement, node), ct);
            return;
        }
        catch (ClickHouseException ex) when (create.Success && (IsCode(ex, StructureTooDifferent) || IsCode(ex, ReplicaExists)))
        {
            string table = $"{create.Groups["db"].Value}.{create.Groups["table"].Value}";
            foreach (var peer in nodes.Where(p => p.Shard == node.Shard && p != node))
            {
                string peerStatement;
                try
                {
                    peerStatement = (await client.QueryOnAsync(peer.Node, $"SHOW CREATE TABLE {table} FORMAT TabSeparatedRaw", ct)).Trim();
                }
                catch (ClickHouseException)
                {
                    continue; // that peer is down or lacks the table too
                }
                try
                {
                    await client.QueryOnAsync(node.Node, peerStatement, ct);
                }
                catch (ClickHouseException again) when (IsCode(again, ReplicaExists) && peerStatement.StartsWith("CREATE TABLE", StringComparison.Ordinal))
                {
                    await client.QueryOnAsync(node.Node, "ATTACH TABLE" + peerStatement["CREATE TABLE".Length..], ct);
                }
                return;
            }
            throw new ClickHouseException($"{node.Name}: ZooKeeper already holds {table} for this shard, and no other replica of shard {node.Shard} answered with its structure: " +
                                          "start one and run `store init` again", false, ex);
        }
    }

    private const int StructureTooDifferent = 122, ReplicaExists = 253;

    private static bool IsCode(ClickHouseException ex, int code) => ex.Message.Contains($"Code: {code},", StringComparison.Ordinal);

    /// <summary>A server's macros (<c>shard</c>, <c>replica</c>), which name its replicated tables' paths.</summary>
    internal static async Task<Dictionary<string, string>> MacrosAsync(ClickHouseClient client, Uri node, CancellationToken ct) =>
        ClickHouseRows.Rows(await client.QueryOnAsync(node, "SELECT macro, substitution FROM system.macros FORMAT JSONEachRow", ct))
            .ToDictionary(r => (string)r["macro"]!, r => (string)r["substitution"]!, StringComparer.Ordinal);

    /// <summary>A CREATE of a local table with its engine made replicated: the path names the shard (a macro, expanded
    /// by each server), the database and the table; the replica is the server's own macro.</summary>
    private static string Replicated(string statement, NodeInfo node)
    {
        var create = CreatedTable().Match(statement);
        if (!create.Success || !statement.Contains("ENGINE = ReplacingMergeTree", StringComparison.Ordinal)) return statement;
        string path = $"'/clickhouse/tables/{{shard}}/{create.Groups["db"].Value}/{create.Groups["table"].Value}', '{{replica}}'";
        return EngineArguments().Replace(statement, m => m.Groups["version"].Success
            ? $"ENGINE = ReplicatedReplacingMergeTree({path}, {m.Groups["version"].Value})"
            : $"ENGINE = ReplicatedReplacingMergeTree({path})", 1);
    }

    /// <summary>ADD COLUMNs, applied only where the columns are missing; on a replicated table once per shard, then
    /// waited for on the shard's other replicas.</summary>
    private static async Task AlterAsync(ClickHouseClient client, string db, string statement, string table, List<NodeInfo> nodes, bool replicatedTable,
        CancellationToken ct)
    {
        var columns = AddedColumn().Matches(statement).Select(m => m.Groups["name"].Value).ToList();
        // A replicated table is altered on one replica of its shard, the others follow; any other table on each node.
        foreach (var group in nodes.GroupBy(n => replicatedTable ? n.Shard : n.Node.Authority))
        {
            var missing = new List<NodeInfo>();
            foreach (var n in group)
                if (!(await ColumnsAsync(client, n.Node, db, table, ct)).IsSupersetOf(columns)) missing.Add(n);
            // When some replicas have the columns already, the change is on its way to the others.
            if (missing.Count > 0 && missing.Count == group.Count()) await client.QueryOnAsync(missing[0].Node, statement, ct);
            if (replicatedTable)
                foreach (var n in missing)
                    await WaitForColumnsAsync(client, n, db, table, columns, ct);
        }
    }

    private static async Task WaitForColumnsAsync(ClickHouseClient client, NodeInfo node, string db, string table, List<string> columns, CancellationToken ct)
    {
        var deadline = DateTime.UtcNow + ReplicaWait;
        while (!(await ColumnsAsync(client, node.Node, db, table, ct)).IsSupersetOf(columns))
        {
            if (DateTime.UtcNow > deadline)
                throw new ClickHouseException($"{node.Name} did not apply the schema change to {db}.{table} within {ReplicaWait.TotalSeconds:F0} s " +
                                              $"(its peer did): restart that server (after a ZooKeeper session expiry, 18.16 replicas stop applying ALTERs) and run `store init` again", false);
            await Task.Delay(200, ct);
        }
    }

    private static async Task<HashSet<string>> ColumnsAsync(ClickHouseClient client, Uri node, string db, string table, CancellationToken ct) =>
        ClickHouseRows.Rows(await client.QueryOnAsync(node,
                $"SELECT name FROM system.columns WHERE database = {ClickHouseSql.Literal(db)} AND table = {ClickHouseSql.Literal(table)} FORMAT JSONEachRow", ct))
            .Select(r => (string)r["name"]!).ToHashSet(StringComparer.Ordinal);

    [GeneratedRegex(@"^ALTER TABLE (?<db>\w+)\.(?<table>\w+) ADD COLUMN")]
    private static partial Regex AlteredColumns();

    [GeneratedRegex(@"ADD COLUMN (?<name>\w+)")]
    private static partial Regex AddedColumn();

    [GeneratedRegex(@"^CREATE TABLE IF NOT EXISTS (?<db>\w+)\.(?<table>\w+)")]
    private static partial Regex CreatedTable();

    [GeneratedRegex(@"ENGINE = ReplacingMergeTree(\((?<version>\w+)\))?")]
    private static partial Regex EngineArguments();
}
