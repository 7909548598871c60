"""What a run learns is gone or changed on a blog: comments and posts it no longer shows, and
posts to read again."""

from __future__ import annotations

from collections.abc import Iterable

from sqlite_utils import Database

from archiver.storage.records import Seen
from archiver.storage.writes import marks

# A thread that loses more comments than this at once, all of them, is not marked.
MAX_REMOVALS_UNCHECKED = 3


def close_thread(db: Database, post_id: int, seen: Seen) -> int | None:
    """A run has read every page of a post's thread: its comments those pages no longer show
    are marked removed by this run, and the thread is recorded as read. Returns how many
    were marked, or None when every comment vanished at once, which is far likelier a page
    that no longer shows its comments than a thread wiped: then nothing is marked."""
    live = db.execute("SELECT id, last_seen_crawl IS NOT ? FROM comments WHERE post_id = ? "
                      "AND source = 'html' AND removed_utc IS NULL",
                      [seen.crawl_id, post_id]).fetchall()
    gone = [comment_id for comment_id, unseen in live if unseen]
    vanished = len(gone) == len(live) > MAX_REMOVALS_UNCHECKED
    if not vanished and gone:
        db.execute(f"UPDATE comments SET removed_utc = ?, removed_by_crawl = ? "
                   f"WHERE id IN ({marks(gone)})", [seen.utc, seen.crawl_id, *gone])
    # A run reads a thread in full only from whole captures: its texts are whole again.
    db.execute("UPDATE posts SET thread_read_utc = ?, stale_utc = NULL, broken_utc = NULL "
               "WHERE id = ?", [seen.utc, post_id])
    return None if vanished else len(gone)


def mark_post_removed(db: Database, site: str, url: str, seen: Seen) -> bool:
    """A post whose page is gone (404, 410) is marked removed by this run; True if it was known."""
    return db.execute("UPDATE posts SET removed_utc = coalesce(removed_utc, ?), "
                      "removed_by_crawl = coalesce(removed_by_crawl, ?), stale_utc = NULL "
                      "WHERE site = ? AND url = ?",
                      [seen.utc, seen.crawl_id, site, url]).rowcount > 0


def mark_stale(db: Database, site: str, urls: Iterable[str], utc: str) -> None:
    """Record that a listing, feed or API says these posts changed, until their thread is read
    again in full: a run that dies first leaves them for the next one."""
    db.conn.executemany("UPDATE posts SET stale_utc = coalesce(stale_utc, ?) "
                        "WHERE site = ? AND url = ?", [(utc, site, url) for url in urls])
