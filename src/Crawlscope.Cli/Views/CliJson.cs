using System.Text.Json;
using Crawlscope.Inspection;

namespace Crawlscope.Cli.Views;

/// <summary>Every command's --json output, in the style the web API uses too.</summary>
internal static class CliJson
{
    internal static void Write<T>(TextWriter output, T value) => output.WriteLine(JsonSerializer.Serialize(value, ReportJson.Options));
}
