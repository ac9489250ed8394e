using Crawlscope.Vocabulary;
using Crawlscope.Extraction;
using Crawlscope.Model;
using Crawlscope.Urls;

namespace Crawlscope.Frontier;

/// <summary>The links a page keeps (stored in the links table) and the URLs it hands to the frontier.</summary>
internal sealed record Outlinks(List<LinkRecord> Links, List<FrontierEntry> Discovered);

/// <summary>
/// Step 13, links back to the frontier: every link of a page is stored once per target; a target is queued when the
/// page's host is not banned, the link is followable and the scope gate lets it in. Every link not followed is
/// counted by reason; a target seen before is counted by the store's writer (it knows). A page that duplicates one
/// stored before adds no content, so the links only it has lead further along whatever made it: its links within
/// its own numbered series (<see cref="UrlSeries"/>) are not followed. That ends an endless calendar or a
/// pagination past its last page at its second page, with no depth limit, while the links the duplicate shares
/// with its original were followed from the original.
/// </summary>
internal sealed class OutlinkPolicy(UrlKeyer keyer, CrawlScope scope, bool followNoFollow, Action<LinkRefusal> refused)
{
    private const int MaxAnchorChars = 500;

    /// <param name="duplicateUrl">The page's URL when it duplicates another stored page, else null.</param>
    public Outlinks Select(FrontierEntry from, IReadOnlyList<PageLink> found, bool banned, DateTimeOffset now, WebUrl? duplicateUrl = null)
    {
        var links = new List<LinkRecord>();
        var discovered = new List<FrontierEntry>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var link in found)
        {
            UrlIdentity? target;
            if (!(link.Parsed is { } parsed ? keyer.TryIdentify(parsed, out target, out _) : keyer.TryIdentify(link.Url, out target, out _)))
            {
                refused(LinkRefusal.Unparsable);
                continue;
            }
            if (!seen.Add(target.Key.Value)) { refused(LinkRefusal.RepeatedOnPage); continue; }
            string anchor = link.Text.Length > MaxAnchorChars ? link.Text[..MaxAnchorChars] : link.Text;
            LinkRefusal? refusal = banned ? LinkRefusal.BannedSource
                : link.NoFollow && !followNoFollow ? LinkRefusal.NoFollow
                : scope.Check(target, from.Depth + 1) switch
                {
                    ScopeVerdict.Allowed => null,
                    ScopeVerdict.TooDeep => LinkRefusal.TooDeep,
                    ScopeVerdict.NotIncluded => LinkRefusal.NotIncluded,
                    ScopeVerdict.Excluded => LinkRefusal.Excluded,
                    _ => LinkRefusal.OutOfScope,
                };
            if (refusal is null && duplicateUrl is not null && UrlSeries.Same(duplicateUrl, target.Normalized)) refusal = LinkRefusal.SpiderTrap;
            // Every link is kept with why it was not followed, so the inspector can say it per page.
            links.Add(new LinkRecord(from.Key.Value, target.Key.Value, anchor, link.NoFollow) { Refusal = refusal });
            if (refusal is { } why) refused(why);
            else discovered.Add(FrontierEntry.Outlink(target, link.Url, from, now));
        }
        return new Outlinks(links, discovered);
    }
}
