using System.Reflection.PortableExecutable;
using Crawlscope.Tests.Support;

namespace Crawlscope.Tests.Cli;

/// <summary>The Release build precompiles the HTML parser and zstd libraries (a crawl's start otherwise waits for
/// their JIT) and leaves Crawlscope's own code to the JIT, whose code ran the steady crawl faster.</summary>
public sealed class ReadyToRunLibrariesTests
{
    [SkippableTheory]
    [InlineData("AngleSharp.dll", true)]
    [InlineData("ZstdSharp.dll", true)]
    [InlineData("Crawlscope.dll", false)]
    [InlineData("Crawlscope.Cli.dll", false)]
    public void TheReleaseBuild_PrecompilesOnlyTheLibraries(string file, bool precompiled)
    {
        string path = Path.Combine(SharedData.RepoRoot, "artifacts", "bin", "Crawlscope.Cli", "release", file);
        if (!File.Exists(path)) SharedData.Missing($"no Release build of the CLI: {path} (dotnet build -c Release)");
        using var reader = new PEReader(File.OpenRead(path));
        bool readyToRun = reader.PEHeaders.CorHeader!.ManagedNativeHeaderDirectory.Size > 0;
        Assert.True(readyToRun == precompiled,
            $"{file}: ReadyToRun {readyToRun}, expected {precompiled} (the build's crossgen2 step: src/Crawlscope.Cli/Crawlscope.Cli.csproj)");
    }
}
