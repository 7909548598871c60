"""Run `blog` crawls from Python (the CLI, cron) and judge each from its stats."""

import contextlib
import logging
import os
from dataclasses import dataclass, field

from scrapy.settings import SETTINGS_PRIORITIES

from archiver.outcome import Outcome, crawl_outcome

logger = logging.getLogger(__name__)

# The priority of a blog's own settings. Above the command line's: the process merges its own
# settings into each crawler it runs, and there a value of equal priority wins.
BLOG_PRIORITY = SETTINGS_PRIORITIES["cmdline"] + 1
# Scrapy's finish reason for a crawl stopped by SIGINT or SIGTERM (Ctrl-C, `timeout`).
SHUTDOWN = "shutdown"


@dataclass(frozen=True)
class Blog:
    """A blog to crawl: its address, the spider's arguments, and Scrapy settings for its crawl alone."""

    url: str
    max_posts: int | None = None
    since: str | None = None
    full: bool = False
    refresh_days: int | None = None
    settings: dict = field(default_factory=dict)

    def spider_args(self):
        """The `-a NAME=VALUE` arguments of `scrapy crawl blog` for this blog, as strings."""
        args = {"url": self.url, "max_posts": self.max_posts, "since": self.since,
                "full": "1" if self.full else None, "refresh_days": self.refresh_days}
        return {name: str(value) for name, value in args.items() if value is not None}


@dataclass(frozen=True)
class Run:
    """How one blog's crawl went, where it logged, and what stopped it if it raised."""

    blog: Blog
    outcome: Outcome
    log_file: str | None
    error: str | None = None


def project_settings(overrides=None):
    """The archiver's Scrapy settings, wherever the command runs from, plus `overrides`."""
    os.environ.setdefault("SCRAPY_SETTINGS_MODULE", "archiver.settings")
    from scrapy.utils.project import get_project_settings

    settings = get_project_settings()
    settings.setdict(overrides or {}, priority="cmdline")
    return settings


def run_crawls(blogs, settings, log_file=None, on_item=None):
    """Crawl `blogs` one after another in this process; return a Run for each blog crawled.

    `settings` are the process's; each blog's own settings apply to its crawl on top of them.
    `log_file(blog)`, when given, names the file a blog's crawl logs to, as that crawl starts.
    `on_item(item)`, when given, is called for every archived page (progress display).
    A crawl stopped by SIGINT or SIGTERM ends the run: the blogs after it are not started.
    """
    from scrapy import signals
    from scrapy.crawler import AsyncCrawlerProcess, Crawler

    process_settings = settings.copy()
    if log_file is not None:
        # Until the first crawl points the log at its own file, only warnings and errors, on
        # stderr: cron mails whatever is printed.
        process_settings.set("LOG_LEVEL", "WARNING", priority="cmdline")
    process = AsyncCrawlerProcess(process_settings)
    spidercls = process.spider_loader.load("blog")
    runs = []

    # One blog after another, never at the same time: Scrapy logs through one root handler per
    # process, which each crawler points at its own LOG_FILE as it starts, so only crawls in
    # turn can each have a log file of their own.
    async def in_turn():
        for blog in blogs:
            path = log_file(blog) if log_file is not None else None
            own = {"LOG_LEVEL": settings["LOG_LEVEL"], **blog.settings}
            if path is not None:
                own["LOG_FILE"] = str(path)
            crawler_settings = settings.copy()
            crawler_settings.setdict(own, priority=BLOG_PRIORITY)
            crawler = Crawler(spidercls, crawler_settings)
            if on_item is not None:
                crawler.signals.connect(lambda item, **_: on_item(item), signal=signals.item_scraped,
                                        weak=False)
            try:
                await process.crawl(crawler, **blog.spider_args())
            except Exception as error:
                logger.exception("The crawl of %s failed", blog.url)
                runs.append(Run(blog, crawl_outcome(_stats(crawler) | {"finish_reason": "error"}),
                                path, error=f"{type(error).__name__}: {error}"))
                continue
            stats = _stats(crawler)
            runs.append(Run(blog, crawl_outcome(stats), path))
            if stats.get("finish_reason") == SHUTDOWN:
                break

    errors = []
    _start(process, in_turn, errors)
    if errors:
        raise errors[0]
    return runs


def _start(process, main, errors):
    """Run the coroutine function `main` under `process`, keeping any exception it raises in
    `errors`; return once it is done and the reactor has stopped."""
    import asyncio

    from twisted.internet import reactor

    def stop(task):
        if not task.cancelled() and task.exception() is not None:
            errors.append(task.exception())
        # Already stopping when a signal stopped the crawl.
        with contextlib.suppress(RuntimeError):
            reactor.stop()

    asyncio.get_event_loop().create_task(main()).add_done_callback(stop)
    # Not stop_after_crawl: that stops once no crawl is running, which is so between two blogs.
    process.start(stop_after_crawl=False)


def _stats(crawler):
    """A crawl's stats; one that failed before its spider existed has none to show."""
    if crawler.spider is None:
        return {"finish_reason": "not started"}
    return crawler.stats.get_stats()
