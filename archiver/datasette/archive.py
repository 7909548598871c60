"""What the archive's Datasette plugins share: the archive a request names, and the addresses
of its thread view and raw copies. Datasette loads each plugin file as a module of its own,
which no other can import, so what two of them need lives here.

A post's thread view is addressed by the post's key, its site and URL, never by its id: ids
are given in the order a crawl happens to save posts, so the same post has other ids in
another archive, or after `archiver merge`, while its key is the same everywhere.

    /{database}/-/thread/{site}{the URL's path and query}#comment-{the comment's key}
    /archive/-/thread/blog.example/2014/08/12/a-post/#comment-7
"""

from __future__ import annotations

import re
import weakref
from typing import TYPE_CHECKING
from urllib.parse import quote, unquote

from datasette.utils import tilde_decode
from datasette.utils.asgi import NotFound
from markupsafe import Markup

from archiver.clean import sanitize_html
from archiver.urls import PATH_SAFE, comment_fragment, thread_path

if TYPE_CHECKING:
    from datasette.app import Datasette
    from datasette.database import Database
    from datasette.utils.asgi import Request


# The names of the archives each Datasette serves, found at start-up (plugins/archive_metadata.py):
# the plugin changes only their pages, never those of another database served beside them.
served_archives: weakref.WeakKeyDictionary[Datasette, set[str]] = weakref.WeakKeyDictionary()


def is_archive(datasette: Datasette, database: str | None) -> bool:
    """Whether `database` is an archive the archiver made, served by `datasette`."""
    return database in served_archives.get(datasette, set())


async def made_by_archiver(db: Database) -> bool:
    """Whether the archiver made `db`: it records its schema migrations in it."""
    if not await db.table_exists("_sqlite_migrations"):
        return False
    found = await db.execute("SELECT 1 FROM _sqlite_migrations "
                             "WHERE migration_set = 'archiver' LIMIT 1")
    return bool(found.rows)


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
    """The address the thread view of a post of `database` is its `thread_path` appended to."""
    return f"{datasette.urls.database(database)}/-/thread/"


def post_urls(site: str, rest: str) -> list[str]:
    """The URLs a post of `site` whose `thread_path` ends in `rest` may have: `rest` as asked
    for, with only `?` and `#` unescaped, or wholly unescaped, or escaped again with upper or
    lower case hex (a browser escapes what a user typed, `✊` as `%E2%9C%8A`, where the blog
    may have written `%e2%9c%8a`), each under http and https; and `rest` as a whole URL."""
    plain = unquote(rest)
    escaped = quote(plain, safe=PATH_SAFE.replace("%", "") + "?")
    rests = dict.fromkeys([
        rest, rest.replace("%3F", "?").replace("%3f", "?").replace("%23", "#"), plain,
        escaped, re.sub("%[0-9A-F]{2}", lambda escape: escape[0].lower(), escaped)])
    urls = [f"{scheme}://{site}{path}" for path in rests for scheme in ("https", "http")]
    return urls + [path[1:] for path in rests if "://" in path]


def thread_url(datasette: Datasette, database: str, site: str, url: str,
               comment_key: str | None = None) -> str:
    """The thread view of the post with key (`site`, `url`), at one of its comments when
    `comment_key` is given."""
    address = f"{threads_url(datasette, database)}{thread_path(site, url)}"
    if comment_key is None:
        return address
    return address + comment_fragment(comment_key)


def raw_url(datasette: Datasette, database: str, page_id: int) -> str:
    """The address of a stored page's body, as text."""
    return f"{datasette.urls.database(database)}/-/raw/{page_id}"


def render_html(fragment: str | None) -> Markup:
    """Archived HTML sanitised now with the archiver's rules, and only then marked safe."""
    return Markup(sanitize_html(fragment or ""))
