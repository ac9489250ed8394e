namespace Crawlscope.Extraction.MainContent;

/// <summary>How the main-content extractor treats one page type.</summary>
/// <param name="CommentsAreContent">Containers named comment, reply or respond are kept (a thread's posts are its content).</param>
/// <param name="DescendShare">The chooser moves from an element to its child only when the child holds at least this
/// share of the element's content text: high keeps a wide container (service pages, listings), low narrows to the
/// single body of an article.</param>
/// <param name="LinkDensityLimit">Blocks whose text is more than this share link text are dropped as navigation,
/// unless they carry a lot of unlinked text; listings' cards are links with a line of text under them.</param>
/// <param name="AddsProductDescription">A product description found only in JSON-LD is added to the text.</param>
/// <param name="LinksAreContent">Linked text counts as content (a listing's cards are links: headline, teaser, price);
/// only lists of short links (menus, tag clouds) are dropped as navigation.</param>
internal sealed record ExtractionProfile(
    bool CommentsAreContent,
    double DescendShare,
    double LinkDensityLimit,
    bool AddsProductDescription,
    bool LinksAreContent = false)
{
    public static ExtractionProfile For(PageType type) => type switch
    {
        PageType.Forum => new(CommentsAreContent: true, DescendShare: 0.8, LinkDensityLimit: 0.5, AddsProductDescription: false),
        PageType.Product => new(false, 0.85, 0.5, AddsProductDescription: true),
        PageType.Collection => new(false, 0.8, 0.5, false, LinksAreContent: true),
        PageType.Listing => new(false, 0.8, 0.5, false, LinksAreContent: true),
        PageType.Service => new(false, 0.85, 0.5, false),
        // Articles and documentation: tables of contents and sidebars, left out for every type, matter most here.
        _ => new(false, 0.75, 0.5, false),
    };
}
