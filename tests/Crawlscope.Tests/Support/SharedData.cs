using Xunit.Abstractions;

namespace Crawlscope.Tests.Support;

/// <summary>
/// Finds the conformance and dataset files in ../shared beside the repository. Under CI (CI=true) a missing file
/// fails the test; locally the test says so and checks nothing.
/// </summary>
public static class SharedData
{
    public static string RepoRoot { get; } = FindRepoRoot();

    public static string SharedRoot =>
        Environment.GetEnvironmentVariable("CRAWLSCOPE_SHARED") is { Length: > 0 } env
            ? env
            : Path.GetFullPath(Path.Combine(RepoRoot, "..", "shared"));

    public static bool IsCi => string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase);

    /// <summary>The full path of a shared file, or null (locally only) when it is missing.</summary>
    public static string? Find(string relativePath, ITestOutputHelper? output = null)
    {
        string full = Path.Combine(SharedRoot, relativePath);
        if (File.Exists(full) || Directory.Exists(full)) return full;
        string message = $"shared data not found: {full} (set CRAWLSCOPE_SHARED or place shared/ beside the repository)";
        if (IsCi) throw new FileNotFoundException(message, full);
        output?.WriteLine("NOT RUN: " + message);
        Console.Error.WriteLine("NOT RUN: " + message);
        return null;
    }

    private static string FindRepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Crawlscope.slnx"))) return dir.FullName;
        throw new InvalidOperationException("cannot find the repository root above " + AppContext.BaseDirectory);
    }
}
