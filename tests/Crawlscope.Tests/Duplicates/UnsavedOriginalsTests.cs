using Crawlscope.Duplicates;

namespace Crawlscope.Tests.Duplicates;

public class UnsavedOriginalsTests
{
    [Fact]
    public void FindOrAdd_FindsExactThenNearest_AndAddsOnlyPagesWithoutMatch()
    {
        var unsaved = new UnsavedOriginals();
        Assert.Null(unsaved.FindOrAdd("a", "hash-a", 0b0000UL, maxDistance: 3));
        Assert.Null(unsaved.FindOrAdd("b", "hash-b", 0xFF00UL, maxDistance: 3));
        // Same content hash wins over any SimHash distance.
        Assert.Equal("b", unsaved.FindOrAdd("c", "hash-b", 0UL, maxDistance: 3));
        // 2 bits from "a", 6 from "b": the closest within reach.
        Assert.Equal("a", unsaved.FindOrAdd("d", "hash-d", 0b0011UL, maxDistance: 3));
        // Too far from both: an original, added.
        Assert.Null(unsaved.FindOrAdd("e", "hash-e", 0xF0F0_0000UL, maxDistance: 3));
        Assert.Equal("e", unsaved.FindOrAdd("f", "hash-e2", 0xF0F0_0001UL, maxDistance: 3));
        // A page never matches itself, and a committed page is gone.
        Assert.Null(unsaved.FindOrAdd("a", "hash-a", 0UL, maxDistance: 0));
        unsaved.Remove("a");
        Assert.Null(unsaved.FindOrAdd("g", "hash-a", 0UL, maxDistance: 0));
    }
}
