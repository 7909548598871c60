"""Item pipelines: the crawl's adapters over archiver.ingest. The first reads each fetched page,
the second archives it, and keeps the run's history."""

from __future__ import annotations

import asyncio
import json
import logging
from collections import defaultdict
from collections.abc import Iterable
from datetime import UTC, datetime

from scrapy import signals
from scrapy.crawler import Crawler
from sqlite_utils import Database

from archiver import export, ingest, storage
from archiver.dates import utc_iso
from archiver.extraction_pool import ExtractionPool
from archiver.failed_urls import FailedUrls
from archiver.fault_causes import failure_cause
from archiver.items import PageItem, Thread
from archiver.outcome import CAUSE, CHANGES, FAILED, crawl_outcome
from archiver.urls import comment_page_of

logger = logging.getLogger(__name__)


def utc_now() -> str:
    return utc_iso(datetime.now(UTC))


class ExtractPipeline:
    """Reads the post, its linked sources and its timestamped comments from each thread page,
    and the blog's own record from its REST index (ingest.read). `ARCHIVE_SINCE` is the
    crawl's `since`: no post published before it is kept.

    Once the crawl has read `EXTRACT_PROCESSES_AFTER` pages here, the rest are read in
    `EXTRACT_PROCESSES` worker processes (0: all here), so that extraction takes another core
    while this thread downloads and writes; a short crawl does not pay for starting them.
    Pages still reach the next pipeline in the order they came, whatever order they are read
    in: the archive is written as if read one by one.
    """

    def __init__(self, since: str | None, processes: int = 0, processes_after: int = 0):
        self.since = since
        self.pool = ExtractionPool(processes) if processes > 0 else None
        self.processes_after = processes_after
        self.read_here = 0
        # Set once the page before the one being read has gone on to the next pipeline.
        self.passed_on: asyncio.Future[None] | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ExtractPipeline:
        settings = crawler.settings
        return cls(settings.get("ARCHIVE_SINCE"), settings.getint("EXTRACT_PROCESSES"),
                   settings.getint("EXTRACT_PROCESSES_AFTER"))

    async def process_item(self, item: PageItem) -> PageItem:
        previous = self.passed_on
        self.passed_on = passed_on = asyncio.get_running_loop().create_future()
        try:
            item.reading = await self._read(item)
            if previous is not None:
                await previous
        finally:
            # Scrapy calls the next pipeline as soon as this returns, before the next page's
            # wait on this future resumes.
            passed_on.set_result(None)
        item.thread = item.reading.thread
        return item

    async def _read(self, item: PageItem) -> ingest.Reading:
        if self.pool is None or not ingest.is_read(item):
            return ingest.read(item, since=self.since)
        if self.read_here < self.processes_after:
            self.read_here += 1
            return ingest.read(item, since=self.since)
        # The worker parses the page again: the tree parsed here, many times the size of the
        # bytes, need not wait with them.
        item.page = None
        return await self.pool.read(item, self.since)

    def close_spider(self) -> None:
        if self.pool is not None:
            self.pool.shutdown()


