"""Thread view links for canned queries: `:_thread_url`, the absolute address of the thread
view of the database the query runs on, and the SQL function `thread_path(site, url)`, a
post's place in it (archive.thread_path), so that a column built from them
(`:_thread_url || thread_path(p.site, p.url)`) is an address Datasette shows as a link,
whatever the database is called, the same in every archive of the post."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from datasette import hookimpl

from archiver.datasette.archive import requested_database, threads_url
from archiver.urls import thread_path

if TYPE_CHECKING:
    import sqlite3

    from datasette.app import Datasette
    from datasette.utils.asgi import Request


@hookimpl
def register_magic_parameters(datasette: Datasette) -> list[tuple[str, Callable[..., str]]]:
    def thread(key: str, request: Request) -> str:
        if key != "url":
            raise KeyError(key)
        database = requested_database(datasette, request).name
        return datasette.absolute_url(request, threads_url(datasette, database))

    return [("thread", thread)]


@hookimpl
def prepare_connection(conn: sqlite3.Connection) -> None:
    conn.create_function("thread_path", 2, sql_thread_path, deterministic=True)


def sql_thread_path(site: str | None, url: str | None) -> str | None:
    """thread_path in SQL: NULL for no post, as a left join leaves a row with none."""
    return None if site is None or url is None else thread_path(site, url)
