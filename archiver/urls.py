"""URL rules shared by the spider, discovery and the extractors: absolute addresses, a post's
own address and its comment pages, and the links that are never worth fetching."""

from __future__ import annotations

import re
from collections.abc import Iterable
from urllib.parse import parse_qsl, quote, urlencode, urljoin, urlsplit, urlunsplit

WEB_ADDRESS = re.compile(r"https?://[^/?#]+", re.I)
COMMENT_PAGE_PATH = re.compile(r"/comment-page-(\d+)/?$")
# WordPress (?cpage=2) and Blogger without threaded comments (?commentPage=2).
COMMENT_PAGE_QUERIES = ("cpage", "commentPage")
# What a link that names a comment page holds, whatever page it is on: a page that names none
# resolves a link to one only if the link says so itself.
COMMENT_PAGE_MARK = re.compile(r"comment-page-|cpage=|commentPage=")
# Links that are the same page again, or actions, never archive content (grab-site's
# "blogs" ignore set): crawling them only multiplies requests.
TRAP_QUERY_KEYS = {"replytocom", "share", "like_comment", "showComment", "replyto", "mode",
                   "action", "redirect_to", "unapproved", "moderation-hash", "amp", "preview"}
TRAP_PATHS = re.compile(r"/(wp-login\.php|wp-admin/|xmlrpc\.php|wp-comments-post\.php|"
                        r"jetpack-comment/|quote-comment-\d+/|trackback/?$|embed/?$)")


def address_error(url: str) -> str | None:
    """Why `url` is no web address a crawl can start from, or None: it must be http(s), with
    a host, and a port (if any) in range; a bracketed IPv6 host must be closed."""
    if not WEB_ADDRESS.match(url):
        return "not an http:// or https:// address"
    try:
        urlsplit(url).port  # noqa: B018 (reading it is the check)
    except ValueError as error:
        return str(error)
    return None


# An absolute http(s) URL that urljoin gives back unchanged: it would only take it apart and put
# it together again (dropping an empty `;`, `?` or `#`, which these exclude), at a tenth of the
# cost of reading a comment.
PLAINLY_ABSOLUTE = re.compile(r"https?://[^/?#\[\]\s\\@;]+(?:[/?#][^\s\[\]\\;]*)?\Z")


def absolute(base: str, url: str | None) -> str | None:
    """`url` resolved against `base`, without surrounding spaces; None for no URL."""
    if not url:
        return None
    url = url.strip()
    if PLAINLY_ABSOLUTE.match(url) and not url.endswith(("?", "#")) and "?#" not in url:
        return url
    return urljoin(base, url)


def strip_fragment(url: str) -> str:
    return urlunsplit(urlsplit(url)._replace(fragment=""))


def comment_page_of(url: str) -> int | None:
    """The comment page number a URL names (/comment-page-N/ or ?cpage=N), or None."""
    parts = urlsplit(url)
    match = COMMENT_PAGE_PATH.search(parts.path)
    if match:
        return int(match[1])
    for key, value in parse_qsl(parts.query):
        if key in COMMENT_PAGE_QUERIES and value.isdigit():
            return int(value)
    return None


def post_url_of(url: str) -> str:
    """A post's own URL, without its comment page part or fragment."""
    parts = urlsplit(url)
    path = COMMENT_PAGE_PATH.sub("/", parts.path)
    query = urlencode([(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True)
                       if k not in COMMENT_PAGE_QUERIES])
    return urlunsplit(parts._replace(path=path, query=query, fragment=""))


def is_trap(url: str) -> bool:
    """True for URLs that only repeat a page or trigger an action (reply forms, shares, logins)."""
    parts = urlsplit(url)
    if TRAP_PATHS.search(parts.path):
        return True
    return any(key in TRAP_QUERY_KEYS for key, _ in parse_qsl(parts.query, keep_blank_values=True))


def unique(urls: Iterable[str | None]) -> list[str]:
    """URLs without fragments, in first-seen order, each once."""
    seen, out = set(), []
    for url in urls:
        if not url:
            continue
        url = strip_fragment(url)
        if url not in seen:
            seen.add(url)
            out.append(url)
    return out


# What a post's URL keeps as it is in its thread view address: a path's own characters and
# its escapes (`%e2%9c%8a`). `?` and `#` are escaped, or they would end the path.
PATH_SAFE = "/%:@!$&'()*+,;=~"


def thread_path(site: str, url: str) -> str:
    """A post's place in the thread view, from its key alone: its site, then its URL's path
    and query, `blog.example/2014/08/12/a-post/`; a URL on a host other than its site's
    whole, `blog.example/https://elsewhere.example/a-post/`."""
    parts = urlsplit(url)
    origin = f"{parts.scheme}://{parts.netloc}"
    rest = url[len(origin):] if parts.netloc == site and url.startswith(origin) else "/" + url
    return quote(site, safe=":@") + quote(rest, safe=PATH_SAFE)


def comment_anchor(comment_key: str) -> str:
    """The id of a comment in its thread view: from its key within the post (the platform's
    id, as on the blog, `comment-7`, or a content hash), the same in every archive."""
    return f"comment-{comment_key}"


def comment_fragment(comment_key: str) -> str:
    """The fragment that leads to a comment in its thread view, `#comment-7`."""
    return "#" + quote(comment_anchor(comment_key), safe=":")
