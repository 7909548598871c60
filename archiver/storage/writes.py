"""How the archive is written: one BEGIN IMMEDIATE transaction at a time, rows upserted on
their stable keys, so that saving the same thing twice changes nothing, and statements that
repeat run as one batch."""

from __future__ import annotations

import contextlib
import functools
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


def upsert(db: Database, table: str, row: dict[str, Any], conflict: Sequence[str]) -> Any:
    """INSERT … ON CONFLICT DO UPDATE, returning the row's primary key: a non-null new value
    replaces the stored one, and a null never erases a known value."""
    columns = list(row)
    updates = ", ".join(f"[{c}] = coalesce(excluded.[{c}], [{table}].[{c}])"
                        for c in columns if c not in conflict)
    sql = (f"INSERT INTO [{table}] ({', '.join(f'[{c}]' for c in columns)}) "
           f"VALUES ({marks(columns)}) "
           f"ON CONFLICT ({', '.join(f'[{c}]' for c in conflict)}) DO UPDATE SET {updates} "
           f"RETURNING [{TABLES[table]['pk']}]")
    return db.execute(sql, [row[c] for c in columns]).fetchone()[0]


@functools.cache
def insert_sql(table: str, columns: tuple[str, ...]) -> str:
    """INSERT of one `table` row of these columns (made once: a save asks for it each row)."""
    return (f"INSERT INTO [{table}] ({', '.join(f'[{c}]' for c in columns)}) "
            f"VALUES ({marks(columns)})")


@functools.cache
def update_sql(table: str, columns: tuple[str, ...]) -> str:
    """UPDATE of these columns of the `table` row whose id is the last parameter (made once)."""
    return f"UPDATE [{table}] SET {', '.join(f'[{c}] = ?' for c in columns)} WHERE id = ?"


def iter_rows(db: Database, sql: str, params: Sequence[Any]) -> Iterator[dict[str, Any]]:
    """The rows a query finds, as {column: value}, one at a time as SQLite steps to them."""
    cursor = db.execute(sql, params)
    names = [column[0] for column in cursor.description]
    for found in cursor:
        yield dict(zip(names, found, strict=True))


def read_rows(db: Database, sql: str, params: Sequence[Any]) -> list[dict[str, Any]]:
    """The rows a query finds, as {column: value}."""
    return list(iter_rows(db, sql, params))


def read_row(db: Database, sql: str, params: Sequence[Any]) -> dict[str, Any] | None:
    """The first row a query finds, as {column: value}, or None."""
    found = read_rows(db, sql, params)
    return found[0] if found else None


class Batch:
    """Statements to run in the order given, each run of the same SQL one executemany: fewer
    round trips than a statement a row, and rows still get the ids they would one by one."""

    def __init__(self) -> None:
        self.runs: list[tuple[str, list[Sequence[Any]]]] = []

    def add(self, sql: str, params: Sequence[Any]) -> None:
        """Run `sql` with `params` after what is already in the batch."""
        if self.runs and self.runs[-1][0] == sql:
            self.runs[-1][1].append(params)
        else:
            self.runs.append((sql, [params]))

    def run(self, db: Database) -> None:
        """Run the statements, in order."""
        for sql, rows in self.runs:
            db.conn.executemany(sql, rows)
        self.runs.clear()
