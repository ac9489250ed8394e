using AngleSharp.Dom;

namespace Crawlscope.Extraction;

/// <summary>
/// What of a page a reader never sees, in one place for every walk (Markdown, readable content, the spam statistics):
/// elements that are never text (scripts, styles, form controls, media), elements hidden by an attribute, an inline
/// style or a framework's class, and elements out of sight until a script or a click shows them (transparent for a
/// fade-in, collapsed to no height for an accordion). The Markdown keeps the last kind, as a reader who scrolls and
/// clicks sees it; the spam statistics count both kinds as hidden text, so stuffing hidden either way is a signal.
/// </summary>
internal static class HtmlVisibility
{
    private static readonly HashSet<string> NeverTextTags = new(StringComparer.OrdinalIgnoreCase)
    {
        "script", "style", "noscript", "template", "svg", "math", "iframe", "frame", "frameset", "object", "embed", "canvas",
        "head", "title", "meta", "link", "base", "input", "button", "select", "option", "optgroup", "textarea", "datalist",
        "audio", "video", "source", "track", "map", "dialog", "param", "applet",
    };

    private static readonly HashSet<string> HiddenClasses = new(StringComparer.OrdinalIgnoreCase)
    {
        "hide", "hidden", "d-none", "invisible", "is-hidden", "u-hidden", "sr-only", "visually-hidden", "visuallyhidden",
        "screen-reader-text", "screen-reader-only", "element-invisible", "offscreen",
    };

    // An element pushed this far off the screen (left: -9999px, text-indent: -10000px) is hidden.
    private const double OffScreenPixels = 999;

    /// <summary>An element whose content is never text (a script, a form control, media). <c>noscript</c> is one: we
    /// parse with scripts off, so its markup is text, but a page read as a browser shows it does not show it.</summary>
    public static bool IsNeverText(string localName) => NeverTextTags.Contains(localName);

    /// <summary>Never text for what it is, not for being hidden: with a leave-out rule, its owner decides what is hidden (a
    /// page-wide curtain a script lifts is not), and noscript is read.</summary>
    public static bool IsNeverTextKind(IElement e) => e.LocalName != "noscript" && NeverTextTags.Contains(e.LocalName) || IsHiddenInput(e);

    /// <summary>
    /// Page-wide curtains under one root: a hidden child or grandchild of the root that holds at least half of its text
    /// is lifted by a script, and a reader sees what is behind it (React streams a page's content into
    /// <c>&lt;div hidden id="S:0"&gt;</c> and a script moves it into place). The readable content's walk decides the
    /// same (<see cref="MainContent.DomBlocks.IsCurtain"/>). The root's text is counted once, when first needed. The spam
    /// statistics do not lift curtains: a page stuffing keywords into one large hidden block looks the same.
    /// </summary>
    internal sealed class Curtains(INode root)
    {
        /// <summary>How far below the root a curtain may be (2: children and grandchildren); hidden elements this close
        /// count towards the root's text, deeper ones do not. DomBlocks' walk uses the same.</summary>
        internal const int Depth = 2;
        /// <summary>The share of the root's text a curtain holds at least.</summary>
        internal const double MinShare = 0.5;
        private int _rootChars = -1;

        /// <summary>Whether <paramref name="hidden"/> (an element its caller found hidden, or a <c>noscript</c>) is a curtain.
        /// A noscript holding most of the page is one too: a shell's page (Discourse) for readers without scripts.</summary>
        public bool Lifted(IElement hidden)
        {
            if (root is not IElement top || hidden.LocalName != "noscript" && NeverTextTags.Contains(hidden.LocalName) || IsHiddenInput(hidden)) return false;
            int level = 1;
            for (var parent = hidden.ParentElement; parent != top; parent = parent.ParentElement)
                if (parent is null || ++level > Depth) return false;
            // The element's own text first: most hidden blocks near the body (a tag manager's noscript, an empty
            // placeholder) have none, and the root's text is then never counted.
            int chars = VisibleChars(hidden);
            if (chars == 0) return false;
            if (_rootChars < 0) _rootChars = VisibleChars(top, Depth);
            return chars >= MinShare * _rootChars;
        }
    }

