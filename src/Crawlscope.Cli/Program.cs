using Crawlscope.Cli;

using var shutdown = ShutdownSignal.Register();
return CrawlscopeCli.Run(args, Console.Out, Console.Error, Console.In, shutdown.Token);
