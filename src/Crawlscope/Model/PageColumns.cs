using System.Text.Json;
using Crawlscope.Vocabulary;

namespace Crawlscope.Model;

/// <summary>
/// The store's boundary for a page's typed fields: reasons as their snake_case names, spam signals and response
/// headers as JSON text. Both stores write and read them here, so the crawl never handles their text.
/// </summary>
public static class PageColumns
{
    public static string? Text(FailureReason? reason) => reason is { } r ? StoreNames.Of(r) : null;

    public static string? Text(DropReason? reason) => reason is { } r ? StoreNames.Of(r) : null;

    public static string? Text(IReadOnlyList<SpamSignal>? signals) => signals is null or { Count: 0 } ? null : JsonSerializer.Serialize(signals);

    public static string? Text(IReadOnlyDictionary<string, string>? headers) => headers is null ? null : JsonSerializer.Serialize(headers);

    public static IReadOnlyList<SpamSignal>? SpamSignals(string? json) =>
        string.IsNullOrEmpty(json) ? null : JsonSerializer.Deserialize<SpamSignal[]>(json) is { Length: > 0 } signals ? signals : null;

    public static IReadOnlyDictionary<string, string>? Headers(string? json) =>
        string.IsNullOrEmpty(json) ? null : JsonSerializer.Deserialize<Dictionary<string, string>>(json);
}
