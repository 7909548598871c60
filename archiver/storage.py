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
from dataclasses import asdict, dataclass, field
from pathlib import Path

from sqlite_utils import Database
from sqlite_utils.migrations import Migrations

# What the archive saw of a post or comment, and when: the first and latest run that read it
# (a page showed it), when its current text was first seen if it changed since, and the run
# that found it gone from the blog. Rows are never deleted: `removed_*` marks them.
SEEN = {"first_seen_utc": str, "last_seen_utc": str, "first_seen_crawl": int,
        "last_seen_crawl": int, "edited_utc": str, "removed_utc": str, "removed_by_crawl": int}
SEEN_KEYS = [("first_seen_crawl", "crawls", "id"), ("last_seen_crawl", "crawls", "id"),
             ("removed_by_crawl", "crawls", "id")]
# An earlier text of a post or comment: the span of time it was seen, and the run that saw
# it replaced.
VERSION = {"first_seen_utc": str, "last_seen_utc": str, "replaced_utc": str,
           "replaced_by_crawl": int}

TABLES = {
    "sites": {
        "columns": {"site": str, "url": str, "name": str, "platform": str, "timezone": str,
                    "language": str},
        "pk": "site",
    },
    "crawls": {
        "columns": {"id": int, "site": str, "start_url": str, "arguments": str, "mode": str,
                    "started_utc": str, "finished_utc": str, "finish_reason": str,
                    "status": str, "requests": int, "pages": int, "posts": int, "comments": int,
                    "posts_new": int, "posts_changed": int, "posts_removed": int,
                    "comments_new": int, "comments_changed": int, "comments_removed": int,
                    "errors": int, "stats": str},
        "pk": "id",
    },
    "posts": {
        "columns": {"id": int, "site": str, "url": str, "platform": str, "platform_id": str,
                    "title": str, "author": str, "published_shown": str, "published_local": str,
                    "published_utc": str, "published_relative_to": str, "published_year": int,
                    "categories": str,
                    "tags": str, "body_html": str, "body_text": str, "comment_count": int,
                    "comment_count_shown": int, "language": str, "source": str, **SEEN,
                    "thread_read_utc": str, "stale_utc": str},
        "pk": "id",
        "foreign_keys": [("site", "sites", "site"), *SEEN_KEYS],
    },
    "comments": {
        "columns": {"id": int, "post_id": int, "platform_id": str, "parent_id": int,
                    "parent_platform_id": str, "depth": int, "position": int,
                    "comment_page": int, "page_position": int, "type": str, "author": str,
                    "author_url": str, "permalink": str, "published_shown": str,
                    "published_local": str, "published_utc": str, "published_relative_to": str,
                    "published_year": int, "body_html": str,
                    "body_text": str, "source": str, "comment_key": str, **SEEN},
        "pk": "id",
        "foreign_keys": [("post_id", "posts", "id"), ("parent_id", "comments", "id"), *SEEN_KEYS],
    },
    "links": {
        "columns": {"id": int, "post_id": int, "comment_id": int, "position": int, "url": str,
                    "text": str, "domain": str, "external": int},
        "pk": "id",
        "foreign_keys": [("post_id", "posts", "id"), ("comment_id", "comments", "id")],
    },
    "pages": {
        "columns": {"id": int, "url": str, "site": str, "role": str, "status": int,
                    "headers": str, "content_type": str, "encoding": str, "fetched_utc": str,
                    "size": int, "sha256": str, "body": bytes, "post_id": int, "crawl_id": int},
        "pk": "id",
        "foreign_keys": [("post_id", "posts", "id"), ("crawl_id", "crawls", "id")],
    },
    "post_versions": {
        "columns": {"id": int, "post_id": int, "version": int, "title": str, "body_html": str,
                    "body_text": str, **VERSION},
        "pk": "id",
        "foreign_keys": [("post_id", "posts", "id"), ("replaced_by_crawl", "crawls", "id")],
    },
    "comment_versions": {
        "columns": {"id": int, "comment_id": int, "version": int, "author": str,
                    "author_url": str, "body_html": str, "body_text": str, **VERSION},
        "pk": "id",
        "foreign_keys": [("comment_id", "comments", "id"), ("replaced_by_crawl", "crawls", "id")],
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
    ("pages", ["site", "role"]),
    ("post_versions", ["post_id"]),
    ("comment_versions", ["comment_id"]),
]
FTS = {"posts": ["title", "body_text"], "comments": ["author", "body_text"]}
# A feed's UTC time is the one the platform stored; the one worked out from a local time shown
# on a page can be an hour out around a DST change. So for this column the feed wins.
PLATFORM_UTC = ("published_utc",)
# The columns of each table where a non-HTML source wins (see PLATFORM_UTC).
PLATFORM_OWN = {"posts": (), "comments": PLATFORM_UTC}
# A thread that loses more comments than this at once, all of them, is not marked.
MAX_REMOVALS_UNCHECKED = 3
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


@migrations()
def m003_history(db):
    """What was seen when, versions and removals. Tables older archives lack are created;
    their new columns come without foreign keys, which SQLite cannot add in place."""
    _add_missing_columns(db)
    for name in ("post_versions", "comment_versions"):
        spec = TABLES[name]
        db.table(name).create(spec["columns"], pk=spec["pk"], foreign_keys=spec["foreign_keys"],
                              if_not_exists=True)
    for table, columns in INDEXES:
        db.table(table).create_index(columns, if_not_exists=True)


@migrations()
def m004_published_year(db):
    """The year of publication, as the blog dated it, for facets and queries by year."""
    _add_missing_columns(db)
    for table in ("posts", "comments"):
        db.execute(f"UPDATE [{table}] SET published_year = CAST(substr(coalesce(published_local, "
                   f"published_utc), 1, 4) AS INTEGER) WHERE published_year IS NULL "
                   f"AND coalesce(published_local, published_utc) IS NOT NULL")


def _add_missing_columns(db):
    """Give existing tables the columns TABLES has gained since they were created."""
    for name, spec in TABLES.items():
        table = db.table(name)
        if not table.exists():
            continue
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


@dataclass(frozen=True)
class Seen:
    """The run that read a page, and when (UTC, ISO 8601). Saving with it records history."""

    crawl_id: int
    utc: str


def save_thread(db, site, thread, seen=None):
    """Upsert a thread's post, comments and links; return the post id.

    A thread read from HTML overrides what is stored; one read from another source (a feed,
    an API) only fills in values still missing (but for UTC times, see PLATFORM_UTC), so the
    order in which pages arrive does not matter. The links of a post or comment are written
    by the source its row is from: the HTML once a page has shown it.

    With `seen`, the save is a sighting: first and last seen are kept, a text that differs from
    the one an earlier run saw from the same source is kept as a version, and a row marked
    removed is live again. Without it (re-reading stored pages) rows are updated in place.
    """
    prefer = "new" if thread.source == "html" else "old"
    post = thread.post
    post_id, post_source = _save_record(db, "posts", {
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
    }, conflict=["site", "url"], prefer=prefer, seen=seen)
    if post.body_html and post_source == thread.source:
        _save_links(db, post_id, None, post.links)
    comment_ids = []
    for index, comment in enumerate(thread.comments):
        # A parent comes before its replies on the page, so its row id is already known.
        parent_id = comment_ids[comment.parent] if comment.parent is not None else None
        comment_id, comment_source = _save_record(
            db, "comments", _comment_row(post_id, thread, index, comment, parent_id),
            conflict=["post_id", "comment_key"], prefer=prefer, seen=seen)
        comment_ids.append(comment_id)
        if comment_source == thread.source:
            _save_links(db, post_id, comment_id, comment.links)
    _resolve_parents(db, post_id)
    _number_comments(db, post_id)
    return post_id


# What a reader sees change when a post or comment is edited, and what a version keeps.
EDITABLE = {"posts": ("title", "body_text"), "comments": ("author", "body_text")}
VERSIONED = {"posts": ("post_versions", "post_id", ("title", "body_html", "body_text")),
             "comments": ("comment_versions", "comment_id",
                          ("author", "author_url", "body_html", "body_text"))}


def _save_record(db, table, row, conflict, prefer, seen):
    """Upsert one post or comment row, as a sighting when `seen` is given; return (id, source)."""
    if seen is None:
        return _upsert(db, table, row, conflict, prefer, reverse=PLATFORM_OWN[table],
                       returning=("id", "source"))
    history, owner, kept = VERSIONED[table]
    wanted = ["source", "last_seen_crawl", "removed_utc", "first_seen_utc", "last_seen_utc",
              "edited_utc", *kept]
    keys = " AND ".join(f"[{column}] = ?" for column in conflict)
    found = db.execute(f"SELECT {', '.join(wanted)} FROM [{table}] WHERE {keys}",
                       [row[column] for column in conflict]).fetchone()
    old = dict(zip(wanted, found)) if found else None
    edited = old is not None and _edited(table, old, row, seen)
    row = {**row, "first_seen_utc": seen.utc, "first_seen_crawl": seen.crawl_id,
           "last_seen_utc": seen.utc, "last_seen_crawl": seen.crawl_id}
    first_wins = ("first_seen_utc", "first_seen_crawl")
    last_wins = ("last_seen_utc", "last_seen_crawl")
    reverse = PLATFORM_OWN[table] + (last_wins if prefer == "old" else first_wins)
    record_id, source = _upsert(db, table, row, conflict, prefer, reverse=reverse,
                                returning=("id", "source"))
    if edited:
        version = db.execute(f"SELECT count(*) + 1 FROM [{history}] WHERE [{owner}] = ?",
                             [record_id]).fetchone()[0]
        db.table(history).insert({
            owner: record_id, "version": version, **{column: old[column] for column in kept},
            "first_seen_utc": old["edited_utc"] or old["first_seen_utc"],
            "last_seen_utc": old["last_seen_utc"], "replaced_utc": seen.utc,
            "replaced_by_crawl": seen.crawl_id})
        # A source that only fills gaps would keep the old text: the new one is the text now.
        changed = {column: row[column] for column in kept if row.get(column) is not None}
        db.execute(f"UPDATE [{table}] SET {', '.join(f'[{c}] = ?' for c in changed)}, "
                   f"edited_utc = ? WHERE id = ?", [*changed.values(), seen.utc, record_id])
    if old is not None and old["removed_utc"] is not None:
        db.execute(f"UPDATE [{table}] SET removed_utc = NULL, removed_by_crawl = NULL WHERE id = ?",
                   [record_id])
    return record_id, source


def _edited(table, old, row, seen):
    """Whether `row` shows an edit of what an earlier run saw from the same source. Two pages
    of one run (a post on each of its comment pages) never make versions of each other, and a
    value the new read lacks is no edit."""
    if old["source"] != row["source"] or old["last_seen_crawl"] in (None, seen.crawl_id):
        return False
    return any(row[column] is not None and _words(row[column]) != _words(old[column])
               for column in EDITABLE[table])


def _year(iso):
    return int(iso[:4]) if iso else None


def _words(text):
    return " ".join((text or "").split())


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
        "published_year": _year(comment.published_local or comment.published_utc),
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


def count_mismatches(db, post_ids):
    """The posts among `post_ids` whose page shows another count of comments than the archive
    holds live for them, as (id, url, shown, archived). Pingbacks and trackbacks are counted, as
    WordPress counts them in its heading ("9 comments" over 7 comments and 2 pingbacks)."""
    ids = list(post_ids)
    marks = ", ".join("?" for _ in ids)
    return db.execute(
        f"SELECT id, url, shown, archived FROM (SELECT id, url, comment_count_shown AS shown, "
        f"(SELECT count(*) FROM comments WHERE post_id = posts.id AND removed_utc IS NULL) AS archived "
        f"FROM posts WHERE id IN ({marks}) AND comment_count_shown IS NOT NULL) "
        f"WHERE shown <> archived ORDER BY id", ids).fetchall()


def count_posts(db, site):
    """How many posts of `site` the archive holds, removed ones included."""
    return db.execute("SELECT count(*) FROM posts WHERE site = ?", [site]).fetchone()[0]


def close_thread(db, post_id, seen):
    """A run has read every page of a post's thread: its comments those pages no longer show
    are marked removed by this run, and the thread is recorded as read. Returns how many
    were marked, or None when every comment vanished at once, which is far likelier a page
    that no longer shows its comments than a thread wiped: then nothing is marked."""
    live = db.execute("SELECT id, last_seen_crawl IS NOT ? FROM comments WHERE post_id = ? "
                      "AND source = 'html' AND removed_utc IS NULL", [seen.crawl_id, post_id]).fetchall()
    gone = [comment_id for comment_id, unseen in live if unseen]
    vanished = len(gone) == len(live) > MAX_REMOVALS_UNCHECKED
    if not vanished and gone:
        marks = ", ".join("?" for _ in gone)
        db.execute(f"UPDATE comments SET removed_utc = ?, removed_by_crawl = ? WHERE id IN ({marks})",
                   [seen.utc, seen.crawl_id, *gone])
    db.execute("UPDATE posts SET thread_read_utc = ?, stale_utc = NULL WHERE id = ?", [seen.utc, post_id])
    return None if vanished else len(gone)


def mark_post_removed(db, site, url, seen):
    """A post whose page is gone (404, 410) is marked removed by this run; True if it was known."""
    return db.execute("UPDATE posts SET removed_utc = coalesce(removed_utc, ?), "
                      "removed_by_crawl = coalesce(removed_by_crawl, ?), stale_utc = NULL "
                      "WHERE site = ? AND url = ?",
                      [seen.utc, seen.crawl_id, site, url]).rowcount > 0


def mark_stale(db, site, urls, utc):
    """Record that a listing, feed or API says these posts changed, until their thread is read
    again in full: a run that dies first leaves them for the next one."""
    db.conn.executemany("UPDATE posts SET stale_utc = coalesce(stale_utc, ?) WHERE site = ? AND url = ?",
                        [(utc, site, url) for url in urls])


def start_crawl(db, site, start_url, arguments, started_utc, mode=None):
    with transaction(db):
        return db.execute(
            "INSERT INTO crawls (site, start_url, arguments, mode, started_utc, status) "
            "VALUES (?, ?, ?, ?, ?, 'running') RETURNING id",
            [site, start_url, json.dumps(arguments, sort_keys=True), mode, started_utc]).fetchone()[0]


def finish_crawl(db, crawl_id, **values):
    """Write a run's end, outcome and counts; written last, so a run cut short stays 'running'."""
    columns = ", ".join(f"[{key}] = ?" for key in values)
    with transaction(db):
        db.execute(f"UPDATE crawls SET {columns} WHERE id = ?", [*values.values(), crawl_id])


def crawl_changes(db, crawl_id):
    """What a run found new, changed and removed, from the history it wrote."""
    def count(sql):
        return db.execute(sql, [crawl_id]).fetchone()[0]

    return {
        "posts_new": count("SELECT count(*) FROM posts WHERE first_seen_crawl = ?"),
        "posts_changed": count("SELECT count(DISTINCT post_id) FROM post_versions WHERE replaced_by_crawl = ?"),
        "posts_removed": count("SELECT count(*) FROM posts WHERE removed_by_crawl = ?"),
        "comments_new": count("SELECT count(*) FROM comments WHERE first_seen_crawl = ?"),
        "comments_changed": count("SELECT count(DISTINCT comment_id) FROM comment_versions "
                                  "WHERE replaced_by_crawl = ?"),
        "comments_removed": count("SELECT count(*) FROM comments WHERE removed_by_crawl = ?"),
    }


@dataclass(frozen=True)
class KnownPost:
    """What the archive knows of one post, for deciding whether to read its thread again."""

    id: int
    platform_id: str | None
    comments: int  # live comments, pingbacks and trackbacks
    comments_shown: int | None  # the count its page showed
    thread_read_utc: str | None  # the last time all its pages were read in one run
    last_activity_utc: str | None  # its newest comment, or its publication
    stale: bool  # a listing, feed or API said it changed since


@dataclass
class SiteState:
    """What the archive holds of one blog: the per-site record incremental runs start from."""

    last_run_utc: str | None = None  # start of the latest run that finished
    posts: dict = field(default_factory=dict)  # url -> KnownPost
    validators: dict = field(default_factory=dict)  # url -> headers of a page that has validators
    pages: dict = field(default_factory=dict)  # url -> (body, headers) for the roles asked for
    pages_fetched_utc: str | None = None  # when the earliest of those was fetched


def site_state(db, site, roles=()):
    """The SiteState of `site` in the archive `db` (which it only reads), with the stored bodies
    of its pages of `roles` from the latest run that fetched any. Known posts are those a page
    of theirs was read for: a post only a feed or an API named is still to be archived."""
    state = SiteState()
    state.last_run_utc = db.execute(
        "SELECT max(started_utc) FROM crawls WHERE site = ? AND finished_utc IS NOT NULL "
        "AND status IN ('ok', 'partial')", [site]).fetchone()[0]
    for row in db.query(
            "SELECT url, id, platform_id, comment_count_shown, thread_read_utc, stale_utc,"
            " (SELECT count(*) FROM comments WHERE post_id = posts.id AND removed_utc IS NULL) AS live,"
            " max(coalesce(published_utc, ''), coalesce((SELECT max(published_utc) FROM comments"
            "  WHERE post_id = posts.id), '')) AS activity "
            "FROM posts WHERE site = ? AND source = 'html' AND removed_utc IS NULL", [site]):
        state.posts[row["url"]] = KnownPost(
            id=row["id"], platform_id=row["platform_id"], comments=row["live"],
            comments_shown=row["comment_count_shown"], thread_read_utc=row["thread_read_utc"],
            last_activity_utc=row["activity"] or None, stale=row["stale_utc"] is not None)
    for row in db.query("SELECT url, headers FROM pages WHERE site = ? AND status = 200 "
                        "AND role NOT IN ('post', 'comments')", [site]):
        headers = {key.lower(): value for key, value in json.loads(row["headers"]).items()}
        if "etag" in headers or "last-modified" in headers:
            state.validators[row["url"]] = headers
    if roles:
        marks = ", ".join("?" for _ in roles)
        rows = list(db.query(
            f"SELECT url, body, headers, fetched_utc FROM pages WHERE site = ? "
            f"AND role IN ({marks}) AND status = 200 AND crawl_id = (SELECT max(crawl_id) "
            f"FROM pages WHERE site = ? AND role IN ({marks}))", [site, *roles, site, *roles]))
        state.pages = {row["url"]: (read_page_body(row), json.loads(row["headers"])) for row in rows}
        state.pages_fetched_utc = min((row["fetched_utc"] for row in rows), default=None)
    return state


def stored_pages(db, site=None, roles=None, ok_only=False):
    """The stored pages (of one site, of some roles, 2xx only) as rows, in fetch order, read one
    at a time: together their bodies can be far larger than memory."""
    where, params = ["1"], []
    if site is not None:
        where.append("site = ?")
        params.append(site)
    if roles:
        where.append(f"role IN ({', '.join('?' for _ in roles)})")
        params.extend(roles)
    if ok_only:
        where.append("status BETWEEN 200 AND 299")
    ids = [row[0] for row in db.execute(
        f"SELECT id FROM pages WHERE {' AND '.join(where)} ORDER BY fetched_utc, id", params)]
    for page_id in ids:
        yield next(db.query("SELECT * FROM pages WHERE id = ?", [page_id]))


def site_timezones(db):
    """{site: its zone, or None} for every blog in the archive."""
    return dict(db.execute("SELECT site, timezone FROM sites").fetchall())


def open_read_only(path) -> Database | None:
    """The archive at `path` opened read-only (a `mode=ro` URI), or None if there is none."""
    path = Path(path)
    if not path.is_file():
        return None
    return Database(sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True))
