using System.Collections.Frozen;
using System.Text;

namespace Crawlscope.Vocabulary;

/// <summary>The snake_case names under which enum values are stored and shown: <c>Http4xx</c> ↔ <c>http_4xx</c>.</summary>
public static class StoreNames
{
    public static string Of<T>(T value) where T : struct, Enum =>
        Names<T>.ByValue.TryGetValue(value, out var name) ? name : Snake(value.ToString());

    /// <summary>The value stored as <paramref name="name"/>; false for a name this build does not know.</summary>
    public static bool TryParse<T>(string name, out T value) where T : struct, Enum => Names<T>.ByName.TryGetValue(name, out value);

    /// <summary>The value stored as <paramref name="name"/>, null for null.</summary>
    /// <exception cref="InvalidDataException">The name is not one of <typeparamref name="T"/>'s.</exception>
    public static T? Parse<T>(string? name) where T : struct, Enum =>
        name is null ? null
        : TryParse<T>(name, out var value) ? value
        : throw new InvalidDataException($"'{name}' is not a known {typeof(T).Name} (known: {string.Join(", ", Names<T>.ByName.Keys.Order())})");

    private static string Snake(string name)
    {
        var sb = new StringBuilder(name.Length + 4);
        for (int i = 0; i < name.Length; i++)
        {
            char c = name[i];
            bool boundary = i > 0 && ((char.IsUpper(c) && !char.IsUpper(name[i - 1])) || (char.IsDigit(c) && !char.IsDigit(name[i - 1])));
            if (boundary) sb.Append('_');
            sb.Append(char.ToLowerInvariant(c));
        }
        return sb.ToString();
    }

    // Names are made once per enum type, so writing a reason per page allocates nothing.
    private static class Names<T> where T : struct, Enum
    {
        public static readonly FrozenDictionary<T, string> ByValue = Enum.GetValues<T>().Distinct().ToFrozenDictionary(v => v, v => Snake(v.ToString()));
        public static readonly FrozenDictionary<string, T> ByName = ByValue.ToFrozenDictionary(kv => kv.Value, kv => kv.Key, StringComparer.Ordinal);
    }
}
