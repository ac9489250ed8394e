using System.Text;
using System.Text.Json;
using Crawlscope.Model;

namespace Crawlscope.Export;

/// <summary>JSON Lines: one object per page with the chosen fields, snake_case, nulls written.</summary>
public sealed class JsonlExportWriter(Stream output, IReadOnlyList<string> fields, ExportContext? context = null) : IPageExportWriter
{
    private readonly Utf8JsonWriter _json = new(output, new JsonWriterOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
    private static readonly byte[] NewLine = "\n"u8.ToArray();

    public long Count { get; private set; }

    public async Task WriteAsync(PageRecord page, CancellationToken ct)
    {
        _json.WriteStartObject();
        foreach (var field in fields)
        {
            switch (PageExport.Value(page, field, context))
            {
                case null: _json.WriteNull(field); break;
                case string s: _json.WriteString(field, s); break;
                case int i: _json.WriteNumber(field, i); break;
                case long l: _json.WriteNumber(field, l); break;
                case DateTimeOffset t: _json.WriteString(field, t.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", System.Globalization.CultureInfo.InvariantCulture)); break;
                case var other: _json.WriteString(field, Convert.ToString(other, System.Globalization.CultureInfo.InvariantCulture)); break;
            }
        }
        _json.WriteEndObject();
        await _json.FlushAsync(ct);
        _json.Reset();
        await output.WriteAsync(NewLine, ct);
        Count++;
    }

    public async ValueTask DisposeAsync()
    {
        await _json.DisposeAsync();
        await output.FlushAsync();
    }
}
