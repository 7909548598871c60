"""One path from a fetched page to archived rows, for the crawl, `archiver reparse` and
`archiver import-warc` alike.

`read(item)` is the one boundary around extraction: it says what a page holds (a thread, or the
blog's own record), whether extraction failed, and what its run counts for it. `archive(db,
item, reading, run)` writes that and the page in one transaction. The crawl's pipelines, the
re-read of stored pages and the import of WARC files are thin adapters over these two, so the
same page gives the same rows whichever way it came.
"""

from __future__ import annotations

import logging
from collections import Counter
from dataclasses import dataclass, field
from typing import Protocol
from urllib.parse import urlsplit

from sqlite_utils import Database

from archiver import storage
from archiver.extractors import extract, wordpress
from archiver.freshness import parse_utc
from archiver.items import GONE, THREAD_ROLES, PageItem, Role, SiteInfo, Thread
from archiver.page import Page
from archiver.urls import post_url_of

logger = logging.getLogger(__name__)

# The roles of the pages read: the blog's REST index, and the pages of a thread.
READ_ROLES = THREAD_ROLES | {Role.SITE}


class Stats(Protocol):
    """Where a run counts: a crawl's Scrapy stats, or a Tally."""

    def inc_value(self, key: str, count: int = 1) -> None: ...


class Tally(Counter[str]):
    """The counts of a run outside Scrapy, under the keys of a crawl's stats."""

    def inc_value(self, key: str, count: int = 1) -> None:
        self[key] += count


@dataclass
class Reading:
    """What was read from one page: its thread or the blog's own record, whether extraction
    failed, and the stats its run counts for it (only those that happened)."""

    thread: Thread | None = None
    site_info: SiteInfo | None = None
    failed: bool = False
    counts: Counter[str] = field(default_factory=Counter)
    # Why the thread's page is no whole capture of it (Page.broken), if it is not
    broken: str | None = None


@dataclass
class Run:
    """What writes to the archive, and what it has written so far. A crawl or an import has its
    row in `crawls` and writes history (when each post and comment was seen, earlier texts); a
    re-read of stored pages has none, and updates rows in place."""

    crawl_id: int | None
    stats: Stats = field(default_factory=Tally)
    sites: set[str] = field(default_factory=set)
    post_ids: set[int] = field(default_factory=set)


def stored_item(url: str, status: int, headers: dict[str, str], body: bytes, fetched_utc: str,
                role: Role, site: str, zone: str | None) -> PageItem:
    """A page fetched earlier (stored in the archive, or held in a WARC file) as the crawl
    hands it on, decoded as the crawl decodes it."""
    item = PageItem(url=url, status=status, headers=headers, body=body, fetched_utc=fetched_utc,
                    role=role, site=site, timezone=zone)
    item.encoding = parsed_page(item).encoding
    return item


def parsed_page(item: PageItem) -> Page:
    """The page an item holds: as the spider parsed it, or decoded from its bytes, with its
    relative times counted back from when it was fetched."""
    if item.page is None:
        content_type = next((value for name, value in item.headers.items()
                             if name.lower() == "content-type"), None)
        item.page = Page.from_bytes(item.url, item.body, content_type,
                                    fetched_utc=parse_utc(item.fetched_utc), headers=item.headers)
    return item.page


