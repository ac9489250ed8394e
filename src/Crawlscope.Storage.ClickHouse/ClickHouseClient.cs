using System.Globalization;
using System.Net;
using System.Text;
using System.Text.RegularExpressions;

namespace Crawlscope.Storage.ClickHouse;

/// <summary>A ClickHouse request failed; the message names the node that answered or could not be reached.</summary>
public sealed class ClickHouseException(string message, bool unreachable, Exception? inner = null) : Exception(message, inner)
{
    /// <summary>No node could be reached at all (as opposed to a node answering with an error).</summary>
    public bool Unreachable { get; } = unreachable;
}

/// <summary>
/// ClickHouse's HTTP interface, which every server version speaks (the official .NET driver sends settings
/// that 18.16 rejects). Statements go to the first node that answers; a node that cannot be reached is
/// skipped until the others fail too.
/// </summary>
public sealed class ClickHouseClient : IDisposable
{
    private readonly HttpClient _http;
    private readonly ClickHouseAddress _address;
    private int _preferred;

    public ClickHouseClient(ClickHouseAddress address, TimeSpan? timeout = null)
    {
        _address = address;
        _http = new HttpClient(new SocketsHttpHandler
        {
            ConnectTimeout = TimeSpan.FromSeconds(5),
            PooledConnectionIdleTimeout = TimeSpan.FromSeconds(30),
            AutomaticDecompression = DecompressionMethods.None,
        })
        { Timeout = timeout ?? TimeSpan.FromMinutes(5) };
    }

    public ClickHouseAddress Address => _address;

    /// <summary>Runs a statement and returns the body as ClickHouse sent it.</summary>
    public Task<string> QueryAsync(string sql, CancellationToken ct = default) =>
        SendAsync(null, sql, null, ct);

    /// <summary>Runs a statement on one given node (schema creation, which must happen on every node). Its
    /// tables are named with their database, which may not exist yet.</summary>
    public Task<string> QueryOnAsync(Uri node, string sql, CancellationToken ct = default) =>
        SendAsync(node, sql, null, ct, withDatabase: false);

    /// <summary>Inserts rows (JSONEachRow lines) into a table. Inserts into a Distributed table are synchronous
    /// (<c>insert_distributed_sync=1</c>): when the call returns, every shard has the rows; when a shard's node is
    /// down the call fails naming it, and the caller sends the batch again (tables replace equal rows).</summary>
    /// <param name="deduplicate">False for a batch sent again on purpose: replicated tables otherwise skip a block they
    /// have seen, even when the only replica that stored it was lost.</param>
    public Task InsertAsync(string table, string jsonEachRow, CancellationToken ct = default, bool deduplicate = true) =>
        InsertAsync(table, [jsonEachRow], ct, deduplicate);

    /// <summary>Inserts rows given in parts (each whole JSONEachRow lines), sent one after the other as one body.</summary>
    public Task InsertAsync(string table, IReadOnlyList<string> jsonEachRowParts, CancellationToken ct = default, bool deduplicate = true) =>
        SendAsync(null, $"INSERT INTO {_address.Database}.{table} FORMAT JSONEachRow", jsonEachRowParts, ct,
            deduplicate ? "&insert_distributed_sync=1" : "&insert_distributed_sync=1&insert_deduplicate=0");

