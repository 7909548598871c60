"""One post or comment row written: which source wins each column and, when a run saw it, what
was seen when, the version an edit leaves behind and its return from removal."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlite_utils import Database

from archiver.storage.writes import upsert

# A feed's UTC time is the one the platform stored; the one worked out from a local time shown
# on a page can be an hour out around a DST change. So for this column the feed wins.
PLATFORM_UTC = ("published_utc",)
# The columns of each table where a non-HTML source wins (see PLATFORM_UTC).
PLATFORM_OWN = {"posts": (), "comments": PLATFORM_UTC}
# What a reader sees change when a post or comment is edited, and what a version keeps.
EDITABLE = {"posts": ("title", "body_text"), "comments": ("author", "body_text")}
VERSIONED = {"posts": ("post_versions", "post_id", ("title", "body_html", "body_text")),
             "comments": ("comment_versions", "comment_id",
                          ("author", "author_url", "body_html", "body_text"))}
FIRST_SEEN = ("first_seen_utc", "first_seen_crawl")
LAST_SEEN = ("last_seen_utc", "last_seen_crawl")


@dataclass(frozen=True)
class Seen:
    """The run that read a page, and when (UTC, ISO 8601). Saving with it records history."""

    crawl_id: int
    utc: str


def save_record(db: Database, table: str, row: dict[str, Any], conflict: Sequence[str],
                prefer: str, seen: Seen | None) -> tuple[int, str]:
    """Upsert one post or comment row, as a sighting when `seen` is given; return (id, source)."""
    if seen is None:
        return upsert(db, table, row, conflict, prefer, reverse=PLATFORM_OWN[table],
                      returning=("id", "source"))
    kept = VERSIONED[table][2]
    wanted = ["source", "last_seen_crawl", "removed_utc", "first_seen_utc", "last_seen_utc",
              "edited_utc", *kept]
    keys = " AND ".join(f"[{column}] = ?" for column in conflict)
    found = db.execute(f"SELECT {', '.join(wanted)} FROM [{table}] WHERE {keys}",
                       [row[column] for column in conflict]).fetchone()
    old = dict(zip(wanted, found, strict=True)) if found else None
    edited = old is not None and _edited(table, old, row, seen)
    row = {**row, "first_seen_utc": seen.utc, "first_seen_crawl": seen.crawl_id,
           "last_seen_utc": seen.utc, "last_seen_crawl": seen.crawl_id}
    reverse = PLATFORM_OWN[table] + (LAST_SEEN if prefer == "old" else FIRST_SEEN)
    record_id, source = upsert(db, table, row, conflict, prefer, reverse=reverse,
                               returning=("id", "source"))
    if edited:
        _keep_version(db, table, record_id, old, row, seen)
    if old is not None and old["removed_utc"] is not None:
        db.execute(f"UPDATE [{table}] SET removed_utc = NULL, removed_by_crawl = NULL WHERE id = ?",
                   [record_id])
    return record_id, source


def _keep_version(db, table, record_id, old, row, seen):
    """Keep the text an earlier run saw as a version, and make the new one the text now."""
    history, owner, kept = VERSIONED[table]
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


def _edited(table, old, row, seen):
    """Whether `row` shows an edit of what an earlier run saw from the same source. Two pages
    of one run (a post on each of its comment pages) never make versions of each other, and a
    value the new read lacks is no edit."""
    if old["source"] != row["source"] or old["last_seen_crawl"] in (None, seen.crawl_id):
        return False
    return any(row[column] is not None and _words(row[column]) != _words(old[column])
               for column in EDITABLE[table])


def _words(text):
    return " ".join((text or "").split())
