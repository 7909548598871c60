"""The SQLite archive: schema as data, idempotent set-up, and saving pages and threads.

Storage knows tables and keys, nothing of HTML. Every save happens inside one
`BEGIN IMMEDIATE` transaction per fetched page, and rows are upserted on stable keys
(site + post URL, post + platform comment id), so running the same crawl twice
leaves exactly the same rows.
"""

import contextlib
import gzip
import hashlib
import json
import sqlite3
from dataclasses import asdict
from pathlib import Path

from sqlite_utils import Database
from sqlite_utils.migrations import Migrations

TABLES = {
    "sites": {
        "columns": {"site": str, "url": str, "name": str, "platform": str, "timezone": str,
                    "language": str},
        "pk": "site",
    },
    "posts": {
        "columns": {"id": int, "site": str, "url": str, "platform": str, "platform_id": str,
                    "title": str, "author": str, "published_shown": str, "published_local": str,
                    "published_utc": str, "published_relative_to": str, "categories": str,
                    "tags": str, "body_html": str, "body_text": str, "comment_count": int,
                    "comment_count_shown": int, "language": str, "source": str},
        "pk": "id",
        "foreign_keys": [("site", "sites", "site")],
    },
    "comments": {
        "columns": {"id": int, "post_id": int, "platform_id": str, "parent_id": int,
                    "parent_platform_id": str, "depth": int, "position": int,
                    "comment_page": int, "page_position": int, "type": str, "author": str,
                    "author_url": str, "permalink": str, "published_shown": str,
                    "published_local": str, "published_utc": str, "published_relative_to": str,
                    "body_html": str,
                    "body_text": str, "source": str, "comment_key": str},
        "pk": "id",
        "foreign_keys": [("post_id", "posts", "id"), ("parent_id", "comments", "id")],
    },
    "links": {
        "columns": {"id": int, "post_id": int, "comment_id": int, "position": int, "url": str,
                    "text": str, "domain": str, "external": int},
        "pk": "id",
        "foreign_keys": [("post_id", "posts", "id"), ("comment_id", "comments", "id")],
    },
    "crawls": {
        "columns": {"id": int, "site": str, "start_url": str, "arguments": str,
                    "started_utc": str, "finished_utc": str, "finish_reason": str,
                    "status": str, "pages": int, "posts": int, "comments": int, "errors": int,
                    "stats": str},
        "pk": "id",
    },
    "pages": {
        "columns": {"id": int, "url": str, "site": str, "role": str, "status": int,
                    "headers": str, "content_type": str, "encoding": str, "fetched_utc": str,
                    "size": int, "sha256": str, "body": bytes, "post_id": int, "crawl_id": int},
        "pk": "id",
        "foreign_keys": [("post_id", "posts", "id"), ("crawl_id", "crawls", "id")],
    },
}
UNIQUE_INDEXES = {
    "posts": ["site", "url"],
    "comments": ["post_id", "comment_key"],
    "pages": ["url"],
}
INDEXES = [
    ("posts", ["site", "published_utc"]),
    ("comments", ["post_id", "position"]),
    ("comments", ["parent_id"]),
    ("comments", ["author"]),
    ("links", ["post_id", "comment_id", "position"]),
    ("links", ["comment_id"]),
    ("links", ["domain"]),
    ("pages", ["post_id"]),
]
FTS = {"posts": ["title", "body_text"], "comments": ["author", "body_text"]}
# A feed's UTC time is the one the platform stored; the one worked out from a local time shown
# on a page can be an hour out around a DST change. So for this column the feed wins.
PLATFORM_UTC = ("published_utc",)
# Headers a page keeps: never cookies or credentials.
PRIVATE_HEADERS = {"set-cookie", "cookie", "authorization", "proxy-authorization",
                   "www-authenticate", "proxy-authenticate"}

migrations = Migrations("archiver")


@migrations()
def m001_initial_schema(db):
    for name, spec in TABLES.items():
        db.table(name).create(spec["columns"], pk=spec["pk"],
                              foreign_keys=spec.get("foreign_keys", []), if_not_exists=True)
    for table, columns in UNIQUE_INDEXES.items():
        db.table(table).create_index(columns, unique=True, if_not_exists=True)
    for table, columns in INDEXES:
        db.table(table).create_index(columns, if_not_exists=True)
    for table, columns in FTS.items():
        db.table(table).enable_fts(columns, fts_version="FTS5", create_triggers=True)


@migrations()
def m002_relative_times(db):
    _add_missing_columns(db)


def _add_missing_columns(db):
    """Give existing tables the columns TABLES has gained since they were created."""
    for name, spec in TABLES.items():
        table = db.table(name)
        for column, kind in spec["columns"].items():
            if column not in table.columns_dict:
                table.add_column(column, kind)


