using Crawlscope.Model;

namespace Crawlscope.Classification;

/// <summary>
/// The spam score stored as <c>ml_spam_score</c>: a level from 0 (clean) to 3 (certainly spam), with the signals
/// that fired and every feature measured, so the inspector can show why.
/// </summary>
public sealed record SpamVerdict(int Level, IReadOnlyList<SpamSignal> Signals, IReadOnlyDictionary<string, double> Features)
{
    public static SpamVerdict Clean { get; } = new(0, [], new Dictionary<string, double>());
}
