using System.Text;
using System.Text.Json;
using Crawlscope.Storage.ClickHouse;
using Crawlscope.Tests.Support;

namespace Crawlscope.Tests.Storage;

/// <summary>The one function that writes values into ClickHouse SQL, checked by a real server reading them back.</summary>
[Collection(ClickHouseCollection.Name)]
public sealed class ClickHouseSqlTests(ClickHouseCluster cluster)
{
    [Theory]
    [InlineData("plain", "'plain'")]
    [InlineData("it's", @"'it\'s'")]
    [InlineData(@"back\slash", @"'back\\slash'")]
    [InlineData("line\nbreak\ttab\0nul", @"'line\x0Abreak\x09tab\x00nul'")]
    [InlineData(@"\'; DROP TABLE pages; --", @"'\\\'; DROP TABLE pages; --'")]
    public void Literal_EscapesQuotesBackslashesAndControlCharacters(string value, string expected) =>
        Assert.Equal(expected, ClickHouseSql.Literal(value));

    [Fact]
    public void Bind_ReplacesWholeNamesOutsideQuotesOnly()
    {
        string sql = ClickHouseSql.Bind("SELECT '$key' AS text, $key AS k, $key2 AS k2 FROM t WHERE x = $n",
            [("$key", "a'b"), ("$key2", "c"), ("$n", 42L)]);
        Assert.Equal(@"SELECT '$key' AS text, 'a\'b' AS k, 'c' AS k2 FROM t WHERE x = 42", sql);
    }

    [Fact]
    public void Bind_ValueContainingAParameterNameIsNotSubstitutedAgain()
    {
        string sql = ClickHouseSql.Bind("SELECT $a, $b", [("$a", "$b"), ("$b", "x")]);
        Assert.Equal("SELECT '$b', 'x'", sql);
    }

    [Fact]
    public void Bind_MissingValue_Throws() =>
        Assert.Throws<ArgumentException>(() => ClickHouseSql.Bind("SELECT $missing", [("$other", 1)]));

    [Fact]
    public void Literal_RejectsTypesItCannotWrite() =>
        Assert.Throws<ArgumentException>(() => ClickHouseSql.Literal(new object()));

    /// <summary>
    /// Fuzz: 2,000 random strings (quotes, backslashes, control characters, any plane of Unicode, SQL
    /// fragments) go through the literal function into a real server, which must read back exactly the string:
    /// no literal ends early, and nothing after it is run.
    /// </summary>
    [Fact]
    public async Task Literal_RandomStrings_ServerReadsBackExactlyTheValue()
    {
        var random = new Random(20261126);
        string[] pieces = ["'", "\\", "\"", "\n", "\r", "\t", "\0", "--", "/*", "*/", ";", "$key", "FORMAT TSV", "é", "😀", "\u2028", "\x7f", "' OR 1=1 --", "\\'"];
        var values = new List<string>();
        for (int i = 0; i < 2000; i++)
        {
            var sb = new StringBuilder();
            int parts = random.Next(0, 12);
            for (int p = 0; p < parts; p++)
            {
                switch (random.Next(3))
                {
                    case 0: sb.Append(pieces[random.Next(pieces.Length)]); break;
                    case 1: sb.Append((char)random.Next(0, 0x80)); break;
                    default:
                        int cp = random.Next(0x80, 0x10FFFF);
                        if (cp is >= 0xD800 and <= 0xDFFF) cp = 0xE000;
                        sb.Append(char.ConvertFromUtf32(cp));
                        break;
                }
            }
            values.Add(sb.ToString());
        }
        using var client = new ClickHouseClient(cluster.Address("default"));
        foreach (var chunk in values.Chunk(200))
        {
            string sql = "SELECT " + string.Join(", ", chunk.Select((v, i) => $"{ClickHouseSql.Literal(v)} AS v{i}")) + " FORMAT JSONEachRow";
            using var doc = JsonDocument.Parse(await client.QueryAsync(sql));
            for (int i = 0; i < chunk.Length; i++)
                Assert.Equal(chunk[i], doc.RootElement.GetProperty($"v{i}").GetString());
        }
    }

    [Theory]
    [InlineData("clickhouse://h:1/db", "no cluster")]
    [InlineData("clickhouse://h:1?cluster=c", "no database")]
    [InlineData("clickhouse://h:1/db;drop?cluster=c", "not a plain database name")]
    [InlineData("clickhouse://h:1/db?cluster=c'x", "not a plain cluster name")]
    [InlineData("clickhouse://h:1/db?cluster=c&mode=x", "unknown store URL parameter")]
    [InlineData("postgres://h:1/db?cluster=c", "starts with clickhouse://")]
    public void Address_BadUrls_SayWhatIsWrong(string url, string message) =>
        Assert.Contains(message, Assert.Throws<FormatException>(() => ClickHouseAddress.Parse(url)).Message);

    [Fact]
    public void Address_ParsesNodesDatabaseClusterAndCredentials()
    {
        var a = ClickHouseAddress.Parse("clickhouse://10.0.0.1:8123,10.0.0.2:8124/crawl?cluster=main&user=bot&password=p%26w");
        Assert.Equal(["10.0.0.1:8123", "10.0.0.2:8124"], a.Nodes.Select(n => n.Authority));
        Assert.Equal(("crawl", "main", "bot", "p&w"), (a.Database, a.Cluster, a.User, a.Password));
        Assert.DoesNotContain("p&w", a.ToString());
    }
}
