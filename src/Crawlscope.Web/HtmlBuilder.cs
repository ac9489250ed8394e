using System.Text;
using System.Text.Encodings.Web;

namespace Crawlscope.Web;

/// <summary>
/// Builds an HTML page where every piece of text is encoded on the way in. Crawled content is hostile, so the
/// only way to add unencoded markup is <see cref="Tag"/> with a literal tag name and <see cref="TrustedHtml"/>
/// for output of the Markdown sanitiser.
/// </summary>
internal sealed class HtmlBuilder
{
    private readonly StringBuilder _sb = new();
    // All of Unicode passes through as is; markup-significant characters are still encoded.
    private static readonly HtmlEncoder Encoder = HtmlEncoder.Create(System.Text.Unicode.UnicodeRanges.All);

    /// <summary>Encoded text.</summary>
    public HtmlBuilder Text(string? text)
    {
        if (text is not null) Encoder.Encode(new StringWriter(_sb), text);
        return this;
    }

    /// <summary>An opening tag with encoded attribute values; null values are left out.</summary>
    public HtmlBuilder Tag(string name, params (string Name, string? Value)[] attributes)
    {
        _sb.Append('<').Append(name);
        foreach (var (attr, value) in attributes)
        {
            if (value is null) continue;
            _sb.Append(' ').Append(attr).Append("=\"");
            Encoder.Encode(new StringWriter(_sb), value);
            _sb.Append('"');
        }
        _sb.Append('>');
        return this;
    }

    public HtmlBuilder End(string name)
    {
        _sb.Append("</").Append(name).Append('>');
        return this;
    }

    /// <summary>An element holding encoded text.</summary>
    public HtmlBuilder Element(string name, string? text, params (string Name, string? Value)[] attributes) =>
        Tag(name, attributes).Text(text).End(name);

    /// <summary>A link to a page of this site; the target is built by us, the label is encoded.</summary>
    public HtmlBuilder Link(string href, string? label, params (string Name, string? Value)[] attributes) =>
        Tag("a", [("href", href), .. attributes]).Text(label).End("a");

    /// <summary>HTML that has been through the sanitiser.</summary>
    public HtmlBuilder TrustedHtml(SanitizedHtml html)
    {
        _sb.Append(html.Value);
        return this;
    }

    public override string ToString() => _sb.ToString();
}

/// <summary>HTML produced by <see cref="MarkdownHtml"/>: Markdown rendered without raw HTML, then sanitised.</summary>
internal readonly record struct SanitizedHtml(string Value);
