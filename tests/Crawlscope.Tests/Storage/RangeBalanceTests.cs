using Crawlscope.Storage.ClickHouse;
using FsCheck.Xunit;

namespace Crawlscope.Tests.Storage;

/// <summary>
/// The leaderless spread of shard ranges among workers (<see cref="RangeBalance"/>), played out on a simulated
/// coordinator: from any spread, with workers taking their steps in any order, every range ends held and every
/// worker holds ⌊R/W⌋ or ⌈R/W⌉; then nobody moves; a joining worker is given its share and a departed one's ranges
/// are taken up.
/// </summary>
public sealed class RangeBalanceTests
{
    [Fact]
    public void ALoneWorker_ClaimsEveryRange_AndTheRichest_HandsOneBackToAJoiningWorker()
    {
        var ranges = RangeLeases.Ranges(100, 4);
        var holders = new Dictionary<string, string>();
        for (int i = 0; i < 4; i++)
        {
            var move = RangeBalance.Decide(ranges, new RangeHolding(holders, ["a"]), "a");
            Assert.Equal(RangeMoveKind.Claim, move.Kind);
            holders[move.Range!.ToString()] = "a";
        }
        Assert.Equal(RangeMove.None, RangeBalance.Decide(ranges, new RangeHolding(holders, ["a"]), "a"));

        // b joins: nothing is free, so b waits and a hands back its last range.
        var joined = new RangeHolding(holders, ["a", "b"]);
        Assert.Equal(RangeMove.None, RangeBalance.Decide(ranges, joined, "b"));
        Assert.Equal(new RangeMove(RangeMoveKind.Release, ranges[3]), RangeBalance.Decide(ranges, joined, "a"));
        holders.Remove(ranges[3].ToString());
        // The range handed back goes to b, not back to a, which is no longer short.
        var after = new RangeHolding(holders, ["a", "b"]);
        Assert.Equal(RangeMove.None, RangeBalance.Decide(ranges, after, "a"));
        Assert.Equal(new RangeMove(RangeMoveKind.Claim, ranges[3]), RangeBalance.Decide(ranges, after, "b"));
    }

    [Fact]
    public void MoreWorkersThanRanges_TheExtraOnesWait_AndTheOwnersKeepTheirs()
    {
        var ranges = RangeLeases.Ranges(100, 2);
        var view = new RangeHolding(new Dictionary<string, string> { ["0-49"] = "b", ["50-99"] = "c" }, ["a", "b", "c"]);
        foreach (var w in view.Workers) Assert.Equal(RangeMove.None, RangeBalance.Decide(ranges, view, w));
    }

    [Property(MaxTest = 500)]
    public bool AnySpread_BecomesFair_AndStays_ThroughAJoinAndADeparture(int seed)
    {
        var random = new Random(seed);
        int rangeCount = random.Next(1, 17), workerCount = random.Next(1, 9);
        var ranges = RangeLeases.Ranges(256, rangeCount);
        var workers = Enumerable.Range(0, workerCount).Select(i => $"w{i:D2}").ToList();
        var holders = new Dictionary<string, string>();
        foreach (var range in ranges)
            if (random.Next(3) > 0) holders[range.ToString()] = workers[random.Next(workers.Count)];

        if (!Settles(ranges, holders, workers, random)) return false;
        workers.Add("w99");
        if (!Settles(ranges, holders, workers, random)) return false;
        string gone = workers[random.Next(workers.Count)];
        workers.Remove(gone);
        foreach (var range in holders.Where(h => h.Value == gone).Select(h => h.Key).ToList()) holders.Remove(range);
        return workers.Count == 0 || Settles(ranges, holders, workers, random);
    }

    /// <summary>Rounds in which every worker, in a shuffled order, looks at the coordinator and takes its step, until a
    /// round moves nothing; then checks the spread.</summary>
    private static bool Settles(IReadOnlyList<ShardRange> ranges, Dictionary<string, string> holders, List<string> workers, Random random)
    {
        for (int round = 0; round < 4 * ranges.Count + 4; round++)
        {
            bool moved = false;
            foreach (var w in workers.OrderBy(_ => random.Next()))
            {
                var move = RangeBalance.Decide(ranges, new RangeHolding(holders, workers), w);
                if (move.Kind == RangeMoveKind.Claim) holders.Add(move.Range!.ToString(), w);
                else if (move.Kind == RangeMoveKind.Release && holders.Remove(move.Range!.ToString(), out var owner) && owner != w) return false;
                moved |= move.Kind != RangeMoveKind.None;
            }
            if (moved) continue;
            int low = ranges.Count / workers.Count, high = (ranges.Count + workers.Count - 1) / workers.Count;
            var counts = workers.Select(w => holders.Values.Count(h => h == w)).ToList();
            return holders.Count == ranges.Count && counts.All(n => n >= low && n <= high);
        }
        return false;
    }
}
