"""WordPress and WordPress.com, read through their HTML: classic and block themes.

This module tells a WordPress page and which it is (a single post, a listing), reads the post,
and finds what a page links to: its comment pages, feeds, REST comments, and on a listing the
posts with what it says of each. archiver.extractors.wordpress_comments reads the comments.
"""

import json
import re
from urllib.parse import urlsplit

from lxml import etree

from archiver.extractors import wordpress_rest
from archiver.extractors.detection import generators, has_markers, head
from archiver.extractors.elements import inner_html, number_in, text_of, without
from archiver.extractors.feeds import named_feeds
from archiver.extractors.links import canonical, comment_counts, listing_links, schema_signals
from archiver.extractors.selectors import compiled, css, first, has_class
from archiver.extractors.wordpress_comments import IS_COMMENT, IS_COMMENT_ID, read_comments
from archiver.items import PageLinks, Post, SiteInfo, Thread
from archiver.page import Page, per_page
from archiver.urls import (
    COMMENT_PAGE_MARK,
    absolute,
    comment_page_of,
    is_trap,
    post_url_of,
    strip_fragment,
    unique,
)

PLATFORM = "wordpress"

MARKERS = ("/wp-content/", "/wp-includes/", "wp-json", "wp-block-", "wordpress.com")
# WordPress.com's own sites: its name, widgets and static hosts (s0.wp.com).
WPCOM_MARKERS = ("WordPress.com", "wpcomwidgets")
WPCOM_STATIC = re.compile(r"(?<=s\d)\.wp\.com")
POST_TITLE = ("h1.entry-title", ".entry-title", "h1.wp-block-post-title", ".wp-block-post-title",
              "h1.post-title", ".post-title", "article h1", "h1")
POST_AUTHOR = (".byline .author a", ".byline a[rel~=author]", "a[rel~=author]",
               ".wp-block-post-author-name", ".wp-block-post-author__name", ".author.vcard .fn",
               ".author.vcard", ".entry-meta .author", ".post-author-name", ".post-author")
POST_TIME = ("time.entry-date.published", "time.published", ".wp-block-post-date time",
             "time.entry-date", ".entry-meta time", ".posted-on time", "abbr.published",
             "article time")
POST_BODY = (".entry-content", ".wp-block-post-content", ".post-content", ".entry-body",
             ".post-entry", ".entrytext", ".entry", ".post-body", "article .content")
# WordPress.com and Jetpack furniture inside post bodies: sharing, likes, related posts, ads.
POST_BOILERPLATE = (
    ".//*[@class and (contains(@class, 'sharedaddy') or contains(@class, 'jp-relatedposts')"
    " or contains(@class, 'wpcnt') or contains(@class, 'wpl-likebox')"
    " or contains(@class, 'post-likes-widget') or contains(@class, 'wp-block-post-comments')"
    " or contains(@class, 'comments-area')) or @id = 'jp-post-flair' or @id = 'comments'"
    " or self::script or self::style or self::form]"
)
LISTING_POSTS = (".entry-title a", ".wp-block-post-title a", "h2.post-title a", "a[rel~=bookmark]",
                 "article h2 a")
LISTING_NEXT = ("a.next.page-numbers", "link[rel=next]", ".nav-previous a", ".nav-links a",
                ".wp-block-query-pagination a", ".pagination a", "a.next", "a[rel=next]")
# A listing's link to each post's comments says how many it has ("3 Comments", "1 Kommentar",
# "12"): WordPress links a post's #comments when it has some, its #respond ("Leave a comment")
# when it has none.
COUNTED_COMMENTS = ("comments",)
NO_COMMENTS_YET = ("respond",)
# Containers first: in block themes `#comments` is only the heading (Twenty Twenty-Two's Post
# Comments block holds it, the comments and their pager).
COMMENT_AREA = (".wp-block-comments", ".wp-block-post-comments", "div#comments", "section#comments",
                ".comments-area", "#comments", ".commentlist", ".comment-list")
COMMENT_PAGE_NUMBER = re.compile(r"comment-page-\d+")
# In a comment area, as plain strings (parsel would wrap each in a Selector).
COMMENT_IDS = etree.XPath(f"descendant::*/@id[{IS_COMMENT_ID}]", smart_strings=False)
LINK_TARGETS = etree.XPath("descendant-or-self::a/@href", smart_strings=False)


