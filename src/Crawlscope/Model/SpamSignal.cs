namespace Crawlscope.Model;

/// <summary>One content feature that looked like spam, with the value measured and the threshold it crossed.</summary>
public sealed record SpamSignal(string Name, double Value, double Threshold, int Weight, string Detail);
