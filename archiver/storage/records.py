"""One post or comment row written: which source wins each column and, when a run saw it, what
was seen when, the version an edit leaves behind and its return from removal."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlite_utils import Database

from archiver.storage.schema import TABLES

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
    # False where the stored texts came from a broken capture: replaced in place, not kept
    versions: bool = True


@dataclass
class Merged:
    """A post or comment row as a save leaves it, worked out from the row stored before."""

    row: dict[str, Any]  # every column, as stored after the save
    changes: dict[str, Any]  # the columns to write: all of a new row's, a stored row's changed
    version: dict[str, Any] | None  # the earlier text an edit leaves, for VERSIONED (no number)


def merge_record(table: str, old: dict[str, Any] | None, row: dict[str, Any], prefer: str,
                 seen: Seen | None) -> Merged:
    """What saving `row` over the stored `old` (None: there is none) makes of it, as a sighting
    when `seen` is given: which source wins each column (`prefer` "new": a non-null new value
    replaces the stored one; "old": it only fills stored nulls; the columns in PLATFORM_OWN
    take the other rule), first and last seen kept, an edit of what an earlier run saw from the
    same source kept as a version, and a row marked removed live again. Without `seen`
    (re-reading stored pages) the row is only updated in place."""
    reverse = PLATFORM_OWN[table]
    edited = False
    if seen is not None:
        edited = old is not None and seen.versions and _edited(table, old, row, seen)
        row = {**row, "first_seen_utc": seen.utc, "first_seen_crawl": seen.crawl_id,
               "last_seen_utc": seen.utc, "last_seen_crawl": seen.crawl_id}
        reverse = reverse + (LAST_SEEN if prefer == "old" else FIRST_SEEN)
    if old is None:
        return Merged({**dict.fromkeys(TABLES[table]["columns"]), **row}, dict(row), None)
    merged = dict(old)
    for column, new in row.items():
        stored = old[column]
        if (prefer == "new") != (column in reverse):
            merged[column] = stored if new is None else new
        else:
            merged[column] = new if stored is None else stored
    version = None
    if edited:
        assert seen is not None
        version = _version(table, old, seen)
        # A source that only fills gaps would keep the old text: the new one is the text now.
        kept = VERSIONED[table][2]
        merged.update({column: row[column] for column in kept if row.get(column) is not None})
        merged["edited_utc"] = seen.utc
    if seen is not None and old["removed_utc"] is not None:
        merged.update(removed_utc=None, removed_by_crawl=None)
    changes = {column: value for column, value in merged.items() if value != old[column]}
    return Merged(merged, changes, version)


def _version(table, old, seen):
    """The text an earlier run saw, and the span it was seen, as a version keeps it."""
    _, owner, kept = VERSIONED[table]
    return {owner: old["id"], **{column: old[column] for column in kept},
            "first_seen_utc": old["edited_utc"] or old["first_seen_utc"],
            "last_seen_utc": old["last_seen_utc"], "replaced_utc": seen.utc,
            "replaced_by_crawl": seen.crawl_id}


def keep_version(db: Database, table: str, version: dict[str, Any]) -> None:
    """Store the version an edit of a `table` row left, numbered after the ones it has."""
    history, owner, _ = VERSIONED[table]
    number = db.execute(f"SELECT count(*) + 1 FROM [{history}] WHERE [{owner}] = ?",
                        [version[owner]]).fetchone()[0]
    db.table(history).insert({owner: version[owner], "version": number,
                              **{k: v for k, v in version.items() if k != owner}})


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
