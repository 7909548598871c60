"""Run `blog` crawls from Python (the CLI, cron) and judge each from its stats."""

from __future__ import annotations

import contextlib
import logging
import os
from collections.abc import Callable, Coroutine, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from scrapy.settings import SETTINGS_PRIORITIES, Settings

from archiver.items import PageItem
from archiver.outcome import Outcome, crawl_outcome

if TYPE_CHECKING:
    from scrapy.crawler import AsyncCrawlerProcess, Crawler

logger = logging.getLogger(__name__)

# The priority of a blog's own settings. Above the command line's: the process merges its own
# settings into each crawler it runs, and there a value of equal priority wins.
BLOG_PRIORITY = SETTINGS_PRIORITIES["cmdline"] + 1
# Scrapy's finish reason for a crawl stopped by SIGINT or SIGTERM (Ctrl-C, `timeout`).
SHUTDOWN = "shutdown"


@dataclass(frozen=True)
class Blog:
    """A blog to crawl: its address, the spider's arguments, and Scrapy settings for its crawl
    alone."""

    url: str
    max_posts: int | None = None
    since: str | None = None
    full: bool = False
    refresh_days: int | None = None
    settings: dict[str, Any] = field(default_factory=dict)

    def spider_args(self) -> dict[str, str]:
        """The `-a NAME=VALUE` arguments of `scrapy crawl blog` for this blog, as strings."""
        args = {"url": self.url, "max_posts": self.max_posts, "since": self.since,
                "full": "1" if self.full else None, "refresh_days": self.refresh_days}
        return {name: str(value) for name, value in args.items() if value is not None}


@dataclass(frozen=True)
class Run:
    """How one blog's crawl went, where it logged, and what stopped it if it raised."""

    blog: Blog
    outcome: Outcome
    log_file: Path | None
    error: str | None = None
    finish_reason: str | None = None


def project_settings(overrides: Mapping[str, Any] | None = None) -> Settings:
    """The archiver's Scrapy settings, wherever the command runs from, plus `overrides`."""
    os.environ.setdefault("SCRAPY_SETTINGS_MODULE", "archiver.settings")
    from scrapy.utils.project import get_project_settings

    settings = get_project_settings()
    settings.setdict(dict(overrides or {}), priority="cmdline")
    return settings


def run_crawls(blogs: Sequence[Blog], settings: Settings,
               log_file: Callable[[Blog], Path] | None = None,
               on_item: Callable[[PageItem], None] | None = None) -> list[Run]:
    """Crawl `blogs` one after another in this process; return a Run for each blog crawled.

    `settings` are the process's; each blog's own settings apply to its crawl on top of them.
    `log_file(blog)`, when given, names the file a blog's crawl logs to, as that crawl starts.
    `on_item(item)`, when given, is called for every archived page (progress display).
    A crawl stopped by SIGINT or SIGTERM ends the run: the blogs after it are not started.
    """
    from scrapy import signals
    from scrapy.crawler import Crawler

    process_settings = settings.copy()
    if log_file is not None:
        # Until the first crawl points the log at its own file, only warnings and errors, on
        # stderr: cron mails whatever is printed.
        process_settings.set("LOG_LEVEL", "WARNING", priority="cmdline")
    runs: list[Run] = []

    # One blog after another, never at the same time: Scrapy logs through one root handler per
    # process, which each crawler points at its own LOG_FILE as it starts, so only crawls in
    # turn can each have a log file of their own.
    async def in_turn(process: AsyncCrawlerProcess) -> None:
        spidercls = process.spider_loader.load("blog")
        for blog in blogs:
            path = log_file(blog) if log_file is not None else None
            crawler = Crawler(spidercls, crawl_settings(settings, blog, path))
            if on_item is not None:
                crawler.signals.connect(pages_only(on_item), signal=signals.item_scraped,
                                        weak=False)
            run = await crawl_blog(process, crawler, blog, path)
            runs.append(run)
            if run.finish_reason == SHUTDOWN:
                break

    errors: list[BaseException] = []
    run_in_process(process_settings, in_turn, errors)
    if errors:
        raise errors[0]
    return runs


def pages_only(on_item: Callable[[PageItem], None]) -> Callable[..., None]:
    """An item_scraped handler calling `on_item` for the pages archived: a crawl with feed
    exports also gives them its posts and comments as items (archiver.feed_exports)."""

    def on_page(item: object, **_: object) -> None:
        if isinstance(item, PageItem):
            on_item(item)

    return on_page


def crawl_settings(settings: Settings, blog: Blog, log_path: Path | None) -> Settings:
    """The settings of one blog's crawl: the process's, then the blog's own and its log file.
    The process's log level is set again: the process lowers its own until a crawl logs to a
    file, and merges its settings into each crawl's."""
    own = {"LOG_LEVEL": settings["LOG_LEVEL"], **blog.settings}
    if log_path is not None:
        own["LOG_FILE"] = str(log_path)
    crawler_settings = settings.copy()
    crawler_settings.setdict(own, priority=BLOG_PRIORITY)
    return crawler_settings


async def crawl_blog(process: AsyncCrawlerProcess, crawler: Crawler, blog: Blog,
                     log_path: Path | None) -> Run:
    """Crawl one blog with `crawler` under `process`: how it went."""
    try:
        await process.crawl(crawler, **blog.spider_args())
    except Exception as error:
        logger.exception("The crawl of %s failed", blog.url)
        stats = _stats(crawler) | {"finish_reason": "error"}
        return Run(blog, crawl_outcome(stats), log_path,
                   error=f"{type(error).__name__}: {error}", finish_reason="error")
    stats = _stats(crawler)
    return Run(blog, crawl_outcome(stats), log_path, finish_reason=stats.get("finish_reason"))


def run_in_process(settings: Settings,
                   main: Callable[[AsyncCrawlerProcess], Coroutine[Any, Any, None]],
                   errors: list[BaseException]) -> None:
    """Run the coroutine function `main` with a crawler process of `settings`, keeping any
    exception it raises in `errors`; return once it is done and the reactor has stopped."""
    import asyncio

    from scrapy.crawler import AsyncCrawlerProcess

    process = AsyncCrawlerProcess(settings)
    # Only now: the process installs the asyncio reactor, which importing this would preempt.
    from twisted.internet import reactor

    def stop(task: asyncio.Task[None]) -> None:
        error = None if task.cancelled() else task.exception()
        if error is not None:
            errors.append(error)
        # Already stopping when a signal stopped the crawl.
        with contextlib.suppress(RuntimeError):
            # The reactor is typed by its zope interfaces, whose methods have no `self`.
            reactor.stop()  # type: ignore[misc]

    asyncio.get_event_loop().create_task(main(process)).add_done_callback(stop)
    # Not stop_after_crawl: that stops once no crawl is running, which is so between two blogs.
    process.start(stop_after_crawl=False)


def _stats(crawler: Crawler) -> dict[str, Any]:
    """A crawl's stats; one that failed before its spider existed has none to show."""
    if crawler.spider is None:
        return {"finish_reason": "not started"}
    return crawler.stats.get_stats()
