using Crawlscope.Model;
using Parquet;
using Parquet.Schema;

namespace Crawlscope.Export;

/// <summary>
/// Parquet through Parquet.Net: one column per chosen field (strings, 32/64-bit integers, timestamps), written in
/// row groups that are closed every <see cref="RowGroupRows"/> rows or <see cref="RowGroupChars"/> characters of
/// text, so memory stays bounded however many pages are exported.
/// </summary>
public sealed class ParquetExportWriter : IPageExportWriter
{
    private const int RowGroupRows = 10_000;
    private const long RowGroupChars = 16 * 1024 * 1024;

    private readonly Stream _output;
    private readonly IReadOnlyList<string> _fields;
    private readonly ParquetSchema _schema;
    private readonly List<PageRecord> _buffer = [];
    private long _bufferedChars;
    private ParquetWriter? _writer;

    private readonly ExportContext? _context;

    public ParquetExportWriter(Stream output, IReadOnlyList<string> fields, ExportContext? context = null)
    {
        _context = context;
        _output = output;
        _fields = fields;
        _schema = new ParquetSchema(fields.Select(Field).ToArray());
    }

    public long Count { get; private set; }

    private static DataField Field(string name) => name switch
    {
        "shard" or "download_http_code" or "ml_spam_score" or "outlinks" or "depth" or "page_type_confidence" or "rendered" => new DataField<int?>(name),
        "root_hash" => new DataField<long?>(name),
        "download_stamp" or "first_indexed" => new DataField<DateTime?>(name),
        _ => new DataField<string>(name),
    };

    public async Task WriteAsync(PageRecord page, CancellationToken ct)
    {
        _buffer.Add(page);
        foreach (var f in _fields)
            if (PageExport.Value(page, f, _context) is string s) _bufferedChars += s.Length;
        Count++;
        if (_buffer.Count >= RowGroupRows || _bufferedChars >= RowGroupChars) await FlushAsync(ct);
    }

    private async Task FlushAsync(CancellationToken ct)
    {
        _writer ??= await ParquetWriter.CreateAsync(_schema, _output, cancellationToken: ct);
        if (_buffer.Count == 0) return;
        using (var group = _writer.CreateRowGroup())
        {
            foreach (var field in _schema.DataFields)
            {
                if (field.ClrType == typeof(int))
                    await group.WriteAsync<int>(field, _buffer.Select(p => (int?)PageExport.Value(p, field.Name, _context)).ToArray().AsMemory(), null, null, ct);
                else if (field.ClrType == typeof(long))
                    await group.WriteAsync<long>(field, _buffer.Select(p => (long?)PageExport.Value(p, field.Name, _context)).ToArray().AsMemory(), null, null, ct);
                else if (field.ClrType == typeof(DateTime))
                    await group.WriteAsync<DateTime>(field, _buffer.Select(p => PageExport.Value(p, field.Name, _context) is DateTimeOffset d ? d.UtcDateTime : (DateTime?)null).ToArray().AsMemory(), null, null, ct);
                else
                    await group.WriteAsync(field, _buffer.Select(p => (string?)PageExport.Value(p, field.Name, _context)).ToArray()!, null);
            }
        }
        _buffer.Clear();
        _bufferedChars = 0;
    }

    public async ValueTask DisposeAsync()
    {
        await FlushAsync(CancellationToken.None);
        if (_writer is not null) await _writer.DisposeAsync();
        await _output.FlushAsync();
    }
}
