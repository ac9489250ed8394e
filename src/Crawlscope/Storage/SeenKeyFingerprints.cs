using System.IO.Hashing;
using System.Runtime.InteropServices;
using System.Text;

namespace Crawlscope.Storage;

/// <summary>
/// 64-bit fingerprints (XxHash3 of the UTF-8 key) of every key in the frontier table, so a discovered link that
/// is already known costs a hash lookup instead of an INSERT OR IGNORE that probes the table's key index: most
/// links of a page were seen before. A hit counts as known, so two keys with the same fingerprint would lose the
/// second one: at n keys the chance for a new key is at most n / 2^64 (5e-13 at ten million, 5e-11 at a billion).
/// A miss is only a hint: the INSERT OR IGNORE that follows stays exact, so a set built late or partly is never
/// wrong, only slower. Keys count once their transaction has committed. Open addressing with linear probing in
/// one array of 8 bytes per slot, at most 80 % full (10–20 bytes per key). The store's single writer is the only
/// user (under its lock).
/// </summary>
internal sealed class SeenKeyFingerprints
{
    private const double MaxLoad = 0.8;
    private ulong[] _slots = new ulong[1 << 16];
    private int _count;
    private readonly List<ulong> _uncommitted = [];

    public int Count => _count;

    public long MemoryBytes => (long)_slots.Length * sizeof(ulong);

    public static ulong Of(string key)
    {
        int max = Encoding.UTF8.GetMaxByteCount(key.Length);
        Span<byte> buffer = max <= 1024 ? stackalloc byte[max] : new byte[max];
        int length = Encoding.UTF8.GetBytes(key, buffer);
        return Of(buffer[..length]);
    }

    /// <summary>0 marks an empty slot, so a key hashing to 0 is stored as 1.</summary>
    public static ulong Of(ReadOnlySpan<byte> utf8Key) => XxHash3.HashToUInt64(utf8Key) is var h && h == 0 ? 1 : h;

    public bool Contains(ulong fingerprint)
    {
        int mask = _slots.Length - 1;
        for (int i = (int)fingerprint & mask; ; i = (i + 1) & mask)
        {
            ulong slot = _slots[i];
            if (slot == fingerprint) return true;
            if (slot == 0) return false;
        }
    }

    /// <summary>A transaction starts: keys of one that failed are dropped.</summary>
    public void Begin() => _uncommitted.Clear();

    /// <summary>The key is in the frontier once the current transaction commits.</summary>
    public void Add(ulong fingerprint) => _uncommitted.Add(fingerprint);

    public void Committed()
    {
        foreach (ulong fingerprint in CollectionsMarshal.AsSpan(_uncommitted)) AddCommitted(fingerprint);
        _uncommitted.Clear();
    }

    /// <summary>Adds a key known to be in the table already (read back from the store).</summary>
    public void AddCommitted(ulong fingerprint)
    {
        if (_count + 1 > _slots.Length * MaxLoad) Grow();
        if (Insert(_slots, fingerprint)) _count++;
    }

    private static bool Insert(ulong[] slots, ulong fingerprint)
    {
        int mask = slots.Length - 1;
        for (int i = (int)fingerprint & mask; ; i = (i + 1) & mask)
        {
            if (slots[i] == fingerprint) return false;
            if (slots[i] == 0)
            {
                slots[i] = fingerprint;
                return true;
            }
        }
    }

    private void Grow()
    {
        var larger = new ulong[_slots.Length * 2];
        foreach (ulong fingerprint in _slots)
            if (fingerprint != 0) Insert(larger, fingerprint);
        _slots = larger;
    }
}
