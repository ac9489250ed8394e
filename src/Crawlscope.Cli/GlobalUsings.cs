// The CLI's folders: Commands/ (one per command), Options/ (options shared by commands), Views/ (how results are
// printed), Benchmarks/ (the bench command's measurements).
global using Crawlscope.Cli.Benchmarks;
global using Crawlscope.Cli.Commands;
global using Crawlscope.Cli.Options;
global using Crawlscope.Cli.Views;