    /// <summary>Characters other than white space in the element's text, leaving out what is never text and hidden
    /// elements below it, except hidden ones and noscripts at most <paramref name="hiddenCountedToDepth"/> levels down
    /// (1: children).</summary>
    public static int VisibleChars(IElement element, int hiddenCountedToDepth = 0)
    {
        int count = 0;
        var stack = new Stack<(INode Node, int Depth)>();
        stack.Push((element, 0));
        while (stack.TryPop(out var item))
        {
            if (item.Node is IText text)
            {
                count += MainContent.DomBlocks.VisibleChars(text.Data);
                continue;
            }
            if (item.Node is not IElement e) continue;
            bool hiddenHere = IsHidden(e) || e.LocalName == "noscript";
            if (e != element && (!hiddenHere && NeverTextTags.Contains(e.LocalName) || IsHiddenInput(e) || hiddenHere && item.Depth > hiddenCountedToDepth)) continue;
            var children = e.ChildNodes;
            for (int i = 0; i < children.Length; i++) stack.Push((children[i], item.Depth + 1));
        }
        return count;
    }

    /// <summary>Never text, or hidden.</summary>
    public static bool IsSkipped(IElement e) => NeverTextTags.Contains(e.LocalName) || IsHiddenInput(e) || IsHidden(e);

    private static bool IsHiddenInput(IElement e) => e.LocalName == "input" && string.Equals(e.GetAttribute("type"), "hidden", StringComparison.OrdinalIgnoreCase);

    /// <summary>Hidden by the <c>hidden</c> or <c>aria-hidden</c> attribute, an inline style, or a class.</summary>
    public static bool IsHidden(IElement e) => Sight(e, untilShownCounts: false);

    /// <summary>Hidden (<see cref="IsHidden"/>), or out of sight until a script or a click shows it: transparent,
    /// collapsed to no height with its overflow hidden, scaled to nothing.</summary>
    public static bool IsOutOfSight(IElement e) => Sight(e, untilShownCounts: true);

    /// <summary>One pass over the element's attributes (every walk asks this of every element).</summary>
    private static bool Sight(IElement e, bool untilShownCounts)
    {
        var attributes = e.Attributes;
        for (int i = 0; i < attributes.Length; i++)
        {
            var attribute = attributes[i];
            if (attribute is null) continue;
            switch (attribute.Name)
            {
                case "hidden": return true;
                case "aria-hidden" when string.Equals(attribute.Value, "true", StringComparison.OrdinalIgnoreCase): return true;
                case "class" when HiddenByClass(attribute.Value): return true;
                case "style" when Hides(e, ReadStyle(attribute.Value), untilShownCounts): return true;
            }
        }
        return false;
    }

    /// <summary>A descendant sets a font size again (a zero font size then only closes the gaps between inline blocks).</summary>
    private static bool ResizedInside(IElement e) => e.QuerySelector("[style*='font-size' i]") is not null;

    /// <summary>The element's inline style hides it. A zero font size hides it unless a descendant sets a size again.</summary>
    public static bool IsHiddenStyle(IElement e, string style) => Hides(e, ReadStyle(style), untilShownCounts: false);

    private static bool Hides(IElement e, StyleEffect effect, bool untilShownCounts) => effect switch
    {
        StyleEffect.Hides => true,
        StyleEffect.ZeroFontSize => !ResizedInside(e),
        StyleEffect.UntilShown => untilShownCounts,
        _ => false,
    };

    private enum StyleEffect { None, Hides, ZeroFontSize, UntilShown }

    /// <summary>
    /// What an inline style does to its element. Hides: display none; visibility hidden or collapse; font-size 0;
    /// clipped away (clip-path inset(50%) or more, clip rect of nothing); positioned or indented far off the screen.
    /// Until shown: opacity 0, scaled to nothing, no height (or width) with overflow hidden (fade-ins and accordions,
    /// 17 WCXB pages use them for content). Comments, white space of any kind, upper case and <c>!important</c> do
    /// not change what a declaration says (<c>display:/**/none</c>, <c>display:\tNONE</c>).
    /// </summary>
    private static StyleEffect ReadStyle(string style)
    {
        if (style.Length == 0) return StyleEffect.None;
        var raw = style.AsSpan(0, Math.Min(style.Length, MaxStyleChars));
        Span<char> buffer = stackalloc char[MaxStyleChars];
        var text = buffer[..Clean(raw, buffer)];
        bool zeroFont = false, untilShown = false;
        bool overflowHidden = false, noSize = false, positioned = false, offScreen = false;
        foreach (var range in text.Split(';'))
        {
            var declaration = text[range];
            int colon = declaration.IndexOf(':');
            if (colon <= 0) continue;
            var property = declaration[..colon];
            var value = declaration[(colon + 1)..];
            switch (property)
            {
                case "display" when value is "none":
                case "visibility" when value is "hidden" or "collapse":
                case "clip-path" when value.StartsWith("inset(") && Percent(value["inset(".Length..]) >= 50:
                case "clip" when ClipsEverything(value):
                    return StyleEffect.Hides;
                case "opacity" when IsZero(value):
                case "transform" when value is "scale(0)" or "scale(0,0)" or "scalex(0)" or "scaley(0)":
                    untilShown = true; break;
                case "font-size" when IsZero(value):
                    zeroFont = true; break;
                case "overflow" or "overflow-y" or "overflow-x" when value is "hidden" or "clip":
                    overflowHidden = true; break;
                case "height" or "max-height" or "width" or "max-width" when IsZero(value):
                    noSize = true; break;
                case "position" when value is "absolute" or "fixed":
                    positioned = true; break;
                case "left" or "top" or "right" when Pixels(value) <= -OffScreenPixels:
                    offScreen = true; break;
                case "text-indent" when Pixels(value) <= -OffScreenPixels:
                    return StyleEffect.Hides;
            }
        }
        if (positioned && offScreen) return StyleEffect.Hides;
        return zeroFont ? StyleEffect.ZeroFontSize : untilShown || overflowHidden && noSize ? StyleEffect.UntilShown : StyleEffect.None;
    }

