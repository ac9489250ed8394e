using System.Text;
using ZstdSharp;

namespace Crawlscope.Storage;

/// <summary>A page's three texts (Markdown, readable Markdown, boilerpipe text) as the embedded store keeps them.</summary>
internal readonly record struct PageTexts(string? Markdown, string? ReadableMarkdown, string? BoilerpipeText);

/// <summary>The page's three texts as stored values: a text, a blob, or null for each.</summary>
internal readonly record struct PackedPageTexts(object? Markdown, object? ReadableMarkdown, object? BoilerpipeText);

/// <summary>
/// Compresses a page's texts for the embedded store. The three texts are mostly the same words (the readable part and
/// the boilerpipe text are both cut from the page the Markdown renders whole), so the Markdown is compressed alone and
/// the other two with the Markdown as zstd's raw-content dictionary: their shared text costs a reference, not a copy.
/// A stored value is a blob of one marker byte and a zstd frame, or, in rows written before schema 14 and for short
/// texts, plain text; readers take either.
/// </summary>
internal static class PageTextCodec
{
    public const string MarkdownColumn = "markdown";
    public const string ReadableMarkdownColumn = "readable_markdown";
    public const string BoilerpipeTextColumn = "boilerpipe_text";

    private const byte Alone = 1;
    private const byte AfterMarkdown = 2;
    // Below this a frame's header and the marker cost about what compression saves.
    private const int SmallestCompressed = 64;
    // Level 1: about 0.16 ms for a sample page's three texts (54 KB) against 0.37 ms at level 3, for the same size.
    private const int Level = 1;

    [ThreadStatic] private static Compressor? s_alone;
    [ThreadStatic] private static Compressor? s_afterMarkdown;
    [ThreadStatic] private static Decompressor? s_plain;
    [ThreadStatic] private static Decompressor? s_withDictionary;

    public static PackedPageTexts Pack(PageTexts texts)
    {
        byte[]? markdown = texts.Markdown is { Length: >= SmallestCompressed } m ? Encoding.UTF8.GetBytes(m) : null;
        object? packedMarkdown = markdown is null ? texts.Markdown : Frame(Alone, (s_alone ??= new Compressor(Level)).Wrap(markdown));
        Compressor? afterMarkdown = null;
        if (markdown is not null && (Compressible(texts.ReadableMarkdown) || Compressible(texts.BoilerpipeText)))
        {
            afterMarkdown = s_afterMarkdown ??= new Compressor(Level);
            afterMarkdown.LoadDictionary(markdown);
        }
        return new PackedPageTexts(packedMarkdown, PackBeside(texts.ReadableMarkdown, afterMarkdown), PackBeside(texts.BoilerpipeText, afterMarkdown));
    }

    public static PageTexts Unpack(object? markdown, object? readableMarkdown, object? boilerpipeText)
    {
        string? md = Text(markdown, null);
        byte[]? dictionary = md is not null && (readableMarkdown is byte[] || boilerpipeText is byte[]) ? Encoding.UTF8.GetBytes(md) : null;
        return new PageTexts(md, Text(readableMarkdown, dictionary), Text(boilerpipeText, dictionary));
    }

    /// <summary>A stored row with whichever of the texts it has unpacked in place, for readers that see rows as
    /// columns by name (a row with a text cut against the Markdown has to carry the Markdown too).</summary>
    public static void UnpackRow(IDictionary<string, object?> row)
    {
        bool hasMarkdown = row.TryGetValue(MarkdownColumn, out var markdown);
        bool hasReadable = row.TryGetValue(ReadableMarkdownColumn, out var readable);
        bool hasBoilerpipe = row.TryGetValue(BoilerpipeTextColumn, out var boilerpipe);
        if (!hasMarkdown && !hasReadable && !hasBoilerpipe) return;
        var texts = Unpack(markdown, readable, boilerpipe);
        if (hasMarkdown) row[MarkdownColumn] = texts.Markdown;
        if (hasReadable) row[ReadableMarkdownColumn] = texts.ReadableMarkdown;
        if (hasBoilerpipe) row[BoilerpipeTextColumn] = texts.BoilerpipeText;
    }

    private static bool Compressible(string? text) => text is { Length: >= SmallestCompressed };

    private static object? PackBeside(string? text, Compressor? afterMarkdown)
    {
        if (!Compressible(text)) return text;
        var bytes = Encoding.UTF8.GetBytes(text!);
        return afterMarkdown is null
            ? Frame(Alone, (s_alone ??= new Compressor(Level)).Wrap(bytes))
            : Frame(AfterMarkdown, afterMarkdown.Wrap(bytes));
    }

    private static byte[] Frame(byte marker, ReadOnlySpan<byte> compressed)
    {
        var framed = new byte[compressed.Length + 1];
        framed[0] = marker;
        compressed.CopyTo(framed.AsSpan(1));
        return framed;
    }

    private static string? Text(object? stored, byte[]? markdown)
    {
        if (stored is not byte[] blob) return stored as string;
        if (blob.Length == 0) return "";
        Decompressor decompressor;
        switch (blob[0])
        {
            case Alone:
                decompressor = s_plain ??= new Decompressor();
                break;
            case AfterMarkdown when markdown is not null:
                decompressor = s_withDictionary ??= new Decompressor();
                decompressor.LoadDictionary(markdown);
                break;
            default:
                throw new InvalidDataException($"stored page text has marker {blob[0]}, which this build does not know (or its Markdown is missing)");
        }
        return Encoding.UTF8.GetString(decompressor.Unwrap(blob.AsSpan(1)));
    }
}
