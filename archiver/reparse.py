"""Re-reading the archive: posts, comments and links rebuilt from the stored raw pages, offline.

An improved extractor applied to an old archive. Each stored thread page is read again as the
crawl read it (same URL, headers, zone, and relative times counted back from when it was
fetched), and what it holds is saved in place: no history is written, since an extractor
change is not an edit on the blog, and nothing is deleted or marked removed, since comments
gone from the blog are on no stored page any more.
"""

import json
import logging
from dataclasses import dataclass, field

from archiver import storage
from archiver.extractors import extract
from archiver.freshness import parse_utc
from archiver.page import Page
from archiver.pipelines import THREAD_ROLES

logger = logging.getLogger(__name__)


@dataclass
class Reparsed:
    """What a re-read went through and what it found."""

    pages: int = 0
    post_ids: set = field(default_factory=set)
    comments: int = 0
    failed: int = 0
    not_a_thread: int = 0

    def summary(self):
        return (f"{self.pages} pages read: {len(self.post_ids)} posts, {self.comments} comments; "
                f"{self.failed} failed to extract, {self.not_a_thread} not a thread")


def reparse(db, site=None):
    """Read every stored 2xx thread page (of `site`, or of every blog) again, in fetch order."""
    done = Reparsed()
    zones = storage.site_timezones(db)
    for row in storage.stored_pages(db, site=site, roles=THREAD_ROLES, ok_only=True):
        done.pages += 1
        try:
            thread = extract(stored_page(row), timezone=zones.get(row["site"]))
        except Exception:
            logger.exception("Extraction failed on %s (page %s)", row["url"], row["id"])
            done.failed += 1
            continue
        if thread is None:
            done.not_a_thread += 1
            continue
        with storage.transaction(db):
            post_id = storage.save_thread(db, row["site"], thread)
            storage.set_page_post(db, row["id"], post_id)
        done.post_ids.add(post_id)
    done.comments = storage.count_comments(db, done.post_ids)
    return done


def stored_page(row):
    """The Page a stored `pages` row was when it was fetched."""
    return Page.from_bytes(row["url"], storage.read_page_body(row), row["content_type"],
                           fetched_utc=parse_utc(row["fetched_utc"]), headers=json.loads(row["headers"]))
