using System.Reflection;

namespace Crawlscope.Urls;

/// <summary>
/// The Public Suffix List (ICANN and private sections both), answering "what is the registrable domain of
/// this host" as Mozilla's getBaseDomainFromHost does: exception rules beat the longest matching rule, and an
/// unlisted TLD is a public suffix by the implicit "*" rule.
/// </summary>
public sealed class PublicSuffixList
{
    /// <summary>Where Debian's <c>publicsuffix</c> package installs the list.</summary>
    public const string SystemPath = "/usr/share/publicsuffix/public_suffix_list.dat";

    private const string EmbeddedResourceName = "Crawlscope.public_suffix_list.dat";

    private readonly HashSet<string> _rules = new(StringComparer.Ordinal);
    private readonly HashSet<string> _wildcards = new(StringComparer.Ordinal); // "*.ck" stored as "ck"
    private readonly HashSet<string> _exceptions = new(StringComparer.Ordinal); // "!www.ck" stored as "www.ck"

    private PublicSuffixList(string source) => Source = source;

    // The most labels any rule has (plus one for wildcards): only that many trailing labels of a host can match,
    // so a hostile host with 100,000 labels costs no more than a short one.
    private int _maxRuleLabels = 1;

    /// <summary>The file the list was read from, or "embedded".</summary>
    public string Source { get; }

    public int RuleCount => _rules.Count + _wildcards.Count + _exceptions.Count;

    private static readonly Lazy<PublicSuffixList> DefaultList = new(() => Load(null));

    /// <summary>The list from the system file, else the embedded snapshot; loaded once.</summary>
    public static PublicSuffixList Default => DefaultList.Value;

    /// <summary>Loads <paramref name="path"/> when given, else the system file, else the embedded snapshot.</summary>
    public static PublicSuffixList Load(string? path)
    {
        if (path is not null)
        {
            if (!File.Exists(path)) throw new FileNotFoundException($"public suffix list not found: {path}", path);
            return Parse(File.ReadAllText(path), path);
        }
        if (File.Exists(SystemPath)) return Parse(File.ReadAllText(SystemPath), SystemPath);
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream(EmbeddedResourceName)
                           ?? throw new InvalidOperationException("embedded public suffix list is missing");
        using var reader = new StreamReader(stream);
        return Parse(reader.ReadToEnd(), "embedded");
    }

    public static PublicSuffixList Parse(string text, string source = "text")
    {
        var list = new PublicSuffixList(source);
        foreach (var rawLine in text.Split('\n'))
        {
            // A rule is the first whitespace-delimited word of a line; "//" starts a comment line.
            string line = rawLine.Trim();
            if (line.Length == 0 || line.StartsWith("//", StringComparison.Ordinal)) continue;
            int space = line.IndexOfAny([' ', '\t']);
            if (space > 0) line = line[..space];

            bool exception = line.StartsWith('!');
            bool wildcard = line.StartsWith("*.", StringComparison.Ordinal);
            string body = exception ? line[1..] : wildcard ? line[2..] : line;
            string? ascii = HostParser.DomainToAscii(body);
            if (ascii is null) continue;
            (exception ? list._exceptions : wildcard ? list._wildcards : list._rules).Add(ascii);
            list._maxRuleLabels = Math.Max(list._maxRuleLabels, ascii.Count(c => c == '.') + (wildcard ? 2 : 1));
        }
        return list;
    }

    /// <summary>
    /// The registrable domain (public suffix plus one label) of a host, lower-cased, in the form it was given
    /// (Unicode in, Unicode out; punycode in, punycode out); null when the host is itself a public suffix,
    /// is empty, starts with a dot or has empty labels.
    /// </summary>
    public string? GetRegistrableDomain(string? host)
    {
        if (string.IsNullOrEmpty(host) || host.StartsWith('.')) return null;
        string lowered = host.ToLowerInvariant();
        if (lowered.EndsWith('.')) lowered = lowered[..^1];
        string? ascii = HostParser.DomainToAscii(lowered);
        if (ascii is null) return null;
        string[] labels = ascii.Split('.');
        if (labels.Any(l => l.Length == 0)) return null;

        int suffixLabels = PublicSuffixLabelCount(labels);
        if (labels.Length <= suffixLabels) return null;
        int take = suffixLabels + 1;

        // Answer in the caller's form: the input's own labels when they line up with the ASCII ones.
        string[] original = lowered.Split('.');
        string[] source = original.Length == labels.Length ? original : labels;
        return string.Join('.', source[^take..]);
    }

    /// <summary>How many trailing labels of <paramref name="labels"/> (punycode, lower-case) form the public suffix.</summary>
    internal int PublicSuffixLabelCount(string[] labels)
    {
        int best = 1; // the implicit "*" rule
        for (int i = Math.Max(0, labels.Length - _maxRuleLabels - 1); i < labels.Length; i++)
        {
            string suffix = string.Join('.', labels[i..]);
            int length = labels.Length - i;
            // An exception rule wins over everything: its suffix is the rule minus its leftmost label.
            if (_exceptions.Contains(suffix)) return length - 1;
            if (_rules.Contains(suffix)) best = Math.Max(best, length);
            if (i > 0 && _wildcards.Contains(suffix)) best = Math.Max(best, length + 1);
        }
        return best;
    }
}
