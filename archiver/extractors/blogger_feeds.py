"""Blogger's feeds: `/feeds/posts/default` and `/feeds/POSTID/comments/default`, as Atom or
as JSON (`alt=json`), read through one entry shape (ids, zoned times, and the `related` link
that names the comment an entry replies to) with archiver.extractors.feeds.

A post's comment feed is a thread of source "feed"; a posts feed lists the blog's posts, when
each was last updated and its comment count. Blogger names a feed's next page on
www.blogger.com: it is asked of the blog's own host.
"""

import re
from dataclasses import dataclass, field
from urllib.parse import urlsplit, urlunsplit

from archiver.extractors.feeds import feed_root, links_by_rel, listed_posts
from archiver.items import Comment, PageLinks, Post, Thread
from archiver.page import Page, per_page
from archiver.urls import absolute, strip_fragment

PLATFORM = "blogger"

FEED_ID = "tag:blogger.com,1999:blog-"
# Blogger's own comment script asks for version 2 of the feed (replies carry a `related` link to
# their parent) in the order comments were written. 500 is the most the feeds ever answered
# a request; Blogger now answers fewer and names the rest with a `next` link (start-index).
COMMENT_FEED_QUERY = "alt=json&v=2&orderby=published&reverse=false&max-results=500"
POSTS_FEED_QUERY = "alt=json&max-results=500"
RELATED_COMMENT = re.compile(r"/comments/default/(\d+)")
ENTRY_NUMBER = re.compile(r"\.post-(\d+)$")
FEED_POST = re.compile(r"\.post-?(\d+)\.")


@dataclass
class Entry:
    """One feed entry, whether it came as Atom or as Blogger's JSON."""

    id: str
    published: str | None
    content: str
    updated: str | None = None  # a post's: its last edit
    comment_total: int | None = None  # thr:total, a post's comment count
    links: dict = field(default_factory=dict)  # rel -> href, the first of each
    author: str = ""
    author_uri: str | None = None
    reply_ref: str | None = None  # thr:in-reply-to: what the entry answers
    reply_href: str | None = None
    properties: dict = field(default_factory=dict)  # gd:extendedProperty name -> value


@dataclass
class Feed:
    """A Blogger feed: its id (which says whose comments, or whose posts), its links by
    relation, its entries."""

    id: str
    links: dict
    entries: list[Entry]


def is_feed(page: Page) -> bool:
    """Whether a JSON or XML page is a Blogger feed."""
    if page.is_json:
        return _json_feed(page) is not None
    head = page.text[:10_000]
    return bool(re.search(r"<feed\b", head[:3000])) and FEED_ID in head


@per_page
def read_feed(page: Page) -> Feed | None:
    """The Blogger feed on the page (Atom or `alt=json`), or None."""
    if page.is_json:
        return _json_feed(page)
    if page.is_xml and is_feed(page):
        return _atom_feed(page)
    return None


def feed_links(page: Page, feed: Feed) -> PageLinks:
    """A feed's next page; a posts feed's posts, when each was last updated and how many
    comments each has."""
    following = _next_feed_page(page, feed)
    if _is_comment_feed(feed):
        return PageLinks(feeds=following)
    links = listed_posts(page.url, ((entry.links.get("alternate"), entry.updated,
                                     entry.comment_total) for entry in feed.entries))
    links.listings = following
    return links


def _json_feed(page):
    data = page.data
    feed = data.get("feed") if isinstance(data, dict) else None
    if not isinstance(feed, dict):
        return None
    if not (_t(feed.get("id")).startswith(FEED_ID) or _t(feed.get("generator")) == "Blogger"):
        return None
    return Feed(id=_t(feed.get("id")), links=_links(feed.get("link")),
                entries=[_json_entry(entry) for entry in feed.get("entry") or []])


def _json_entry(entry):
    author = (entry.get("author") or [{}])[0]
    reply = entry.get("thr$in-reply-to") or {}
    return Entry(
        id=_t(entry.get("id")), published=_t(entry.get("published")) or None,
        content=_t(entry.get("content")) or _t(entry.get("summary")),
        links=_links(entry.get("link")), updated=_t(entry.get("updated")).strip() or None,
        comment_total=_count(_t(entry.get("thr$total"))),
        author=_t(author.get("name")), author_uri=_t(author.get("uri")) or None,
        reply_ref=reply.get("ref"), reply_href=reply.get("href"),
        properties={item.get("name"): item.get("value")
                    for item in entry.get("gd$extendedProperty") or []})


