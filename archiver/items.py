"""The records the archiver passes around: a fetched page, the role it was fetched as, and the
thread read from it.

Plain dataclasses with no Scrapy import, so that extraction runs without a crawler
(`archiver extract`, the corpus scorer, re-parsing stored pages).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from archiver.ingest import Reading
    from archiver.page import Page

# The HTTP statuses of a page the blog no longer has.
GONE = (404, 410)

COMMENT = "comment"
PINGBACK = "pingback"
TRACKBACK = "trackback"


class Role(StrEnum):
    """What a page was fetched as, kept as its value in `pages.role`."""

    SITE = "site"  # the REST API's index (/wp-json/): the blog's name and zone
    REST_POSTS = "rest_posts"  # the REST API's list of posts
    LISTING = "listing"  # the home page, its next pages, archive pages
    SITEMAP = "sitemap"
    FEED = "feed"  # the posts feed, the latest comments feed
    POST = "post"  # a post's page, or one of its comment pages
    COMMENTS = "comments"  # another source of a post's thread: a comment feed, an API, an embed
    INDEX = "index"  # a page of the REST API's index of every comment
    OTHER = "other"  # a page of a WARC file another tool wrote that holds no thread


# Pages a blog may well not have: their absence is no error.
OPTIONAL_ROLES = frozenset({Role.SITE, Role.REST_POSTS, Role.SITEMAP, Role.FEED, Role.COMMENTS,
                            Role.INDEX})
# Pages read for a post's thread.
THREAD_ROLES = frozenset({Role.POST, Role.COMMENTS})


@dataclass
class Link:
    """An outbound link found in a post body or a comment: a linked source."""

    url: str
    text: str
    domain: str = ""
    external: bool = True


@dataclass
class Comment:
    """One comment, pingback or trackback as a page shows it.

    Extractors fill what they locate (raw `body_html`, the time as shown and any
    machine-readable time); `extractors.extract` then sanitises the HTML, derives
    the text and links and parses the times.
    """

    body_html: str
    author: str = ""
    author_url: str | None = None
    platform_id: str | None = None
    parent_platform_id: str | None = None
    parent: int | None = None  # index of the parent in Thread.comments: always an earlier one
    depth: int = 1
    type: str = COMMENT
    permalink: str | None = None
    published_shown: str | None = None
    published_machine: str | None = None
    published: str | None = None  # as the page gives it: with an offset only when the page has one
    published_local: str | None = None
    published_utc: str | None = None
    published_relative_to: str | None = None  # the fetch time a shown "3 hours ago" counts from
    body_text: str = ""
    links: list[Link] = field(default_factory=list)


@dataclass
class Post:
    """The post a thread belongs to."""

    url: str
    title: str = ""
    author: str = ""
    platform_id: str | None = None
    published_shown: str | None = None
    published_machine: str | None = None
    published: str | None = None
    published_local: str | None = None
    published_utc: str | None = None
    published_relative_to: str | None = None
    categories: list[str] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    body_html: str = ""
    body_text: str = ""
    links: list[Link] = field(default_factory=list)
    comment_count_shown: int | None = None


@dataclass
class Thread:
    """What one page holds of a post's thread.

    `source` says how it was read: "html" (the pages as shown), "feed" (RSS, Atom and
    JSON feeds), "rest" (the WordPress REST API), "disqus" (a Disqus thread). HTML pages
    are authoritative; any other source only fills in what the pages left empty, except
    the UTC time, which the platform's own data gives best (see storage.PLATFORM_UTC).
    """

    platform: str
    post: Post
    comments: list[Comment] = field(default_factory=list)
    source: str = "html"
    comment_page: int | None = None
    more_comment_pages: list[str] = field(default_factory=list)
    language: str | None = None
    # Characters the page held that XML cannot (controls, NUL, lone surrogates): dropped.
    characters_dropped: int = 0
    # Runs of opening tags that nested the page past what the HTML parser reads: dropped, so
    # that the rest is read.
    tag_runs_dropped: int = 0


@dataclass
class PageLinks:
    """What a page points to that the spider may want next."""

    posts: list[str] = field(default_factory=list)
    listings: list[str] = field(default_factory=list)
    thread_pages: list[str] = field(default_factory=list)
    # Other sources of this page's thread (comment feeds, platform APIs, comment embeds), or
    # on such a source its next pages.
    feeds: list[str] = field(default_factory=list)
    comment_page: int | None = None  # the comment page this page shows, when it says
    # What a listing, sitemap or feed says of the posts it lists, for incremental runs: when
    # each last changed (ISO 8601, as given: sitemap lastmod, a feed entry's updated time) and
    # how many comments each has.
    modified: dict[str, str] = field(default_factory=dict)
    comment_counts: dict[str, int] = field(default_factory=dict)


@dataclass
class SiteInfo:
    """What the archiver knows of a blog as a whole."""

    site: str
    url: str
    name: str | None = None
    timezone: str | None = None
    language: str | None = None
    platform: str | None = None


@dataclass
class PageItem:
    """One fetched response, as the spider hands it to the pipelines (and as a page stored or
    held in a WARC file is read again: archiver.ingest.stored_item)."""

    url: str
    status: int
    headers: dict[str, str]
    body: bytes
    fetched_utc: str
    role: Role
    site: str
    encoding: str | None = None
    timezone: str | None = None
    thread: Thread | None = None  # what was read from it, exported with the item
    # Known posts this page says changed (a listing's comment count, a feed, an API): their
    # threads are read again, and until then they stay marked stale in the archive.
    changed_posts: list[str] = field(default_factory=list)
    page: Page | None = None  # the parsed page, reused by the pipelines; never exported
    reading: Reading | None = None  # what archiver.ingest read from it; never exported


@dataclass
class PostItem:
    """One archived post as exports give it, a row of `archiver export --per post` and the item
    a crawl with a feed gives for each post it archived: the post's key (`site`, `url`), what
    the blog shows of it, how many comments the archive holds, and its thread view's address
    (on `archiver serve`). Times in UTC are ISO 8601 (`2014-08-12T11:44:00Z`); `categories`
    and `tags` are JSON lists; `removed_utc` is set once the post is gone from the blog."""

    site: str
    url: str
    title: str | None
    author: str | None
    platform_id: str | None
    published_utc: str | None
    published_shown: str | None
    published_local: str | None
    categories: str | None
    tags: str | None
    language: str | None
    comment_count: int | None  # comments, pingbacks and trackbacks archived
    comment_count_shown: int | None  # as the blog's page counted them
    pingback_count: int
    removed_comment_count: int
    body_text: str | None
    body_html: str | None
    removed_utc: str | None
    thread_view: str


@dataclass
class CommentItem:
    """One archived comment (or pingback, or trackback) with its post's key and title, a row of
    `archiver export` and the item a crawl with a feed gives for each comment it archived.
    `comment_key` is the comment's key within its post (the platform's id where it has one)
    and `parent_key` its parent's, so that a thread is rebuilt from these rows alone."""

    site: str
    post_url: str
    post_title: str | None
    post_author: str | None
    post_published_utc: str | None
    comment_key: str
    parent_key: str | None
    platform_id: str | None
    parent_platform_id: str | None
    position: int | None
    depth: int | None
    type: str | None
    author: str | None
    author_url: str | None
    permalink: str | None
    published_utc: str | None
    published_shown: str | None
    published_local: str | None
    body_text: str | None
    body_html: str | None
    removed_utc: str | None
    thread_view: str
