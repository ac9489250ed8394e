namespace Crawlscope.Storage.ClickHouse;

/// <summary>Who holds which range (range name to worker) and which workers are alive, as etcd had them at one revision.</summary>
public sealed record RangeHolding(IReadOnlyDictionary<string, string> Holders, IReadOnlyList<string> Workers);

/// <summary>One step a worker takes towards an even spread of the ranges.</summary>
public readonly record struct RangeMove(RangeMoveKind Kind, ShardRange? Range)
{
    public static readonly RangeMove None = new(RangeMoveKind.None, null);
}

public enum RangeMoveKind
{
    None,
    Claim,
    Release,
}

/// <summary>
/// How workers spread the ranges among themselves with nobody in charge: each looks at the same view and takes at most
/// one step. With R ranges and W live workers a fair share is ⌊R/W⌋ or ⌈R/W⌉. A worker below ⌊R/W⌋ claims a free
/// range; one below ⌈R/W⌉ claims one only while nobody is below ⌊R/W⌋ (so a range handed back goes to the worker
/// that needs it). When no range is free and some worker is short, or the richest holds more than ⌈R/W⌉, the richest
/// (ties broken by name, so exactly one worker) hands one range back. A lone worker thus crawls every range, a
/// joining one is given a share within a few steps, and the spread never moves once it is fair.
/// </summary>
public static class RangeBalance
{
    public static RangeMove Decide(IReadOnlyList<ShardRange> ranges, RangeHolding view, string me)
    {
        var workers = view.Workers.Contains(me) ? view.Workers : [.. view.Workers, me];
        int low = ranges.Count / workers.Count, high = (ranges.Count + workers.Count - 1) / workers.Count;
        var held = workers.ToDictionary(w => w, _ => 0, StringComparer.Ordinal);
        foreach (var holder in view.Holders.Values)
            if (held.ContainsKey(holder)) held[holder]++;
        int mine = held[me];
        bool someoneShort = held.Values.Any(n => n < low);
        var free = ranges.Where(r => !view.Holders.ContainsKey(r.ToString())).ToList();
        if (free.Count > 0)
            return mine < low || (mine < high && !someoneShort) ? new RangeMove(RangeMoveKind.Claim, free[0]) : RangeMove.None;
        string richest = held.OrderByDescending(h => h.Value).ThenBy(h => h.Key, StringComparer.Ordinal).First().Key;
        if (richest != me || !(mine > high || (mine > low && someoneShort))) return RangeMove.None;
        // The range claimed last (the highest of this worker's) goes back: any would do, one rule keeps it predictable.
        var give = ranges.Last(r => view.Holders.TryGetValue(r.ToString(), out var w) && w == me);
        return new RangeMove(RangeMoveKind.Release, give);
    }
}
