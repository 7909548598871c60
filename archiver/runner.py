"""Run `blog` crawls from Python (the CLI, cron) and judge each from its stats."""

import os

from archiver.outcome import crawl_outcome


def project_settings(overrides=None):
    """The archiver's Scrapy settings, wherever the command runs from, plus `overrides`."""
    os.environ.setdefault("SCRAPY_SETTINGS_MODULE", "archiver.settings")
    from scrapy.utils.project import get_project_settings

    settings = get_project_settings()
    settings.setdict(overrides or {}, priority="cmdline")
    return settings


def run_crawls(urls, settings, spider_args=None, on_item=None):
    """Crawl each blog in `urls` (concurrently, one process); return {url: Outcome}.

    `on_item(item)`, when given, is called for every archived page (progress display).
    """
    from scrapy import signals
    from scrapy.crawler import AsyncCrawlerProcess

    process = AsyncCrawlerProcess(settings)
    crawlers = {}
    for url in urls:
        crawler = process.create_crawler("blog")
        if on_item is not None:
            crawler.signals.connect(lambda item, **_: on_item(item), signal=signals.item_scraped, weak=False)
        process.crawl(crawler, url=url, **(spider_args or {}))
        crawlers[url] = crawler
    process.start()
    return {url: crawl_outcome(crawler.stats.get_stats() or {"finish_reason": "not started"})
            for url, crawler in crawlers.items()}
