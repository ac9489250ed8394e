using System.Text;
using System.Text.RegularExpressions;

namespace Crawlscope.Extraction;

/// <summary>The text of a page and how its encoding was found; <paramref name="IgnoredCharset"/> names a declared
/// charset that could not be used (unknown, or one .NET cannot decode such as UTF-7), so the record says why.</summary>
public sealed record DecodedHtml(string Text, Encoding Encoding, string EncodingSource, string? IgnoredCharset = null);

/// <summary>
/// Bytes to text in the order browsers use: a byte-order mark, then the Content-Type charset, then a
/// <c>&lt;meta charset&gt;</c> or <c>http-equiv</c> declaration in the first 4 KiB, then UTF-8 when the bytes are
/// valid UTF-8, else windows-1252. Labels are read as the WHATWG Encoding Standard reads them (so "iso-8859-1"
/// and "ascii" mean windows-1252, and a meta tag claiming UTF-16 means UTF-8). Unlike a browser, a declaration the
/// bytes plainly contradict is overruled (source <c>bytes</c>, the declared label kept as ignored).
/// </summary>
public static partial class HtmlDecoder
{
    private const int PrescanBytes = 4096;

    private static readonly Encoding Utf8 = new UTF8Encoding(false, false);

    // Field initialisers run in order: register the code pages before the first one is asked for.
    private static readonly bool CodePagesRegistered = RegisterCodePages();

    public static Encoding Windows1252 { get; } = Encoding.GetEncoding(1252);