def open_archive(path):
    """The archive at `path`, created or migrated, in WAL mode with foreign keys on."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(str(path), isolation_level=None, timeout=30)
    db = Database(conn)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=NORMAL")
    db.execute("PRAGMA foreign_keys=ON")
    migrations.apply(db)
    return db


@contextlib.contextmanager
def transaction(db):
    """One write transaction, taken with BEGIN IMMEDIATE so it never fails half-way on a lock."""
    db.execute("BEGIN IMMEDIATE")
    try:
        yield db
    except BaseException:
        db.execute("ROLLBACK")
        raise
    db.execute("COMMIT")


def close_archive(db):
    """Fold the WAL back into the database file, so it does not grow run after run."""
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.close()


def save_site(db, site):
    """Record what is known of a blog; known values are never replaced by unknown ones."""
    row = {key: value for key, value in asdict(site).items() if value is not None}
    _upsert(db, "sites", row, conflict=["site"], prefer="new")


def save_page(db, item, crawl_id=None, post_id=None):
    """Store one fetched response, body compressed; return the page id."""
    headers = {k: v for k, v in item.headers.items() if k.lower() not in PRIVATE_HEADERS}
    row = {
        "url": item.url, "site": item.site, "role": item.role, "status": item.status,
        "headers": json.dumps(headers, sort_keys=True), "encoding": item.encoding,
        "content_type": headers.get("Content-Type") or headers.get("content-type"),
        "fetched_utc": item.fetched_utc, "size": len(item.body),
        "sha256": hashlib.sha256(item.body).hexdigest(),
        "body": gzip.compress(item.body, mtime=0), "post_id": post_id, "crawl_id": crawl_id,
    }
    return _upsert(db, "pages", row, conflict=["url"], prefer="new")


def read_page_body(row):
    """The raw bytes of a stored page row."""
    return gzip.decompress(row["body"])


def save_thread(db, site, thread):
    """Upsert a thread's post, comments and links; return the post id.

    A thread read from HTML overrides what is stored; one read from another source (a feed,
    an API) only fills in values still missing (but for UTC times, see PLATFORM_UTC), so the
    order in which pages arrive does not matter. The links of a post or comment are written
    by the source its row is from: the HTML once a page has shown it.
    """
    prefer = "new" if thread.source == "html" else "old"
    post = thread.post
    post_id, post_source = _upsert(db, "posts", {
        "site": site, "url": post.url, "platform": thread.platform,
        "platform_id": post.platform_id, "title": post.title or None,
        "author": post.author or None, "published_shown": post.published_shown,
        "published_local": post.published_local, "published_utc": post.published_utc,
        "published_relative_to": post.published_relative_to,
        "categories": json.dumps(post.categories) if post.categories else None,
        "tags": json.dumps(post.tags) if post.tags else None,
        "body_html": post.body_html or None, "body_text": post.body_text or None,
        "comment_count_shown": post.comment_count_shown, "language": thread.language,
        "source": thread.source,
    }, conflict=["site", "url"], prefer=prefer, returning=("id", "source"))
    if post.body_html and post_source == thread.source:
        _save_links(db, post_id, None, post.links)
    comment_ids = []
    for index, comment in enumerate(thread.comments):
        # A parent comes before its replies on the page, so its row id is already known.
        parent_id = comment_ids[comment.parent] if comment.parent is not None else None
        comment_id, comment_source = _upsert(
            db, "comments", _comment_row(post_id, thread, index, comment, parent_id),
            conflict=["post_id", "comment_key"], prefer=prefer, reverse=PLATFORM_UTC,
            returning=("id", "source"))
        comment_ids.append(comment_id)
        if comment_source == thread.source:
            _save_links(db, post_id, comment_id, comment.links)
    _resolve_parents(db, post_id)
    _number_comments(db, post_id)
    return post_id


def comment_key(comment):
    """The stable key of a comment within its post: the platform's id, or a content hash."""
    if comment.platform_id:
        return comment.platform_id
    basis = "\x1f".join([comment.author or "", comment.published_shown or "",
                         (comment.body_text or "")[:500]])
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
        "body_html": comment.body_html or None, "body_text": comment.body_text or None,
        "source": thread.source,
    }


