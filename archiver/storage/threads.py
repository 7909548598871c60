"""A thread's post, comments and links saved on their stable keys, and what they count."""

from __future__ import annotations

import dataclasses
import hashlib
import json
from collections.abc import Iterable

from sqlite_utils import Database

from archiver.items import Comment, Link, Thread
from archiver.storage.links import read_links, write_links
from archiver.storage.records import Merged, Seen, keep_version, merge_record
from archiver.storage.writes import Batch, insert_sql, marks, read_row, read_rows, update_sql

# A comment with no platform id is keyed by a SHA-1 of its author, its time as shown and this
# many characters of its text. Archived keys were made so: changing it gives those comments new
# keys, and the next run would archive each of them a second time.
KEY_TEXT_LENGTH = 500


def save_thread(db: Database, site: str, thread: Thread, seen: Seen | None = None,
                broken: bool = False) -> int:
    """Upsert a thread's post, comments and links; return the post id.

    A thread read from HTML overrides what is stored; one read from another source (a feed,
    an API) only fills in values still missing (but for UTC times, see PLATFORM_UTC), so the
    order in which pages arrive does not matter. The links of a post or comment are written
    by the source its row is from: the HTML once a page has shown it.

    With `seen`, the save is a sighting: first and last seen are kept, a text that differs from
    the one an earlier run saw from the same source is kept as a version, and a row marked
    removed is live again. Without it (re-reading stored pages) rows are updated in place.

    A `broken` capture (ingest: undecodable, cut short) never becomes, nor leaves, a version:
    a sighting of it leaves a thread archived from a whole capture as it is; a thread not
    archived yet is saved from it, marked `broken_utc` until its thread is read in full, and
    while so marked its texts are replaced in place, not kept as versions.

    The thread's stored rows are read in one query a table, what changes is worked out here
    (see records.merge_record), and only that is written, a batch a statement.
    """
    prefer = "new" if thread.source == "html" else "old"
    post = thread.post
    old = read_row(db, "SELECT * FROM posts WHERE site = ? AND url = ?", [site, post.url])
    if seen is not None and broken and old is not None and old["broken_utc"] is None:
        return old["id"]
    if seen is not None and old is not None and old["broken_utc"] is not None:
        seen = dataclasses.replace(seen, versions=False)
    post_id, post_source, new_post = _save_post(db, site, thread, prefer, seen, old, broken)
    comment_ids, sources = _save_comments(db, post_id, new_post, thread, prefer, seen)
    # Whose links to write: (comment id, or None for the post body; its links).
    owners: list[tuple[int | None, list[Link]]] = []
    if post.body_html and post_source == thread.source:
        owners.append((None, post.links))
    owners += [(comment_id, comment.links) for comment, comment_id, source
               in zip(thread.comments, comment_ids, sources, strict=True)
               if source == thread.source]
    stored = read_links(db, post_id) if owners and not new_post else {}
    batch = Batch()
    for comment_id, links in owners:
        write_links(batch, stored, post_id, comment_id, links)
    batch.run(db)
    _resolve_parents(db, post_id)
    number_comments(db, post_id)
    return post_id


def _save_post(db, site, thread, prefer, seen, old, broken):
    """Write the post's row over `old` (None: there is none), marked `broken` if its capture
    was; return its id, the source it is now from, and whether it is new."""
    post = thread.post
    row = {
        "site": site, "url": post.url, "platform": thread.platform,
        "platform_id": post.platform_id, "title": post.title or None,
        "author": post.author or None, "published_shown": post.published_shown,
        "published_local": post.published_local, "published_utc": post.published_utc,
        "published_relative_to": post.published_relative_to,
        "published_year": _year(post.published_local or post.published_utc),
        "categories": json.dumps(post.categories) if post.categories else None,
        "tags": json.dumps(post.tags) if post.tags else None,
        "body_html": post.body_html or None, "body_text": post.body_text or None,
        "comment_count_shown": post.comment_count_shown, "language": thread.language,
        "source": thread.source,
        "broken_utc": seen.utc if seen is not None and broken else None,
    }
    merged = merge_record("posts", old, row, prefer, seen)
    if old is None:
        post_id = db.execute(insert_sql("posts", tuple(merged.changes)),
                             list(merged.changes.values())).lastrowid
        return post_id, merged.row["source"], True
    if merged.changes:
        db.execute(update_sql("posts", tuple(merged.changes)),
                   [*merged.changes.values(), old["id"]])
    if merged.version:
        keep_version(db, "posts", merged.version)
    return old["id"], merged.row["source"], False


