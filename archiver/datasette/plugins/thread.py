"""The thread view of an archived post and the raw copy of a stored page.

    /{database}/-/thread/{site}/{path}   the post and its comments as a nested conversation
    /{database}/-/thread/{post_id}       a redirect to the address above (see archive.py)
    /{database}/-/raw/{page_id}          a stored page's body as text/plain, never as HTML

Archived HTML was sanitised when written, but an archive made by an older version or
imported may hold anything: it is sanitised again here, with the archiver's own rules,
before it is marked safe for Jinja. Every other stored value is escaped.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote, urldefrag, urlencode

from datasette import Response, hookimpl
from datasette.utils.asgi import NotFound

from archiver.clean import safe_link
from archiver.datasette.archive import (
    archive_database,
    is_archive,
    post_urls,
    raw_url,
    render_html,
    thread_url,
)
from archiver.storage import read_page_body
from archiver.urls import comment_anchor

if TYPE_CHECKING:
    from datasette.app import Datasette
    from datasette.utils.asgi import Request

# A row as the view shows it: a database row made a dict, with what the template reads added.
Record = dict[str, Any]

ARCHIVE_CSS = "/-/static-plugins/thread-archiver/archive.css"
# Replies deeper than this are shown in their parent's list, with a link to it: the page stays
# readable on a narrow screen, and a hostile chain thousands deep cannot exhaust the recursion
# of the template. WordPress itself nests at most ten deep.
MAX_NESTING = 10

POST_SQL = """
SELECT posts.id, posts.site, posts.url, posts.title, posts.author, posts.published_shown,
       posts.published_local, posts.published_utc, posts.categories, posts.tags,
       posts.body_html, posts.edited_utc, posts.removed_utc, posts.removed_by_crawl,
       sites.timezone
FROM posts LEFT JOIN sites ON sites.site = posts.site
"""
COMMENTS_SQL = """
SELECT id, comment_key, parent_id, parent_platform_id, position, comment_page, type, author,
       author_url, permalink, published_shown, published_local, published_utc, body_html, source,
       edited_utc, removed_utc, removed_by_crawl
FROM comments WHERE post_id = :post_id ORDER BY position, id
"""
POST_LINKS_SQL = """
SELECT url, text, domain FROM links
WHERE post_id = :post_id AND comment_id IS NULL ORDER BY position
"""
COMMENT_VERSIONS_SQL = """
SELECT comment_versions.comment_id, comment_versions.version, comment_versions.author,
       comment_versions.body_html, comment_versions.first_seen_utc,
       comment_versions.last_seen_utc, comment_versions.replaced_utc
