"""The one-box search of an archive: /{database}/-/search?q=WORDS

Finds posts (by title and text) and comments (by author and text) with the archive's FTS5
indexes, best match first, each hit with its matched words highlighted and a link to its
place in the thread view. Every word is quoted before it reaches FTS5 (Datasette's own table
search does the same), so no input is an FTS5 syntax error: words are matched as words, and
words in double quotes as a phrase.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from datasette import Response, hookimpl
from datasette.database import QueryInterrupted
from datasette.utils import escape_fts
from markupsafe import Markup, escape

from archiver.datasette.archive import archive_database, thread_url

if TYPE_CHECKING:
    from datasette.app import Datasette
    from datasette.database import Database
    from datasette.utils.asgi import Request

PAGE_SIZE = 50
# Unicode noncharacters, which no page's text holds, mark the matched words in a snippet. The
# snippet is escaped first and only then are they turned into <mark> tags, so nothing stored
# in the archive is ever taken for markup.
MATCH_START, MATCH_END = "\ufdd0", "\ufdd1"
MARKED = re.compile(f"{MATCH_START}([^{MATCH_START}{MATCH_END}]*){MATCH_END}")
# Snippets are of the text, column 1 of both indexes: a title or an author's name that matched
# is on the page anyway.
SNIPPET_WORDS = 32

# The page of hits is chosen from the indexes alone (rowid and rank), then joined to its rows
# and given snippets: CROSS JOIN keeps SQLite from making every match drive the join, which on a
# word found in half of a large archive costs seconds instead of a tenth of one.
HITS_SQL = f"""
WITH page AS (
  SELECT kind, id, rank FROM (
    SELECT 'post' AS kind, rowid AS id, rank FROM posts_fts WHERE posts_fts MATCH :query
    UNION ALL
    SELECT 'comment', rowid, rank FROM comments_fts WHERE comments_fts MATCH :query
  )
  ORDER BY rank, kind DESC, id LIMIT :limit OFFSET :offset
)
SELECT page.rank AS rank, page.kind AS kind, page.id AS id, posts.site AS site,
       posts.url AS post_url, NULL AS comment_key, posts.title, posts.author, posts.published_local,
       posts.published_utc, posts.removed_utc,
       snippet(posts_fts, 1, :start, :end, '…', {SNIPPET_WORDS}) AS snippet
FROM page CROSS JOIN posts_fts ON posts_fts.rowid = page.id JOIN posts ON posts.id = page.id
WHERE page.kind = 'post' AND posts_fts MATCH :query
UNION ALL
SELECT page.rank, page.kind, page.id, posts.site, posts.url, comments.comment_key, posts.title,
       comments.author, comments.published_local, comments.published_utc, comments.removed_utc,
       snippet(comments_fts, 1, :start, :end, '…', {SNIPPET_WORDS})
FROM page CROSS JOIN comments_fts ON comments_fts.rowid = page.id
  JOIN comments ON comments.id = page.id JOIN posts ON posts.id = comments.post_id
WHERE page.kind = 'comment' AND comments_fts MATCH :query
ORDER BY rank, kind DESC, id
"""
COUNT_SQL = """
SELECT (SELECT count(*) FROM posts_fts WHERE posts_fts MATCH :query),
       (SELECT count(*) FROM comments_fts WHERE comments_fts MATCH :query)
"""


@hookimpl
def register_routes() -> list[tuple[str, Callable[..., Any]]]:
    return [(r"^/(?P<database>[^/]+)/-/search$", search_page)]


async def search_page(datasette: Datasette, request: Request) -> Response:
    # The full-text indexes too: the search reads them.
    db = await archive_database(datasette, request,
                                "posts", "comments", "posts_fts", "comments_fts")
    words = request.args.get("q", "").strip()
    page = request.args.get("page", "")
    # Anything but a page number of up to six digits is the first page.
    offset = (int(page) - 1) * PAGE_SIZE if re.fullmatch("0*[1-9][0-9]{0,5}", page) else 0
    url = f"{datasette.urls.database(db.name)}/-/search"
    context: dict[str, Any] = {"database": db.name, "search_url": url, "q": words,
                               "page_size": PAGE_SIZE, "hits": [], "first": offset + 1,
                               "next_url": None}
    query = escape_fts(words)
    if query:
        try:
            context.update(await found(datasette, db, query, offset))
        except QueryInterrupted:
            context["time_limit_ms"] = datasette.setting("sql_time_limit_ms")
    if context.get("more"):
        context["next_url"] = f"{url}?{urlencode({'q': words, 'page': offset // PAGE_SIZE + 2})}"
    return Response.html(await datasette.render_template("archive_search.html", context,
                                                         request=request))


async def found(datasette: Datasette, db: Database, query: str,
                offset: int) -> dict[str, Any]:
    """The hits of the page that starts at `offset`, and how many posts and comments match."""
    ((posts_found, comments_found),) = (await db.execute(COUNT_SQL, {"query": query})).rows
    rows = (await db.execute(HITS_SQL, {"query": query, "start": MATCH_START, "end": MATCH_END,
                                        "limit": PAGE_SIZE, "offset": offset})).rows
    last = offset + len(rows)
    return {"hits": [hit(datasette, db.name, row) for row in rows], "last": last,
            "posts_found": posts_found, "comments_found": comments_found,
            "more": last < posts_found + comments_found}


def hit(datasette: Datasette, database: str, row: Any) -> dict[str, Any]:
    """One hit as the results page shows it."""
    return {
        "kind": row["kind"],
        "url": thread_url(datasette, database, row["site"], row["post_url"], row["comment_key"]),
        "title": row["title"],
        "author": row["author"],
        "when": shown_time(row["published_local"], row["published_utc"]),
        "published_utc": row["published_utc"],
        "removed": row["removed_utc"] is not None,
        "snippet": highlighted(row["snippet"] or ""),
    }


def highlighted(snippet: str) -> Markup:
    """The snippet as HTML: its text escaped, the matched words in <mark>."""
    marked = MARKED.sub(r"<mark>\1</mark>", str(escape(snippet)))
    return Markup(marked.replace(MATCH_START, "").replace(MATCH_END, ""))


def shown_time(local: str | None, utc: str | None) -> str | None:
    """"2014-08-12 14:15" in the blog's time, else in UTC; a date alone when that is all."""
    if local:
        return local.replace("T", " ")[:16]
    if utc:
        return utc.replace("T", " ")[:16] + " UTC"
    return None
