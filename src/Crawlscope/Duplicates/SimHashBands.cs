namespace Crawlscope.Duplicates;

/// <summary>Splits a 64-bit SimHash into six bands for the near-duplicate index: two hashes within 5 bits of each
/// other agree on at least one band, so a store finds candidates by band and checks the distance.</summary>
public static class SimHashBands
{
    public const int Count = 6;
    private static readonly int[] Starts = [0, 11, 22, 33, 44, 54];
    private static readonly int[] Widths = [11, 11, 11, 11, 10, 10];

    public static long Value(long simHash, int band) => (long)(((ulong)simHash >> Starts[band]) & ((1UL << Widths[band]) - 1));
}
