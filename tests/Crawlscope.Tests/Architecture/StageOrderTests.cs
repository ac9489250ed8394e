using ArchUnitNET.Domain;
using ArchUnitNET.Loader;
using Crawlscope.Crawling;

namespace Crawlscope.Tests.Architecture;

/// <summary>
/// The library's folders are the crawl's stages, and a stage depends only on stages before it: the vocabulary and the
/// model at the bottom, then the stages in data-flow order (where a stage calls a later step's class, as the robots gate
/// fetches robots.txt with the fetcher, the callee comes first: the WARC writer records fetches, robots.txt and sitemaps
/// among them, so it follows the fetcher), then the orchestrators and the readers. Dependencies
/// are read from the compiled assembly (signatures and method bodies) by ArchUnitNET, not from using lines.
/// </summary>
public class StageOrderTests
{
    /// <summary>Every namespace of src/Crawlscope, lowest first; a sub-namespace belongs to its stage.</summary>
    internal static readonly string[] Stages =
    [
        "Vocabulary", "Urls", "Model", "Telemetry", "Politeness", "Fetching", "Archiving", "Robots", "Extraction", "Rendering", "Frontier",
        "Sitemaps", "Classification", "Duplicates", "Indexability", "Storage", "Crawling", "Inspection", "Operating", "Export",
    ];

    private static readonly Lazy<IReadOnlySet<(string From, string To)>> Edges = new(ReadEdges);

    private static IReadOnlySet<(string, string)> ReadEdges()
    {
        var architecture = new ArchLoader().LoadAssemblies(typeof(CrawlEngine).Assembly).Build();
        var edges = new HashSet<(string, string)>();
        foreach (var type in architecture.Types)
        {
            if (type.Namespace?.FullName is not { } ns || StageOf(ns) is not { } from) continue;
            foreach (var dependency in type.Dependencies)
                if (dependency.Target?.Namespace?.FullName is { } target && StageOf(target) is { } to && to != from) edges.Add((from, to));
        }
        return edges;
    }

    /// <summary>"Crawlscope.Extraction.MainContent" is the Extraction stage; namespaces outside the library are none.</summary>
    internal static string? StageOf(string ns)
    {
        if (!ns.StartsWith("Crawlscope.", StringComparison.Ordinal)) return ns == "Crawlscope" ? "Crawlscope" : null;
        string rest = ns["Crawlscope.".Length..];
        int dot = rest.IndexOf('.');
        return dot < 0 ? rest : rest[..dot];
    }

    /// <summary>What is wrong with a dependency graph: namespaces that are no stage, dependencies on a later stage, cycles.</summary>
    internal static List<string> Violations(IReadOnlySet<(string From, string To)> edges, IReadOnlyList<string> stages)
    {
        var problems = new List<string>();
        var rank = stages.Select((s, i) => (s, i)).ToDictionary(p => p.s, p => p.i);
        foreach (var name in edges.SelectMany(e => new[] { e.From, e.To }).Distinct().Where(n => !rank.ContainsKey(n)).Order())
            problems.Add($"namespace Crawlscope.{name} is no stage: place it in the stage order");
        foreach (var (from, to) in edges.Order())
            if (rank.TryGetValue(from, out int f) && rank.TryGetValue(to, out int t) && t > f)
                problems.Add($"{from} depends on the later stage {to}");
        foreach (var cycle in Cycles(edges)) problems.Add("cycle: " + string.Join(" -> ", cycle));
        return problems;
    }

    /// <summary>One cycle per strongly connected component of more than one namespace (Tarjan's algorithm).</summary>
    internal static List<List<string>> Cycles(IReadOnlySet<(string From, string To)> edges)
    {
        var next = edges.GroupBy(e => e.From).ToDictionary(g => g.Key, g => g.Select(e => e.To).Order().ToList());
        var index = new Dictionary<string, int>();
        var low = new Dictionary<string, int>();
        var stack = new Stack<string>();
        var cycles = new List<List<string>>();
        void Visit(string v)
        {
            index[v] = low[v] = index.Count;
            stack.Push(v);
            foreach (var w in next.GetValueOrDefault(v, []))
            {
                if (!index.ContainsKey(w))
                {
                    Visit(w);
                    low[v] = Math.Min(low[v], low[w]);
                }
                else if (stack.Contains(w)) low[v] = Math.Min(low[v], index[w]);
            }
            if (low[v] != index[v]) return;
            var component = new List<string>();
            string x;
            do component.Add(x = stack.Pop()); while (x != v);
            if (component.Count > 1) cycles.Add(component.Order().ToList());
        }
        foreach (var v in edges.SelectMany(e => new[] { e.From, e.To }).Distinct().Order())
            if (!index.ContainsKey(v)) Visit(v);
        return cycles;
    }

    [Fact]
    public void EveryStage_DependsOnlyOnEarlierStages_AndNoNamespaceCycles()
    {
        var edges = Edges.Value;
        Assert.True(edges.Count > 20, $"only {edges.Count} dependencies read: the loader saw too little");
        Assert.Empty(Violations(edges, Stages));
    }

    /// <summary>The check is shown failing: the real graph with one deliberately wrong reference (the URL stage using
    /// the crawl's orchestrators) is a later-stage dependency and closes a cycle through the model.</summary>
    [Fact]
    public void AWrongReference_IsReported_AsALaterStageAndACycle()
    {
        var edges = new HashSet<(string, string)>(Edges.Value) { ("Urls", "Crawling") };
        var problems = Violations(edges, Stages);
        Assert.Contains("Urls depends on the later stage Crawling", problems);
        Assert.Contains(problems, p => p.StartsWith("cycle: ", StringComparison.Ordinal) && p.Contains("Urls") && p.Contains("Crawling"));
        Assert.Contains("namespace Crawlscope.Plugins is no stage: place it in the stage order",
            Violations(new HashSet<(string, string)>(Edges.Value) { ("Plugins", "Model") }, Stages));
    }

    [Fact]
    public void EveryFolder_IsItsNamespace()
    {
        string root = Path.Combine(Support.SharedData.RepoRoot, "src", "Crawlscope");
        var wrong = Directory.EnumerateFiles(root, "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            .Select(f => (File: Path.GetRelativePath(root, f), Namespace: File.ReadLines(f).FirstOrDefault(l => l.StartsWith("namespace ", StringComparison.Ordinal))))
            .Where(f => f.Namespace is not null)
            .Where(f => f.Namespace != "namespace Crawlscope." + Path.GetDirectoryName(f.File)!.Replace(Path.DirectorySeparatorChar, '.') + ";")
            .Select(f => $"{f.File}: {f.Namespace}").ToList();
        Assert.Empty(wrong);
    }
}
