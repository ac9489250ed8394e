using Crawlscope.Fetching;
using Crawlscope.Model;
using Crawlscope.Indexability;
using Microsoft.Extensions.Time.Testing;
using Crawlscope.Vocabulary;

namespace Crawlscope.Tests.Indexability;

public class IndexabilityDecisionTests
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 1, 12, 0, 0, TimeSpan.Zero));

    private PageRecord Fetched() => new()
    {
        SrcUnparsed = "test,e!www,/ h80", Url = "http://www.e.test/", Shard = 0, RootHash = 0, Host = "www.e.test", Site = "e.test",
        DownloadHttpCode = 200, DownloadStamp = _time.GetUtcNow(), ContentType = "text/html",
    };

    [Fact]
    public void Decide_FirstIndexedOnce_DropReasonWhenAnIndexablePageStopsBeingSo_ClearedWhenItIsAgain()
    {
        var first = IndexabilityDecision.Decide(Fetched(), null, banned: false, _time.GetUtcNow());
        Assert.Equal(_time.GetUtcNow(), first.FirstIndexed);
        Assert.Null(first.HistoryDropReason);

        _time.Advance(TimeSpan.FromDays(10));
        var noindex = IndexabilityDecision.Decide(Fetched() with { RobotsNoIndex = true }, first, banned: false, _time.GetUtcNow());
        Assert.Equal(DropReason.NoIndex, noindex.HistoryDropReason);
        Assert.Equal(first.FirstIndexed, noindex.FirstIndexed);

        // Not indexable before: the reason it had stays, a new one is not recorded.
        _time.Advance(TimeSpan.FromDays(10));
        var banned = IndexabilityDecision.Decide(Fetched(), noindex, banned: true, _time.GetUtcNow());
        Assert.Equal(DropReason.NoIndex, banned.HistoryDropReason);

        _time.Advance(TimeSpan.FromDays(10));
        var again = IndexabilityDecision.Decide(Fetched(), banned, banned: false, _time.GetUtcNow());
        Assert.Null(again.HistoryDropReason);
        Assert.Equal(first.FirstIndexed, again.FirstIndexed);
    }

    [Fact]
    public void Decide_ADuplicateFetchedFirstTime_IsNotIndexable_AsTheInspectorSays()
    {
        var page = IndexabilityDecision.Decide(Fetched() with { DuplicateOf = "test,e!www,/original h80" }, null, false, _time.GetUtcNow());
        Assert.Null(page.FirstIndexed);
        Assert.False(IndexabilityRule.IsIndexable(page, false, _time.GetUtcNow(), 6));
        Assert.Equal(IndexabilityFilter.Duplicate, IndexabilityRule.FirstFailing(page, false, _time.GetUtcNow(), 6));
    }

    [Theory]
    [InlineData(200, ResponseKind.Page)]
    [InlineData(204, ResponseKind.Page)]
    [InlineData(301, ResponseKind.Redirect)]
    [InlineData(304, ResponseKind.NotModified)]
    [InlineData(404, ResponseKind.ClientError)]
    [InlineData(429, ResponseKind.Throttled)]
    [InlineData(503, ResponseKind.Throttled)]
    [InlineData(500, ResponseKind.ServerError)]
    [InlineData(999, ResponseKind.UnknownStatus)]
    [InlineData(42, ResponseKind.UnknownStatus)]
    public void FromHttpCode_OneClosedVocabulary(int code, ResponseKind kind) => Assert.Equal(kind, ResponseStatus.FromHttpCode(code));
}