class ArchivePipeline:
    """Writes every page and what was read from it to the SQLite archive, one transaction a page.

    It also keeps the run's history: which thread pages it read, so that at the end the
    comments a completely read thread no longer shows are marked removed, and the run's row
    in `crawls` (`ARCHIVE_RUN` says which run it is) with what it found new, changed and
    removed.

    A run with feed exports (`-O`, FEEDS) is given each post it archived and each comment of
    those posts as items (archiver.feed_exports), once all is written: a thread is read from
    several pages and sources, which fill in each other's rows, so only then are its rows
    whole, and each is given once.
    """

    def __init__(self, crawler: Crawler, path: str, run: dict, state_path: str | None = None):
        self.crawler = crawler
        self.stats = crawler.stats
        self.feeds = bool(crawler.settings.getdict("FEEDS"))
        self.path = path
        self.state_path = state_path
        self.identity = run
        self.db: Database | None = None
        self.run: ingest.Run | None = None
        # post id -> comment pages read, comment pages those pages name
        self.comment_pages: defaultdict[int, tuple[set, set]] = defaultdict(lambda: (set(), set()))
        self.failed_urls = FailedUrls(crawler)
        crawler.signals.connect(self.spider_closed, signal=signals.spider_closed)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ArchivePipeline:
        return cls(crawler, crawler.settings.get("ARCHIVE_DB"),
                   crawler.settings.getdict("ARCHIVE_RUN"),
                   crawler.settings.get("ARCHIVE_STATE_DB"))

    def open_spider(self) -> None:
        """Open the archive, created or migrated: this run writes to it."""
        self.db = storage.open_archive(self.path)
        crawl_id = storage.start_crawl(self.db, self.identity.get("site"),
                                       self.identity.get("start_url"),
                                       self.identity.get("arguments", {}), utc_now(),
                                       mode=self.identity.get("mode"))
        self.run = ingest.Run(crawl_id, self.stats)
        logger.info("Archiving into %s (crawl %s)", self.path, crawl_id)

    def process_item(self, item: PageItem) -> PageItem:
        assert self.db is not None and self.run is not None and item.reading is not None
        post_id = ingest.archive(self.db, item, item.reading, self.run)
        if item.reading.failed:
            self.failed_urls.add(item.url, item.role, "extract_error")
        if item.reading.broken:
            # Not read in full: the thread stays stale, for the next run to read again.
            self.failed_urls.add(item.url, item.role, item.reading.broken)
        elif post_id is not None and item.thread is not None and item.thread.source == "html":
            self._count_comment_page(post_id, item.thread)
        return item

    def _count_comment_page(self, post_id: int, thread: Thread) -> None:
        read, named = self.comment_pages[post_id]
        read.add(thread.comment_page)
        named.update(comment_page_of(url) for url in thread.more_comment_pages)

    def _close_threads(self, db: Database, crawl_id: int) -> None:
        """Every thread whose comment pages were all read in this run: mark what they no longer
        show as removed. A thread with a page missing (failed, not reached) is left as it is."""
        seen = storage.Seen(crawl_id, utc_now())
        with storage.transaction(db):
            closed = {post_id: storage.close_thread(db, post_id, seen)
                      for post_id, (read, named) in self.comment_pages.items() if named <= read}
        self._check_counts(db, closed)
        if len(closed) < len(self.comment_pages):
            self.stats.inc_value("archiver/threads/incomplete",
                                 len(self.comment_pages) - len(closed))
        for post_id, removed in closed.items():
            if removed is None:
                logger.warning("Every comment of post %s vanished at once: not marked removed; "
                               "the page may no longer show its comments", post_id)
                self.stats.inc_value("archiver/comments/vanished_threads")
            elif removed:
                logger.info("%s comments of post %s are gone from the blog, marked removed",
                            removed, post_id)
                self.stats.inc_value("archiver/comments/removed", removed)

    def _check_counts(self, db: Database, post_ids: Iterable[int]) -> None:
        """Threads read in full whose page counts other than the archive holds: comments the
        reader missed, or ones the blog counts but does not show. Either way, a line each."""
        mismatches = storage.count_mismatches(db, post_ids)
        for post_id, url, shown, archived in mismatches:
            logger.warning("Comment count differs on %s (post %s): the page shows %s, the archive "
                           "holds %s still on the blog", url, post_id, shown, archived)
        self.stats.set_value("archiver/comments/count_mismatch", len(mismatches))

    def _count_posts(self, db: Database, site: str | None) -> None:
        """What the archive holds of the run's blog after it: a run after which it holds no post
        failed, whatever it fetched (logged with its cause at the end). A shard's archive is the
        one it is merged into (ARCHIVE_STATE_DB), which holds at least as many: an incremental
        run writes to the shard only what changed."""
        held = storage.count_posts(db, site)
        comments = storage.count_site_comments(db, site)
        state = storage.open_read_only(self.state_path) if self.state_path else None
        if state is not None:
            held = max(held, storage.count_posts(state, site))
            comments = max(comments, storage.count_site_comments(state, site))
            state.close()
        self.stats.set_value("archiver/posts/in_archive", held)
        self.stats.set_value("archiver/comments/in_archive", comments)

    async def close_spider(self) -> None:
        """Once every page is archived: the threads read in full are closed, then the feed
        exports given the posts and comments this run archived, while they are still open
        (they close as the spider_closed signal is sent)."""
        db, run = self.db, self.run
        if db is None or run is None or run.crawl_id is None:
            return
        self._close_threads(db, run.crawl_id)
        if self.feeds:
            await self._send_thread_items(db, run.crawl_id)

    async def _send_thread_items(self, db: Database, crawl_id: int) -> None:
        route = export.database_route(self.path)
        for items in (export.post_items(db, route, crawl_id=crawl_id),
                      export.comment_items(db, route, crawl_id=crawl_id)):
            for item in items:
                await self.crawler.signals.send_catch_log_async(
                    signal=signals.item_scraped, item=item, response=None,
                    spider=self.crawler.spider)

    def spider_closed(self, reason: str) -> None:
        """Written last: a run that dies before this stays 'running' in the crawls table."""
        db, run = self.db, self.run
        if db is None or run is None or run.crawl_id is None:
            return
        self.stats.set_value("archiver/posts/saved", len(run.post_ids))
        self.stats.set_value("archiver/comments/saved", storage.count_comments(db, run.post_ids))
        self._count_posts(db, self.identity.get("site"))
        changes = storage.crawl_changes(db, run.crawl_id)
        for name, count in changes.items():
            self.stats.set_value(CHANGES + name, count)
        stats = dict(self.stats.get_stats())
        stats["finish_reason"] = reason
        outcome = crawl_outcome(stats)
        if outcome.status == FAILED:
            stats[CAUSE] = failure_cause(list(self.failed_urls.failed.values()),
                                         self.failed_urls.causes,
                                         self.identity.get("start_url"), reason)
            self.stats.set_value(CAUSE, stats[CAUSE])
            logger.error("The crawl failed: %s", stats[CAUSE])
        storage.finish_crawl(
            db, run.crawl_id, finished_utc=utc_now(), finish_reason=reason,
            status=outcome.status, requests=stats.get("downloader/request_count", 0),
            pages=outcome.pages, posts=outcome.posts, comments=outcome.comments,
            errors=outcome.errors, failed_urls=self.failed_urls.as_json(), **changes,
            stats=json.dumps(stats, default=str, sort_keys=True))
        storage.close_archive(db)
        self.db = None