    private static bool RegisterCodePages()
    {
        Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);
        return true;
    }

    public static DecodedHtml Decode(ReadOnlySpan<byte> body, string? contentType)
    {
        if (body.Length >= 3 && body[0] == 0xEF && body[1] == 0xBB && body[2] == 0xBF) return new(Utf8.GetString(body[3..]), Utf8, "bom");
        if (body.Length >= 2 && body[0] == 0xFE && body[1] == 0xFF) return new(Encoding.BigEndianUnicode.GetString(body[2..]), Encoding.BigEndianUnicode, "bom");
        if (body.Length >= 2 && body[0] == 0xFF && body[1] == 0xFE) return new(Encoding.Unicode.GetString(body[2..]), Encoding.Unicode, "bom");

        // A label that names no usable encoding is ignored, as browsers ignore it, and kept for the record.
        string? ignored = null;
        if (CharsetFromContentType(contentType) is { } label)
        {
            if (FromLabel(label) is { } fromHeader)
                return Overruled(fromHeader, body) is { } actual ? new(actual.GetString(body), actual, "bytes", label) : new(fromHeader.GetString(body), fromHeader, "http");
            ignored = label;
        }

        if (PrescanMeta(body[..Math.Min(body.Length, PrescanBytes)]) is { } metaLabel)
        {
            if (FromLabel(metaLabel) is { } fromMeta)
            {
                // A document that is readable as ASCII cannot really be UTF-16.
                if (fromMeta is UnicodeEncoding) fromMeta = Utf8;
                if (Overruled(fromMeta, body) is { } actual) return new(actual.GetString(body), actual, "bytes", metaLabel);
                return new(fromMeta.GetString(body), fromMeta, "meta", ignored);
            }
            ignored ??= metaLabel;
        }

        if (IsValidUtf8(body)) return new(Utf8.GetString(body), Utf8, "utf8-valid", ignored);
        return new(Windows1252.GetString(body), Windows1252, "fallback", ignored);
    }

    public static string? CharsetFromContentType(string? contentType)
    {
        if (string.IsNullOrEmpty(contentType)) return null;
        var m = CharsetParameter().Match(contentType);
        return m.Success ? m.Groups[1].Value.Trim('"', '\'', ' ') : null;
    }

    /// <summary>The encoding a WHATWG label names; null when unknown.</summary>
    public static Encoding? FromLabel(string label)
    {
        string l = label.Trim().ToLowerInvariant();
        switch (l)
        {
            case "utf-8" or "utf8" or "unicode-1-1-utf-8" or "unicode11utf8" or "unicode20utf8" or "x-unicode20utf8":
                return Utf8;
            // WHATWG: all these mean windows-1252.
            case "ascii" or "us-ascii" or "iso-8859-1" or "iso8859-1" or "iso_8859-1" or "latin1" or "l1" or "cp1252"
                or "windows-1252" or "x-cp1252" or "ansi_x3.4-1968" or "cp819" or "ibm819" or "iso-ir-100":
                return Windows1252;
            case "utf-16" or "utf-16le":
                return Encoding.Unicode;
            case "utf-16be":
                return Encoding.BigEndianUnicode;
            case "x-user-defined":
                return Windows1252;
        }
        // An unknown or unsupported label (.NET refuses UTF-7, which WHATWG does not list either) is ignored, as
        // browsers ignore it, and the next source decides.
        try
        {
            var encoding = Encoding.GetEncoding(l);
            return encoding.CodePage == 65000 ? null : encoding;
        }
        catch (Exception ex) when (ex is ArgumentException or NotSupportedException)
        {
            return null;
        }
    }

    private static string? PrescanMeta(ReadOnlySpan<byte> head)
    {
        string ascii = Encoding.Latin1.GetString(head);
        foreach (Match meta in MetaTag().Matches(ascii))
        {
            string tag = meta.Value;
            var charset = MetaCharset().Match(tag);
            if (charset.Success) return charset.Groups[1].Value;
            if (HttpEquivContentType().IsMatch(tag))
            {
                var content = MetaContent().Match(tag);
                if (content.Success && CharsetFromContentType(content.Groups[2].Value) is { } c) return c;
            }
        }
        return null;
    }

    private static bool IsValidUtf8(ReadOnlySpan<byte> body) => System.Text.Unicode.Utf8.IsValid(body);

    /// <summary>
    /// The encoding the bytes show when they contradict the declared one, else null. Declared UTF-8 over bytes that
    /// are mostly not UTF-8 (more invalid bytes than multi-byte characters) reads as windows-1252: a page saved in a
    /// legacy encoding under a template that says UTF-8. A declared single-byte encoding over bytes that are valid
    /// UTF-8 with multi-byte characters reads as UTF-8: legacy text almost never forms valid UTF-8 by chance. A few
    /// stray bytes in a UTF-8 page stay U+FFFD, as browsers show them.
    /// </summary>
    private static Encoding? Overruled(Encoding declared, ReadOnlySpan<byte> body)
    {
        if (declared is UTF8Encoding)
        {
            if (IsValidUtf8(body)) return null;
            int invalid = 0, multiByte = 0;
            for (var rest = body; !rest.IsEmpty;)
            {
                var status = System.Text.Rune.DecodeFromUtf8(rest, out _, out int consumed);
                if (status != System.Buffers.OperationStatus.Done) invalid++;
                else if (consumed > 1) multiByte++;
                rest = rest[Math.Max(1, consumed)..];
            }
            return invalid > multiByte ? Windows1252 : null;
        }
        return declared.IsSingleByte && !System.Text.Ascii.IsValid(body) && IsValidUtf8(body) ? Utf8 : null;
    }

    [GeneratedRegex(@"charset\s*=\s*([""']?[^;""'\s]+)", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex CharsetParameter();

    [GeneratedRegex(@"<meta\b[^>]*>", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex MetaTag();

    [GeneratedRegex(@"\bcharset\s*=\s*[""']?\s*([A-Za-z0-9_:.\-]+)", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex MetaCharset();

    [GeneratedRegex(@"http-equiv\s*=\s*[""']?\s*content-type", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex HttpEquivContentType();

    [GeneratedRegex(@"\bcontent\s*=\s*([""'])(.*?)\1", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant | RegexOptions.Singleline)]
    private static partial Regex MetaContent();
}
