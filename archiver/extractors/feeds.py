"""RSS and Atom feeds and XML sitemaps: where posts are listed and comment times carry zones.

A post's comment feed is read as a thread of source "feed": its zoned times and ids fill in
what the HTML pages leave out (WordPress themes print no date on pingbacks), never the other
way round.
"""

import re

from archiver.extractors.common import absolute, text_of, unique
from archiver.items import Comment, PageLinks, Post, Thread

PLATFORM = "feed"

COMMENT_ID = re.compile(r"#comment-(\d+)$|[?&]comment(?:_id)?=(\d+)")
FEED_ROOTS = ("rss", "feed", "RDF")
BODIES = ("encoded", "content", "description")  # richest first: content:encoded is the full HTML
# WordPress comment feeds open a reply with a line naming its parent.
IN_REPLY_TO = re.compile(r'\s*(?:<p>)?\s*In reply to <a href="[^"]*#comment-(\d+)"[^>]*>.*?</a>\.?\s*(?:</p>)?\s*',
                         re.S)
# Sitemaps of terms and authors list archive pages, not posts.
NOT_POST_SITEMAPS = re.compile(r"taxonom|categor|tag|user|author", re.I)


def detect(page):
    return page.is_xml


def _root(page):
    selector = page.selector
    selector.remove_namespaces()
    return selector


def read_thread(page):
    root = _root(page)
    if root.xpath("name(/*)").get() not in FEED_ROOTS:
        return None
    entries = root.xpath("//item | //entry")
    comments = [_read_entry(page, entry) for entry in entries]
    comments = [comment for comment in comments if comment.platform_id]
    post_url = root.xpath("/rss/channel/link/text()").get() or root.xpath(
        "/feed/link[@rel='alternate']/@href").get()
    if not comments or not post_url:
        return None
    generator = root.xpath("//generator/text() | //generator/@uri").get("")
    platform = "wordpress" if "wordpress" in generator.lower() else PLATFORM
    return Thread(platform=platform, post=Post(url=absolute(page.url, post_url.strip())),
                  comments=comments, source="feed")


def _is_comment_feed(root):
    """True when the entries are comments (their links name #comment-N), not posts."""
    links = root.xpath("//item/guid/text() | //item/link/text() | //entry/id/text()"
                       " | //entry/link[@rel='alternate']/@href").getall()
    return any(COMMENT_ID.search(link.strip()) for link in links)


def _read_entry(page, entry):
    link = entry.xpath("guid/text() | link/text() | link[@rel='alternate']/@href | id/text()").getall()
    numbers = [COMMENT_ID.search(value.strip()) for value in link]
    number = next((m[1] or m[2] for m in numbers if m), None)
    body = next((text for text in (entry.xpath(f"{name}/text()").get() for name in BODIES) if text), "")
    parent = IN_REPLY_TO.match(body)
    return Comment(
        platform_id=number,
        parent_platform_id=parent[1] if parent else None,
        author=text_of(entry.xpath("creator | author/name")[:1] or None),
        published_machine=(entry.xpath("pubDate/text() | published/text() | date/text()").get()
                           or "").strip() or None,
        permalink=next((value.strip() for value in link if COMMENT_ID.search(value)), None),
        body_html=body[parent.end():] if parent else body,
    )


def find_links(page):
    root = _root(page)
    name = root.xpath("name(/*)").get()
    if name == "sitemapindex":
        return PageLinks(listings=unique(url.strip() for url in root.xpath("//sitemap/loc/text()").getall()
                                         if not NOT_POST_SITEMAPS.search(url)))
    if name == "urlset":
        if NOT_POST_SITEMAPS.search(page.url):
            return PageLinks()
        return PageLinks(posts=unique(url.strip() for url in root.xpath("//url/loc/text()").getall()))
    if name in FEED_ROOTS and not _is_comment_feed(root):
        links = root.xpath("//item/link/text() | //entry/link[@rel='alternate']/@href").getall()
        return PageLinks(posts=unique(absolute(page.url, url.strip()) for url in links))
    return PageLinks()