def detect(page: Page) -> bool:
    if any("wordpress" in name for name in generators(page)):
        return True
    return has_markers(head(page), MARKERS, 2)


def platform_of(page: Page) -> str:
    """"wordpress.com" for a site WordPress.com hosts, else "wordpress"."""
    text = head(page)
    # Plain substring searches first: a regular expression alternation scans character by character.
    hosted = any(marker in text for marker in WPCOM_MARKERS) or (
        ".wp.com" in text and WPCOM_STATIC.search(text) is not None)
    return "wordpress.com" if hosted else PLATFORM


def is_single(page: Page) -> bool:
    """Whether `page` shows one post (or page), not a listing."""
    classes = page.xpath("//body/@class").get() or ""
    if re.search(r"\b(single|singular|postid-\d+|page-id-\d+)\b", classes):
        return True
    if re.search(r"\b(home|blog|archive|search|error404|paged)\b", classes):
        return False
    return len(page.css("article")) <= 1 and bool(first(page, COMMENT_AREA) or page.css("#respond"))


def shows_no_comments(page: Page) -> bool:
    """Whether a post page shows no comment section (closed, and none made) or one that holds
    only the form for the first: where a theme lists its comments, so that no comment read
    and no count there mean none."""
    area = first(page, COMMENT_AREA)
    return area is None or not area.xpath(
        ".//text()[normalize-space()][not(ancestor::*[@id='respond'])]")


def read_thread(page: Page) -> Thread | None:
    if not is_single(page):
        return None
    post = _read_post(page)
    current = _comment_page(page)
    return Thread(platform=platform_of(page), post=post, comments=read_comments(page),
                  comment_page=current, more_comment_pages=_comment_pages(page))


def find_links(page: Page) -> PageLinks:
    """On a post: its comment pages, its own comment feed and REST comments. On a listing: posts
    and next pages, the site's feeds (its comments feed among them), and what it says of each
    post: its comment count, and schema.org's dateModified."""
    feeds = named_feeds(page)
    if is_single(page):
        post_url, post_id = post_url_of(canonical(page)), _post_id(page)
        current = _comment_page(page)
        sources = [url for url in feeds if url.startswith(post_url) and url != post_url
                   or post_id and re.search(rf"[?&]p={post_id}(&|$)", url)]
        # The REST API's comments of the post: exact ids, parents and GMT times, whatever the
        # theme shows; the spider asks for them only when the site's REST index lists wp/v2.
        rest = wordpress_rest.comments_url(page, post_id)
        return PageLinks(thread_pages=_comment_pages(page), comment_page=current,
                         feeds=sources + ([rest] if rest else []))
    links = listing_links(page, LISTING_POSTS, LISTING_NEXT)
    modified, counts = schema_signals(page, links.posts)
    return PageLinks(posts=links.posts, feeds=feeds,
                     listings=[url for url in links.listings if comment_page_of(url) is None],
                     modified=modified,
                     comment_counts={**counts, **comment_counts(page, links.posts, COUNTED_COMMENTS,
                                                                NO_COMMENTS_YET)})


def _read_post(page):
    title = first(page, POST_TITLE)
    author = _outside_comments(page, POST_AUTHOR)
    time = _outside_comments(page, POST_TIME)
    meta_time = page.xpath("//meta[@property='article:published_time']/@content").get()
    body = first(page, POST_BODY)
    return Post(
        url=post_url_of(canonical(page)),
        platform_id=_post_id(page),
        title=text_of(title[0]) if title else text_of(page.xpath("//title")),
        author=text_of(author) if author is not None else
        page.xpath("//meta[@name='author']/@content").get(""),
        published_shown=text_of(time) if time is not None else None,
        # hAtom themes give the machine-readable time as the title of <abbr class="published">.
        published_machine=(time.attrib.get("datetime") or time.attrib.get("title")
                           if time is not None else None) or meta_time,
        categories=_terms(page, "category"),
        tags=_terms(page, "post_tag"),
        body_html=inner_html(without(body[0].root, POST_BOILERPLATE)) if body else "",
        comment_count_shown=number_in(text_of(css(page, ".comments-title, .comments-area h2"))),
    )


def _outside_comments(page, queries):
    """The first element of a cascade that is not in a comment: comments reuse the post's markup."""
    for query in queries:
        for element in css(page, query):
            if not compiled(f"ancestor::*[{IS_COMMENT}]")(element.root):
                return element
    return None


