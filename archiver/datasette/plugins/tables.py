"""An archive's table, row, query and database pages with their rows first.

A table page's column descriptions are folded away under its description, a text too long
for a table cell is kept to a few lines there (whole on a row page: archive.css), archived
HTML is rendered safely, a post's title opens its thread view and a comment's position in
its thread opens it there, as a link on a post's or a comment's own page does. A canned
query's post titles open their threads, and its `thread` column (the address, whole in JSON
and CSV) is a short link. The database page lists the posts first, which its SQL box then
starts from.

Only an archive's pages change: other databases served beside it keep Datasette's own.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from datasette import hookimpl
from datasette.utils import urlsafe_components
from markupsafe import Markup

from archiver.datasette.archive import is_archive, render_html, thread_url

if TYPE_CHECKING:
    from datasette.app import Datasette
    from datasette.utils.asgi import Request

# The tables whose body_html Datasette's table and row pages show rendered. Chosen by table,
# never by column name alone: any SQL query can alias any text to `body_html`.
RENDERED_HTML_TABLES = {"posts", "comments", "post_versions", "comment_versions"}
# The database page lists these first, in this order, and the others after them.
TABLE_ORDER = ("posts", "comments", "links", "crawls", "sites", "pages", "post_versions",
               "comment_versions")
# A text longer than this is folded to a few lines in a table cell: a body, a page's headers,
# a crawl's stats. A crawl's summary line in last_crawl is shorter.
LONG_TEXT = 200
# The columns of a canned query that name a post, linked to its thread view when the row
# has its address, in `thread`.
POST_TITLE_COLUMNS = {"post", "title"}
COMMENT_PLACE_SQL = """
SELECT posts.site, posts.url, comments.comment_key
FROM comments JOIN posts ON posts.id = comments.post_id WHERE comments.id = ?
"""
# A post's or a comment's own page links to its thread view: the key of its place there, and
# the link's text.
THREAD_LINKS = {
    "posts": ("SELECT site, url, NULL FROM posts WHERE id = ?", "This post's thread"),
    "comments": (COMMENT_PLACE_SQL, "This comment in its thread"),
}


@hookimpl
def extra_template_vars(template: str, database: str | None, table: str | None,
                        request: Request | None, datasette: Datasette
                        ) -> dict[str, Any] | Callable[[], Awaitable[dict[str, Any]]]:
    if not is_archive(datasette, database) or database is None:
        return {}
    if template == "database.html":
        return {"archive_tables_first": archive_tables_first}
    if template == "table.html" and table:
        return folded_column_descriptions(datasette, database, table)
    if template == "row.html" and table in THREAD_LINKS and request is not None:
        return row_thread_link(datasette, database, table, request)
    return {}


def archive_tables_first(tables: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The database page's tables, the archive's own first, in TABLE_ORDER."""
    def place(table: dict[str, Any]) -> tuple[int, str]:
        name = table["name"]
        return (TABLE_ORDER.index(name) if name in TABLE_ORDER else len(TABLE_ORDER), name)

    return sorted(tables, key=place)


def table_metadata(datasette: Datasette, database: str, table: str) -> dict[str, Any]:
    """A copy of the metadata of `table` of `database`, as Datasette holds it."""
    databases = datasette.metadata("databases") or {}
    return dict((databases.get(database) or {}).get("tables", {}).get(table) or {})


def folded_column_descriptions(datasette: Datasette, database: str,
                               table: str) -> dict[str, Any]:
    """The table page's metadata with its column descriptions, and its data's source, under
    its description in a <details> left closed, where Datasette shows them above the rows."""
    metadata = table_metadata(datasette, database, table)
    columns = metadata.pop("columns", None)
    if not columns:
        return {}
    description = (Markup(metadata["description_html"]) if metadata.get("description_html")
                   else Markup("<p>{}</p>").format(metadata.get("description") or ""))
    source = metadata.pop("source", None)
    listed = Markup("").join(Markup("<dt>{}</dt><dd>{}</dd>").format(name, meaning)
                             for name, meaning in columns.items())
    folded = Markup('<details class="archive-columns"><summary>What each column holds</summary>'
                    '{}<dl class="column-descriptions">{}</dl></details>').format(
        Markup("<p>Data source: {}</p>").format(source) if source else "", listed)
    return {"metadata": {**metadata, "description_html": description + folded}}


