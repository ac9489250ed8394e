using Crawlscope.Politeness;

namespace Crawlscope.Tests.Politeness;

public class ReadyHostsTests
{
    private static readonly DateTimeOffset T0 = new(2026, 12, 3, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public void HostsComeOutByTime_OnlyWhenDue_EachOnce()
    {
        var ready = new ReadyHosts();
        ready.Add("c", T0.AddSeconds(3));
        ready.Add("a", T0.AddSeconds(1));
        ready.Add("b", T0.AddSeconds(2));
        ready.Add("a", T0.AddSeconds(5)); // later than its time: ignored
        Assert.Equal(3, ready.Count);
        Assert.Equal(T0.AddSeconds(1), ready.NextDue);
        Assert.False(ready.TryTakeDue(T0, out _));
        Assert.True(ready.TryTakeDue(T0.AddSeconds(2), out var first));
        Assert.True(ready.TryTakeDue(T0.AddSeconds(2), out var second));
        Assert.False(ready.TryTakeDue(T0.AddSeconds(2), out _));
        Assert.Equal(["a", "b"], new[] { first, second });
        Assert.False(ready.Contains("a"));
        Assert.Equal(T0.AddSeconds(3), ready.NextDue);
    }

    [Fact]
    public void AnEarlierTime_MovesAHostForward_AndItsOldPlaceIsSkipped()
    {
        var ready = new ReadyHosts();
        ready.Add("slow", T0.AddSeconds(10));
        ready.Add("other", T0.AddSeconds(5));
        ready.Add("slow", T0.AddSeconds(1));
        Assert.True(ready.TryTakeDue(T0.AddSeconds(1), out var host));
        Assert.Equal("slow", host);
        // Its old entry at 10 s is stale: taking at 20 s yields "other" once and nothing more.
        Assert.True(ready.TryTakeDue(T0.AddSeconds(20), out host));
        Assert.Equal("other", host);
        Assert.False(ready.TryTakeDue(T0.AddSeconds(20), out _));
        Assert.Null(ready.NextDue);
        Assert.Equal(0, ready.Count);
    }

    /// <summary>Against a plain model (a dictionary of each host's earliest time, scanned), over random operations:
    /// the same hosts come out at the same times, and stale entries never leak.</summary>
    [Fact]
    public void RandomOperations_AgreeWithAScannedModel()
    {
        var random = new Random(17);
        var ready = new ReadyHosts();
        var model = new Dictionary<string, DateTimeOffset>();
        var now = T0;
        for (int step = 0; step < 20_000; step++)
        {
            if (random.Next(3) > 0)
            {
                string host = "h" + random.Next(300);
                var at = now.AddMilliseconds(random.Next(-50, 500));
                ready.Add(host, at);
                if (!model.TryGetValue(host, out var current) || at < current) model[host] = at;
            }
            else
            {
                now = now.AddMilliseconds(random.Next(0, 100));
                while (ready.TryTakeDue(now, out var taken))
                {
                    Assert.True(model.TryGetValue(taken, out var due) && due <= now, $"{taken} came out early or twice");
                    Assert.Equal(model.Where(kv => kv.Value <= now).Min(kv => kv.Value), due);
                    model.Remove(taken);
                }
                Assert.DoesNotContain(model, kv => kv.Value <= now);
            }
            Assert.Equal(model.Count, ready.Count);
            Assert.Equal(model.Count == 0 ? null : model.Values.Min(), ready.NextDue);
        }
    }
}