def _t(value):
    """The text of a JSON feed value ({"$t": "…"})."""
    return str(value.get("$t", "")) if isinstance(value, dict) else ""


def _links(links):
    found = {}
    for link in links or []:
        found.setdefault(link.get("rel"), link.get("href"))
    return found


def _atom_feed(page):
    feed = feed_root(page).xpath("/feed")
    if not feed:
        return None
    return Feed(id=feed[0].xpath("id/text()").get(""), links=links_by_rel(feed[0].root),
                entries=[_atom_entry(entry) for entry in feed[0].xpath("entry")])


def _atom_entry(entry):
    return Entry(
        id=entry.xpath("id/text()").get(""), published=entry.xpath("published/text()").get(),
        content=entry.xpath("content/text()").get() or entry.xpath("summary/text()").get(""),
        updated=entry.xpath("updated/text()").get("").strip() or None,
        comment_total=_count(entry.xpath("total/text()").get("")),
        links=links_by_rel(entry.root), author=entry.xpath("author[1]/name/text()").get(""),
        author_uri=entry.xpath("author[1]/uri/text()").get(),
        reply_ref=entry.xpath("in-reply-to/@ref").get(),
        reply_href=entry.xpath("in-reply-to/@href").get(),
        properties={prop.attrib.get("name"): prop.attrib.get("value")
                    for prop in entry.xpath("extendedProperty")})


def _count(text):
    return int(text) if text.strip().isdecimal() else None


def _is_comment_feed(feed):
    return feed.id.endswith("comments") or any(entry.reply_ref for entry in feed.entries)


def read_comment_feed(page: Page, feed: Feed) -> Thread | None:
    """A post's comment feed as a thread: None for a posts feed or a whole blog's comments."""
    if not _is_comment_feed(feed):
        return None
    named = FEED_POST.search(feed.id)
    answered = {(entry.reply_href, _entry_number(entry.reply_ref)) for entry in feed.entries
                if entry.reply_href}
    if named:  # one post's feed: its alternate link is the post
        post_id = named[1]
        post_url = feed.links.get("alternate") or next(iter(answered), (None,))[0]
    elif len(answered) == 1:
        post_url, post_id = answered.pop()
    else:
        return None
    post_address = absolute(page.url, post_url)
    if post_address is None:
        return None
    comments: list[Comment] = []
    index_of: dict[str, int] = {}  # platform id -> position
    for entry in feed.entries:
        comment = _feed_comment(entry, post_id)
        if comment.parent_platform_id in index_of:
            parent = comments[index_of[comment.parent_platform_id]]
            comment.parent = index_of[comment.parent_platform_id]
            comment.depth = parent.depth + 1
        elif comment.parent_platform_id:
            comment.depth = 2
        index_of[comment.platform_id] = len(comments)
        comments.append(comment)
    return Thread(platform=PLATFORM, post=Post(url=strip_fragment(post_address),
                                               platform_id=post_id),
                  comments=comments, source="feed")


def _feed_comment(entry, post_id):
    related = RELATED_COMMENT.search(entry.links.get("related") or "")
    answered = _entry_number(entry.reply_ref)
    parent = related[1] if related else answered if answered != post_id else None
    return Comment(
        platform_id=_entry_number(entry.id),
        parent_platform_id=parent,
        author=entry.author,
        author_url=entry.author_uri,
        permalink=entry.links.get("alternate"),
        published_shown=entry.properties.get("blogger.displayTime"),
        published_machine=entry.published,
        body_html=entry.content,
    )


def _entry_number(ref):
    match = ENTRY_NUMBER.search(ref or "")
    return match[1] if match else None


def _next_feed_page(page, feed):
    """The feed's next page (its `next` link), asked of the host the feed came from: Blogger
    names it on www.blogger.com, which a crawl of the blog does not visit."""
    following = feed.links.get("next")
    if not following:
        return []
    parts = urlsplit(absolute(page.url, following))
    if parts.netloc == urlsplit(page.url).netloc:
        return [strip_fragment(urlunsplit(parts))]
    return [with_query(page.url, parts.query)]


def with_query(url: str, query: str) -> str:
    """`url` asking `query`, without a fragment."""
    return urlunsplit(urlsplit(url)._replace(query=query, fragment=""))
