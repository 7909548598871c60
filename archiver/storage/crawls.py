"""The `crawls` table: one row a run, started when it starts and finished with its counts."""

from __future__ import annotations

import json
from typing import Any

from sqlite_utils import Database

from archiver.storage.writes import transaction


def start_crawl(db: Database, site: str | None, start_url: str | None,
                arguments: dict[str, Any], started_utc: str, mode: str | None = None) -> int:
    """Record that a run started, as 'running'; return its id."""
    with transaction(db):
        return db.execute(
            "INSERT INTO crawls (site, start_url, arguments, mode, started_utc, status) "
            "VALUES (?, ?, ?, ?, ?, 'running') RETURNING id",
            [site, start_url, json.dumps(arguments, sort_keys=True), mode,
             started_utc]).fetchone()[0]


def finish_crawl(db: Database, crawl_id: int, **values: Any) -> None:
    """Write a run's end, outcome and counts; written last, so a run cut short stays 'running'."""
    columns = ", ".join(f"[{key}] = ?" for key in values)
    with transaction(db):
        db.execute(f"UPDATE crawls SET {columns} WHERE id = ?", [*values.values(), crawl_id])


def crawl_changes(db: Database, crawl_id: int) -> dict[str, int]:
    """What a run found new, changed and removed, from the history it wrote."""
    def count(sql):
        return db.execute(sql, [crawl_id]).fetchone()[0]

    return {
        "posts_new": count("SELECT count(*) FROM posts WHERE first_seen_crawl = ?"),
        "posts_changed": count("SELECT count(DISTINCT post_id) FROM post_versions "
                               "WHERE replaced_by_crawl = ?"),
        "posts_removed": count("SELECT count(*) FROM posts WHERE removed_by_crawl = ?"),
        "comments_new": count("SELECT count(*) FROM comments WHERE first_seen_crawl = ?"),
        "comments_changed": count("SELECT count(DISTINCT comment_id) FROM comment_versions "
                                  "WHERE replaced_by_crawl = ?"),
        "comments_removed": count("SELECT count(*) FROM comments WHERE removed_by_crawl = ?"),
    }


def crawl_arguments(db: Database) -> dict[int, dict[str, Any]]:
    """{crawl id: the arguments it was given} for every run the archive records."""
    return {crawl_id: json.loads(arguments or "{}")
            for crawl_id, arguments in db.execute("SELECT id, arguments FROM crawls")}
