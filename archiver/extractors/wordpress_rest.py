"""The WordPress REST API (`wp/v2`): a blog's posts, and each post's comments with their exact
ids, parents and times.

A post's comments come from `wp/v2/comments?post=ID` as a thread of source "rest", next to the
post's HTML pages, never instead of them: only the pages show the times as the blog prints
them, and the pingbacks and trackbacks (anonymous readers may not ask for those: `type=pingback`
answers 401). Storage lets the HTML win and takes from here what the HTML hides or lacks:
comments a theme leaves out, parents it flattens, times to the second.

Times are read from `date`, the blog's wall time as stored, in the site's zone. Not from
`date_gmt`: WordPress formats it by reading the stored GMT time as a wall time in the site's
zone (`mysql_to_rfc3339`), so a GMT time that falls in the hour the clocks skip comes out an
hour late ("2014-03-30T02:47:05" for 01:47:05 GMT in Europe/London).
The collections page 100 items a request, through the `Link: rel="next"` header or else
`X-WP-TotalPages`.
"""

import hashlib
import json
import re
from datetime import date
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

from archiver.items import Comment, PageLinks, Post, Thread
from archiver.page import Page
from archiver.urls import absolute, post_url_of

PLATFORM = "wordpress"

NAMESPACE = "wp/v2"
PER_PAGE = 100  # the most WordPress gives in one answer
# `date_gmt` marks an answer as wp/v2 objects (see `detect`); it is not read (see above).
POST_FIELDS = ("id", "link", "date_gmt")
COMMENT_FIELDS = ("id", "post", "parent", "author_name", "author_url", "date", "date_gmt", "link",
                  "content")
INDEX_FIELDS = ("id", "post", "parent", "author_name", "author_url", "date_gmt", "content")
# Where a page names the API: its discovery link (the REST root), else the REST resource of the
# post it shows (`…/wp-json/wp/v2/posts/5`, or `…/?rest_route=/wp/v2/posts/5` without pretty
# permalinks), whose start is the root.
ROOT_LINK = "//link[@rel='https://api.w.org/']/@href"
RESOURCE_LINK = "//link[@rel='alternate'][@type='application/json']/@href"
RESOURCE = re.compile(r"^(.*?)wp/v2/[\w-]+/(\d+)/?$")
SHORTLINK = "//link[@rel='shortlink']/@href"
SHORTLINK_ID = re.compile(r"[?&]p=(\d+)(?:&|$)")
# The root a site answers at when its pages name none.
DEFAULT_ROOT = "/wp-json/"
NEXT_LINK = re.compile(r'<([^>]*)>\s*;\s*rel="?next"?')


def is_api_url(url: str) -> bool:
    """Whether `url` is a REST API address (`/wp-json/…`, or `?rest_route=…`)."""
    parts = urlsplit(url)
    return "/wp-json/" in parts.path + "/" or _names_rest_route(parse_qsl(parts.query))


def api_root(index_page: Page) -> str | None:
    """The REST root that the index page (`/wp-json/`) was fetched from, when it lists `wp/v2`;
    or None."""
    index = index_page.data if index_page.is_json else None
    if isinstance(index, dict) and NAMESPACE in (index.get("namespaces") or ()):
        return index_page.url
    return None


def posts_url(root: str, after: date | None = None, modified_after: str | None = None) -> str:
    """The first page of the blog's posts, newest first; with `after` (a date), only later ones;
    with `modified_after` (an ISO 8601 UTC time), only those published or edited since."""
    params = [("per_page", PER_PAGE), ("_fields", ",".join(POST_FIELDS))]
    if after is not None:
        params.append(("after", f"{after.isoformat()}T00:00:00"))
    if modified_after is not None:
        params.append(("modified_after", modified_after))
    return _route(root, "wp/v2/posts", params)


def comment_index_url(root: str) -> str:
    """The first page of every comment on the blog, newest first, with what a reader sees of
    each: for a request per hundred comments, the one view of the whole blog in which an
    edited, removed or late-approved comment shows (WordPress keeps no modified time for them)."""
    return _route(root, "wp/v2/comments", [
        ("per_page", PER_PAGE), ("orderby", "id"), ("order", "desc"),
        ("_fields", ",".join(INDEX_FIELDS))])


def comment_index(page: Page) -> dict[str, tuple[str, str]]:
    """{comment id: (post id, digest of what a reader sees of it)} from a page of the comment
    index; empty for any other answer."""
    items = _items(page)
    if items is None or not _is_comments(items):
        return {}
    return {str(item["id"]): (str(item["post"]), hashlib.sha1(json.dumps(
        [item.get(key) for key in INDEX_FIELDS], sort_keys=True).encode()).hexdigest())
            for item in items}


def index_pages(page: Page) -> list[str]:
    """Every further page of a collection, from its first page's X-WP-TotalPages."""
    total = page.headers.get("x-wp-totalpages", "")
    if not total.isdigit():
        return []
    parts = urlsplit(page.url)
    query = [(key, value) for key, value in parse_qsl(parts.query, keep_blank_values=True)
             if key != "page"]
    return [urlunsplit(parts._replace(query=urlencode([*query, ("page", str(number))], safe="/,")))
            for number in range(2, int(total) + 1)]


