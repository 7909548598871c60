"""RSS and Atom feeds and XML sitemaps: where posts are listed and comment times carry zones.

A post's comment feed is read as a thread of source "feed": its zoned times and ids fill in
what the HTML pages leave out (WordPress themes print no date on pingbacks), never the other
way round.

This is also the one way the platform readers read a feed: the feeds a page names
(`named_feeds`), a feed's tree without its namespaces (`feed_root`), an element's links by
their relation (`links_by_rel`) and the posts a feed or sitemap lists (`listed_posts`).
Blogger's feeds, Atom with its own extensions or JSON, are read by archiver.extractors.blogger
through them.
"""

import re
from collections.abc import Iterable
from datetime import UTC, datetime

from lxml.etree import _Element
from parsel import Selector

from archiver import dates
from archiver.extractors.elements import text_of
from archiver.items import Comment, PageLinks, Post, Thread
from archiver.page import Page, per_page
from archiver.urls import absolute, post_url_of, strip_fragment, unique

PLATFORM = "feed"

COMMENT_ID = re.compile(r"#comment-(\d+)$|[?&]comment(?:_id)?=(\d+)")
FEED_ROOTS = ("rss", "feed", "RDF")
BODIES = ("encoded", "content", "description")  # richest first: content:encoded is the full HTML
# WordPress comment feeds open a reply with a line naming its parent.
IN_REPLY_TO = re.compile(r'\s*(?:<p>)?\s*In reply to <a href="[^"]*#comment-(\d+)"[^>]*>.*?</a>'
                         r'\.?\s*(?:</p>)?\s*', re.S)
# Sitemaps of terms and authors list archive pages, not posts.
NOT_POST_SITEMAPS = re.compile(r"taxonom|categor|tag|user|author", re.I)

# What a sitemap or feed entry says of its post, as element names once namespaces are gone.
# Only what says "changed": RSS's pubDate is when the post was published, and so is Atom's
# <published>; <updated> (Atom, or atom:updated in RSS) and dcterms:modified follow edits.
SITEMAP_MODIFIED = ("lastmod",)
ENTRY_MODIFIED = ("updated", "modified")
# slash:comments (WordPress's RSS) and thr:total (Atom, Blogger's RSS). RSS's own <comments> is
# the address of the comments, never a bare number.
ENTRY_COMMENT_COUNTS = ("comments", "total")
# In a site's comments feed, when each comment was written: the change to its post.
COMMENT_TIMES = ("updated", "published", "pubDate", "date")
ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
# Where an entry says its own address (a comment's carries its number), and a feed the blog or
# post it is the feed of.
ENTRY_ADDRESSES = "guid/text() | link/text() | link[@rel='alternate']/@href | id/text()"
FEED_OWN_LINK = "/rss/channel/link/text() | /feed/link[not(@rel) or @rel='alternate']/@href"
# What a feed or sitemap says of one post: its address, when it changed, its comment count.
Listed = tuple[str | None, str | None, int | None]
# A page's own feeds: the RSS and Atom links in its head.
NAMED_FEEDS = "//link[@rel='alternate'][contains(@type, 'rss') or contains(@type, 'atom')]/@href"


def detect(page: Page) -> bool:
    return page.is_xml


@per_page
def named_feeds(page: Page) -> list[str]:
    """The feeds a page names in its head (RSS and Atom), absolute, each once."""
    return unique(absolute(page.url, href) for href in page.xpath(NAMED_FEEDS).getall())


def feed_root(page: Page) -> Selector:
    """The feed or sitemap on `page`, its element names without their namespaces (`thr:total`
    is `total`, `dc:creator` is `creator`)."""
    selector = page.selector
    selector.remove_namespaces()
    return selector


def links_by_rel(element: _Element) -> dict[str, str]:
    """The address of each relation an Atom element's links name, the first of each; a link
    without one is an alternate (RFC 4287)."""
    found: dict[str, str] = {}
    for link in element.iterchildren("link"):
        if link.get("href"):
            found.setdefault(link.get("rel", "alternate"), link.get("href"))
    return found


def read_thread(page: Page) -> Thread | None:
    root = feed_root(page)
    if root.xpath("name(/*)").get() not in FEED_ROOTS:
        return None
    entries = root.xpath("//item | //entry")
    comments = [_read_entry(page, entry) for entry in entries]
    comments = [comment for comment in comments if comment.platform_id]
    post_url = root.xpath("/rss/channel/link/text()").get() or root.xpath(
        "/feed/link[@rel='alternate']/@href").get()
    post = absolute(page.url, post_url)
    if not comments or post is None:
        return None
    # A site's comments feed (WordPress's /comments/feed/) mixes posts: it is no thread.
    if any(post_url_of(permalink) != post_url_of(post) for comment in comments
           if (permalink := absolute(page.url, comment.permalink))):
        return None
    generator = root.xpath("//generator/text() | //generator/@uri").get("")
    platform = "wordpress" if "wordpress" in generator.lower() else PLATFORM
    return Thread(platform=platform, post=Post(url=post), comments=comments, source="feed")


