"""How the archive is written: one BEGIN IMMEDIATE transaction at a time, rows upserted on
their stable keys, so that saving the same thing twice changes nothing."""

from __future__ import annotations

import contextlib
from collections.abc import Collection, Iterator, Sequence
from typing import Any

from sqlite_utils import Database

from archiver.storage.schema import TABLES


@contextlib.contextmanager
def transaction(db: Database) -> Iterator[Database]:
    """One write transaction, taken with BEGIN IMMEDIATE so it never fails half-way on a lock."""
    db.execute("BEGIN IMMEDIATE")
    try:
        yield db
    except BaseException:
        db.execute("ROLLBACK")
        raise
    db.execute("COMMIT")


def marks(values: Collection[object]) -> str:
    """The `?` placeholders of an SQL list of `values`."""
    return ", ".join("?" for _ in values)


def upsert(db: Database, table: str, row: dict[str, Any], conflict: Sequence[str], prefer: str,
           reverse: Collection[str] = (), returning: Sequence[str] | None = None) -> Any:
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
           f"VALUES ({marks(columns)}) "
           f"ON CONFLICT ({', '.join(f'[{c}]' for c in conflict)}) DO UPDATE SET {updates} "
           f"RETURNING {', '.join(f'[{c}]' for c in returning or [pk])}")
    found = db.execute(sql, [row[c] for c in columns]).fetchone()
    return tuple(found) if returning else found[0]