def _upsert(db, table, row, conflict, prefer, reverse=(), returning=None):
    """INSERT … ON CONFLICT DO UPDATE, returning the row id (or the `returning` columns).

    prefer="new": a non-null new value replaces the stored one; prefer="old": new values
    only fill stored nulls; columns in `reverse` take the other rule. Either way a null
    never erases a known value.
    """
    columns = list(row)

    def update(column):
        new_wins = (prefer == "new") != (column in reverse)
        first, second = ("excluded", table) if new_wins else (table, "excluded")
        return f"[{column}] = coalesce({first}.[{column}], {second}.[{column}])"

    updates = ", ".join(update(c) for c in columns if c not in conflict)
    pk = TABLES[table]["pk"]
    sql = (f"INSERT INTO [{table}] ({', '.join(f'[{c}]' for c in columns)}) "
           f"VALUES ({', '.join('?' for _ in columns)}) "
           f"ON CONFLICT ({', '.join(f'[{c}]' for c in conflict)}) DO UPDATE SET {updates} "
           f"RETURNING {', '.join(f'[{c}]' for c in returning or [pk])}")
    found = db.execute(sql, [row[c] for c in columns]).fetchone()
    return tuple(found) if returning else found[0]


def _save_links(db, post_id, comment_id, links):
    """Make the stored links of one post body or comment exactly `links`, keeping row ids."""
    for position, link in enumerate(links):
        values = [link.url, link.text, link.domain, int(link.external)]
        updated = db.execute(
            "UPDATE links SET url = ?, text = ?, domain = ?, external = ? "
            "WHERE post_id = ? AND comment_id IS ? AND position = ?",
            values + [post_id, comment_id, position]).rowcount
        if not updated:
            db.execute(
                "INSERT INTO links (url, text, domain, external, post_id, comment_id, position) "
                "VALUES (?, ?, ?, ?, ?, ?, ?)", values + [post_id, comment_id, position])
    db.execute("DELETE FROM links WHERE post_id = ? AND comment_id IS ? AND position >= ?",
               [post_id, comment_id, len(links)])


def _resolve_parents(db, post_id):
    """Point replies at their parents by the platform's ids, whichever page each came from,
    and give each reply whose parent is known its depth below it (a source that sees a reply
    apart from its parent, an API page or a feed, cannot tell)."""
    db.execute(
        "UPDATE comments SET parent_id = parent.id FROM comments AS parent "
        "WHERE comments.post_id = ? AND parent.post_id = comments.post_id "
        "AND parent.platform_id = comments.parent_platform_id "
        "AND comments.parent_id IS NOT parent.id", [post_id])
    # From the comments whose parent is not archived down: a cycle in hostile data is never
    # reached from them, so the recursion ends.
    db.execute(
        "WITH RECURSIVE below (id, depth) AS ("
        "  SELECT id, coalesce(depth, 1) FROM comments WHERE post_id = ? AND parent_id IS NULL"
        "  UNION ALL"
        "  SELECT reply.id, below.depth + 1 FROM comments AS reply JOIN below ON reply.parent_id = below.id"
        ") UPDATE comments SET depth = below.depth FROM below "
        "WHERE comments.id = below.id AND comments.depth IS NOT below.depth", [post_id])


def _number_comments(db, post_id):
    """Thread order across comment pages, and the post's comment count."""
    db.execute(
        "UPDATE comments SET position = ordered.position FROM ("
        "  SELECT id, row_number() OVER (ORDER BY comment_page IS NULL, comment_page,"
        "    page_position IS NULL, page_position, published_utc, id) AS position"
        "  FROM comments WHERE post_id = ?) AS ordered "
        "WHERE comments.id = ordered.id AND comments.position IS NOT ordered.position",
        [post_id])
    db.execute("UPDATE posts SET comment_count = (SELECT count(*) FROM comments WHERE post_id = ?)"
               " WHERE id = ? AND comment_count IS NOT (SELECT count(*) FROM comments WHERE post_id = ?)",
               [post_id, post_id, post_id])


def count_comments(db, post_ids):
    """How many comments, pingbacks and trackbacks the given posts hold."""
    ids = list(post_ids)
    if not ids:
        return 0
    marks = ", ".join("?" for _ in ids)
    return db.execute(f"SELECT count(*) FROM comments WHERE post_id IN ({marks})", ids).fetchone()[0]


def start_crawl(db, site, start_url, arguments, started_utc):
    with transaction(db):
        return db.execute(
            "INSERT INTO crawls (site, start_url, arguments, started_utc, status) "
            "VALUES (?, ?, ?, ?, 'running') RETURNING id",
            [site, start_url, json.dumps(arguments, sort_keys=True), started_utc]).fetchone()[0]


def finish_crawl(db, crawl_id, **values):
    """Write a run's end, outcome and counts; written last, so a run cut short stays 'running'."""
    columns = ", ".join(f"[{key}] = ?" for key in values)
    with transaction(db):
        db.execute(f"UPDATE crawls SET {columns} WHERE id = ?", [*values.values(), crawl_id])
