"""Item pipelines: read each fetched page into a thread, then store page and thread."""

import json
import logging
from collections import defaultdict
from datetime import datetime, timezone
from urllib.parse import urlsplit

from scrapy import signals

from archiver import storage
from archiver.dates import utc_iso
from archiver.extractors import extract
from archiver.items import GONE, SiteInfo
from archiver.outcome import crawl_outcome
from archiver.page import Page
from archiver.urls import comment_page_of, post_url_of

logger = logging.getLogger(__name__)

THREAD_ROLES = ("post", "comments")


def utc_now():
    return utc_iso(datetime.now(timezone.utc))


class ExtractPipeline:
    """Reads the post, its linked sources and its timestamped comments from each thread page.

    The one boundary where an extractor's unexpected failure is caught: the page is still
    archived raw, so a better extractor can read it later.
    """

    def __init__(self, crawler):
        self.crawler = crawler
        self.stats = crawler.stats

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def process_item(self, item):
        if item.role not in THREAD_ROLES or not 200 <= item.status < 300:
            return item
        page = item.page or Page.from_bytes(item.url, item.body, item.headers.get("Content-Type"))
        try:
            item.thread = extract(page, timezone=item.timezone)
        except Exception:
            logger.exception("Extraction failed on %s; the page is archived raw", item.url)
            self.stats.inc_value("archiver/extract/error")
            return item
        if item.thread is None:
            logger.info("Not a post or comment thread, archived raw only: %s", item.url)
            self.stats.inc_value("archiver/pages/not_a_post")
            return item
        self._count_dates(item)
        since = getattr(self.crawler.spider, "since", None)
        published = item.thread.post.published_local or ""
        if since and item.thread.source == "html" and published[:10] and published[:10] < since.isoformat():
            logger.info("Post published %s, before since=%s: not archived: %s", published[:10], since, item.url)
            self.stats.inc_value("archiver/posts/before_since")
            item.thread = None
        return item

    def _count_dates(self, item):
        for comment in item.thread.comments:
            if comment.published_shown and comment.published is None:
                logger.warning("Unparseable comment date %r on %s", comment.published_shown, item.url)
                self.stats.inc_value("archiver/comments/date_unparsed")


