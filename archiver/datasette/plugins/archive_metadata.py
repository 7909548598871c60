"""The archive's metadata (titles, descriptions, facets, sort orders, canned queries) for every
archive Datasette serves, whatever its file is called, and a search box on its page and on
the index page.

Datasette keys that metadata by database name, which is the file's stem, and metadata.yml
writes it for the default archive, data/archive.db. Every database the archiver made (its
migrations are recorded in `_sqlite_migrations`) gets the same block here.
"""

from __future__ import annotations

import copy
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml
from datasette import hookimpl
from markupsafe import Markup

from archiver.datasette.archive import made_by_archiver, served_archives

if TYPE_CHECKING:
    from datasette.app import Datasette

METADATA = Path(__file__).resolve().parent.parent / "metadata.yml"
SHIPPED = yaml.safe_load(METADATA.read_text(encoding="utf-8"))
ARCHIVE = SHIPPED["databases"]["archive"]
SEARCH_BOX = Markup(
    '<form class="archive-search" action="{action}" method="get">'
    '<input type="search" name="q" aria-label="Words to search for in {database}" required> '
    '<input type="submit" value="Search posts and comments"></form>')
# What an archive's page offers first, after its search box: its posts and their comments.
BROWSE = Markup(
    '<p class="archive-browse">Or browse the <a href="{posts}">posts</a>, newest first (a '
    'title opens its thread), and the <a href="{comments}">comments</a>.</p>')


@hookimpl
def startup(datasette: Datasette) -> Callable[[], Awaitable[None]]:
    async def find_archives() -> None:
        served_archives[datasette] = {name for name, db in datasette.databases.items()
                                      if await made_by_archiver(db)}

    return find_archives


@hookimpl
def get_metadata(datasette: Datasette) -> dict[str, Any]:
    names = sorted(served_archives.get(datasette, set()))
    if not names:
        return {}
    # A copy each time: Datasette merges other metadata into what it is given, in place.
    return {"description_html": index_description(datasette, names),
            "databases": {name: archive_metadata(datasette, name) for name in names}}


def search_box(datasette: Datasette, database: str) -> Markup:
    return SEARCH_BOX.format(action=f"{datasette.urls.database(database)}/-/search",
                             database=database)


def index_description(datasette: Datasette, names: list[str]) -> str:
    """The index page's text: what an archive holds, and a search box for each archive; with
    more than one, each box under its archive's name."""
    boxes = [search_box(datasette, name) if len(names) == 1 else
             Markup('<h2 class="archive-name">{}</h2>').format(name) + search_box(datasette, name)
             for name in names]
    return str(Markup("<p>{}</p>").format(SHIPPED["description"]) + Markup("").join(boxes))


def archive_metadata(datasette: Datasette, database: str) -> dict[str, Any]:
    description = (Markup("<p>{}</p>").format(ARCHIVE["description"])
                   + search_box(datasette, database)
                   + BROWSE.format(posts=datasette.urls.table(database, "posts"),
                                 comments=datasette.urls.table(database, "comments")))
    return {**copy.deepcopy(ARCHIVE), "description_html": str(description)}
