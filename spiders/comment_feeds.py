"""Whether a post's comment feed is worth its request: the spider holds it back until every
page of the thread has been read (the pipelines' reading, seen as each page is scraped), and
asks for it only when those pages leave something for it to fill.

A post's RSS or Atom comment feed holds its newest comments with the platform's ids, parents
and UTC times. The pages as shown win over it but for the UTC time, and it fills in what they
lack. So it is fetched when a comment read has no UTC time to the minute (none shown, a
pingback without a date, no zone known), a time that is relative or is a wall time the zone
shows twice (a DST change), or no platform id (its entry could not be matched); when the
pages count more comments than they show, or show no count (unless their comment section
shows none at all); and when a page of the thread was not read. Otherwise its every entry
is already archived as the feed would leave it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, tzinfo

from scrapy.exceptions import DontCloseSpider

from archiver import dates
from archiver.extractors import extractor_for, wordpress
from archiver.extractors.feeds import named_feeds
from archiver.items import Comment, PageItem, Role, Thread
from archiver.urls import comment_page_of, post_url_of

# Why a feed was fetched, the first that applies: counted under archiver/comment_feeds/fetched/.
REASONS = ("page_unread", "pages_unread", "uncounted", "undated", "inexact_time", "unkeyed")


@dataclass
class _Held:
    """A post's comment feeds held back, and what the pages of its thread read so far say."""

    feeds: list[str]
    none_shown: bool  # see hold
    read: set[int | None] = field(default_factory=set)  # comment pages read
    named: set[int | None] = field(default_factory=set)  # comment pages those pages name
    comments: int = 0
    shown: int | None = None
    gaps: set[str] = field(default_factory=set)


class CommentFeeds:
    """The comment feeds the spider holds back, by post URL."""

    def __init__(self) -> None:
        self.held: dict[str, _Held] = {}

    def hold(self, post_url: str, feeds: list[str], none_shown: bool = False) -> None:
        """Hold back `feeds` of the post until its thread's pages have been read. Called before
        the post's page is handed on, so that it is held when that page's reading comes.
        `none_shown`: the page's comment section, where its theme would list comments, holds
        none (or it has none), so that no count and no comment read mean none."""
        if post_url in self.held:
            self.held[post_url].feeds += feeds
        else:
            self.held[post_url] = _Held(list(feeds), none_shown)

    def read(self, item: PageItem, zone: tzinfo | None) -> tuple[list[str], str | None]:
        """A page the pipelines have read: the feeds now due and why (None: not needed), once
        it was the last page of a thread with feeds held."""
        held = self.held.get(post_url_of(item.url))
        if held is None or item.role != Role.POST:
            return [], None
        thread = item.thread
        if thread is None or thread.source != "html":
            return self._release(item.url, "page_unread")
        held.read.add(thread.comment_page)
        held.named.update(comment_page_of(url) for url in thread.more_comment_pages)
        held.comments += len(thread.comments)
        if thread.post.comment_count_shown is not None:
            held.shown = max(held.shown or 0, thread.post.comment_count_shown)
        held.gaps.update(_gaps(thread, zone))
        if not held.named <= held.read:
            return [], None
        if (held.comments or not held.none_shown if held.shown is None
                else held.shown > held.comments):
            held.gaps.add("uncounted")
        return self._release(item.url, next((reason for reason in REASONS
                                             if reason in held.gaps), None))

    def unread(self) -> list[str]:
        """The feeds still held when the crawl has nothing else to do: some page of their
        thread was never read (failed, or named by a number it does not show)."""
        urls = list(self.held)
        return [feed for url in urls for feed in self._release(url, "pages_unread")[0]]

    def _release(self, url: str, reason: str | None) -> tuple[list[str], str | None]:
        held = self.held.pop(post_url_of(url))
        return held.feeds, reason


def _gaps(thread: Thread, zone: tzinfo | None) -> set[str]:
    """What the comments of one page leave for a feed to fill."""
    gaps = set()
    for comment in thread.comments:
        if not comment.platform_id:
            gaps.add("unkeyed")
        if not comment.published_utc or len(comment.published_utc) < len("2000-01-01T00:00Z"):
            gaps.add("undated")
        elif comment.published_relative_to or _shown_twice(comment, zone):
            gaps.add("inexact_time")
    return gaps


def _shown_twice(comment: Comment, zone: tzinfo | None) -> bool:
    """Whether the comment's time is a wall time without offset that `zone` shows twice, when
    its clocks go back: the UTC time worked out from it may be an hour out."""
    wall = dates.parse_machine(comment.published)
    if zone is None or not isinstance(wall, datetime) or wall.tzinfo is not None:
        return False
    return (wall.replace(tzinfo=zone, fold=0).utcoffset()
            != wall.replace(tzinfo=zone, fold=1).utcoffset())


class CommentFeedsMixin:
    """The spider's side: holding a post's comment feeds back, and asking for them once its
    thread has been read, if its pages leave them something to fill. For BlogSpider, whose
    state it shares (`comment_feeds`, `thread_sources`, `timezone`)."""

    def _hold_comment_feeds(self, post_url, page, urls):
        """A post page's thread sources less its RSS and Atom comment feeds (those its head
        names), held back until its thread has been read (spiders.comment_feeds)."""
        named = set(named_feeds(page))
        held = [url for url in urls if url in named and url not in self.thread_sources]
        if held:
            self.thread_sources.update(held)
            self.comment_feeds.hold(post_url, held, extractor_for(page) is wordpress
                                    and wordpress.shows_no_comments(page))
        return [url for url in urls if url not in held]

    def page_read(self, item):
        """A page through the pipelines: the last of a thread asks for the comment feeds held
        back, if its pages leave them something to fill. (The posts and comments given to feed
        exports at the end are items too.)"""
        if not isinstance(item, PageItem):
            return
        self._ask_feeds(*self.comment_feeds.read(item, dates.zone(self.timezone)))

    def ask_held_feeds(self):
        """When every other request is done: the feeds of threads not read in full."""
        held = self.comment_feeds.unread()
        if held:
            self._ask_feeds(held, "pages_unread")
            raise DontCloseSpider

    def _ask_feeds(self, urls, reason):
        for url in urls:
            if reason is None:
                self.crawler.stats.inc_value("archiver/comment_feeds/skipped")
                continue
            self.crawler.stats.inc_value(f"archiver/comment_feeds/fetched/{reason}")
            self.crawler.engine.crawl(self._thread_source_request(url))