def _save_comments(db: Database, post_id: int, new_post: bool, thread: Thread, prefer: str,
                   seen: Seen | None) -> tuple[list[int], list[str]]:
    """Write the thread's comment rows; return the id of each and the source it is now from.

    A comment new to the archive is given the id SQLite would give it (one past the largest),
    so that its replies can point at it before any row is written."""
    stored = {} if new_post else {
        row["comment_key"]: row
        for row in read_rows(db, "SELECT * FROM comments WHERE post_id = ?", [post_id])}
    saved: dict[str, Merged] = {}  # by key, in page order: a key can come twice on a page
    next_id: int | None = None
    ids: list[int] = []
    sources: list[str] = []
    versions = []
    for index, comment in enumerate(thread.comments):
        # A parent comes before its replies on the page, so its row id is already known.
        parent_id = ids[comment.parent] if comment.parent is not None else None
        row = _comment_row(post_id, thread, index, comment, parent_id)
        key = row["comment_key"]
        old = saved[key].row if key in saved else stored.get(key)
        merged = merge_record("comments", old, row, prefer, seen)
        if old is None:
            if next_id is None:
                next_id = db.execute("SELECT coalesce(max(id), 0) + 1 FROM comments").fetchone()[0]
            merged.row["id"], next_id = next_id, next_id + 1
        if merged.version:
            versions.append(merged.version)
        saved[key] = merged
        ids.append(merged.row["id"])
        sources.append(merged.row["source"])
    _write_comments(db, stored, saved)
    for version in versions:
        keep_version(db, "comments", version)
    return ids, sources


def _write_comments(db, stored, saved):
    """Insert the new comment rows, then update the changed ones (which can point at new
    parents), a batch a statement.

    A key that came twice on the page can leave a row pointing at a parent inserted after it:
    it goes in without its parent, set once the parent is in."""
    inserts, updates = Batch(), Batch()
    uninserted = {merged.row["id"] for key, merged in saved.items() if key not in stored}
    for key, merged in saved.items():
        row, old = merged.row, stored.get(key)
        if old is None:
            uninserted.discard(row["id"])
            if row["parent_id"] in uninserted:
                updates.add(update_sql("comments", ("parent_id",)), [row["parent_id"], row["id"]])
                row = {**row, "parent_id": None}
            inserts.add(insert_sql("comments", tuple(row)), list(row.values()))
        elif changes := tuple(column for column, value in row.items() if value != old[column]):
            updates.add(update_sql("comments", changes),
                        [*(row[column] for column in changes), old["id"]])
    inserts.run(db)
    updates.run(db)


def comment_key(comment: Comment) -> str:
    """The stable key of a comment within its post: the platform's id, or a content hash."""
    if comment.platform_id:
        return comment.platform_id
    basis = "\x1f".join([comment.author or "", comment.published_shown or "",
                         (comment.body_text or "")[:KEY_TEXT_LENGTH]])
    return "sha1:" + hashlib.sha1(basis.encode("utf-8")).hexdigest()


def _comment_row(post_id, thread, index, comment, parent_id):
    from_page = thread.source == "html"
    return {
        "post_id": post_id, "comment_key": comment_key(comment), "parent_id": parent_id,
        "platform_id": comment.platform_id, "parent_platform_id": comment.parent_platform_id,
        "depth": comment.depth, "type": comment.type,
        "comment_page": thread.comment_page if from_page else None,
        "page_position": index if from_page else None,
        "author": comment.author, "author_url": comment.author_url,
        "permalink": comment.permalink, "published_shown": comment.published_shown,
        "published_local": comment.published_local, "published_utc": comment.published_utc,
        "published_relative_to": comment.published_relative_to,
        "published_year": _year(comment.published_local or comment.published_utc),
        "body_html": comment.body_html or None, "body_text": comment.body_text or None,
        "source": thread.source,
    }


