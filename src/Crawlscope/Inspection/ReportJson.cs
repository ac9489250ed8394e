using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Crawlscope.Inspection;

/// <summary>One JSON style for reports and stats, shared by the CLI's --json and the web API: snake_case names, nulls written.</summary>
public static class ReportJson
{
    /// <summary>Applies the style to <paramref name="options"/> (the web API configures its own options object).</summary>
    public static JsonSerializerOptions Configure(JsonSerializerOptions options)
    {
        options.PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower;
        options.DictionaryKeyPolicy = null;
        options.WriteIndented = true;
        // Served as application/json or printed, never spliced into HTML; keep URLs and non-ASCII text readable.
        options.Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping;
        options.DefaultIgnoreCondition = JsonIgnoreCondition.Never;
        return options;
    }

    public static readonly JsonSerializerOptions Options = Configure(new JsonSerializerOptions());
}
