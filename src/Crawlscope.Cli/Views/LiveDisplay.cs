using Crawlscope.Crawling;
using Spectre.Console;

namespace Crawlscope.Cli.Views;

/// <summary>The live crawl display on a terminal: pages/s, queue, hosts, errors, bytes, elapsed.</summary>
internal static class LiveDisplay
{
    internal static async Task ShowAsync(CrawlProgress progress, Task run)
    {
        var table = new Table().Border(TableBorder.Rounded).AddColumn("Crawl").AddColumn(new TableColumn("").RightAligned());
        string[] rows = ["pages", "pages/s", "in flight", "hosts queued", "errors", "retries", "downloaded", "elapsed"];
        foreach (var r in rows) table.AddRow(r, "");
        await AnsiConsole.Live(table).AutoClear(false).StartAsync(async ctx =>
        {
            while (!run.IsCompleted)
            {
                Update(table, progress);
                ctx.Refresh();
                await Task.WhenAny(run, Task.Delay(500));
            }
            Update(table, progress);
            ctx.Refresh();
        });
    }

    private static void Update(Table table, CrawlProgress p)
    {
        string[] values =
        [
            p.Pages.ToString("N0"), p.PagesPerSecond.ToString("F1"), p.InFlight.ToString(), p.ActiveHosts.ToString(), p.Errors.ToString("N0"),
            p.Retries.ToString("N0"), $"{p.Bytes / 1024.0 / 1024.0:F1} MB", $"{(DateTimeOffset.UtcNow - p.Started).TotalSeconds:F0} s",
        ];
        for (int i = 0; i < values.Length; i++) table.UpdateCell(i, 1, Markup.Escape(values[i]));
    }
}
