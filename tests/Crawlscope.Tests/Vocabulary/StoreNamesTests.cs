using Crawlscope.Model;
using Crawlscope.Frontier;
using Crawlscope.Vocabulary;

namespace Crawlscope.Tests.Vocabulary;

public class StoreNamesTests
{
    [Theory]
    [InlineData(FailureReason.Http4xx, "http_4xx")]
    [InlineData(FailureReason.RobotsDisallowed, "robots_disallowed")]
    [InlineData(FailureReason.SsrfBlocked, "ssrf_blocked")]
    [InlineData(FailureReason.TooManyRedirects, "too_many_redirects")]
    public void Of_IsSnakeCase(FailureReason reason, string stored) => Assert.Equal(stored, StoreNames.Of(reason));

    /// <summary>The render reasons as stored and documented (docs/rendering.md): words split where a reader splits them.</summary>
    [Fact]
    public void RenderReasons_ReadAsDocumented() =>
        Assert.Equal("off no_shell_signal empty_shell site_renders site_needs_no_rendering always requested budget_spent browser_unavailable",
            string.Join(' ', Enum.GetValues<RenderReason>().Select(r => StoreNames.Of(r))));

    [Fact]
    public void EveryReason_ParsesBackFromItsName()
    {
        foreach (var r in Enum.GetValues<FailureReason>()) Assert.Equal(r, StoreNames.Parse<FailureReason>(StoreNames.Of(r)));
        foreach (var r in Enum.GetValues<DropReason>()) Assert.Equal(r, StoreNames.Parse<DropReason>(StoreNames.Of(r)));
        foreach (var r in Enum.GetValues<LinkRefusal>()) Assert.Equal(r, StoreNames.Parse<LinkRefusal>(StoreNames.Of(r)));
        foreach (var r in Enum.GetValues<RenderReason>()) Assert.Equal(r, StoreNames.Parse<RenderReason>(StoreNames.Of(r)));
        foreach (var r in Enum.GetValues<ResourceRefusal>()) Assert.Equal(r, StoreNames.Parse<ResourceRefusal>(StoreNames.Of(r)));
        Assert.Null(StoreNames.Parse<DropReason>(null));
    }

    [Fact]
    public void UnknownName_IsAClearError()
    {
        var error = Assert.Throws<InvalidDataException>(() => StoreNames.Parse<DropReason>("vanished"));
        Assert.Contains("'vanished' is not a known DropReason", error.Message);
        Assert.Contains("no_index", error.Message);
        Assert.False(StoreNames.TryParse<FailureReason>("Http4xx", out _)); // the stored name only, not the C# one
    }

    /// <summary>The frontier's stored states are numbers in every SQLite file ever written: pinned here.</summary>
    [Fact]
    public void FrontierStates_KeepTheirStoredNumbers()
    {
        Assert.Equal([(FrontierState.Queued, 0), (FrontierState.InFlight, 1), (FrontierState.Done, 2), (FrontierState.Elsewhere, 3)],
            Enum.GetValues<FrontierState>().Select(s => (s, (int)s)).ToArray());
    }
}
