"""Re-reading the archive: posts, comments and links rebuilt from the stored raw pages, offline.

An improved extractor applied to an old archive. Each stored thread page is read again as the
crawl read it (same URL, headers, zone, relative times counted back from when it was fetched,
and the `since` of the crawl that fetched it), and what it holds is saved in place: no history
is written, since an extractor change is not an edit on the blog, and nothing is deleted or
marked removed, since comments gone from the blog are on no stored page any more.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date

from sqlite_utils import Database

from archiver import ingest, storage
from archiver.items import THREAD_ROLES, PageItem, Role


@dataclass
class Reparsed:
    """What a re-read went through and what it found."""

    pages: int = 0
    post_ids: set[int] = field(default_factory=set)
    comments: int = 0
    failed: int = 0
    not_a_thread: int = 0

    def summary(self) -> str:
        return (f"{self.pages} pages read: {len(self.post_ids)} posts, {self.comments} comments; "
                f"{self.failed} failed to extract, {self.not_a_thread} not a thread")


def reparse(db: Database, site: str | None = None) -> Reparsed:
    """Read every stored 2xx thread page (of `site`, or of every blog) again, in fetch order."""
    zones = storage.site_timezones(db)
    since = crawl_since(db)
    counts = ingest.Tally()
    run = ingest.Run(crawl_id=None, stats=counts)
    for row in storage.stored_pages(db, site=site, roles=THREAD_ROLES, ok_only=True):
        item = stored_page(row, zones.get(row["site"]))
        ingest.archive(db, item, ingest.read(item, since.get(row["crawl_id"])), run)
    return Reparsed(pages=counts["archiver/pages/saved"], post_ids=run.post_ids,
                    comments=storage.count_comments(db, run.post_ids),
                    failed=counts["archiver/extract/error"],
                    not_a_thread=counts["archiver/pages/not_a_post"])


def crawl_since(db: Database) -> dict[int, str]:
    """{crawl id: the date its `since` argument gave (ISO)}, for the crawls that had one."""
    return {crawl_id: date.fromisoformat(arguments["since"]).isoformat()
            for crawl_id, arguments in storage.crawl_arguments(db).items()
            if arguments.get("since")}


def stored_page(row: dict, zone: str | None) -> PageItem:
    """The page a stored `pages` row was when it was fetched."""
    return ingest.stored_item(row["url"], row["status"], json.loads(row["headers"]),
                              storage.read_page_body(row), row["fetched_utc"], Role(row["role"]),
                              row["site"], zone)
