"""Opening and closing the archive file, and telling an archive from any other file."""

from __future__ import annotations

import contextlib
import sqlite3
from pathlib import Path

from sqlite_utils import Database

from archiver.storage.migrations import is_archive, migrate, unknown_steps

# What every SQLite database file starts with.
SQLITE_HEADER = b"SQLite format 3\x00"


class NotAnArchive(Exception):
    """A file the archiver must not write to or read as an archive: not an SQLite database,
    another program's database, or an archive of a newer schema than this code knows."""


def check_archive(path: str | Path) -> None:
    """Raise NotAnArchive unless the file at `path` is an archive this code knows or nothing yet
    (no file, an empty one, or a database without tables). It only reads the file."""
    path = Path(path)
    if not path.is_file() or path.stat().st_size == 0:
        return
    with path.open("rb") as file:
        if file.read(len(SQLITE_HEADER)) != SQLITE_HEADER:
            raise NotAnArchive(f"{path} is not an archive: not an SQLite database")
    db = open_read_only(path)
    assert db is not None
    try:
        with contextlib.closing(db.conn):
            tables = db.table_names()
            ours = is_archive(db)
            newer = unknown_steps(db)
    except sqlite3.OperationalError:  # locked, unreadable: no judgement on what it is
        raise
    except sqlite3.DatabaseError as error:
        raise NotAnArchive(f"{path} is not an archive: not a sound SQLite database ({error})"
                           ) from None
    if tables and not ours:
        raise NotAnArchive(f"{path} is not an archive: it holds another program's tables "
                           f"({', '.join(sorted(tables)[:5])})")
    if newer:
        raise NotAnArchive(f"{path} is an archive of a newer schema than this archiver knows "
                           f"({', '.join(newer)}): upgrade thread-archiver to use it")


def open_archive(path: str | Path) -> Database:
    """The archive at `path`, created or migrated, in WAL mode with foreign keys on; a file
    that is no archive of ours (NotAnArchive) is left as it is."""
    path = Path(path)
    check_archive(path)
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
