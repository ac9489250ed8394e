using Crawlscope.Politeness;
using Microsoft.Extensions.Time.Testing;

namespace Crawlscope.Tests.Politeness;

public class HostSchedulerTests
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 1, 0, 0, 0, TimeSpan.Zero));

    private HostScheduler CreateSut(double delaySeconds = 1, int perHost = 1) =>
        new(new PolitenessOptions(perHost, TimeSpan.FromSeconds(delaySeconds), TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(2), TimeSpan.FromMinutes(10)), _time);

    [Fact]
    public void Started_KeepsTheGapBeforeTheNextStart()
    {
        var sut = CreateSut(delaySeconds: 2);
        Assert.True(sut.CanStart("a.test"));
        sut.Started("a.test");
        sut.Finished("a.test");
        _time.Advance(TimeSpan.FromMilliseconds(1999));
        Assert.False(sut.CanStart("a.test"));
        _time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.True(sut.CanStart("a.test"));
    }

    [Fact]
    public void SetCrawlDelay_LongerThanDelay_WidensTheGap_AndIsCapped()
    {
        var sut = CreateSut(delaySeconds: 1);
        sut.SetCrawlDelay("a.test", 5);
        Assert.Equal(TimeSpan.FromSeconds(5), sut.Gap("a.test"));
        sut.SetCrawlDelay("a.test", 3600);
        Assert.Equal(TimeSpan.FromSeconds(30), sut.Gap("a.test"));
        sut.SetCrawlDelay("a.test", null);
        Assert.Equal(TimeSpan.FromSeconds(1), sut.Gap("a.test"));
    }

    [Fact]
    public void BackOff_DoublesUntilSuccess_AndHonoursRetryAfter()
    {
        var sut = CreateSut();
        Assert.Equal(TimeSpan.FromSeconds(2), sut.BackOff("a.test", null));
        Assert.Equal(TimeSpan.FromSeconds(4), sut.BackOff("a.test", null));
        Assert.False(sut.CanStart("a.test"));
        _time.Advance(TimeSpan.FromSeconds(4));
        Assert.True(sut.CanStart("a.test"));
        sut.Succeeded("a.test");
        Assert.Equal(TimeSpan.FromSeconds(2), sut.BackOff("a.test", null));
        Assert.Equal(TimeSpan.FromSeconds(7), sut.BackOff("a.test", TimeSpan.FromSeconds(7)));
    }

    /// <summary>The crawl loop, the scheduler's one owner, starts and finishes requests and applies what workers
    /// reported (crawl-delays, backoffs, successes), for hosts it meets for the first time among them: no host may have
    /// more requests in flight than allowed, and every start is matched by its end. (Workers used to write the
    /// scheduler from their own threads; they now report in their outcome, so nothing else touches it.)</summary>
    [Fact]
    public void LoopInterleavingReports_ManyHosts_StateStaysConsistent()
    {
        const int hosts = 2000;
        var sut = CreateSut(delaySeconds: 0, perHost: 2);
        int violations = 0;
        long starts = 0;
        var inFlight = new Queue<string>();
        var random = new Random(1);
        for (int round = 0; round < 200_000; round++)
        {
            string host = $"h{random.Next(hosts)}.test";
            if (sut.CanStart(host))
            {
                sut.Started(host);
                starts++;
                if (sut.InFlight(host) > 2) violations++;
                inFlight.Enqueue(host);
            }
            if (inFlight.Count > 64)
            {
                string done = inFlight.Dequeue();
                // What the finished page's worker reported, applied before its end, as the loop does; new hosts
                // appear here too, as they do when a worker's page first meets a host.
                string reported = random.Next(2) == 0 ? done : $"h{random.Next(hosts * 2)}.test";
                switch (random.Next(4))
                {
                    case 0: sut.SetCrawlDelay(reported, random.Next(3)); break;
                    case 1: sut.BackOff(reported, TimeSpan.FromMilliseconds(random.Next(500))); break;
                    case 2: sut.Succeeded(reported); break;
                    default: _ = sut.Gap(reported); break;
                }
                sut.Finished(done);
            }
            if (round % 50 == 0) _time.Advance(TimeSpan.FromMilliseconds(100));
        }
        while (inFlight.TryDequeue(out var rest)) sut.Finished(rest);
        Assert.Equal(0, violations);
        Assert.True(starts > 1000, $"only {starts} starts");
        for (int h = 0; h < hosts * 2; h++) Assert.Equal(0, sut.InFlight($"h{h}.test"));
    }

    [Fact]
    public void IdleHosts_AreForgotten_ButNotWhileTheyHoldAGap_ACrawlDelay_ABackoff_OrARequest()
    {
        var sut = CreateSut(delaySeconds: 1);
        sut.Started("busy.test");
        sut.Started("waiting.test");
        sut.Finished("waiting.test");
        sut.SetCrawlDelay("slow.test", 10);
        sut.BackOff("throttled.test", TimeSpan.FromSeconds(5));
        _time.Advance(TimeSpan.FromSeconds(2));
        sut.Started("recent.test");
        sut.Finished("recent.test");
        for (int i = 0; i < 5000; i++)
        {
            sut.Started($"done{i}.test");
            sut.Finished($"done{i}.test");
        }
        _time.Advance(TimeSpan.FromMilliseconds(500));
        sut.ForgetIdle();

        // Kept: what a fresh state would get wrong (waiting.test's gap has run out: it went).
        Assert.Equal(5004, sut.Count);
        Assert.Equal(1, sut.InFlight("busy.test"));
        Assert.Equal(TimeSpan.FromSeconds(10), sut.Gap("slow.test"));
        Assert.False(sut.CanStart("throttled.test"));
        Assert.False(sut.CanStart("recent.test"));
        Assert.False(sut.CanStart("done4999.test"));
        // Once their gaps have run out, only the request in flight, the crawl-delay and the backoff are left.
        _time.Advance(TimeSpan.FromSeconds(1));
        sut.ForgetIdle();
        Assert.Equal(3, sut.Count);
        Assert.True(sut.CanStart("waiting.test"));
        Assert.Equal(TimeSpan.FromSeconds(10), sut.Gap("slow.test"));
    }

    [Fact]
    public void AHostMeetingEveryHostOnce_HoldsFewStates()
    {
        var sut = CreateSut(delaySeconds: 0);
        for (int i = 0; i < 100_000; i++)
        {
            sut.Started($"h{i}.test");
            sut.Finished($"h{i}.test");
        }
        Assert.True(sut.Count <= 2048, $"{sut.Count} states held");
    }
}
