"""A bare Scrapy spider: fetches the URLs listed in a file, one a line, and discards them. The
crawl benchmark's yardstick for what Scrapy alone does with the archiver's URLs.

    python -m bench.bare_spider URLS_FILE CONCURRENCY

Runs with Scrapy's default settings, not the project's (no pipelines, no robots.txt), and
prints the number of responses as JSON.
"""

import json
import sys
from collections.abc import AsyncIterator

import scrapy
from scrapy.crawler import CrawlerProcess
from scrapy.http import Response


class BareSpider(scrapy.Spider):
    name = "bare"

    def __init__(self, urls_file: str, **kwargs: object) -> None:
        super().__init__(**kwargs)
        with open(urls_file, encoding="utf-8") as lines:
            self.listed = [line.strip() for line in lines if line.strip()]

    async def start(self) -> AsyncIterator[scrapy.Request]:
        for url in self.listed:
            yield scrapy.Request(url, callback=self.discard, dont_filter=True)

    def discard(self, response: Response) -> None:
        """Nothing: the body is fetched and dropped."""


def main() -> None:
    urls_file, concurrency = sys.argv[1], int(sys.argv[2])
    process = CrawlerProcess({"CONCURRENT_REQUESTS": concurrency,
                              "CONCURRENT_REQUESTS_PER_DOMAIN": concurrency,
                              "DOWNLOAD_DELAY": 0, "LOG_LEVEL": "WARNING",
                              "TELNETCONSOLE_ENABLED": False})
    crawler = process.create_crawler(BareSpider)
    process.crawl(crawler, urls_file=urls_file)
    process.start()
    print(json.dumps({"responses": crawler.stats.get_value("downloader/response_count", 0)}))


if __name__ == "__main__":
    main()
