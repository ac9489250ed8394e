using Crawlscope.Cli;

return CrawlscopeCli.Run(args, Console.Out, Console.Error);
