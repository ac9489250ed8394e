namespace Crawlscope.Storage;

/// <summary>
/// Keys known to be in the frontier table, so the writer skips the INSERT OR IGNORE of a URL seen before: most
/// links of a page (navigation, sidebars, related articles) were on the site's other pages, and each lookup was
/// a statement with thirteen bound values. A key counts as known only once its transaction has committed. Two
/// generations of at most <see cref="Generation"/> keys bound the memory; a forgotten key is only looked up in
/// the table again. The store's single writer is the only user (under its lock).
/// </summary>
internal sealed class KnownFrontierKeys
{
    internal const int Generation = 32_768;
    private HashSet<string> _current = new(StringComparer.Ordinal);
    private HashSet<string> _previous = new(StringComparer.Ordinal);
    private readonly List<string> _uncommitted = [];

    public bool Contains(string key) => _current.Contains(key) || _previous.Contains(key);

    /// <summary>A transaction starts: keys of one that failed are dropped.</summary>
    public void Begin() => _uncommitted.Clear();

    /// <summary>The key is in the frontier once the current transaction commits.</summary>
    public void Add(string key) => _uncommitted.Add(key);

    public void Committed()
    {
        foreach (var key in _uncommitted)
        {
            if (_current.Count >= Generation)
            {
                _previous = _current;
                _current = new HashSet<string>(StringComparer.Ordinal);
            }
            _current.Add(key);
        }
        _uncommitted.Clear();
    }
}
