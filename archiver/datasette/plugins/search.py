"""The one-box search of an archive: /{database}/-/search?q=WORDS

Finds posts (by title and text) and comments (by author and text) with the archive's FTS5
indexes, best match first, each hit with its matched words highlighted and a link to its
place in the thread view. Every word is quoted before it reaches FTS5 (Datasette's own table
search does the same), so no input is an FTS5 syntax error: words are matched as words, and
words in double quotes as a phrase.
"""

import re
from urllib.parse import urlencode

from datasette import Response, hookimpl
from datasette.utils import escape_fts, tilde_decode
from datasette.utils.asgi import NotFound
from markupsafe import Markup, escape

PAGE_SIZE = 50
# Unicode noncharacters, which no page's text holds, mark the matched words in a snippet. The
# snippet is escaped first and only then are they turned into <mark> tags, so nothing stored
# in the archive is ever taken for markup.
MATCH_START, MATCH_END = "\ufdd0", "\ufdd1"
MARKED = re.compile(f"{MATCH_START}([^{MATCH_START}{MATCH_END}]*){MATCH_END}")
# Snippets are of the text, column 1 of both indexes: a title or an author's name that matched
# is on the page anyway.
SNIPPET_WORDS = 32

HITS_SQL = f"""
SELECT kind, post_id, comment_id, title, author, published_local, published_utc, removed_utc,
       snippet
FROM (
  SELECT 'post' AS kind, posts.id AS post_id, NULL AS comment_id, posts.title, posts.author,
         posts.published_local, posts.published_utc, posts.removed_utc,
         snippet(posts_fts, 1, :start, :end, '…', {SNIPPET_WORDS}) AS snippet,
         posts_fts.rank AS rank
  FROM posts_fts JOIN posts ON posts.id = posts_fts.rowid
  WHERE posts_fts MATCH :query
  UNION ALL
  SELECT 'comment', comments.post_id, comments.id, posts.title, comments.author,
         comments.published_local, comments.published_utc, comments.removed_utc,
         snippet(comments_fts, 1, :start, :end, '…', {SNIPPET_WORDS}), comments_fts.rank
  FROM comments_fts JOIN comments ON comments.id = comments_fts.rowid
    JOIN posts ON posts.id = comments.post_id
  WHERE comments_fts MATCH :query
)
ORDER BY rank, post_id, comment_id
LIMIT :limit OFFSET :offset
"""
COUNT_SQL = """
SELECT (SELECT count(*) FROM posts_fts WHERE posts_fts MATCH :query),
       (SELECT count(*) FROM comments_fts WHERE comments_fts MATCH :query)
"""


@hookimpl
def register_routes():
    return [(r"^/(?P<database>[^/]+)/-/search$", search_page)]


async def search_page(datasette, request):
    db = await searchable_database(datasette, request)
    words = request.args.get("q", "").strip()
    page = request.args.get("page", "")
    # Anything but a page number of up to six digits is the first page.
    offset = (int(page) - 1) * PAGE_SIZE if re.fullmatch("0*[1-9][0-9]{0,5}", page) else 0
    query = escape_fts(words)
    url = f"{datasette.urls.database(db.name)}/-/search"
    context = {"database": db.name, "search_url": url, "q": words, "page_size": PAGE_SIZE,
               "hits": [], "first": offset + 1, "next_url": None}
    if query:
        ((posts_found, comments_found),) = (await db.execute(COUNT_SQL, {"query": query})).rows
        rows = (await db.execute(HITS_SQL, {"query": query, "start": MATCH_START, "end": MATCH_END,
                                            "limit": PAGE_SIZE, "offset": offset})).rows
        last = offset + len(rows)
        context.update(hits=[hit(datasette, db.name, row) for row in rows], last=last,
                       posts_found=posts_found, comments_found=comments_found)
        if last < posts_found + comments_found:
            next_page = offset // PAGE_SIZE + 2
            context["next_url"] = f"{url}?{urlencode({'q': words, 'page': next_page})}"
    return Response.html(await datasette.render_template("archive_search.html", context, request=request))


async def searchable_database(datasette, request):
    """The database the URL names, once the actor may view its posts and comments, and only if
    it has the archive's full-text indexes."""
    try:
        db = datasette.get_database(route=tilde_decode(request.url_vars["database"]))
    except KeyError:
        raise NotFound("Database not found")
    for table in ("posts", "comments"):
        await datasette.ensure_permissions(request.actor, [
            ("view-table", (db.name, table)), ("view-database", db.name), "view-instance"])
    if not all([await db.table_exists("posts_fts"), await db.table_exists("comments_fts")]):
        raise NotFound("This database is not an archive: it has no full-text index of posts and comments")
    return db


def hit(datasette, database, row):
    thread = f"{datasette.urls.database(database)}/-/thread/{row['post_id']}"
    return {
        "kind": row["kind"],
        "url": thread if row["comment_id"] is None else f"{thread}#comment-{row['comment_id']}",
        "title": row["title"],
        "author": row["author"],
        "when": shown_time(row["published_local"], row["published_utc"]),
        "published_utc": row["published_utc"],
        "removed": row["removed_utc"] is not None,
        "snippet": highlighted(row["snippet"] or ""),
    }


def highlighted(snippet):
    """The snippet as HTML: its text escaped, the matched words in <mark>."""
    marked = MARKED.sub(r"<mark>\1</mark>", str(escape(snippet)))
    return Markup(marked.replace(MATCH_START, "").replace(MATCH_END, ""))


def shown_time(local, utc):
    """"2014-08-12 14:15" in the blog's time, else in UTC; a date alone when that is all."""
    if local:
        return local.replace("T", " ")[:16]
    if utc:
        return utc.replace("T", " ")[:16] + " UTC"
    return None