class ArchivePipeline:
    """Writes every page and what was read from it to the SQLite archive, one transaction a page.

    It also keeps the run's history: which thread pages it read, so that at the end the
    comments a completely read thread no longer shows are marked removed, and the run's row
    in `crawls` with what it found new, changed and removed.
    """

    def __init__(self, crawler, path):
        self.crawler = crawler
        self.stats = crawler.stats
        self.path = path
        self.db = None
        self.crawl_id = None
        self.sites = set()
        self.post_ids = set()
        # post id -> comment pages read, comment pages those pages name
        self.comment_pages = defaultdict(lambda: (set(), set()))
        crawler.signals.connect(self.spider_closed, signal=signals.spider_closed)

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler, crawler.settings.get("ARCHIVE_DB"))

    def open_spider(self):
        spider = self.crawler.spider
        self.db = storage.open_archive(self.path)
        self.crawl_id = storage.start_crawl(self.db, getattr(spider, "site", None),
                                            getattr(spider, "start_url", None),
                                            getattr(spider, "arguments", {}), utc_now(),
                                            mode=getattr(spider, "mode", None))
        logger.info("Archiving into %s (crawl %s)", self.path, self.crawl_id)

    def process_item(self, item):
        seen = storage.Seen(self.crawl_id, item.fetched_utc)
        with storage.transaction(self.db):
            if item.site not in self.sites:
                parts = urlsplit(item.url)
                storage.save_site(self.db, SiteInfo(site=item.site, url=f"{parts.scheme}://{parts.netloc}/"))
                self.sites.add(item.site)
            if item.site_info is not None:
                storage.save_site(self.db, item.site_info)
            post_id = None
            if item.thread is not None:
                post_id = storage.save_thread(self.db, item.site, item.thread, seen)
                self.post_ids.add(post_id)
                if item.thread.source == "html":
                    self._count_comment_page(post_id, item.thread)
            elif item.role == "post" and item.status in GONE:
                self._post_gone(item, seen)
            storage.mark_stale(self.db, item.site, item.changed_posts, item.fetched_utc)
            storage.save_page(self.db, item, crawl_id=self.crawl_id, post_id=post_id)
        self.stats.inc_value("archiver/pages/saved")
        if 200 <= item.status < 300:
            self.stats.inc_value("archiver/pages/saved_ok")
        return item

    def _count_comment_page(self, post_id, thread):
        read, named = self.comment_pages[post_id]
        read.add(thread.comment_page)
        named.update(comment_page_of(url) for url in thread.more_comment_pages)

    def _post_gone(self, item, seen):
        url = post_url_of(item.url)
        if url == item.url and storage.mark_post_removed(self.db, item.site, url, seen):
            logger.warning("Post gone from the blog (HTTP %s), marked removed: %s", item.status, url)
            self.stats.inc_value("archiver/posts/removed")

    def _close_threads(self):
        """Every thread whose comment pages were all read in this run: mark what they no longer
        show as removed. A thread with a page missing (failed, not reached) is left as it is."""
        seen = storage.Seen(self.crawl_id, utc_now())
        with storage.transaction(self.db):
            closed = {post_id: storage.close_thread(self.db, post_id, seen)
                      for post_id, (read, named) in self.comment_pages.items() if named <= read}
        self._check_counts(closed)
        if len(closed) < len(self.comment_pages):
            self.stats.inc_value("archiver/threads/incomplete", len(self.comment_pages) - len(closed))
        for post_id, removed in closed.items():
            if removed is None:
                logger.warning("Every comment of post %s vanished at once: not marked removed; "
                               "the page may no longer show its comments", post_id)
                self.stats.inc_value("archiver/comments/vanished_threads")
            elif removed:
                logger.info("%s comments of post %s are gone from the blog, marked removed",
                            removed, post_id)
                self.stats.inc_value("archiver/comments/removed", removed)

    def _check_counts(self, post_ids):
        """Threads read in full whose page counts other than the archive holds: comments the
        reader missed, or ones the blog counts but does not show. Either way, a line each."""
        mismatches = storage.count_mismatches(self.db, post_ids)
        for post_id, url, shown, archived in mismatches:
            logger.warning("Comment count differs on %s (post %s): the page shows %s, the archive "
                           "holds %s still on the blog", url, post_id, shown, archived)
        self.stats.set_value("archiver/comments/count_mismatch", len(mismatches))

    def _count_posts(self, site):
        """A run after which the archive holds no post of its blog failed, whatever it fetched."""
        held = storage.count_posts(self.db, site)
        self.stats.set_value("archiver/posts/in_archive", held)
        if not held:
            logger.error("The archive holds no post of %s after this run: the crawl failed", site)

    def spider_closed(self, spider, reason):
        """Written last: a run that dies before this stays 'running' in the crawls table."""
        if self.db is None:
            return
        self._close_threads()
        self.stats.set_value("archiver/posts/saved", len(self.post_ids))
        self.stats.set_value("archiver/comments/saved", storage.count_comments(self.db, self.post_ids))
        self._count_posts(getattr(spider, "site", None))
        stats = dict(self.stats.get_stats())
        stats["finish_reason"] = reason
        outcome = crawl_outcome(stats)
        storage.finish_crawl(
            self.db, self.crawl_id, finished_utc=utc_now(), finish_reason=reason,
            status=outcome.status, requests=stats.get("downloader/request_count", 0),
            pages=outcome.pages, posts=outcome.posts, comments=outcome.comments,
            errors=outcome.errors, **storage.crawl_changes(self.db, self.crawl_id),
            stats=json.dumps(stats, default=str, sort_keys=True))
        storage.close_archive(self.db)
        self.db = None
