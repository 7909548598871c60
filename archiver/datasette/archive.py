"""What the archive's Datasette plugins share: the archive a request names, and the addresses
of its thread view and raw copies. Datasette loads each plugin file as a module of its own,
which no other can import, so what two of them need lives here."""

from __future__ import annotations

from typing import TYPE_CHECKING

from datasette.utils import tilde_decode
from datasette.utils.asgi import NotFound

if TYPE_CHECKING:
    from datasette.app import Datasette
    from datasette.database import Database
    from datasette.utils.asgi import Request


def requested_database(datasette: Datasette, request: Request) -> Database:
    """The database the URL's `database` part names; NotFound when none is served."""
    try:
        return datasette.get_database(route=tilde_decode(request.url_vars["database"]))
    except KeyError:
        raise NotFound("Database not found") from None


async def archive_database(datasette: Datasette, request: Request, *tables: str) -> Database:
    """The archive the URL names, once the actor may view each of `tables` in it: a database
    without them, served beside it, has no thread view or search."""
    db = requested_database(datasette, request)
    if not set(tables) <= set(await db.table_names()):
        raise NotFound("Not an archive")
    for table in tables:
        await datasette.ensure_permissions(request.actor, [
            ("view-table", (db.name, table)), ("view-database", db.name), "view-instance"])
    return db


def threads_url(datasette: Datasette, database: str) -> str:
    """The address the thread view of a post of `database` is its id appended to."""
    return f"{datasette.urls.database(database)}/-/thread/"


def thread_url(datasette: Datasette, database: str, post_id: int,
               comment_id: int | None = None) -> str:
    """The thread view of a post, at one of its comments when `comment_id` is given."""
    url = f"{threads_url(datasette, database)}{post_id}"
    return url if comment_id is None else f"{url}#comment-{comment_id}"


def raw_url(datasette: Datasette, database: str, page_id: int) -> str:
    """The address of a stored page's body, as text."""
    return f"{datasette.urls.database(database)}/-/raw/{page_id}"