FROM comment_versions JOIN comments ON comments.id = comment_versions.comment_id
WHERE comments.post_id = :post_id ORDER BY comment_versions.comment_id, comment_versions.version
"""
POST_VERSIONS_SQL = """
SELECT version, title, body_html, first_seen_utc, last_seen_utc, replaced_utc
FROM post_versions WHERE post_id = :post_id ORDER BY version
"""
# The stored pages of the thread: its post and comment pages, and its other sources.
PAGES_SQL = """
SELECT id, url, role FROM pages WHERE post_id = :post_id OR url = :url ORDER BY id
"""


@hookimpl
def register_routes() -> list[tuple[str, Callable[..., Any]]]:
    return [
        (r"^/(?P<database>[^/]+)/-/thread/(?P<post_id>[0-9]+)$", thread_by_id),
        (r"^/(?P<database>[^/]+)/-/thread/(?P<site>[^/]+)(?P<path>/.*)?$", thread_view),
        (r"^/(?P<database>[^/]+)/-/raw/(?P<page_id>[0-9]+)$", raw_page),
    ]


@hookimpl
def extra_css_urls(database: str | None, datasette: Datasette) -> list[str]:
    # The index page has a search box; another database served beside an archive keeps
    # Datasette's own look.
    return [ARCHIVE_CSS] if database is None or is_archive(datasette, database) else []


async def thread_by_id(datasette: Datasette, request: Request) -> Response:
    """The thread view's address of old, by post id, sent on to the one by key. Temporarily
    (302): an id names another post in another archive, or after a merge."""
    db = await archive_database(datasette, request, "posts", "comments", "links", "pages")
    found = (await db.execute("SELECT site, url FROM posts WHERE id = ?",
                              [int(request.url_vars["post_id"])])).rows
    if not found:
        raise NotFound("No post with that id in this archive")
    return Response.redirect(thread_url(datasette, db.name, found[0]["site"], found[0]["url"]))


async def thread_view(datasette: Datasette, request: Request) -> Response:
    db = await archive_database(datasette, request, "posts", "comments", "links", "pages")
    # Datasette routes on the path as sent, escapes and all: post_urls undoes them.
    site = unquote(request.url_vars["site"])
    urls = post_urls(site, request.url_vars["path"] or "")
    # Of an http and an https URL of the same path, both archived, the https one.
    found = (await db.execute(
        f"{POST_SQL} WHERE posts.site = ? AND posts.url IN ({', '.join('?' * len(urls))}) "
        "ORDER BY posts.url DESC LIMIT 1", [site, *urls])).rows
    if not found:
        raise NotFound("No post at that address in this archive")
    post = dict(found[0])
    params = {"post_id": post["id"], "url": post["url"]}
    comments = [dict(row) for row in (await db.execute(COMMENTS_SQL, params)).rows]
    post_links = [dict(row) for row in (await db.execute(POST_LINKS_SQL, params)).rows]
    comment_versions = (await db.execute(COMMENT_VERSIONS_SQL, params)).rows
    post_versions = (await db.execute(POST_VERSIONS_SQL, params)).rows
    pages = (await db.execute(PAGES_SQL, params)).rows

    database = db.name
    raw_urls = {page["url"]: raw_url(datasette, database, page["id"]) for page in pages}
    copies = stored_copies(comments, pages, post["url"])
    versions_of: dict[int, list[Record]] = {}
    for version in comment_versions:
        versions_of.setdefault(version["comment_id"], []).append(shown_version(version))
    zone = post["timezone"]
    for comment in comments:
        comment.update(
            anchor=comment_anchor(comment["comment_key"]),
            author_url=linkable(comment["author_url"]),
            permalink=linkable(comment["permalink"]),
            author_comments_url=author_comments_url(datasette, database, comment["author"]),
            when=shown_time(comment, zone),
            body=render_html(comment["body_html"]),
            versions=versions_of.get(comment["id"], []),
            removed=shown_removal(datasette, database, comment),
            edited=utc_time(comment["edited_utc"]),
            raw_url=raw_urls.get(copies[comment["id"]]),
        )
    post.update(
        when=shown_time(post, zone),
        original_url=linkable(post["url"]),
        raw_url=raw_urls.get(post["url"]),
        row_url=datasette.urls.row(database, "posts", str(post["id"])),
        categories=json_list(post["categories"]),
        tags=json_list(post["tags"]),
        body=render_html(post["body_html"]),
        links=[{**link, "url": linkable(link["url"])} for link in post_links],
        versions=[shown_version(version) for version in post_versions],
        removed=shown_removal(datasette, database, post),
        edited=utc_time(post["edited_utc"]),
    )
    return Response.html(await datasette.render_template("thread.html", {
        "database": database,
        "post": post,
        "comments": nest(comments),
        "comment_total": len(comments),
        "link_backs": {kind: count for kind in ("pingback", "trackback")
                       if (count := sum(comment["type"] == kind for comment in comments))},
    }, request=request))


def stored_copies(comments: list[Record], pages: Iterable[Mapping[str, Any]],
                  post_url: str) -> dict[int, str | None]:
    """{comment id: the URL of the stored page that showed it, or None}: the page its permalink
    names, else the one that showed the other comments of its comment page, else the post's
    own page; for a comment only a feed or an API gave, that source's page."""
    stored = {page["url"] for page in pages}
    by_permalink = {comment["id"]: url for comment in comments
                    if (url := urldefrag(comment["permalink"] or "")[0]) in stored}
    by_comment_page = {comment["comment_page"]: by_permalink[comment["id"]] for comment in comments
                       if comment["id"] in by_permalink and comment["comment_page"] is not None}
    post_page = post_url if post_url in stored else None
    other_source = next((page["url"] for page in pages if page["role"] == "comments"), None)
    return {comment["id"]: by_permalink.get(comment["id"])
            or by_comment_page.get(comment["comment_page"])
            or (post_page if comment["source"] == "html" else other_source)
            for comment in comments}


async def raw_page(datasette: Datasette, request: Request) -> Response:
    db = await archive_database(datasette, request, "pages")
    found = (await db.execute("SELECT body, encoding FROM pages WHERE id = ?",
                              [int(request.url_vars["page_id"])])).rows
    if not found:
        raise NotFound("No page with that id in this archive")
    body = read_page_body(found[0])
    try:
        text = body.decode(found[0]["encoding"] or "utf-8", errors="replace")
    except LookupError:
        text = body.decode("utf-8", errors="replace")
    # A stored page is the blog's HTML, scripts and all: served as text, never sniffed as
    # HTML, and sandboxed should a browser render it anyway.
    return Response.text(text, headers={"X-Content-Type-Options": "nosniff",
                                        "Content-Security-Policy": "sandbox"})


