using AngleSharp.Dom;

namespace Crawlscope.Extraction.MainContent;

internal sealed partial class DomBlocks
{
    /// <summary>The walk's working lists, one set per thread (a walk does not nest), so a page's walk allocates only
    /// what it returns. A set grown past a large page's size is dropped rather than kept for good.</summary>
    private sealed class Scratch
    {
        private const int KeptElements = 16 * 1024;
        [ThreadStatic] private static Scratch? t_scratch;

        public readonly List<int> OwnText = new(1024), OwnLink = new(1024), Depth = new(1024);
        public readonly List<ulong> OwnHash = new(1024), TagAndClass = new(1024);
        public readonly Stack<(IElement Element, int Parent, bool InLink)> Stack = new();

        /// <summary>This thread's set, emptied.</summary>
        public static Scratch ForThisThread()
        {
            var scratch = t_scratch ??= new Scratch();
            scratch.OwnText.Clear();
            scratch.OwnLink.Clear();
            scratch.Depth.Clear();
            scratch.OwnHash.Clear();
            scratch.TagAndClass.Clear();
            scratch.Stack.Clear();
            return scratch;
        }

        /// <summary>Lets go of the page's elements, and of the whole set when this page made it larger than a page usually needs.</summary>
        public void Release()
        {
            Stack.Clear();
            if (OwnText.Capacity > KeptElements) t_scratch = null;
        }
    }
}
