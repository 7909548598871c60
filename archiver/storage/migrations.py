"""How an archive made by an earlier release reaches today's schema.

A new archive is made from today's `schema.TABLES` and recorded as having had every step. An
older one gets the steps it lacks, in order. Each step is a frozen description of what one
schema version added, written when it was released and never edited after: a change to the
schema is a new step (and a frozen archive of the schema before it in tests/archives/). The
two paths meet only if every change to TABLES comes with its step, which
tests/test_migrations.py checks by migrating those archives and comparing them with a new one.

Steps are recorded in the `_sqlite_migrations` table, under the names and in the form
`sqlite_utils.migrations.Migrations` gave the releases that applied them with it.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from sqlite_utils import Database
from sqlite_utils.migrations import Migrations

from archiver.storage.schema import create_schema, reindex_on_text_updates
from archiver.storage.writes import transaction

MIGRATION_SET = "archiver"
# What the first release made; a new archive is recorded as having it and every step after.
INITIAL = "m001_initial_schema"

ForeignKey = tuple[str, str, str]  # column, the table it refers to, the column there


@dataclass(frozen=True)
class Change:
    """What one schema version added to the one before it."""

    # {table: {the column they follow: {new column: type}}}: where a new archive has them
    columns: dict[str, dict[str, dict[str, type]]] = field(default_factory=dict)
    foreign_keys: dict[str, list[ForeignKey]] = field(default_factory=dict)
    # New tables: {name: {"columns": …, "pk": …, "foreign_keys": …}}
    tables: dict[str, dict] = field(default_factory=dict)
    indexes: list[tuple[str, list[str]]] = field(default_factory=list)
    # SQL that gives the rows already archived their values of the new columns
    fill: list[str] = field(default_factory=list)


# When a shown relative time ("3 hours ago") was counted back from.
RELATIVE_TIMES = Change(columns={
    "posts": {"published_utc": {"published_relative_to": str}},
    "comments": {"published_utc": {"published_relative_to": str}},
})

_SIGHTINGS = {"first_seen_utc": str, "last_seen_utc": str, "first_seen_crawl": int,
              "last_seen_crawl": int, "edited_utc": str, "removed_utc": str,
              "removed_by_crawl": int}
_SIGHTING_RUNS = [("first_seen_crawl", "crawls", "id"), ("last_seen_crawl", "crawls", "id"),
                  ("removed_by_crawl", "crawls", "id")]
_EARLIER_TEXT = {"first_seen_utc": str, "last_seen_utc": str, "replaced_utc": str,
                 "replaced_by_crawl": int}
# What was seen when, versions of edited posts and comments, removals, incremental runs.
HISTORY = Change(
    columns={
        "crawls": {"arguments": {"mode": str}, "status": {"requests": int},
                   "comments": {"posts_new": int, "posts_changed": int, "posts_removed": int,
                                "comments_new": int, "comments_changed": int,
                                "comments_removed": int}},
        "posts": {"source": {**_SIGHTINGS, "thread_read_utc": str, "stale_utc": str}},
        "comments": {"comment_key": _SIGHTINGS},
    },
    foreign_keys={"posts": _SIGHTING_RUNS, "comments": _SIGHTING_RUNS},
    tables={
        "post_versions": {
            "columns": {"id": int, "post_id": int, "version": int, "title": str,
                        "body_html": str, "body_text": str, **_EARLIER_TEXT},
            "pk": "id",
            "foreign_keys": [("post_id", "posts", "id"), ("replaced_by_crawl", "crawls", "id")]},
        "comment_versions": {
            "columns": {"id": int, "comment_id": int, "version": int, "author": str,
                        "author_url": str, "body_html": str, "body_text": str, **_EARLIER_TEXT},
            "pk": "id",
            "foreign_keys": [("comment_id", "comments", "id"),
                             ("replaced_by_crawl", "crawls", "id")]},
    },
    indexes=[("pages", ["site", "role"]), ("post_versions", ["post_id"]),
             ("comment_versions", ["comment_id"])],
)

# The year of publication, as the blog dated it, for facets and queries by year.
PUBLISHED_YEAR = Change(
    columns={"posts": {"published_relative_to": {"published_year": int}},
             "comments": {"published_relative_to": {"published_year": int}}},
    fill=[f"UPDATE [{table}] SET published_year = CAST(substr(coalesce(published_local, "
          f"published_utc), 1, 4) AS INTEGER) WHERE published_year IS NULL "
          f"AND coalesce(published_local, published_utc) IS NOT NULL"
          for table in ("posts", "comments")],
)


# Each run's URLs that never got a good answer, as JSON, for the next run to ask again.
FAILED_URLS = Change(columns={"crawls": {"errors": {"failed_urls": str}}})


# When a post's stored texts were read from a broken capture (undecodable, cut short), until
# its thread is read in full: a whole capture then replaces them without leaving versions.
BROKEN_CAPTURES = Change(columns={"posts": {"thread_read_utc": {"broken_utc": str}}})


def _reshape_upgraded(db: Database) -> None:
    """The releases before this step gave an archive they migrated each new column at the end
    of its table and none of the new foreign keys (SQLite cannot add one in place): such
    archives are rebuilt as a new archive has them."""
    _shape(db, [RELATIVE_TIMES, HISTORY, PUBLISHED_YEAR])


def _apply(change: Change) -> Callable[[Database], None]:
    def step(db: Database) -> None:
        for name, spec in change.tables.items():
            db.table(name).create(spec["columns"], pk=spec["pk"],
                                  foreign_keys=spec["foreign_keys"])
        for name, places in change.columns.items():
            for columns in places.values():
                for column, kind in columns.items():
                    db.table(name).add_column(column, kind)
        _shape(db, [change])
        for name, indexed in change.indexes:
            db.table(name).create_index(indexed)
        for sql in change.fill:
            db.execute(sql)
    return step


# The columns each full-text index holds, as they stood when its triggers were narrowed.
_SEARCHED = {"posts": ["title", "body_text"], "comments": ["author", "body_text"]}


def _reindex_on_text_updates(db: Database) -> None:
    """Full-text indexes are made again only when the text they hold changes."""
    for table, columns in _SEARCHED.items():
        reindex_on_text_updates(db, table, columns)


STEPS: dict[str, Callable[[Database], None]] = {
    "m002_relative_times": _apply(RELATIVE_TIMES),
    "m003_history": _apply(HISTORY),
    "m004_published_year": _apply(PUBLISHED_YEAR),
    "m005_reshape_upgraded_archives": _reshape_upgraded,
    "m006_reindex_on_text_updates": _reindex_on_text_updates,
    "m007_failed_urls": _apply(FAILED_URLS),
    "m008_broken_captures": _apply(BROKEN_CAPTURES),
}


def migrate(db: Database) -> None:
    """Make a new archive, or bring an older one to today's schema. Run with foreign keys off:
    a step that rebuilds a table drops the old copy, which rows elsewhere refer to. Each step
    commits with its record, and whether it is due is read again in its write transaction, so
    two processes opening one archive never apply a step twice."""
    if _applied(db) >= {INITIAL, *STEPS}:
        return
    with transaction(db):
        Migrations(MIGRATION_SET).ensure_migrations_table(db)
        if not _applied(db):
            create_schema(db)
            _record(db, [INITIAL, *STEPS])
    for name, step in STEPS.items():
        with transaction(db):
            if name not in _applied(db):
                step(db)
                _record(db, [name])


def pending(db: Database) -> list[str]:
    """The steps `db` has yet to take: every one for a file that is no archive yet."""
    applied = _applied(db)
    return [name for name in (INITIAL, *STEPS) if name not in applied]


def is_archive(db: Database) -> bool:
    """Whether `db` records steps of ours: a database without them is no archive, or a new one
    if it has no tables."""
    return bool(_applied(db))


def unknown_steps(db: Database) -> list[str]:
    """The steps `db` records that this code does not know: a newer archiver took them."""
    return sorted(_applied(db) - {INITIAL, *STEPS})


def _applied(db: Database) -> set[str]:
    if not db.table(Migrations.migrations_table).exists():
        return set()
    return {name for (name,) in db.execute(
        f"SELECT name FROM [{Migrations.migrations_table}] WHERE migration_set = ?",
        [MIGRATION_SET])}


def _record(db: Database, names: Iterable[str]) -> None:
    applied_at = str(datetime.datetime.now(datetime.UTC))
    db.table(Migrations.migrations_table).insert_all(
        {"migration_set": MIGRATION_SET, "name": name, "applied_at": applied_at}
        for name in names)


def _shape(db: Database, changes: list[Change]) -> None:
    """Put the columns `changes` added where a new archive has them, and give their tables the
    foreign keys they added, rebuilding only the tables that differ."""
    tables = {name for change in changes for name in (*change.columns, *change.foreign_keys)}
    for name in sorted(tables):
        table = db.table(name)
        current = list(table.columns_dict)
        order = current
        for change in changes:
            for anchor, columns in change.columns.get(name, {}).items():
                order = _placed_after(order, anchor, list(columns))
        present = {(fk.column, fk.other_table, fk.other_column) for fk in table.foreign_keys}
        missing = [fk for change in changes for fk in change.foreign_keys.get(name, [])
                   if fk not in present]
        if order != current or missing:
            _rebuild(db, name, order, missing)


def _placed_after(order: list[str], anchor: str, columns: list[str]) -> list[str]:
    rest = [column for column in order if column not in columns]
    at = rest.index(anchor) + 1
    return rest[:at] + columns + rest[at:]


def _rebuild(db: Database, name: str, order: list[str], foreign_keys: list[ForeignKey]) -> None:
    """Rebuild a table in `order` with `foreign_keys` added. Indexes come back with it; its
    triggers (those that keep full-text search in step) are made again."""
    triggers = [sql for (sql,) in db.execute(
        "SELECT sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = ?", [name])]
    db.table(name).transform(column_order=order, add_foreign_keys=foreign_keys or None)
    for sql in triggers:
        db.execute(sql)
