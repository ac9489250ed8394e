using System.ComponentModel;
using System.Globalization;
using Crawlscope.Model;
using Crawlscope.Urls;
using Crawlscope.Vocabulary;

namespace Crawlscope.Inspection;

/// <summary>Which way the links go from the inspected page.</summary>
public enum LinkDirection { Out, In }

/// <summary>One link of a page, as the inspector lists it.</summary>
public sealed record LinkView(
    [property: Description("The URL at the other end: the target of an outlink, the source of an inlink.")] string Url,
    string Key,
    string Anchor,
    [property: Description("nofollow when the link carried rel=nofollow, ugc or sponsored; empty otherwise.")] string Rel,
    [property: Description("Whether the crawl followed the link (queued its target, or found it known).")] bool Followed,
    [property: Description("Why it was not followed (nofollow, banned_source, too_deep, out_of_scope, not_included, excluded, spider_trap); null when followed.")] string? Reason,
    [property: Description("The page at the other end: http_200 (its status), a failure reason, queued, or not_seen.")] string TargetState);

/// <summary>The links of a page, out or in, with anchor text, rel, whether the crawl followed each and why not, and
/// the state of the page at the other end; paged.</summary>
public sealed class LinkLister(IInspectionSource store, UrlKeyer keyer)
{
    public const int MaxLimit = 1000;

    public async Task<IReadOnlyList<LinkView>> ListAsync(string? url, LinkDirection direction, int limit = 100, int offset = 0, CancellationToken ct = default)
    {
        if (string.IsNullOrWhiteSpace(url)) throw new InspectionInputException("give a URL");
        if (!keyer.TryIdentify(url, out var id, out var error)) throw new InspectionInputException($"not a valid http(s) URL: {url} ({error})");
        if (limit is < 1 or > MaxLimit) throw new InspectionInputException($"limit must be between 1 and {MaxLimit}");
        if (offset < 0) throw new InspectionInputException("offset must be 0 or more");
        var q = store.Queries;
        var rows = (await store.InspectAsync(direction == LinkDirection.Out ? q.LinksFrom : q.LinksTo,
            [("$key", id.Key.Value), ("$limit", limit), ("$offset", offset)], ct)).Rows;
        var keys = rows.Select(r => (string)r["other"]!).Distinct(StringComparer.Ordinal).ToList();
        var states = new Dictionary<string, string>(StringComparer.Ordinal);
        if (keys.Count > 0)
        {
            var parameters = keys.Select((k, i) => ($"$k{i}", (object?)k)).ToList();
            foreach (var row in (await store.InspectAsync(q.PageStates(keys.Count), parameters, ct)).Rows)
                states[(string)row["src_unparsed"]!] = row["download_http_code"] is { } code
                    ? "http_" + Convert.ToInt32(code, CultureInfo.InvariantCulture).ToString(CultureInfo.InvariantCulture)
                    : row["failure_reason"] as string ?? "stored";
            foreach (var row in (await store.InspectAsync(q.KnownKeys(keys.Count), parameters, ct)).Rows)
                states.TryAdd((string)row["src_unparsed"]!, "queued");
        }
        return rows.Select(r =>
        {
            string other = (string)r["other"]!;
            string? reason = r["refusal"] as string;
            string state = states.GetValueOrDefault(other, "not_seen");
            bool nofollow = Convert.ToInt64(r["nofollow"] ?? 0L, CultureInfo.InvariantCulture) == 1;
            // Links stored before reasons were kept (schema 11) have none: followed then means the target is known.
            bool followed = reason is null && (state != "not_seen" || direction == LinkDirection.In);
            return new LinkView(UrlInspector.UrlOf(other), other, (string?)r["anchor"] ?? "", nofollow ? "nofollow" : "", followed, reason, state);
        }).ToList();
    }
}
