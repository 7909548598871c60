"""`:_thread_url` for canned queries: the absolute address of the thread view of the database
the query runs on, so that a column built from it (`:_thread_url || post_id`) is an address
Datasette shows as a link, whatever the database is called."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from datasette import hookimpl

from archiver.datasette.archive import requested_database, threads_url

if TYPE_CHECKING:
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
