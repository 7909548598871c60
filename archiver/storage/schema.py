"""Today's schema as data: every table, its keys, indexes and full-text search, and how a
new archive is made from it. Archives made by earlier releases reach the same schema through
`migrations`; a column added here needs a step there too (tests/test_migrations.py fails
until it has one).
"""

from __future__ import annotations

from typing import Any

from sqlite_utils import Database

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

TABLES: dict[str, dict[str, Any]] = {
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
                    "errors": int, "failed_urls": str, "stats": str},
        "pk": "id",
    },
    "posts": {
        "columns": {"id": int, "site": str, "url": str, "platform": str, "platform_id": str,
                    "title": str, "author": str, "published_shown": str, "published_local": str,
                    "published_utc": str, "published_relative_to": str, "published_year": int,
                    "categories": str,
                    "tags": str, "body_html": str, "body_text": str, "comment_count": int,
                    "comment_count_shown": int, "language": str, "source": str, **SEEN,
                    "thread_read_utc": str, "broken_utc": str, "stale_utc": str},
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


def create_schema(db: Database) -> None:
    """Make every table, index and full-text index of today's schema in a new archive."""
    for name, spec in TABLES.items():
        db.table(name).create(spec["columns"], pk=spec["pk"],
                              foreign_keys=spec.get("foreign_keys", []), if_not_exists=True)
    for table, columns in UNIQUE_INDEXES.items():
        db.table(table).create_index(columns, unique=True, if_not_exists=True)
    for table, columns in INDEXES:
        db.table(table).create_index(columns, if_not_exists=True)
    for table, columns in FTS.items():
        db.table(table).enable_fts(columns, fts_version="FTS5", create_triggers=True)
        reindex_on_text_updates(db, table, columns)


def reindex_on_text_updates(db: Database, table: str, columns: list[str]) -> None:
    """Make the trigger that keeps `table`'s full-text index in step with its updates fire only
    when an indexed column changes. Every run updates each row it sees again (last seen), and
    re-indexing its text each time made such a save twice as slow."""
    fts = f"{table}_fts"
    names = ", ".join(f'"{column}"' for column in columns)
    old = ", ".join(f'old."{column}"' for column in columns)
    new = ", ".join(f'new."{column}"' for column in columns)
    db.execute(f'DROP TRIGGER IF EXISTS "{table}_au"')
    db.execute(
        f'CREATE TRIGGER "{table}_au" AFTER UPDATE OF {names} ON "{table}" BEGIN\n'
        f'  INSERT INTO "{fts}" ("{fts}", rowid, {names}) VALUES(\'delete\', old.rowid, {old});\n'
        f'  INSERT INTO "{fts}" (rowid, {names}) VALUES (new.rowid, {new});\n'
        f'END')
