using System.CommandLine;
using System.Diagnostics;
using Crawlscope.Evaluation;
using Crawlscope.Extraction;

namespace Crawlscope.Cli.Commands;

/// <summary><c>crawlscope eval extraction [--dataset NAME] [--datasets DIR]</c>: our extraction scored on the shared datasets.</summary>
internal static class EvalCommand
{
    internal static Command Create(TextWriter stdout, TextWriter stderr)
    {
        var dataset = new Option<string[]>("--dataset")
        {
            Description = $"Datasets to score ({string.Join(", ", ExtractionDatasets.All)}); all by default.",
            AllowMultipleArgumentsPerToken = true,
        };
        dataset.AcceptOnlyFromAmong(ExtractionDatasets.All);
        var datasets = CommonOptions.Datasets();
        var limit = new Option<int?>("--limit") { Description = "Score only the first N pages of each dataset (quick look)." };
        var perPage = new Option<FileInfo?>("--per-page")
        {
            Description = "Write each page's readable score (block scorer and rules alone), split, detected page type and block-by-block decisions to this JSON Lines file.",
        };
        var labelled = new Option<bool>("--labelled-page-types") { Description = "Extract each WCXB page with the profile of its labelled type (what a perfect page-type classifier would score)." };
        var extraction = new Command("extraction", "Score readable Markdown, boilerpipe text, whole-page Markdown, title and description.")
        {
            dataset, datasets, limit, perPage, labelled,
        };
        extraction.SetAction(parse =>
        {
            string root = CommonOptions.DatasetsRoot(parse.GetValue(datasets));
            var check = ScorerSelfCheck.Run(root);
            stdout.WriteLine($"scorer self-check against reference-scores.json: {(check.Passed ? "passed" : "FAILED")} ({check.Detail})");
            if (!check.Passed) throw new CommandException("the scorer does not reproduce the reference scores; refusing to report numbers");

            string[] names = parse.GetValue(dataset) is { Length: > 0 } chosen ? chosen : ExtractionDatasets.All;
            var sw = Stopwatch.StartNew();
            var evaluator = new ExtractionEvaluator(parse.GetValue(labelled), explainBlocks: parse.GetValue(perPage) is not null);
            var rows = evaluator.Evaluate(root, names, m => stderr.WriteLine(m), parse.GetValue(limit)).ToList();
            if (parse.GetValue(perPage) is { } file)
                File.WriteAllLines(file.FullName, evaluator.PerPage.Select(p => System.Text.Json.JsonSerializer.Serialize(p)));
            var template = SiteTemplateEvaluation.Run();
            rows.Add(new EvaluationRow("readable Markdown, site template learnt", "sample web templated site", "word F1", template.WithTemplate, template.WithoutTemplate + 0.05,
                "no single-page extractor sees a site", $"{template.Pages} pages: F1 {template.WithoutTemplate:F3} page by page, {template.WithTemplate:F3} with the {template.TemplateBlocks} template blocks learnt from them"));
            stdout.WriteLine();
            stdout.WriteLine("| output | dataset | metric | ours | goal | best published |");
            stdout.WriteLine("|---|---|---|---|---|---|");
            foreach (var r in rows)
                stdout.WriteLine($"| {r.Output} | {r.Dataset} | {r.Metric} | {r.Value:F3}{(r.MeetsGoal ? "" : " (below goal)")} | ≥ {r.Goal:F2} | {r.BestPublished} |");
            stdout.WriteLine();
            foreach (var r in rows) stdout.WriteLine($"{r.Output} / {r.Dataset}: {r.Detail}");
            stdout.WriteLine($"evaluated in {sw.Elapsed.TotalSeconds:F0} s");
            return CrawlscopeCli.Success;
        });
        return new Command("eval", "Measure quality on labelled data.") { extraction };
    }
}
