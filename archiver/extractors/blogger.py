"""Blogger (Blogspot): post pages of every template generation, and Blogger's Atom and JSON feeds.

This module tells a Blogger page and which it is, reads the post, and finds what a page links
to: its comment pages and comment feed, and on a listing the posts and their comment counts.
archiver.extractors.blogger_comments reads the comments on a post's page,
archiver.extractors.blogger_feeds the feeds.
"""

import re
from urllib.parse import urlsplit

from archiver.extractors.blogger_comments import COMMENT_AREA, read_comments
from archiver.extractors.blogger_feeds import (
    COMMENT_FEED_QUERY,
    POSTS_FEED_QUERY,
    feed_links,
    is_feed,
    read_comment_feed,
    read_feed,
    with_query,
)
from archiver.extractors.detection import generators, has_markers, head
from archiver.extractors.elements import inner_html, number_in, text_of, without
from archiver.extractors.feeds import named_feeds
from archiver.extractors.links import canonical, comment_counts, hrefs
from archiver.extractors.selectors import first, has_class
from archiver.items import PageLinks, Post, Thread
from archiver.page import Page, per_page
from archiver.urls import absolute, is_trap, strip_fragment, unique

PLATFORM = "blogger"

# What only Blogger's templates print: its widget manager, comment-form script, main widget id
# and the hosts of its own scripts and images.
MARKERS = ("_WidgetManager", "BLOG_CMT_", "id='Blog1'", 'id="Blog1"', "blogger.com/feeds/",
           "blogblog.com/")
# The page's own data, as Blogger's widget manager is given it: what kind of page, its locale,
# and (on a post) the post's id.
PAGE_DATA = {name: re.compile(rf"""{name}['"]\s*:\s*['"]([^'"]*)['"]""")
             for name in ("pageType", "locale", "postId")}
SINGLE_PAGE_TYPES = ("item", "static_page")
POST_PATH = re.compile(r"/\d{4}/\d{2}/[^/]+\.html$|/p/[^/]+\.html$")

# The Blog widget holds the post; sidebars reuse its classes (featured and popular posts).
POST_SCOPE = ("#Blog1", ".widget.Blog", ".blog-posts", "#main", "body")
POST = (".post-outer", ".post", "article")
# Where templates put the post's author and time: its header or footer line (else anywhere in it).
BYLINE = f"./descendant::*[{has_class('post-header')} or {has_class('post-footer')}]"
POST_TITLE = (".post-title", ".entry-title", "h1", "h2", "h3")
POST_AUTHOR = (".post-author .fn [itemprop=name]", ".post-author .fn", ".post-header .fn",
               ".post-author", ".fn", "a[rel~=author]")
# Layouts templates title an <abbr> with the time, the 2017 themes a <time>; older ones print
# only the time's text in the timestamp link, and the date in the date header above the post;
# third-party templates keep at least the permalink's rel.
POST_TIME = ("time.published[datetime]", "abbr.published[title]", ".published[title]",
             ".post-timestamp time[datetime]", ".post-timestamp .timestamp-link",
             ".post-timestamp", "a.timestamp-link", "a[rel~=bookmark]")
POST_BODY = (".post-body", ".entry-content", "[itemprop~=articleBody]")
POST_BOILERPLATE = (".//*[self::script or self::style or self::form"
                    " or contains(@class, 'post-share-buttons')]")
# Ids looked up through the id attributes (//@id[...]/..): libxml2 then tests only the elements
# that have one, a third of the time of //*[@id = ...].
POST_ID = ("//meta[@itemprop='postId']/@content", "//@id[starts-with(., 'post-body-')]",
           "//link[@rel='alternate'][contains(@href, '/comments/default')]/@href",
           "//@id[. = 'comment-editor-src']/../@href")
POST_ID_IN = re.compile(r"post-body-(\d+)|/feeds/(\d+)/comments/|[?&](?:postID|po)=(\d+)")
COMMENT_PAGE = re.compile(r"[?&]commentPage=(\d+)")

LISTING_POSTS = (".post-title a", "a.timestamp-link", ".jump-link a",
                 "[itemprop=blogPost] a[itemprop=url]")
LISTING_NEXT = ("a.blog-pager-older-link", "#blog-pager-older-link a")
# A listing's link to each post's comments, whose text says how many it has ("5 comments"):
# to #comments in the 2017 themes, to the embedded form (#comment-form) in Layouts templates.
COUNTED_COMMENTS = ("comments", "comment-form")


def detect(page: Page) -> bool:
    if page.is_json or page.is_xml:
        return is_feed(page)
    if any(name.startswith("blogger") for name in generators(page)):
        return True
    return has_markers(head(page), MARKERS, 2)


def read_thread(page: Page) -> Thread | None:
    feed = read_feed(page)
    if feed is not None:
        return read_comment_feed(page, feed)
    if page.is_json or page.is_xml or not _is_single(page):
        return None
    current = _comment_page(page)
    language = _primary(_page_data(page).get("locale") or page.language)
    return Thread(platform=PLATFORM, post=_read_post(page),
                  comments=read_comments(page, language), comment_page=current,
                  more_comment_pages=_comment_pages(page, current), language=language)


