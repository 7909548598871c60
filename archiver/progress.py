"""A crawl's progress on a terminal: one line per blog on stderr, rewritten as pages come in.
Shown only where stderr is a terminal: under cron a run prints its one summary line a blog."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TextIO

from scrapy import signals

from archiver.failed_urls import url_failed
from archiver.items import PageItem
from archiver.outcome import count_errors

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

    from archiver.runner import Blog

# Clears the rest of the terminal's line, which a shorter line than the last would leave.
CLEAR_TO_END = "\x1b[K"


class Progress:
    """The line of the blog being crawled: pages archived, posts and comments read from the
    blog's own pages, errors, and pages archived a second since its crawl began (by `clock`,
    seconds)."""

    def __init__(self, stream: TextIO, clock: Callable[[], float] = time.monotonic) -> None:
        self.stream = stream
        self.clock = clock
        self.crawler: Crawler | None = None
        self.blog = ""
        self.started = 0.0
        self.comments = 0
        self.posts: set[str] = set()

    def watch(self, blog: Blog, crawler: Crawler) -> None:
        """Show the progress of `crawler`'s crawl of `blog`, on a line of its own."""
        self.crawler, self.blog, self.started = crawler, blog.url, self.clock()
        self.comments, self.posts = 0, set()
        crawler.signals.connect(self.page_archived, signal=signals.item_scraped, weak=False)
        crawler.signals.connect(self.show, signal=url_failed, weak=False)
        crawler.signals.connect(self.done, signal=signals.spider_closed, weak=False)

    def page_archived(self, item: object, **_: Any) -> None:
        # A crawl with feed exports also gives its posts and comments as items, at its end.
        if not isinstance(item, PageItem):
            return
        if item.thread is not None and item.thread.source == "html":
            self.posts.add(item.thread.post.url)
            self.comments += len(item.thread.comments)
        self.show()

    def show(self, **_: Any) -> None:
        self.stream.write(f"\r{self.line()}{CLEAR_TO_END}")
        self.stream.flush()

    def done(self, **_: Any) -> None:
        self.show()
        self.stream.write("\n")
        self.stream.flush()

    def line(self) -> str:
        assert self.crawler is not None and self.crawler.stats is not None
        stats = self.crawler.stats.get_stats()
        pages = stats.get("archiver/pages/saved_ok", 0)
        elapsed = max(self.clock() - self.started, 1e-3)
        return (f"{self.blog}: {pages} pages, {len(self.posts)} posts, {self.comments} comments, "
                f"{count_errors(stats)} errors, {pages / elapsed:.1f} pages/s")