def nest(comments: list[Record]) -> list[Record]:
    """The comments as a conversation: top-level ones in thread order, each reply in its
    parent's `replies`. A reply whose parent is not archived, or that a cycle in hostile data
    leaves without a top, is top level; one deeper than MAX_NESTING goes in its parent's own
    list. A reply shown outside its parent's list gets `reply_to`, the parent."""
    by_id = {comment["id"]: comment for comment in comments}
    levels = nesting_levels({comment["id"]: comment["parent_id"] for comment in comments})
    for comment in comments:
        replying = comment["parent_id"] is not None or comment["parent_platform_id"] is not None
        comment.update(replies=[], reply_to=None, level=min(levels[comment["id"]], MAX_NESTING),
                       parent_missing=replying and comment["parent_id"] not in by_id)
    top: list[Record] = []
    home: dict[int, list[Record]] = {}  # id -> the list a comment is shown in
    for comment in sorted(comments, key=lambda comment: levels[comment["id"]]):
        level = levels[comment["id"]]
        parent = by_id.get(comment["parent_id"])
        if level == 1 or parent is None:  # a reply's level is its parent's plus one
            home[comment["id"]] = top
        elif level <= MAX_NESTING:
            home[comment["id"]] = parent["replies"]
        else:
            home[comment["id"]] = home[parent["id"]]
        if parent is not None and home[comment["id"]] is not parent["replies"]:
            comment["reply_to"] = parent
    for comment in comments:
        home[comment["id"]].append(comment)
    return top


def nesting_levels(parents: Mapping[int, int | None]) -> dict[int, int]:
    """{id: 1 for top level, 2 for a reply, …} from {id: parent id or None}."""
    levels: dict[int, int] = {}
    for start in parents:
        path: list[int] = []
        on_path: set[int] = set()
        node: int | None = start
        while node is not None and node not in levels and node not in on_path:
            path.append(node)
            on_path.add(node)
            node = parents[node] if parents[node] in parents else None
        # Reached a top-level comment, a known level, or a cycle: the cycle is cut where the
        # walk met it again, so its last comment walked is top level.
        base = levels[node] if node in levels else 0
        for depth, node in enumerate(reversed(path), start=base + 1):
            levels[node] = depth
    return levels


def linkable(url: str | None) -> str | None:
    """`url` trimmed, when the archiver's rule for a stored link (clean.safe_link) keeps it:
    never a javascript: or data: link, whatever an older archive or an import holds."""
    return safe_link((url or "").strip())


def author_comments_url(datasette: Datasette, database: str, author: str | None) -> str | None:
    if not author:
        return None
    return f"{datasette.urls.table(database, 'comments')}?{urlencode({'author': author})}"


def shown_time(record: Mapping[str, Any], zone: str | None) -> dict[str, str | None]:
    return {"shown": record["published_shown"], "local": local_time(record["published_local"]),
            "zone": zone, "utc": utc_time(record["published_utc"]),
            "utc_iso": record["published_utc"]}


def shown_removal(datasette: Datasette, database: str,
                  record: Mapping[str, Any]) -> dict[str, Any] | None:
    if record["removed_utc"] is None:
        return None
    crawl = record["removed_by_crawl"]
    return {"utc": utc_time(record["removed_utc"]), "crawl": crawl,
            "crawl_url": datasette.urls.row(database, "crawls", str(crawl)) if crawl else None}


def shown_version(row: Any) -> Record:
    """An earlier text of a post (with its title) or of a comment (with its author)."""
    version = dict(row)
    return {"version": version["version"], "title": version.get("title"),
            "author": version.get("author"), "body": render_html(version["body_html"]),
            "first_seen": utc_time(version["first_seen_utc"]),
            "last_seen": utc_time(version["last_seen_utc"]),
            "replaced": utc_time(version["replaced_utc"])}


def local_time(iso: str | None) -> str | None:
    """'2014-08-13T17:02:00+01:00' as '2014-08-13 17:02 +01:00' (seconds when not zero); a
    date alone, or what is no ISO time, as it is."""
    moment = parse_time(iso)
    if iso is None or moment is None or "T" not in iso:
        return iso
    offset = moment.utcoffset()
    if offset is None:
        return clock(moment)
    minutes = int(offset.total_seconds()) // 60
    sign = "-" if minutes < 0 else "+"
    return f"{clock(moment)} {sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"


def utc_time(iso: str | None) -> str | None:
    """'2014-08-13T16:02:00Z' as '2014-08-13 16:02 UTC'."""
    moment = parse_time(iso)
    if moment is None or moment.utcoffset() is None:
        return iso
    return f"{clock(moment.astimezone(UTC))} UTC"


def parse_time(iso: str | None) -> datetime | None:
    if iso is None:
        return None
    try:
        return datetime.fromisoformat(iso)
    except (TypeError, ValueError):
        return None


def clock(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M:%S" if moment.second else "%Y-%m-%d %H:%M")


def json_list(text: str | None) -> list[str]:
    """A JSON list of names as a list of strings; anything else as no names."""
    try:
        names = json.loads(text or "[]")
    except ValueError:
        return []
    return [str(name) for name in names] if isinstance(names, list) else []
