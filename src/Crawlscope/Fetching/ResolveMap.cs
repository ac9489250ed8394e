using System.Net;

namespace Crawlscope.Fetching;

/// <summary>Parses --resolve HOST=ADDRESS options and hosts-file style files into a name → address map.</summary>
public static class ResolveMap
{
    public static Dictionary<string, IPAddress> Parse(IEnumerable<string> pairs, IEnumerable<string> files)
    {
        var map = new Dictionary<string, IPAddress>(StringComparer.OrdinalIgnoreCase);
        foreach (var pair in pairs)
        {
            int eq = pair.IndexOf('=');
            if (eq <= 0 || !IPAddress.TryParse(pair[(eq + 1)..].Trim().Trim('[', ']'), out var address))
                throw new FormatException($"--resolve expects HOST=ADDRESS, got '{pair}'");
            map[pair[..eq].Trim().ToLowerInvariant()] = address;
        }
        foreach (var file in files)
        {
            if (!File.Exists(file)) throw new FileNotFoundException($"resolve file not found: {file}", file);
            int lineNumber = 0;
            foreach (var raw in File.ReadLines(file))
            {
                lineNumber++;
                string line = raw.Split('#')[0].Trim();
                if (line.Length == 0) continue;
                var parts = line.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
                if (parts.Length < 2 || !IPAddress.TryParse(parts[0], out var address))
                    throw new FormatException($"{file}:{lineNumber}: expected 'ADDRESS HOST...', got '{raw.Trim()}'");
                foreach (var host in parts.Skip(1)) map[host.ToLowerInvariant()] = address;
            }
        }
        return map;
    }
}
