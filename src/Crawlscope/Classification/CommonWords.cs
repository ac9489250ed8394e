using Crawlscope.Extraction;

namespace Crawlscope.Classification;

/// <summary>
/// Very common function words of English, German, French and Spanish. Real prose in those languages has a
/// steady share of them (roughly 30-50 %); machine-stuffed keyword text has almost none.
/// </summary>
internal static class CommonWords
{
    private static readonly HashSet<string> Words = new(StringComparer.Ordinal)
    {
        // English
        "the", "of", "and", "to", "a", "in", "is", "it", "you", "that", "he", "was", "for", "on", "are", "with", "as", "i",
        "his", "they", "be", "at", "one", "have", "this", "from", "or", "had", "by", "but", "not", "what", "all", "were",
        "we", "when", "your", "can", "said", "there", "an", "each", "which", "she", "do", "how", "their", "if", "will",
        "up", "other", "about", "out", "many", "then", "them", "these", "so", "some", "her", "would", "make", "like",
        "him", "into", "has", "more", "two", "could", "my", "than", "been", "who", "its", "now", "did", "no", "our",
        "also", "after", "just", "most", "over", "such", "only", "any", "may", "new", "very", "where", "how", "why",
        // German
        "der", "die", "das", "und", "ist", "den", "von", "zu", "mit", "sich", "des", "auf", "für", "im", "dem", "nicht",
        "ein", "eine", "als", "auch", "es", "an", "werden", "aus", "er", "hat", "dass", "sie", "nach", "wird", "bei",
        "einer", "um", "am", "sind", "noch", "wie", "einem", "über", "einen", "so", "zum", "war", "haben", "nur", "oder",
        "aber", "vor", "zur", "bis", "mehr", "durch", "man", "sein", "wurde", "sei", "ich", "wir", "ihr", "kann", "wenn",
        // French
        "le", "la", "les", "de", "des", "du", "un", "une", "et", "en", "est", "que", "qui", "dans", "pour", "pas", "sur",
        "au", "il", "elle", "avec", "ne", "se", "ce", "plus", "par", "son", "sa", "ses", "aux", "nous", "vous", "ils",
        "mais", "ou", "comme", "être", "été", "cette", "sont", "tout", "leur",
        // Spanish
        "el", "los", "las", "y", "del", "que", "se", "por", "con", "para", "una", "su", "al", "lo", "como", "más", "pero",
        "sus", "le", "ya", "o", "este", "sí", "porque", "esta", "entre", "cuando", "muy", "sin", "sobre", "también", "me",
        "hasta", "hay", "donde", "quien", "desde", "todo", "nos", "durante", "es", "son",
    };

    private static readonly int Longest = Words.Max(w => w.Length);

    // Open-addressed by the runtime's string hash, which the caller has already computed for its own count,
    // so a page's words cost one hash each. A quarter full: a miss (most words) ends at the first empty slot.
    private static readonly string?[] Table = BuildTable();
    private static readonly int Mask = Table.Length - 1;

    private static string?[] BuildTable()
    {
        var table = new string?[(int)System.Numerics.BitOperations.RoundUpToPowerOf2((uint)Words.Count * 4)];
        foreach (string word in Words)
        {
            int slot = word.GetHashCode() & (table.Length - 1);
            while (table[slot] is not null) slot = (slot + 1) & (table.Length - 1);
            table[slot] = word;
        }
        return table;
    }

    /// <summary>Whether <paramref name="word"/>, whose <c>string.GetHashCode(ReadOnlySpan&lt;char&gt;)</c> is
    /// <paramref name="hash"/>, is a common word.</summary>
    internal static bool Contains(ReadOnlySpan<char> word, int hash)
    {
        if (word.Length > Longest) return false;
        for (int slot = hash & Mask; Table[slot] is { } candidate; slot = (slot + 1) & Mask)
            if (word.SequenceEqual(candidate)) return true;
        return false;
    }
}