def comments_url(page: Page, post_id: str | None = None) -> str | None:
    """The first page of the comments of the post `page` shows, oldest first; None without a
    post id.

    `post_id` is the id the page's markup gives, when its REST resource link does not.
    """
    resource = absolute(page.url, page.xpath(RESOURCE_LINK).get())
    match = RESOURCE.match(resource) if resource else None
    shortlink = SHORTLINK_ID.search(page.xpath(SHORTLINK).get() or "")
    number = match[2] if match else post_id or (shortlink[1] if shortlink else None)
    if not number:
        return None
    root = absolute(page.url, page.xpath(ROOT_LINK).get()) or (
        match[1] if match else urljoin(page.url, DEFAULT_ROOT))
    return _route(root, "wp/v2/comments", [
        ("post", number), ("per_page", PER_PAGE), ("orderby", "id"), ("order", "asc"),
        ("_fields", ",".join(COMMENT_FIELDS))])


def _route(root, route, params):
    """The URL of `route` under a REST root, in the root's form: a path, or `?rest_route=`."""
    parts = urlsplit(root)
    query = parse_qsl(parts.query, keep_blank_values=True)
    if _names_rest_route(query):
        query = [(key, value) for key, value in query if key != "rest_route"]
        return urlunsplit(parts._replace(query=urlencode(
            [*query, ("rest_route", f"/{route}"), *params], safe="/,:")))
    path = parts.path.rstrip("/") + "/" + route
    return urlunsplit(parts._replace(path=path, query=urlencode(params, safe=",:")))


def _names_rest_route(query):
    return any(key == "rest_route" for key, _ in query)


def detect(page: Page) -> bool:
    return page.is_json and (is_api_url(page.url) or _items(page) is not None)


def _items(page):
    """The objects of a `wp/v2` collection answer (they carry `date_gmt`), or None."""
    data = page.data
    if isinstance(data, list) and data and all(isinstance(item, dict) for item in data) \
            and "date_gmt" in data[0]:
        return data
    return None


def _is_comments(items):
    return "post" in items[0]


def read_thread(page: Page) -> Thread | None:
    """A page of a post's comments, as a thread of source "rest"; None for any other answer."""
    items = _items(page)
    # The blog's comment index mixes posts: it is no thread.
    if items is None or not _is_comments(items) or len({item["post"] for item in items}) > 1:
        return None
    link = absolute(page.url, items[0].get("link"))
    if link is None:
        return None
    post = Post(url=post_url_of(link),
                platform_id=str(items[0]["post"]))
    comments: list[Comment] = []
    index_of: dict[str | None, int] = {}  # platform id -> position
    for item in items:
        comment = _read_comment(page, item)
        parent = index_of.get(comment.parent_platform_id)
        comment.parent = parent
        if comment.parent_platform_id is not None:
            # None when the parent, or one of its own, is on another page of the answer.
            above = comments[parent].depth if parent is not None else None
            comment.depth = above + 1 if above else None
        index_of[comment.platform_id] = len(comments)
        comments.append(comment)
    return Thread(platform=PLATFORM, post=post, comments=comments, source="rest")


def _read_comment(page, item):
    """One comment: the API lists visitors nothing else (no pingbacks or trackbacks)."""
    return Comment(
        platform_id=str(item["id"]),
        parent_platform_id=str(item["parent"]) if item.get("parent") else None,
        author=item.get("author_name") or "",
        author_url=absolute(page.url, item.get("author_url")) or None,
        permalink=absolute(page.url, item.get("link")),
        published_machine=item.get("date"),
        body_html=(item.get("content") or {}).get("rendered") or "",
    )


def find_links(page: Page) -> PageLinks:
    """On a page of posts: the posts and the next page. On a page of comments: the next page."""
    items = _items(page)
    if items is None:
        return PageLinks()
    following = [url for url in [_next_page(page)] if url]
    if _is_comments(items):
        return PageLinks(feeds=following)
    return PageLinks(posts=[url for item in items if (url := absolute(page.url, item.get("link")))],
                     listings=following)


def _next_page(page):
    """The next page of a collection: named by the Link header, or counted by X-WP-TotalPages."""
    named = NEXT_LINK.search(page.headers.get("link", ""))
    if named:
        return absolute(page.url, named[1])
    total = page.headers.get("x-wp-totalpages", "")
    parts = urlsplit(page.url)
    query = parse_qsl(parts.query, keep_blank_values=True)
    current = next((int(value) for key, value in query if key == "page" and value.isdigit()), 1)
    if not total.isdigit() or current >= int(total):
        return None
    query = [(key, value) for key, value in query if key != "page"] + [("page", str(current + 1))]
    return urlunsplit(parts._replace(query=urlencode(query, safe="/,")))
