"""Scrapy's side of `crawlscope bench scrapy`: crawls the sample web the way `crawlscope crawl` is asked to.

Same seeds, same scope (the seeds' registrable domains), same depth limit, robots.txt obeyed, no delay between
requests, the same connections in all and per host. Each HTML page becomes an item with what a Scrapy user
usually keeps (title, description, canonical, robots meta, headings, the body's text, the links), written to a
JSON-lines feed; its links are followed. Scrapy's own statistics are written beside the feed when it closes.

Run by the bench with Debian's python3-scrapy (2.8): /usr/bin/python3 sample_web_spider.py --seeds ... --out F
"""

import argparse
import json

import scrapy
from scrapy.crawler import CrawlerProcess
from scrapy.linkextractors import LinkExtractor
from twisted.internet import defer
from twisted.internet.interfaces import IResolverSimple
from zope.interface import implementer


@implementer(IResolverSimple)
class ResolveFileResolver:
    """Answers the sample hosts from the bench's resolve file (all on 127.0.0.1), as Crawlscope's --resolve-file does."""

    addresses = {}

    def __init__(self, reactor):
        self.reactor = reactor

    @classmethod
    def from_crawler(cls, crawler, reactor):
        return cls(reactor)

    def install_on_reactor(self):
        self.reactor.installResolver(self)

    def getHostByName(self, name, timeout=None):
        address = self.addresses.get(name.lower())
        if address is None:
            return defer.fail(OSError(f"{name} is not in the resolve file"))
        return defer.succeed(address)


class SampleWebSpider(scrapy.Spider):
    name = "sample_web"

    def __init__(self, seeds, domains, out, **kwargs):
        super().__init__(**kwargs)
        self.start_urls = seeds
        self.allowed_domains = domains
        self.stats_file = out + ".stats.json"
        # Scope is left to the offsite middleware: the extractor's allow_domains compares the host with its port.
        self.links = LinkExtractor(deny_extensions=[])

    def parse(self, response):
        if not isinstance(response, scrapy.http.HtmlResponse):
            return
        links = self.links.extract_links(response)
        yield {
            "url": response.url,
            "status": response.status,
            "title": response.css("title::text").get(),
            "description": response.css('meta[name="description"]::attr(content)').get(),
            "canonical": response.css('link[rel="canonical"]::attr(href)').get(),
            "robots": response.css('meta[name="robots"]::attr(content)').get(),
            "h1": response.css("h1 ::text").getall(),
            "text": " ".join(t.strip() for t in response.xpath("//body//text()[not(ancestor::script) and not(ancestor::style)]").getall() if t.strip()),
            "links": [link.url for link in links],
        }
        for link in links:
            yield response.follow(link, callback=self.parse)

    def closed(self, reason):
        with open(self.stats_file, "w", encoding="utf-8") as f:
            json.dump({k: str(v) for k, v in self.crawler.stats.get_stats().items()}, f, indent=1)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--seeds", nargs="+", required=True)
    parser.add_argument("--domains", nargs="+", required=True)
    parser.add_argument("--resolve-file", required=True)
    parser.add_argument("--out", required=True)
    parser.add_argument("--concurrency", type=int, default=64)
    parser.add_argument("--per-host", type=int, default=4)
    parser.add_argument("--max-depth", type=int, default=6)
    parser.add_argument("--timeout", type=float, default=30)
    args = parser.parse_args()
    with open(args.resolve_file, encoding="utf-8") as f:
        for line in f:
            parts = line.split()
            for host in parts[1:]:
                ResolveFileResolver.addresses[host.lower()] = parts[0]
    process = CrawlerProcess(settings={
        "ROBOTSTXT_OBEY": True,
        "DOWNLOAD_DELAY": 0,
        "CONCURRENT_REQUESTS": args.concurrency,
        "CONCURRENT_REQUESTS_PER_DOMAIN": args.per_host,
        "DEPTH_LIMIT": args.max_depth,
        "DOWNLOAD_TIMEOUT": args.timeout,
        "DNS_RESOLVER": __name__ + ".ResolveFileResolver",
        "HTTPERROR_ALLOW_ALL": True,
        "LOG_LEVEL": "WARNING",
        "TELNETCONSOLE_ENABLED": False,
        "FEEDS": {args.out: {"format": "jsonlines", "encoding": "utf8"}},
    })
    process.crawl(SampleWebSpider, seeds=args.seeds, domains=args.domains, out=args.out)
    process.start()


if __name__ == "__main__":
    main()
