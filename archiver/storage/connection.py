"""Opening and closing the archive file."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from sqlite_utils import Database

from archiver.storage.migrations import migrate


def open_archive(path: str | Path) -> Database:
    """The archive at `path`, created or migrated, in WAL mode with foreign keys on."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(str(path), isolation_level=None, timeout=30)
    db = Database(conn)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=NORMAL")
    # Foreign keys go on only once migrated: a step that rebuilds a table drops the old copy,
    # which SQLite refuses while they are on and rows elsewhere refer to it.
    migrate(db)
    db.execute("PRAGMA foreign_keys=ON")
    return db


def open_read_only(path: str | Path) -> Database | None:
    """The archive at `path` for reading only, as it is (not migrated); None if there is none."""
    path = Path(path)
    if not path.is_file():
        return None
    # As a URI, so that a name with "?", "#" or "%" in it is still a file name.
    conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, timeout=30)
    return Database(conn)


def close_archive(db: Database) -> None:
    """Fold the WAL back into the database file, so it does not grow run after run."""
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.close()
