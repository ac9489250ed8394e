namespace Crawlscope.Extraction.MainContent;

/// <summary>A 64-bit FNV-1a over text without white space, case-folded, and a mixer that folds one hash into
/// another (block fingerprints need speed and spread, not cryptographic strength).</summary>
internal static class FingerprintHash
{
    public const ulong Seed = 14695981039346656037UL;
    private const ulong Prime = 1099511628211UL;

    /// <summary>Adds the characters of <paramref name="text"/> that are not white space; returns how many there were.</summary>
    public static int AddVisible(ref ulong hash, string text)
    {
        int count = 0;
        ulong h = hash;
        foreach (char c in text)
        {
            char folded;
            if (c < 128)
            {
                // ASCII, nearly all of markup and much of text: no table lookups.
                if (c <= ' ') continue;
                folded = c is >= 'A' and <= 'Z' ? (char)(c | 0x20) : c;
            }
            else
            {
                if (char.IsWhiteSpace(c)) continue;
                folded = char.ToLowerInvariant(c);
            }
            count++;
            h = (h ^ folded) * Prime;
        }
        hash = h;
        return count;
    }

    public static ulong Combine(ulong a, ulong b)
    {
        ulong x = a ^ (b + 0x9E3779B97F4A7C15UL + (a << 6) + (a >> 2));
        x ^= x >> 33;
        x *= 0xFF51AFD7ED558CCDUL;
        x ^= x >> 33;
        return x;
    }
}
