"""Item pipelines: read each fetched page into a thread, then store page and thread."""

import json
import logging
from datetime import datetime, timezone
from urllib.parse import urlsplit

from scrapy import signals

from archiver import storage
from archiver.extractors import extract
from archiver.items import SiteInfo
from archiver.outcome import crawl_outcome
from archiver.page import Page

logger = logging.getLogger(__name__)

THREAD_ROLES = ("post", "comments")


def utc_now():
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


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
    """Writes every page and what was read from it to the SQLite archive, one transaction a page."""

    def __init__(self, crawler, path):
        self.crawler = crawler
        self.stats = crawler.stats
        self.path = path
        self.db = None
        self.crawl_id = None
        self.sites = set()
        self.post_ids = set()
        crawler.signals.connect(self.spider_closed, signal=signals.spider_closed)

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler, crawler.settings.get("ARCHIVE_DB"))

    def open_spider(self):
        spider = self.crawler.spider
        self.db = storage.open_archive(self.path)
        self.crawl_id = storage.start_crawl(self.db, getattr(spider, "site", None),
                                            getattr(spider, "start_url", None),
                                            getattr(spider, "arguments", {}), utc_now())
        logger.info("Archiving into %s (crawl %s)", self.path, self.crawl_id)

    def process_item(self, item):
        with storage.transaction(self.db):
            if item.site not in self.sites:
                parts = urlsplit(item.url)
                storage.save_site(self.db, SiteInfo(site=item.site, url=f"{parts.scheme}://{parts.netloc}/"))
                self.sites.add(item.site)
            if item.site_info is not None:
                storage.save_site(self.db, item.site_info)
            post_id = None
            if item.thread is not None:
                post_id = storage.save_thread(self.db, item.site, item.thread)
                self.post_ids.add(post_id)
            storage.save_page(self.db, item, crawl_id=self.crawl_id, post_id=post_id)
        self.stats.inc_value("archiver/pages/saved")
        if 200 <= item.status < 300:
            self.stats.inc_value("archiver/pages/saved_ok")
        return item

    def spider_closed(self, spider, reason):
        """Written last: a run that dies before this stays 'running' in the crawls table."""
        if self.db is None:
            return
        self.stats.set_value("archiver/posts/saved", len(self.post_ids))
        self.stats.set_value("archiver/comments/saved", storage.count_comments(self.db, self.post_ids))
        stats = dict(self.stats.get_stats())
        stats["finish_reason"] = reason
        outcome = crawl_outcome(stats)
        storage.finish_crawl(
            self.db, self.crawl_id, finished_utc=utc_now(), finish_reason=reason,
            status=outcome.status, pages=outcome.pages, posts=outcome.posts,
            comments=outcome.comments, errors=outcome.errors,
            stats=json.dumps(stats, default=str, sort_keys=True))
        storage.close_archive(self.db)
        self.db = None