def read(item: PageItem, since: str | None = None) -> Reading:
    """What a fetched page holds, by the role it was fetched as: the blog's record from its
    REST index, or a post's thread from a page of a thread role. An extractor's unexpected
    failure stops here: the page is still archived raw, so a better extractor can read it later.
    A thread from HTML of a post published before `since` (an ISO date) is not kept."""
    if not is_read(item):
        return Reading()
    try:
        if item.role == Role.SITE:
            return Reading(site_info=read_site(parsed_page(item), item.site))
        thread = extract(parsed_page(item), timezone=item.timezone)
    except Exception:
        return extraction_failed(item.url)
    if thread is None:
        logger.info("Not a post or comment thread, archived raw only: %s", item.url)
        return Reading(counts=Counter({"archiver/pages/not_a_post": 1}))
    counts = Counter({"archiver/comments/date_unparsed": _unparsed_dates(item.url, thread),
                      "archiver/extract/characters_dropped": thread.characters_dropped,
                      "archiver/extract/too_deep": int(bool(thread.tag_runs_dropped))})
    if thread.characters_dropped:
        logger.info("%d characters XML cannot hold (controls, lone surrogates) dropped from %s",
                    thread.characters_dropped, item.url)
    if thread.tag_runs_dropped:
        logger.warning("%s nests elements deeper than the HTML parser reads: %d runs of opening "
                       "tags dropped to read the rest", item.url, thread.tag_runs_dropped)
    broken = parsed_page(item).broken
    if broken:
        logger.warning("Broken capture of %s (%s): archived, its thread read again next run",
                       item.url, broken)
        counts[f"archiver/pages/broken/{broken}"] += 1
    published = (thread.post.published_local or "")[:10]
    if since and thread.source == "html" and published and published < since:
        logger.info("Post published %s, before since=%s: not archived: %s", published, since,
                    item.url)
        counts["archiver/posts/before_since"] += 1
        thread = None
    # Unary plus drops the counts of what did not happen.
    return Reading(thread=thread, counts=+counts, broken=broken)


def is_read(item: PageItem) -> bool:
    """Whether `read` reads the page at all: one fetched whole, in a role that holds a thread or
    the blog's record."""
    return 200 <= item.status < 300 and item.role in READ_ROLES


def extraction_failed(url: str) -> Reading:
    """The reading of a page whose extraction raised (the exception being handled, logged)."""
    logger.exception("Extraction failed on %s; the page is archived raw", url)
    return Reading(failed=True, counts=Counter({"archiver/extract/error": 1}))


def read_site(page: Page, site: str) -> SiteInfo | None:
    """The blog's own record (name, zone) from its REST index, when the index is of `site`."""
    info = wordpress.read_site(page)
    return info if info is not None and info.site == site else None


def _unparsed_dates(url: str, thread: Thread) -> int:
    unparsed = [comment.published_shown for comment in thread.comments
                if comment.published_shown and comment.published is None]
    for shown in unparsed:
        logger.warning("Unparseable comment date %r on %s", shown, url)
    return len(unparsed)


def archive(db: Database, item: PageItem, reading: Reading, run: Run) -> int | None:
    """Write one page and what was read from it, in one transaction: the blog's row (once a
    run) and its record, the thread, a post whose page is gone, the posts the page says changed,
    and the page itself. Returns the id of the thread's post, if it had one."""
    seen = storage.Seen(run.crawl_id, item.fetched_utc) if run.crawl_id is not None else None
    post_id = None
    with storage.transaction(db):
        _save_site(db, item, reading.site_info, run)
        if reading.thread is not None:
            post_id = storage.save_thread(db, item.site, reading.thread, seen,
                                          broken=reading.broken is not None)
            if reading.broken and seen is not None:
                storage.mark_stale(db, item.site, [reading.thread.post.url], item.fetched_utc)
        elif seen is not None and item.role == Role.POST and item.status in GONE:
            _post_gone(db, item, seen, run)
        storage.mark_stale(db, item.site, item.changed_posts, item.fetched_utc)
        storage.save_page(db, item, crawl_id=run.crawl_id, post_id=post_id)
    if post_id is not None:
        run.post_ids.add(post_id)
    for key, count in reading.counts.items():
        run.stats.inc_value(key, count)
    run.stats.inc_value("archiver/pages/saved")
    if 200 <= item.status < 300:
        run.stats.inc_value("archiver/pages/saved_ok")
    return post_id


def _save_site(db: Database, item: PageItem, site_info: SiteInfo | None, run: Run) -> None:
    if item.site not in run.sites:
        parts = urlsplit(item.url)
        storage.save_site(db, SiteInfo(site=item.site, url=f"{parts.scheme}://{parts.netloc}/"))
        run.sites.add(item.site)
    if site_info is not None:
        storage.save_site(db, site_info)


def _post_gone(db: Database, item: PageItem, seen: storage.Seen, run: Run) -> None:
    url = post_url_of(item.url)
    if url == item.url and storage.mark_post_removed(db, item.site, url, seen):
        logger.warning("Post gone from the blog (HTTP %s), marked removed: %s", item.status, url)
        run.stats.inc_value("archiver/posts/removed")
