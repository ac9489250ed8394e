using System.CommandLine;
using Crawlscope.SampleWeb;

namespace Crawlscope.Cli.Commands;

/// <summary><c>crawlscope sample-web [--hosts N] [--pages N] [--port P]</c>: serve the synthetic web until Ctrl+C.</summary>
internal static class SampleWebCommand
{
    internal static Command Create(TextWriter stdout)
    {
        var hosts = new Option<int>("--hosts") { Description = $"Hosts to serve: 1-{SampleSites.Hosts.Count} of the hand-made ones, or more generated ones (site0.test, site1.test, ...; seed site0.test).", DefaultValueFactory = _ => SampleSites.Hosts.Count };
        var pages = new Option<int>("--pages") { Description = "Article pages per host.", DefaultValueFactory = _ => 20 };
        var port = new Option<int>("--port") { Description = "Port on 127.0.0.1 (0: any free port).", DefaultValueFactory = _ => 0 };
        var resolveOut = new Option<string?>("--resolve-out") { Description = "Also write the resolve file here." };
        var fast = new Option<bool>("--fast") { Description = "Benchmark mode: responses built once where they can be.", Hidden = true };
        var templateBlocks = new Option<int>("--template-blocks") { Description = "Blocks of their own on every page of generated hosts (bench hostile).", Hidden = true };
        var command = new Command("sample-web", "Serve the deterministic sample web on 127.0.0.1 and print its seeds and a resolve file.")
        {
            hosts, pages, port, resolveOut, fast, templateBlocks,
        };
        command.SetAction(async (parse, ct) =>
        {
            int h = parse.GetValue(hosts);
            if (h < 1) throw new CommandException("--hosts must be at least 1", CrawlscopeCli.BadUsage);
            await using var server = await SampleWebServer.StartAsync(new SampleWebOptions { Hosts = h, PagesPerHost = parse.GetValue(pages), Port = parse.GetValue(port), Fast = parse.GetValue(fast), KeepHits = !parse.GetValue(fast), TemplateBlocks = parse.GetValue(templateBlocks) }, ct);
            if (parse.GetValue(resolveOut) is { } file) await File.WriteAllTextAsync(file, server.ResolveFile, ct);
            stdout.WriteLine($"sample web on 127.0.0.1:{server.Port}; seeds:");
            foreach (var s in server.Seeds) stdout.WriteLine(s);
            stdout.WriteLine("resolve file:");
            stdout.Write(server.ResolveFile);
            stdout.Flush();
            try
            {
                await Task.Delay(Timeout.Infinite, ct);
            }
            catch (OperationCanceledException)
            {
                // Ctrl+C ends the server.
            }
            return CrawlscopeCli.Success;
        });
        return command;
    }
}
