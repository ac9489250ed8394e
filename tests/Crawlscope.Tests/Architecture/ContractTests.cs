using System.Reflection;
using ArchUnitNET.Loader;
using Crawlscope.Crawling;
using Crawlscope.Model;
using Crawlscope.Storage.ClickHouse;

namespace Crawlscope.Tests.Architecture;

/// <summary>Contracts small enough that a store can honour them whole.</summary>
public class ContractTests
{
    private static readonly Assembly[] Ours =
        [typeof(CrawlEngine).Assembly, typeof(ClickHouseCrawlStore).Assembly, typeof(Crawlscope.Web.InspectorSite).Assembly, typeof(Crawlscope.Evaluation.ExtractionEvaluator).Assembly];

    /// <summary>Each interface's own members (a property counts once), not those it inherits.</summary>
    private static int Members(System.Type contract) =>
        contract.GetMethods().Count(m => !m.IsSpecialName) + contract.GetProperties().Length + contract.GetEvents().Length;

    [Fact]
    public void EveryInterface_HasAtMostTenMembers()
    {
        var interfaces = Ours.SelectMany(a => a.GetTypes()).Where(t => t.IsInterface).ToList();
        Assert.Contains(typeof(IFrontier), interfaces);
        Assert.Empty(interfaces.Where(i => Members(i) > 10).Select(i => $"{i.FullName}: {Members(i)} members"));
    }

    /// <summary>No store answers part of its contract with NotSupportedException: read from the compiled method bodies.</summary>
    [Fact]
    public void NoStore_ThrowsNotSupported()
    {
        var architecture = new ArchLoader().LoadAssemblies(Ours).Build();
        var stores = architecture.Types.Where(t => t.ImplementedInterfaces.Any(i => i.FullName == typeof(ICrawlStore).FullName)).ToList();
        Assert.Contains(stores, s => s.Name == nameof(ClickHouseCrawlStore));
        Assert.Empty(stores.Where(s => s.Dependencies.Any(d => d.Target.FullName == typeof(NotSupportedException).FullName)).Select(s => s.FullName));
    }
}