def _post_id(page):
    classes = page.xpath("//body/@class").get() or ""
    match = re.search(r"\bpostid-(\d+)|\bpage-id-(\d+)", classes)
    if match:
        return match[1] or match[2]
    return page.xpath("//input[@name='comment_post_ID']/@value").get() or page.xpath(
        "//article/@id").re_first(r"^post-(\d+)$")


def _terms(page, taxonomy):
    rel = "category" if taxonomy == "category" else "tag"
    links = css(page, f".taxonomy-{taxonomy} a, .wp-block-post-terms.taxonomy-{taxonomy} a")
    if not links:  # through the rel attributes: only the links that have one are tested
        links = page.xpath(f"//a/@rel[{has_class(rel, '.')}]" +
                           ("" if rel == "category" else "[not(contains(., 'category'))]") + "/..")
    return list(dict.fromkeys(text_of(link) for link in links if text_of(link)))


@per_page
def _comment_page(page):
    """Which comment page this is: named in the URL, marked in the pager, or else named by the
    permalinks of the comments shown (a bare post URL shows the newest page by default); None
    when nothing says, and then it sorts after the numbered pages."""
    named = comment_page_of(page.url) or comment_page_of(canonical(page))
    if named:
        return named
    area = first(page, COMMENT_AREA)
    if area is None:
        return None
    current = css(area, ".page-numbers.current::text, .wp-block-comments-pagination-numbers "
                       ".current::text").get()
    shown = {f"#{node_id}" for node in area for node_id in COMMENT_IDS(node.root)}
    # The pages the permalinks name, each read once: a page's comments mostly name the same.
    permalinked = {href[:href.index("#")] for href in _link_targets(area)
                   if "#" in href and href[href.index("#"):] in shown}
    return number_in(current) or max(filter(None, map(comment_page_of, permalinked)),
                                     default=None)


def _link_targets(area):
    """The href of every link in the elements of `area`, in order."""
    return [href for node in area for href in LINK_TARGETS(node.root)]


def _same_page(a, b):
    """Same host and path: a scheme-relative canonical (`//host/…`) may have left the scheme
    unknown."""
    a, b = urlsplit(a), urlsplit(b)
    return (a.netloc, a.path.rstrip("/")) == (b.netloc, b.path.rstrip("/"))


@per_page
def _comment_pages(page):
    """Every other comment page of this post, from the pager or, when the theme prints
    none (Twenty Twenty-Three does not), the pages before the one the permalinks name.
    Only this post's, from its comment area (a "recent comments" widget links elsewhere), and
    not the one this page shows."""
    area = first(page, COMMENT_AREA)
    if area is None:
        return []
    post_url = post_url_of(canonical(page))
    hrefs = _link_targets(area)
    if comment_page_of(page.url) is None:
        # Most of an area's links are its authors' and permalinks: not worth resolving.
        hrefs = [href for href in hrefs if COMMENT_PAGE_MARK.search(href)]
    hrefs = [absolute(page.url, href) for href in hrefs]
    pages = [href for href in hrefs if comment_page_of(href) and not is_trap(href)
             and _same_page(post_url_of(href), post_url)]
    if pages:
        # Pages before the highest one named, in the same form as a link the page has.
        model = strip_fragment(max(pages, key=comment_page_of))
        pages += [COMMENT_PAGE_NUMBER.sub(f"comment-page-{n}", model)
                  for n in range(1, comment_page_of(model)) if COMMENT_PAGE_NUMBER.search(model)]
    return [url for url in unique(pages) if comment_page_of(url) != _comment_page(page)]


def read_site(page: Page) -> SiteInfo | None:
    """SiteInfo from the REST index (`/wp-json/`): name, home and the zone, DST-aware; or None."""
    try:
        index = json.loads(page.text)
    except ValueError:
        return None
    if not isinstance(index, dict) or "namespaces" not in index:
        return None
    offset = index.get("gmt_offset")
    zone_name = index.get("timezone_string") or (_offset_name(offset) if offset is not None
                                                 else None)
    home = index.get("home") or index.get("url") or page.url
    return SiteInfo(site=urlsplit(home).netloc, url=home.rstrip("/") + "/", name=index.get("name"),
                    timezone=zone_name, platform=PLATFORM)


def _offset_name(hours):
    minutes = round(float(hours) * 60)
    sign = "-" if minutes < 0 else "+"
    return f"{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"
