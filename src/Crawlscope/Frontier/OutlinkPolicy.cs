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
/// counted by reason; a target seen before is counted by the store's writer (it knows).
/// </summary>
internal sealed class OutlinkPolicy(UrlKeyer keyer, CrawlScope scope, bool followNoFollow, Action<LinkRefusal> refused)
{
    private const int MaxAnchorChars = 500;

    public Outlinks Select(FrontierEntry from, IReadOnlyList<PageLink> found, bool banned, DateTimeOffset now)
    {
        var links = new List<LinkRecord>();
        var discovered = new List<FrontierEntry>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var link in found)
        {
            if (!keyer.TryIdentify(link.Url, out var target, out _)) { refused(LinkRefusal.Unparsable); continue; }
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
            // Every link is kept with why it was not followed, so the inspector can say it per page.
            links.Add(new LinkRecord(from.Key.Value, target.Key.Value, anchor, link.NoFollow) { Refusal = refusal });
            if (refusal is { } why) refused(why);
            else discovered.Add(FrontierEntry.Outlink(target, link.Url, from, now));
        }
        return new Outlinks(links, discovered);
    }
}