def row_thread_link(datasette: Datasette, database: str, table: str,
                    request: Request) -> Callable[[], Awaitable[dict[str, Any]]]:
    """A post's or a comment's own page, with a link to its thread view under its table's
    description."""
    async def linked() -> dict[str, Any]:
        (row_id,) = urlsafe_components(request.url_vars["pks"])
        found = (await datasette.get_database(database).execute(
            THREAD_LINKS[table][0], [row_id])).rows
        if not found:
            return {}
        metadata = table_metadata(datasette, database, table)
        site, url, comment_key = found[0]
        link = Markup('<p class="archive-thread-link"><a href="{}">{}</a></p>').format(
            thread_url(datasette, database, site, url, comment_key), THREAD_LINKS[table][1])
        description = Markup("<p>{}</p>").format(metadata.get("description") or "")
        return {"metadata": {**metadata, "description_html": description + link}}

    return linked


@hookimpl
def render_cell(row: Any, value: Any, column: str, table: str | None, database: str,
                datasette: Datasette) -> Markup | Callable[[], Awaitable[Markup]] | None:
    if not is_archive(datasette, database):
        return None
    if table is None:
        linked = query_link(row, value, column)
        if linked is not None:
            return linked
    elif column == "body_html" and table in RENDERED_HTML_TABLES and isinstance(value, str):
        return Markup('<div class="archived-html">{}</div>').format(render_html(value))
    elif table == "posts" and column == "title" and {"site", "url"} <= set(row.keys()):
        return Markup('<a class="archive-title" href="{}" title="the thread view">{}</a>').format(
            thread_url(datasette, database, plain(row["site"]), row["url"]),
            value or "(no title)")
    elif table == "comments" and column == "position" and value is not None:
        return comment_place(datasette, database, row["id"], value)
    if isinstance(value, str) and len(value) > LONG_TEXT and not is_address(value):
        return Markup('<div class="archive-long-text">{}</div>').format(value)
    return None


def query_link(row: Any, value: Any, column: str) -> Markup | None:
    """In a canned query's row with a `thread` address: the post's title linked to it, the
    address as a short link, which says whether it leads to a comment or to a post, and a
    comment's permalink as a short link to the blog."""
    keys = set(row.keys())
    address = row["thread"] if "thread" in keys else None
    # Any SQL may name a column `thread`: only a web address is linked, never `javascript:`.
    if not (isinstance(address, str) and is_address(address) and "/-/thread/" in address):
        return None
    if column in POST_TITLE_COLUMNS and value is not None:
        return Markup('<a href="{}" title="its thread view">{}</a>').format(address, value)
    if column == "thread":
        label = "comment in thread" if "#" in address else "thread"
        return Markup('<a class="thread-link" href="{}" title="{}">{}</a>').format(
            address, address, label)
    if column == "permalink" and isinstance(value, str) and is_address(value):
        return Markup('<a href="{}" rel="nofollow noopener noreferrer" title="{}">on the blog'
                      '</a>').format(value, value)
    return None


def comment_place(datasette: Datasette, database: str, comment_id: Any,
                  position: Any) -> Callable[[], Awaitable[Markup]]:
    """A comment's position in its thread, linked to the comment in its thread view."""
    async def linked() -> Markup:
        found = (await datasette.get_database(database).execute(
            COMMENT_PLACE_SQL, [plain(comment_id)])).rows
        if not found:
            return Markup("{}").format(position)
        site, url, comment_key = found[0]
        return Markup('<a href="{}" title="this comment in its thread view">{}</a>').format(
            thread_url(datasette, database, site, url, comment_key), position)

    return linked


def plain(value: Any) -> Any:
    """A cell's value: a table page gives a foreign key with its label, {"value", "label"}."""
    return value["value"] if isinstance(value, dict) else value


def is_address(text: str) -> bool:
    """A URL Datasette shows as a link by itself, shortened."""
    return text.startswith(("http://", "https://")) and not any(c.isspace() for c in text)