def _is_comment_feed(root):
    """True when the entries are comments (their links name #comment-N), not posts."""
    links = root.xpath("//item/guid/text() | //item/link/text() | //entry/id/text()"
                       " | //entry/link[@rel='alternate']/@href").getall()
    return any(COMMENT_ID.search(link.strip()) for link in links)


def _read_entry(page, entry):
    link = entry.xpath(ENTRY_ADDRESSES).getall()
    numbers = [COMMENT_ID.search(value.strip()) for value in link]
    number = next((m[1] or m[2] for m in numbers if m), None)
    texts = (entry.xpath(f"{name}/text()").get() for name in BODIES)
    body = next((text for text in texts if text), "")
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


def find_links(page: Page) -> PageLinks:
    root = feed_root(page)
    name = root.xpath("name(/*)").get()
    if name == "sitemapindex":
        return PageLinks(listings=unique(url.strip()
                                         for url in root.xpath("//sitemap/loc/text()").getall()
                                         if not NOT_POST_SITEMAPS.search(url)))
    if name == "urlset":
        if NOT_POST_SITEMAPS.search(page.url):
            return PageLinks()
        return listed_posts(page.url, map(_sitemap_entry, root.root.iter("url")))
    if name in FEED_ROOTS:
        if _is_comment_feed(root):
            return _commented_posts(page, root)
        return listed_posts(_feed_base(page, root),
                            map(_feed_entry, root.root.iter("item", "entry")))
    return PageLinks()


def _feed_base(page, root):
    """What an entry's relative link is relative to: the feed's own link (the blog or post it
    is the feed of), not the feed's address."""
    own = root.xpath(FEED_OWN_LINK).get("")
    return absolute(page.url, own.strip()) if own.strip() else page.url


def listed_posts(base: str, listed: Iterable[Listed]) -> PageLinks:
    """The posts a feed or sitemap lists, in order, each once, and what it says of each:
    `listed` gives each entry's (address, modified, comment count), relative to `base`."""
    links, seen = PageLinks(), set()
    for url, modified, count in listed:
        # Resolved only when relative: a sitemap may list fifty thousand absolute addresses.
        if url and not url.startswith(("http://", "https://")):
            url = absolute(base, url)
        if not url:
            continue
        url = strip_fragment(url)
        if url not in seen:
            seen.add(url)
            links.posts.append(url)
        if modified:
            links.modified[url] = modified
        if count is not None:
            links.comment_counts[url] = count
    return links


def _sitemap_entry(url):
    return _child_text(url, ("loc",)), _child_text(url, SITEMAP_MODIFIED), None


def _feed_entry(entry):
    count = next((int(text) for text in _child_texts(entry, ENTRY_COMMENT_COUNTS)
                  if text.isdecimal()), None)
    if count is None:  # Atom's replies link may carry the count alone (thr:count)
        count = next((int(child.get("count")) for child in entry.iterchildren("link")
                      if child.get("rel") == "replies"
                      and (child.get("count") or "").isdecimal()), None)
    return _entry_link(entry), _child_text(entry, ENTRY_MODIFIED), count


def _entry_link(entry):
    """An RSS item's link, or an Atom entry's alternate link."""
    return _child_text(entry, ("link",)) or links_by_rel(entry).get("alternate")


def _child_text(element, names):
    """The first non-empty text of a child named one of `names`, stripped, or None."""
    return next(_child_texts(element, names), None)


def _child_texts(element, names):
    for child in element.iterchildren(*names):
        text = (child.text or "").strip()
        if text:
            yield text


def _commented_posts(page, root):
    """A site's comments feed (WordPress's /comments/feed/): the posts its comments are on, newest
    first, each changed when its newest comment here was written. One post's own comment feed,
    whose channel is the post, names none."""
    newest = {}  # post -> (instant, time as written)
    base = _feed_base(page, root)
    for entry in root.root.iter("item", "entry"):
        link, written = _entry_link(entry), _child_text(entry, COMMENT_TIMES)
        when = dates.parse_machine(written)
        if not link or not isinstance(when, datetime):
            continue
        post = post_url_of(absolute(base, link))
        instant = when if when.tzinfo else when.replace(tzinfo=UTC)
        if post not in newest or instant > newest[post][0]:
            # An RSS pubDate (RFC 822) in ISO 8601, with the offset it gives.
            newest[post] = (instant, written if ISO_DATE.match(written) else when.isoformat())
    # The blog or post the feed is of is no post it names: a comment's link relative to it
    # ("#comment-3") names no other.
    newest.pop(post_url_of(base), None)
    return PageLinks(posts=list(newest),
                     modified={post: written for post, (_, written) in newest.items()})
