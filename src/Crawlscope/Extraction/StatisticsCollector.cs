using AngleSharp.Dom;

namespace Crawlscope.Extraction;

/// <summary>One walk over the DOM counting what the spam classifier needs: visible and hidden text (as <see cref="HtmlVisibility"/>
/// decides), words, anchor words.</summary>
internal static class StatisticsCollector
{
    internal static PageStatistics Collect(IDocument doc, string? title, int htmlLength, int linkCount, CancellationToken cancellation = default)
    {
        var visible = new CollapsedText();
        var hiddenText = new CollapsedText();
        int anchorWords = 0;
        try
        {
            Walk(doc.Body ?? (INode)doc, hidden: false, inAnchor: false);
            string text = visible.ToString();
            var words = WordSequence.Of(text);
            return new PageStatistics(htmlLength, words.Count, ContentFingerprint.CountWords(title ?? ""),
                anchorWords, linkCount, words.AverageLength, text, hiddenText.ToString(), words);
        }
        finally
        {
            visible.Dispose();
            hiddenText.Dispose();
        }

        void Walk(INode node, bool hidden, bool inAnchor)
        {
            foreach (var child in node.ChildNodes)
            {
                if (child is IText t)
                {
                    if (hidden)
                    {
                        hiddenText.Append(" ");
                        hiddenText.Append(t.Data);
                    }
                    else
                    {
                        visible.Append(t.Data);
                        if (inAnchor) anchorWords += ContentFingerprint.CountWords(t.Data);
                    }
                }
                else if (child is IElement e)
                {
                    cancellation.ThrowIfCancellationRequested();
                    if (HtmlVisibility.IsNeverText(e.LocalName)) continue;
                    if (e.LocalName is "br" or "p" or "div" or "li" or "td" or "h1" or "h2" or "h3" or "h4" or "h5" or "h6") visible.Append(" ");
                    Walk(e, hidden || HtmlVisibility.IsOutOfSight(e), inAnchor || e.LocalName == "a");
                }
            }
        }
    }
}