def find_links(page: Page) -> PageLinks:
    """On a post: its comment pages and comment feed. On a listing: posts, older posts, the
    posts feed and each post's comment count. On a feed: its posts (a posts feed), when each
    was last updated and its comment count, and its next page."""
    feed = read_feed(page)
    if feed is not None:
        return feed_links(page, feed)
    if page.is_json or page.is_xml:
        return PageLinks()
    if _is_single(page):
        current = _comment_page(page)
        return PageLinks(thread_pages=_comment_pages(page, current), comment_page=current,
                         feeds=_comment_feeds(page))
    posts = [url for url in hrefs(page, LISTING_POSTS, within=_scope(page))
             if POST_PATH.search(urlsplit(url).path) and not is_trap(url)]
    older = hrefs(page, LISTING_NEXT)
    return PageLinks(posts=posts, listings=older + _posts_feeds(page),
                     comment_counts=comment_counts(page, posts, COUNTED_COMMENTS))


@per_page
def _page_data(page):
    found = {}
    for name, pattern in PAGE_DATA.items():
        match = pattern.search(page.text)
        if match:
            found[name] = match[1]
    return found


def _primary(locale):
    return re.split(r"[-_]", locale.lower())[0] if locale else None


@per_page
def _is_single(page):
    page_type = _page_data(page).get("pageType")
    if page_type:
        return page_type in SINGLE_PAGE_TYPES
    posts = page.xpath("//@id[starts-with(., 'post-body-')]/..") or first(page,
                                                                          (".post-body",)) or []
    if len(posts) != 1:
        return False
    return bool(POST_PATH.search(urlsplit(canonical(page)).path) or page.css("#comments"))


def _scope(page):
    return first(page, POST_SCOPE) or page.xpath("/*")


def _read_post(page):
    scope = _scope(page)
    post = (first(scope, POST) or scope)[0]
    byline = post.xpath(BYLINE)
    title = first(post, POST_TITLE)
    author = byline and first(byline, POST_AUTHOR) or first(post, POST_AUTHOR)
    time = byline and first(byline, POST_TIME) or first(post, POST_TIME)
    body = first(post, POST_BODY)
    return Post(
        url=strip_fragment(canonical(page)),
        platform_id=_post_id(page),
        title=text_of(title) if title else text_of(page.xpath("//title")),
        author=text_of(author) if author else "",
        published_shown=_post_time_shown(scope, time),
        published_machine=_machine(time[0]) if time else None,
        categories=list(dict.fromkeys(text_of(label) for label in post.css(".post-labels a")
                                      if text_of(label))),
        body_html=inner_html(without(body[0].root, POST_BOILERPLATE)) if body else "",
        comment_count_shown=_comment_count(page),
    )


def _post_time_shown(scope, time):
    """The post's date as shown: the date header above it (templates that print one), with the
    timestamp's text after it when that is only a time of day ("Monday, October 27, 2008
    4:13 PM")."""
    header = text_of(first(scope, (".date-header",)))
    shown = text_of(time) if time else ""
    if not header:
        return shown or None
    return header if re.search(r"\d{4}", shown) else f"{header} {shown}".strip()


def _machine(time):
    """The machine-readable time of a timestamp element: a datetime, or a title holding one."""
    value = time.attrib.get("datetime") or time.attrib.get("title") or ""
    return value if re.match(r"\d{4}-\d{2}-\d{2}", value) else None


def _post_id(page):
    data = _page_data(page).get("postId")
    if data:
        return data
    for query in POST_ID:
        for value in page.xpath(query).getall():
            if value.isdigit():
                return value
            match = POST_ID_IN.search(value)
            if match:
                return next(group for group in match.groups() if group)
    return None


def _comment_count(page):
    shown = page.xpath("//@id[. = 'comments']/../@data-num-comments").get()
    if shown and shown.isdigit():
        return int(shown)
    heading = first(page, ("#comments h4", "#comments h3", ".comments h4", ".comments h3"))
    return number_in(text_of(heading)) if heading else None


def _comment_page(page):
    """The page of a post's comments this is, as its address names it (`?commentPage=N`: Blogger
    pages comments without threading 200 at a time); None for the post's own address."""
    match = COMMENT_PAGE.search(page.url)
    return int(match[1]) if match else None


def _comment_pages(page, current):
    """The post's other comment pages, as its comment area links them."""
    area = first(page, COMMENT_AREA)
    if not area:
        return []
    pages = [absolute(page.url, href) for href in area.css("a::attr(href)").getall()
             if COMMENT_PAGE.search(href)]
    return [url for url in unique(pages) if int(COMMENT_PAGE.search(url)[1]) != current]


def _comment_feeds(page):
    """The post's comment feed, as the page names it, in the form COMMENT_FEED_QUERY asks."""
    named = next((url for url in named_feeds(page) if "/comments/default" in url), None)
    if named:
        return [with_query(named, COMMENT_FEED_QUERY)]
    post_id = _post_id(page)
    if post_id is None:
        return []
    parts = urlsplit(canonical(page))
    return [f"{parts.scheme}://{parts.netloc}/feeds/{post_id}/comments/default"
            f"?{COMMENT_FEED_QUERY}"]


def _posts_feeds(page):
    """The blog's posts feed, when the page names it, as a listing of every post."""
    return unique(with_query(url, POSTS_FEED_QUERY) for url in named_feeds(page)
                  if urlsplit(url).path.endswith("/feeds/posts/default"))