def _year(iso):
    return int(iso[:4]) if iso else None


def _resolve_parents(db, post_id):
    """Point replies at their parents by the platform's ids, whichever page each came from,
    and give each reply whose parent is known its depth below it (a source that sees a reply
    apart from its parent, an API page or a feed, cannot tell)."""
    # Matched here, not by a join in SQL: no index holds the platform's ids, so SQLite looked
    # for each reply's parent through all the post's comments, quadratic in their number
    # (30 s for a thread of 8,000).
    rows = db.execute("SELECT id, platform_id, parent_platform_id, parent_id FROM comments "
                      "WHERE post_id = ? ORDER BY id", [post_id]).fetchall()
    by_platform_id: dict[str, int] = {}
    for row_id, platform_id, _, _ in rows:
        if platform_id is not None:
            by_platform_id.setdefault(platform_id, row_id)
    db.conn.executemany("UPDATE comments SET parent_id = ? WHERE id = ?", [
        (by_platform_id[parent], row_id) for row_id, _, parent, parent_id in rows
        if parent in by_platform_id and by_platform_id[parent] != parent_id])
    # From the comments whose parent is not archived down: a cycle in hostile data is never
    # reached from them, so the recursion ends.
    db.execute(
        "WITH RECURSIVE below (id, depth) AS ("
        "  SELECT id, coalesce(depth, 1) FROM comments WHERE post_id = ? AND parent_id IS NULL"
        "  UNION ALL"
        "  SELECT reply.id, below.depth + 1 FROM comments AS reply"
        "  JOIN below ON reply.parent_id = below.id"
        ") UPDATE comments SET depth = below.depth FROM below "
        "WHERE comments.id = below.id AND comments.depth IS NOT below.depth", [post_id])


def number_comments(db: Database, post_id: int) -> None:
    """Thread order across comment pages, and the post's comment count."""
    db.execute(
        "UPDATE comments SET position = ordered.position FROM ("
        "  SELECT id, row_number() OVER (ORDER BY comment_page IS NULL, comment_page,"
        "    page_position IS NULL, page_position, published_utc, id) AS position"
        "  FROM comments WHERE post_id = ?) AS ordered "
        "WHERE comments.id = ordered.id AND comments.position IS NOT ordered.position",
        [post_id])
    db.execute("UPDATE posts SET comment_count = (SELECT count(*) FROM comments WHERE post_id = ?)"
               " WHERE id = ? AND comment_count IS NOT "
               "(SELECT count(*) FROM comments WHERE post_id = ?)",
               [post_id, post_id, post_id])


def count_comment_types(db: Database) -> dict[str, int]:
    """{type: how many} of the archive's comments: comment, pingback, trackback."""
    return dict(db.execute("SELECT type, count(*) FROM comments GROUP BY type ORDER BY type")
                .fetchall())


def count_comments(db: Database, post_ids: Iterable[int]) -> int:
    """How many comments, pingbacks and trackbacks the given posts hold."""
    ids = list(post_ids)
    if not ids:
        return 0
    return db.execute(f"SELECT count(*) FROM comments WHERE post_id IN ({marks(ids)})",
                      ids).fetchone()[0]


def count_mismatches(db: Database, post_ids: Iterable[int]) -> list[tuple[int, str, int, int]]:
    """The posts among `post_ids` whose page shows another count of comments than the archive
    holds live for them, as (id, url, shown, archived). Pingbacks and trackbacks are counted, as
    WordPress counts them in its heading ("9 comments" over 7 comments and 2 pingbacks)."""
    ids = list(post_ids)
    return db.execute(
        f"SELECT id, url, shown, archived FROM (SELECT id, url, comment_count_shown AS shown, "
        f"(SELECT count(*) FROM comments WHERE post_id = posts.id AND removed_utc IS NULL) "
        f"AS archived FROM posts WHERE id IN ({marks(ids)}) AND comment_count_shown IS NOT NULL) "
        f"WHERE shown <> archived ORDER BY id", ids).fetchall()
