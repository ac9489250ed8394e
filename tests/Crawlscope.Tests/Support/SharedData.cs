namespace Crawlscope.Tests.Support;

/// <summary>
/// Finds test data. Conformance data lives in the repository (<c>tests/Crawlscope.Tests/data/conformance</c>), so
/// every clone runs those tests. The extraction datasets live in ../shared beside the repository: under CI (CI=true)
/// a missing dataset fails the test; elsewhere the test is reported as skipped, with the reason.
/// </summary>
public static class SharedData
{
    public static string RepoRoot { get; } = FindRepoRoot();

    public static string SharedRoot =>
        Environment.GetEnvironmentVariable("CRAWLSCOPE_SHARED") is { Length: > 0 } env
            ? env
            : Path.GetFullPath(Path.Combine(RepoRoot, "..", "shared"));

    public static bool IsCi => string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase);

    /// <summary>A conformance file kept in the repository (e.g. <c>robots/google-robotstxt-cases.json</c>).</summary>
    public static string Conformance(string relativePath)
    {
        string full = Path.Combine(RepoRoot, "tests", "Crawlscope.Tests", "data", "conformance", relativePath);
        if (!File.Exists(full)) throw new FileNotFoundException($"conformance data missing from the repository: {full}", full);
        return full;
    }

    /// <summary>The full path of a file or folder under ../shared; skips the test (locally) or fails it (CI) when missing.</summary>
    public static string Find(string relativePath)
    {
        string full = Path.Combine(SharedRoot, relativePath);
        if (File.Exists(full) || Directory.Exists(full)) return full;
        Missing($"shared data not found: {full} (set CRAWLSCOPE_SHARED or place shared/ beside the repository)");
        return full;
    }

    /// <summary>Something a test needs from outside the repository is not there: under CI the test fails, elsewhere it
    /// is reported as skipped with <paramref name="reason"/> (the test must be a SkippableFact or SkippableTheory).</summary>
    public static void Missing(string reason)
    {
        if (IsCi) throw new FileNotFoundException(reason);
        throw new SkipException(reason);
    }

    private static string FindRepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Crawlscope.slnx"))) return dir.FullName;
        throw new InvalidOperationException("cannot find the repository root above " + AppContext.BaseDirectory);
    }
}
