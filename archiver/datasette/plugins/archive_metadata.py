"""The archive's metadata (titles, descriptions, facets, sort orders, canned queries) for every
archive Datasette serves, whatever its file is called, and a search box on its page.

Datasette keys that metadata by database name, which is the file's stem, and metadata.yml
writes it for the default archive, data/archive.db. Every database the archiver made (its
migrations are recorded in `_sqlite_migrations`) gets the same block here.
"""

from __future__ import annotations

import copy
import weakref
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml
from datasette import hookimpl
from markupsafe import Markup

if TYPE_CHECKING:
    from datasette.app import Datasette
    from datasette.database import Database

METADATA = Path(__file__).resolve().parent.parent / "metadata.yml"
ARCHIVE = yaml.safe_load(METADATA.read_text(encoding="utf-8"))["databases"]["archive"]
SEARCH_BOX = Markup(
    '<p>{description}</p>'
    '<form class="archive-search" action="{action}" method="get">'
    '<input type="search" name="q" aria-label="Words to search for" required> '
    '<input type="submit" value="Search posts and comments"></form>')

# The metadata of each served archive, by database name, found at start-up.
_archives: weakref.WeakKeyDictionary[Datasette, dict[str, Any]] = weakref.WeakKeyDictionary()


@hookimpl
def startup(datasette: Datasette) -> Callable[[], Awaitable[None]]:
    async def find_archives() -> None:
        _archives[datasette] = {name: archive_metadata(datasette, name)
                                for name, db in datasette.databases.items()
                                if await made_by_archiver(db)}

    return find_archives


@hookimpl
def get_metadata(datasette: Datasette) -> dict[str, Any]:
    # A copy each time: Datasette merges other metadata into what it is given, in place.
    return {"databases": copy.deepcopy(_archives.get(datasette, {}))}


async def made_by_archiver(db: Database) -> bool:
    if not await db.table_exists("_sqlite_migrations"):
        return False
    found = await db.execute("SELECT 1 FROM _sqlite_migrations "
                             "WHERE migration_set = 'archiver' LIMIT 1")
    return bool(found.rows)


def archive_metadata(datasette: Datasette, database: str) -> dict[str, Any]:
    search_box = SEARCH_BOX.format(description=ARCHIVE["description"],
                                   action=f"{datasette.urls.database(database)}/-/search")
    return {**ARCHIVE, "description_html": str(search_box)}