    /// <summary>Streams a query's response line by line (exports), so memory stays flat.</summary>
    public async IAsyncEnumerable<string> LinesAsync(string sql, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken ct = default)
    {
        using var response = await OpenAsync(null, sql, null, "", HttpCompletionOption.ResponseHeadersRead, ct);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(ct), Encoding.UTF8);
        while (await reader.ReadLineAsync(ct) is { } line)
        {
            // A query that fails after the headers were sent ends with the exception text instead of a row.
            if (line.StartsWith("Code: ", StringComparison.Ordinal)) throw new ClickHouseException($"ClickHouse failed while streaming: {line}", false);
            if (line.Length > 0) yield return line;
        }
    }

    private async Task<string> SendAsync(Uri? node, string sql, IReadOnlyList<string>? body, CancellationToken ct, string settings = "", bool withDatabase = true)
    {
        using var response = await OpenAsync(node, sql, body, settings, HttpCompletionOption.ResponseContentRead, ct, withDatabase);
        return await response.Content.ReadAsStringAsync(ct);
    }

    private async Task<HttpResponseMessage> OpenAsync(Uri? node, string sql, IReadOnlyList<string>? body, string settings, HttpCompletionOption completion, CancellationToken ct, bool withDatabase = true)
    {
        var nodes = node is null ? _address.Nodes : [node];
        var failures = new List<string>();
        int start = node is null ? Volatile.Read(ref _preferred) : 0;
        for (int n = 0; n < nodes.Count; n++)
        {
            int index = (start + n) % nodes.Count;
            var target = nodes[index];
            // With a body (an insert) the statement goes in the URL; otherwise the statement is the body, so
            // long queries are not limited by URL length.
            // Every parameter starts with '&' and the first one's becomes '?': 18.16 takes an empty name ("?&user=") for
            // a setting it does not know, and refuses the statement.
            string query = "?" + ((withDatabase ? $"&database={Uri.EscapeDataString(_address.Database)}" : "") + Credentials() + settings +
                                  (body is null ? "" : "&query=" + Uri.EscapeDataString(sql))).TrimStart('&');
            using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(target, "/" + query))
            {
                Content = body is null ? new StringContent(sql, Encoding.UTF8, "text/plain") : new Utf8PartsContent(body),
            };
            HttpResponseMessage response;
            try
            {
                response = await _http.SendAsync(request, completion, ct);
            }
            catch (Exception ex) when (ex is HttpRequestException || (ex is TaskCanceledException && !ct.IsCancellationRequested))
            {
                failures.Add($"{target.Authority}: {ex.Message}");
                continue;
            }
            if (!response.IsSuccessStatusCode)
            {
                string text = (await response.Content.ReadAsStringAsync(ct)).Trim();
                response.Dispose();
                throw new ClickHouseException(await DownNodeAsync(text, target, ct) ?? $"ClickHouse at {target.Authority} answered {(int)response.StatusCode}: {Shorten(text)}", false);
            }
            if (node is null) Volatile.Write(ref _preferred, index);
            return response;
        }
        throw new ClickHouseException($"no ClickHouse node could be reached ({string.Join("; ", failures)})", true);
    }

    // How ClickHouse says that a node a distributed query needed could not be reached: "Connection refused (HOST:PORT".
    private static readonly Regex Unreached = new(@"(?:Connection refused|Timeout exceeded while connecting to socket|Connection reset by peer) \(([^\s,():]+):(\d+)",
        RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));

    /// <summary>One line for a query that failed because a node of the cluster is down: which node (its shard and replica,
    /// from <c>system.clusters</c> on the node that answered) and which of the store URL's HTTP addresses do not answer
    /// either; null when the error is another one.</summary>
    private async Task<string?> DownNodeAsync(string error, Uri answered, CancellationToken ct)
    {
        var match = Unreached.Match(error);
        if (!match.Success) return null;
        string host = match.Groups[1].Value, port = match.Groups[2].Value;
        string where = "";
        try
        {
            using var response = await _http.PostAsync(new Uri(answered, "/?" + Credentials().TrimStart('&')), new StringContent(
                $"SELECT shard_num, replica_num FROM system.clusters WHERE cluster = {ClickHouseSql.Literal(_address.Cluster)} AND port = {int.Parse(port, CultureInfo.InvariantCulture)} " +
                $"AND (host_address = {ClickHouseSql.Literal(host)} OR host_name = {ClickHouseSql.Literal(host)}) LIMIT 1 FORMAT TSV"), ct);
            if (response.IsSuccessStatusCode && (await response.Content.ReadAsStringAsync(ct)).Trim().Split('\t') is [var shard, var replica])
                where = $" of shard {shard} (replica {replica})";
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException && !ct.IsCancellationRequested)
        {
            // The node that answered a moment ago is gone too: the line says what it can.
        }
        var silent = new List<string>();
        foreach (var node in _address.Nodes)
        {
            using var ping = new CancellationTokenSource(TimeSpan.FromSeconds(1));
            try
            {
                using var pong = await _http.GetAsync(new Uri(node, "/ping"), ping.Token);
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException && !ct.IsCancellationRequested)
            {
                silent.Add(node.Authority);
            }
        }
        return $"ClickHouse node {host}:{port}{where} is down (a query through {answered.Authority} could not reach it)" +
               (silent.Count > 0 ? $"; not answering over HTTP: {string.Join(", ", silent)}" : "") + "; start it again, or read through a replica of its shard";
    }

    private string Credentials() =>
        (_address.User is null ? "" : "&user=" + Uri.EscapeDataString(_address.User)) +
        (_address.Password is null ? "" : "&password=" + Uri.EscapeDataString(_address.Password));

    private static string Shorten(string text) => text.Length <= 2000 ? text : text[..2000] + "…";

    public void Dispose() => _http.Dispose();
}
