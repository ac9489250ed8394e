using System.Text.RegularExpressions;

namespace Crawlscope.Storage.ClickHouse;

/// <summary>
/// Where the cluster store lives: <c>clickhouse://HOST:PORT[,HOST:PORT...]/DATABASE?cluster=NAME[&amp;user=&amp;password=]</c>.
/// The ports are the nodes' HTTP ports. The first node that answers takes queries and inserts (the others are
/// fallbacks); <c>store init</c> creates the local tables on every node listed, so list them all.
/// </summary>
public sealed partial record ClickHouseAddress(IReadOnlyList<Uri> Nodes, string Database, string Cluster, string? User, string? Password)
{
    public const string Scheme = "clickhouse://";

    public static bool IsClickHouse(string store) => store.StartsWith(Scheme, StringComparison.OrdinalIgnoreCase);

    /// <summary>Parses a store URL; throws <see cref="FormatException"/> with a message for the user.</summary>
    public static ClickHouseAddress Parse(string text)
    {
        if (!IsClickHouse(text)) throw new FormatException($"a ClickHouse store URL starts with {Scheme}: {text}");
        string rest = text[Scheme.Length..];
        int q = rest.IndexOf('?');
        string query = q < 0 ? "" : rest[(q + 1)..];
        if (q >= 0) rest = rest[..q];
        int slash = rest.IndexOf('/');
        if (slash < 0) throw new FormatException($"no database in {text} (clickhouse://HOST:PORT/DATABASE?cluster=NAME)");
        string database = rest[(slash + 1)..];
        var nodes = new List<Uri>();
        foreach (string node in rest[..slash].Split(',', StringSplitOptions.TrimEntries))
        {
            if (!Uri.TryCreate("http://" + node, UriKind.Absolute, out var uri) || uri.PathAndQuery != "/" || node.Length == 0 || uri.UserInfo != "")
                throw new FormatException($"not a HOST:PORT node: '{node}' in {text}");
            nodes.Add(uri);
        }
        string? cluster = null, user = null, password = null;
        foreach (string pair in query.Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            int eq = pair.IndexOf('=');
            string name = Uri.UnescapeDataString(eq < 0 ? pair : pair[..eq]);
            string value = eq < 0 ? "" : Uri.UnescapeDataString(pair[(eq + 1)..]);
            switch (name)
            {
                case "cluster": cluster = value; break;
                case "user": user = value; break;
                case "password": password = value; break;
                default: throw new FormatException($"unknown store URL parameter '{name}' (known: cluster, user, password)");
            }
        }
        if (cluster is null) throw new FormatException($"no cluster in {text} (add ?cluster=NAME, the remote_servers entry naming the nodes)");
        // The database and cluster names are written into SQL as identifiers, so only plain names are accepted.
        if (!Identifier().IsMatch(database)) throw new FormatException($"not a plain database name: '{database}' (letters, digits, _)");
        if (!Identifier().IsMatch(cluster)) throw new FormatException($"not a plain cluster name: '{cluster}' (letters, digits, _)");
        return new ClickHouseAddress(nodes, database, cluster, user, password);
    }

    /// <summary>The URL without the password, for messages.</summary>
    public override string ToString() =>
        $"{Scheme}{string.Join(",", Nodes.Select(n => n.Authority))}/{Database}?cluster={Cluster}{(User is null ? "" : "&user=" + User)}";

    [GeneratedRegex("^[A-Za-z_][A-Za-z0-9_]*$")]
    private static partial Regex Identifier();
}