    /// <summary><c>rect(0 0 0 0)</c> or <c>rect(1px, 1px, 1px, 1px)</c> (the screen-reader pattern): nothing is shown.</summary>
    private static bool ClipsEverything(ReadOnlySpan<char> value)
    {
        if (!value.StartsWith("rect(") || !value.EndsWith(")")) return false;
        var inside = value[5..^1];
        foreach (char c in inside)
            if (c is not ('0' or '1' or ',' or 'p' or 'x')) return false;
        return inside.Length > 0;
    }

    // Only the first 2,048 characters of a style are read (on the stack): no inline style that hides needs more.
    private const int MaxStyleChars = 2048;

    /// <summary>The style in lower case without comments, white space or <c>!important</c>, written to
    /// <paramref name="into"/>; returns its length.</summary>
    private static int Clean(ReadOnlySpan<char> style, Span<char> into)
    {
        int n = 0;
        for (int i = 0; i < style.Length; i++)
        {
            char c = style[i];
            if (c == '/' && i + 1 < style.Length && style[i + 1] == '*')
            {
                int end = style[(i + 2)..].IndexOf("*/");
                if (end < 0) break;
                i += end + 3;
                continue;
            }
            if (char.IsWhiteSpace(c)) continue;
            into[n++] = char.ToLowerInvariant(c);
            if (n >= 10 && into[(n - 10)..n].SequenceEqual("!important")) n -= 10;
        }
        return n;
    }

    private static bool IsZero(ReadOnlySpan<char> value)
    {
        int unit = value.IndexOfAnyExcept("0123456789.+-");
        var number = unit < 0 ? value : value[..unit];
        return number.Length > 0 && double.TryParse(number, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out double n) && n == 0;
    }

    /// <summary>A length in pixels (px or a bare number; em and rem at 16 px); 0 for anything else.</summary>
    private static double Pixels(ReadOnlySpan<char> value)
    {
        int unit = value.IndexOfAnyExcept("0123456789.+-");
        var number = unit < 0 ? value : value[..unit];
        if (!double.TryParse(number, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out double n)) return 0;
        var suffix = unit < 0 ? [] : value[unit..];
        return suffix is "" or "px" ? n : suffix is "em" or "rem" ? n * 16 : 0;
    }

    /// <summary>The first length of an inset(), as a percentage; 0 when it is not one.</summary>
    private static double Percent(ReadOnlySpan<char> args)
    {
        int end = args.IndexOfAny("%)");
        if (end <= 0 || args[end] != '%') return 0;
        return double.TryParse(args[..end], System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out double n) ? n : 0;
    }

    /// <summary>Classes that frameworks use to hide an element from sight; not when a responsive class shows it
    /// again on some screens ("hidden lg:block", "d-none d-md-block").</summary>
    public static bool HiddenByClass(string? classes)
    {
        if (string.IsNullOrEmpty(classes) || classes.Length > 1000) return false;
        if (!classes.Contains("hid", StringComparison.OrdinalIgnoreCase) && !classes.Contains("invisible", StringComparison.OrdinalIgnoreCase)
            && !classes.Contains("sr-only", StringComparison.OrdinalIgnoreCase) && !classes.Contains("offscreen", StringComparison.OrdinalIgnoreCase)
            && !classes.Contains("d-none", StringComparison.OrdinalIgnoreCase)) return false;
        bool hidden = false;
        foreach (var range in classes.AsSpan().Split(' '))
        {
            var token = classes.AsSpan()[range];
            if (token.IsEmpty) continue;
            if (token.Contains(':') || token.StartsWith("d-") && !token.Equals("d-none", StringComparison.OrdinalIgnoreCase)) return false;
            if (HiddenClasses.GetAlternateLookup<ReadOnlySpan<char>>().Contains(token)) hidden = true;
        }
        return hidden;
    }
}
