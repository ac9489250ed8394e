namespace Crawlscope.Cli.Options;

/// <summary>Files a command reads whole (a configuration file, a seeds file): regular files of a bounded size only, so a
/// FIFO cannot hang the command, /dev/zero cannot fill its memory, and /proc files are not quoted back in errors.</summary>
internal static class InputFile
{
    /// <summary>Why <paramref name="path"/> cannot be read as <paramref name="what"/>; null when it can. A FIFO, a device
    /// and a /proc file all report a length of 0, as an empty file does: none of them holds settings or seeds.</summary>
    public static string? Problem(string path, long maxBytes, string what)
    {
        var file = new FileInfo(path);
        if (Directory.Exists(path)) return $"{path}: a directory, not a {what}";
        if (!file.Exists) return $"{path}: no such {what}";
        if (file.Length == 0) return $"{path}: empty, or not a regular file (a {what} is a regular file)";
        if (file.Length > maxBytes) return $"{path}: {file.Length:N0} bytes, more than a {what} may be ({maxBytes:N0})";
        return null;
    }
}
