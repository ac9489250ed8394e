using AngleSharp.Dom;

namespace Crawlscope.Extraction;

/// <summary>
/// What in the raw HTML says the page is built by scripts in the browser: how many scripts it has, an empty
/// mount-point element that single-page frameworks fill (<c>#root</c>, <c>#app</c>, <c>#__next</c>, ...), and a
/// <c>noscript</c> asking for JavaScript. Read by the renderer's decision together with the page's words and links.
/// </summary>
public sealed record ShellEvidence(int Scripts, string? MountPoint, bool NoscriptAsksForScript)
{
    public static ShellEvidence None { get; } = new(0, null, false);

    /// <summary>A page with this many words or more is not a shell, whatever else it holds: its evidence is not looked for.</summary>
    public const int MaxWords = 200;

    // The ids React, Vue, Next.js, Nuxt, Gatsby, Angular and Svelte templates mount into.
    private static readonly string[] MountIds = ["root", "app", "__next", "__nuxt", "___gatsby", "svelte", "main-app", "spa-root"];

    internal static ShellEvidence Of(AngleSharp.Html.Dom.IHtmlDocument document)
    {
        int scripts = document.Scripts.Length;
        string? mount = null;
        foreach (string id in MountIds)
            if (document.GetElementById(id) is { } e && string.IsNullOrWhiteSpace(e.TextContent))
            {
                mount = "#" + id;
                break;
            }
        mount ??= document.QuerySelector("app-root, [ng-app], [data-reactroot]") is { } framework && string.IsNullOrWhiteSpace(framework.TextContent)
            ? framework.LocalName : null;
        bool asks = false;
        foreach (var noscript in document.GetElementsByTagName("noscript"))
            if (noscript.TextContent.Contains("javascript", StringComparison.OrdinalIgnoreCase)) asks = true;
        return scripts == 0 && mount is null && !asks ? None : new ShellEvidence(scripts, mount, asks);
    }
}
