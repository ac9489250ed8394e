using Crawlscope.Inspection;
using Crawlscope.Vocabulary;
using Microsoft.AspNetCore.Http;

namespace Crawlscope.Web;

/// <summary>Query parameters read the same way by the pages and the API; a value that is not one is the caller's
/// mistake (<see cref="InspectionInputException"/>), said with the values there are.</summary>
internal static class RouteInput
{
    /// <summary>out (the default) or in.</summary>
    public static LinkDirection Direction(string? text) => text switch
    {
        null or "" or "out" => LinkDirection.Out,
        "in" => LinkDirection.In,
        _ => throw new InspectionInputException("direction must be out or in"),
    };

    /// <summary>The shard parameter; a value that is not a number is the caller's mistake, said in words.</summary>
    public static int? Shard(string? text) =>
        string.IsNullOrEmpty(text) ? null
        : int.TryParse(text, System.Globalization.NumberStyles.Integer, System.Globalization.CultureInfo.InvariantCulture, out int shard) ? shard
        : throw new InspectionInputException($"shard must be a whole number, not \"{(text.Length > 40 ? text[..40] + "…" : text)}\"");

    /// <summary>The indexing report's reason parameter; null when not given.</summary>
    public static IndexingReason? Reason(string? reason)
    {
        if (string.IsNullOrEmpty(reason)) return null;
        if (!StoreNames.TryParse<IndexingReason>(reason, out var parsed))
            throw new InspectionInputException($"reason must be one of {string.Join(", ", Model.IndexingReasons.All.Select(r => StoreNames.Of(r)))}");
        return parsed;
    }

    public static IResult Html(string page, int status = StatusCodes.Status200OK) =>
        Results.Content(page, "text/html; charset=utf-8", System.Text.Encoding.UTF8, status);
}
