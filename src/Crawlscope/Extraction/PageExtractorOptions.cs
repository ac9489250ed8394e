namespace Crawlscope.Extraction;

/// <summary>What <see cref="PageExtractor"/> may be told.</summary>
public sealed class PageExtractorOptions
{
    /// <summary>The crawler's product token, for bot-specific robots metas and X-Robots-Tag. Default "crawlscope".</summary>
    public string AgentToken { get; init; } = "crawlscope";

    /// <summary>Bytes of HTML parsed at most; longer bodies are cut (the fetcher caps them too). Default 10 MiB.</summary>
    public int MaxHtmlBytes { get; init; } = 10 * 1024 * 1024;
}
