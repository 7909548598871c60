"""Blogger (Blogspot): post pages of every template generation, and Blogger's Atom and JSON feeds.

Pages. Classic and Layouts templates list comments in a definition list (`dl#comments-block`:
the author in a <dt>, the text and the time in the <dd>s after it); the 2017 themes (Contempo,
Soho, Emporio, Notable) without threading in `div.comment` blocks; every template with threaded
comments in nested `li.comment` threads, as Blogger's server or its script renders them. A
comment's permalink carries the instant it was written (`?showComment=<ms since 1970>`), so its
shown wall time gives the blog's offset for that very comment, daylight saving included.

Feeds (`/feeds/posts/default`, `/feeds/POSTID/comments/default`, Atom or `alt=json`) are read
through one entry shape: ids, zoned times, and the `related` link that names the comment an
entry replies to.
"""

import copy
import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from urllib.parse import urlsplit, urlunsplit

import lxml.html
from lxml import etree

from archiver import dates
from archiver.plain_dates import CLOCK, clock_time, parse_plain
from archiver.extractors.bylines import without_says
from archiver.extractors.common import (absolute, canonical, comment_counts, compiled, first, first_elements,
                                        generators, has_markers, hrefs, inner_html, is_trap, number_in,
                                        per_page, strip_fragment, text_of, unique, without)
from archiver.items import Comment, PageLinks, Post, Thread

PLATFORM = "blogger"

# What only Blogger's templates print: its widget manager, comment-form script, main widget id
# and the hosts of its own scripts and images.
MARKERS = ("_WidgetManager", "BLOG_CMT_", "id='Blog1'", 'id="Blog1"', "blogger.com/feeds/",
           "blogblog.com/")
FEED_ID = "tag:blogger.com,1999:blog-"
# The page's own data, as Blogger's widget manager is given it: what kind of page, its locale,
# and (on a post) the post's id.
PAGE_DATA = {name: re.compile(rf"""{name}['"]\s*:\s*['"]([^'"]*)['"]""")
             for name in ("pageType", "locale", "postId")}
SINGLE_PAGE_TYPES = ("item", "static_page")
HAS_CLASS = "contains(concat(' ', normalize-space(@class), ' '), ' {} ')"
POST_PATH = re.compile(r"/\d{4}/\d{2}/[^/]+\.html$|/p/[^/]+\.html$")

# The Blog widget holds the post; sidebars reuse its classes (featured and popular posts).
POST_SCOPE = ("#Blog1", ".widget.Blog", ".blog-posts", "#main", "body")
POST = (".post-outer", ".post", "article")
# Where templates put the post's author and time: its header or footer line (else anywhere in it).
BYLINE = f"./descendant::*[{HAS_CLASS.format('post-header')} or {HAS_CLASS.format('post-footer')}]"
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

COMMENT_AREA = ("#comments", ".comments", "#comment-holder")
# Comment markup by template generation, each an XPath from the comment area: threaded lists,
# the 2017 themes' blocks, and classic and Layouts definition lists (a <dt> and its <dd>s; the
# "Links to this post" list below them is no comment).
THREADED = "threaded"
DEFINITIONS = "definitions"
COMMENT_LAYOUTS = (
    (THREADED, f".//li[{HAS_CLASS.format('comment')}]"),
    ("blocks", f".//div[{HAS_CLASS.format('comment')}]"),
    (DEFINITIONS, ".//dl/dt[not(ancestor::*[contains(@id, 'backlinks')])]"),
)
COMMENT_ID = re.compile(r"^c(\d+)$|_cmt-(\d+)$|#c(\d+)$")
# From a comment's element, compiled once (and values as plain strings, which keep no tree alive).
COMMENT_BLOCK = etree.XPath(f"./div[{HAS_CLASS.format('comment-block')}]")
THREAD_HOLDERS = etree.XPath(f"ancestor::li[{HAS_CLASS.format('comment')}]")
COMMENT_ID_PLACES = etree.XPath("descendant-or-self::*/@id | .//a/@name | .//a/@href | ../@id",
                                smart_strings=False)
PERMALINK_TARGETS = etree.XPath(".//a[contains(@href, 'showComment')]/@href", smart_strings=False)
AVATAR_TITLES = etree.XPath(".//*[contains(@class, 'avatar')]//img/@title", smart_strings=False)
AUTHOR = ("cite.user", ".comment-author", ".comment-poster", "dt")
# Not the name: the avatar (a profile link around an image) and the form's script.
AUTHOR_CHROME = ".//*[contains(@class, 'avatar') or self::script or self::noscript or self::img]"
TIME = (".datetime a", ".comment-timestamp a", "a[title='comment permalink']", ".datetime",
        ".comment-timestamp")
BODY = (".comment-content", ".comment-body")
SHOW_COMMENT = re.compile(r"showComment(?:=|%3D)(\d{10,})")
COMMENT_PAGE = re.compile(r"[?&]commentPage=(\d+)")
# Offsets in use run from -12:00 to +14:00; a time of day alone cannot tell -10:00 from +14:00,
# and Hawaii blogs far outnumber Kiribati's.
LATEST_OFFSET = 13 * 60

LISTING_POSTS = (".post-title a", "a.timestamp-link", ".jump-link a", "[itemprop=blogPost] a[itemprop=url]")
LISTING_NEXT = ("a.blog-pager-older-link", "#blog-pager-older-link a")
# A listing's link to each post's comments, whose text says how many it has ("5 comments"):
# to #comments in the 2017 themes, to the embedded form (#comment-form) in Layouts templates.
COUNTED_COMMENTS = ("comments", "comment-form")
# Blogger's own comment script asks for version 2 of the feed (replies carry a `related` link to
# their parent) in the order comments were written. 500 is the most the feeds ever answered
# a request; Blogger now answers fewer and names the rest with a `next` link (start-index).
COMMENT_FEED_QUERY = "alt=json&v=2&orderby=published&reverse=false&max-results=500"
POSTS_FEED_QUERY = "alt=json&max-results=500"
RELATED_COMMENT = re.compile(r"/comments/default/(\d+)")
ENTRY_NUMBER = re.compile(r"\.post-(\d+)$")
FEED_POST = re.compile(r"\.post-?(\d+)\.")


def detect(page):
    if page.is_json:
        return _json_feed(page) is not None
    head = page.text[:200_000]
    if page.is_xml:
        return bool(re.search(r"<feed\b", head[:3000])) and FEED_ID in head[:10_000]
    if any(name.startswith("blogger") for name in generators(page)):
        return True
    return has_markers(head, MARKERS, 2)


def read_thread(page):
    feed = _feed(page)
    if feed is not None:
        return _read_comment_feed(page, feed)
    if page.is_json or page.is_xml or not _is_single(page):
        return None
    current = _comment_page(page)
    language = _page_data(page).get("locale") or page.language
    return Thread(platform=PLATFORM, post=_read_post(page), comments=_read_comments(page, language),
                  comment_page=current, more_comment_pages=_comment_pages(page, current),
                  language=_primary(language))


def find_links(page):
    """On a post: its comment pages and comment feed. On a listing: posts, older posts, the
    posts feed and each post's comment count. On a feed: its posts (a posts feed), when each
    was last updated and its comment count, and its next page."""
    feed = _feed(page)
    if feed is not None:
        following = _next_feed_page(page, feed)
        if _is_comment_feed(feed):
            return PageLinks(feeds=following)
        return _posts_feed_links(feed, following)
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


# Pages


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
    posts = page.xpath("//@id[starts-with(., 'post-body-')]/..") or first(page, (".post-body",)) or []
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
        categories=list(dict.fromkeys(text_of(label) for label in post.css(".post-labels a") if text_of(label))),
        body_html=inner_html(without(body[0].root, POST_BOILERPLATE)) if body else "",
        comment_count_shown=_comment_count(page),
    )


def _post_time_shown(scope, time):
    """The post's date as shown: the date header above it (templates that print one), with the
    timestamp's text after it when that is only a time of day ("Monday, October 27, 2008 4:13 PM")."""
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


def _read_comments(page, language):
    """Every comment of the page, in document order, a reply with its parent."""
    area = first(page, COMMENT_AREA)
    if not area:
        return []
    for layout, query in COMMENT_LAYOUTS:
        nodes = compiled(query)(area[0].root)
        if nodes:
            break
    else:
        return []
    comments, index_of = [], {}
    for node in nodes:
        own = _own(layout, node)
        number = _number(own)
        comment = _read_comment(page, own, language)
        comment.platform_id = number
        if layout == THREADED:
            holders = THREAD_HOLDERS(node)
            parent = _number(_own(THREADED, holders[-1])) if holders else None
            comment.parent_platform_id = parent
            comment.parent = index_of.get(parent)
            comment.depth = len(holders) + 1
        if number:
            index_of[number] = len(comments)
        comments.append(comment)
    return comments


def _own(layout, node):
    """A comment's own markup: a threaded comment's block without its replies, or a <dt>
    joined with the <dd>s that follow it (the text and the time)."""
    if layout == THREADED:
        block = COMMENT_BLOCK(node)
        return block[0] if block else node
    if layout == DEFINITIONS:
        joined = lxml.html.Element("div")
        joined.append(copy.deepcopy(node))
        for sibling in node.itersiblings():
            if sibling.tag != "dd":
                break
            joined.append(copy.deepcopy(sibling))
        return joined
    return node


def _number(own):
    """Blogger's comment id: on the comment (`c123`), its text (`Blog1_cmt-123`), an anchor
    (`<a name="c123">`) or its permalink (`#c123`)."""
    for value in COMMENT_ID_PLACES(own):
        match = COMMENT_ID.search(value)
        if match:
            return next(group for group in match.groups() if group)
    return None


def _read_comment(page, own, language):
    """A comment from its own markup, an lxml element."""
    name, author_url = _author(first_elements(own, AUTHOR), own)
    time = first_elements(own, TIME)
    shown = text_of(time) or None if time else None
    link = time[0].get("href") if time and time[0].tag == "a" else None
    if link is None:
        link = next(iter(PERMALINK_TARGETS(own)), None)
    permalink = absolute(page.url, link)
    body = first_elements(own, BODY)
    return Comment(
        author=name,
        author_url=absolute(page.url, author_url),
        permalink=permalink,
        published_shown=shown,
        published_machine=_instant(permalink, shown, language),
        body_html=inner_html(body[0]) if body else "",
    )


def _author(author, own):
    """(name, link): the linked name, else the avatar's title, else the text less "said..."."""
    if not author:
        return "", None
    element = author[0]
    for link in compiled(".//a[@href][not(ancestor::*[contains(@class, 'avatar')])]")(element):
        name = text_of(link)
        if name:
            return name, link.get("href")
    titled = next(iter(AVATAR_TITLES(own)), None)
    if titled and titled.strip():
        return " ".join(titled.split()), None
    return without_says(text_of(without(element, AUTHOR_CHROME))).strip(), None


def _instant(permalink, shown, language):
    """The comment's time from its permalink's instant, in the offset its shown wall time
    reveals; the UTC instant when no time is shown; None when the shown text has no clock
    time to compare with (it then stands on its own)."""
    match = SHOW_COMMENT.search(permalink or "")
    if match is None:
        return None
    instant = datetime.fromtimestamp(int(match[1]) // 1000, timezone.utc)
    if not shown:
        return dates.utc_iso(instant)
    offset = _offset(instant, shown, language)
    return instant.astimezone(timezone(offset)).isoformat() if offset is not None else None


def _offset(instant, shown, language):
    """The offset between a shown wall time and the UTC instant it shows, to 15 minutes."""
    wall = parse_plain(shown, _primary(language))
    minutes = (wall - instant.replace(tzinfo=None)).total_seconds() / 60 if isinstance(wall, datetime) else None
    if minutes is None or abs(minutes) > 14 * 60:  # no date shown, or day and month read the wrong way
        clock = _clock_minutes(shown)
        if clock is None:
            return None
        minutes = (clock - instant.hour * 60 - instant.minute) % 1440
        if minutes > LATEST_OFFSET:
            minutes -= 1440
    minutes = 15 * round(minutes / 15)
    return timedelta(minutes=minutes) if abs(minutes) <= 14 * 60 else None


def _clock_minutes(text):
    """Minutes after midnight of the clock time in a text ("6:32 PM", "13 h 47"), or None."""
    match = CLOCK.search(f" {text.lower()} ")
    clock = clock_time(match) if match is not None else None
    return clock[0] * 60 + clock[1] if clock is not None else None


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
    named = page.xpath("//link[@rel='alternate'][contains(@href, '/comments/default')]/@href").get()
    if named:
        return [_with_query(absolute(page.url, named), COMMENT_FEED_QUERY)]
    post_id = _post_id(page)
    if post_id is None:
        return []
    parts = urlsplit(canonical(page))
    return [f"{parts.scheme}://{parts.netloc}/feeds/{post_id}/comments/default?{COMMENT_FEED_QUERY}"]


def _posts_feeds(page):
    """The blog's posts feed, when the page names it, as a listing of every post."""
    return unique(_with_query(absolute(page.url, href), POSTS_FEED_QUERY) for href in page.xpath(
        "//link[@rel='alternate'][contains(@href, '/feeds/posts/')]/@href").getall()
        if urlsplit(href).path.endswith("/feeds/posts/default"))


def _with_query(url, query):
    return urlunsplit(urlsplit(url)._replace(query=query, fragment=""))


# Feeds


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
    id: str
    links: dict
    entries: list


@per_page
def _feed(page):
    """The Blogger feed on the page (Atom or `alt=json`), or None."""
    if page.is_json:
        return _json_feed(page)
    if page.is_xml and detect(page):
        return _atom_feed(page)
    return None


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
        content=_t(entry.get("content")) or _t(entry.get("summary")), links=_links(entry.get("link")),
        updated=_t(entry.get("updated")).strip() or None, comment_total=_count(_t(entry.get("thr$total"))),
        author=_t(author.get("name")), author_uri=_t(author.get("uri")) or None,
        reply_ref=reply.get("ref"), reply_href=reply.get("href"),
        properties={item.get("name"): item.get("value") for item in entry.get("gd$extendedProperty") or []})


def _t(value):
    """The text of a JSON feed value ({"$t": "…"})."""
    return str(value.get("$t", "")) if isinstance(value, dict) else ""


def _links(links):
    found = {}
    for link in links or []:
        found.setdefault(link.get("rel"), link.get("href"))
    return found


def _atom_feed(page):
    root = page.selector
    root.remove_namespaces()
    feed = root.xpath("/feed")
    if not feed:
        return None
    feed = feed[0]
    return Feed(id=feed.xpath("id/text()").get(""), links=_atom_links(feed),
                entries=[_atom_entry(entry) for entry in feed.xpath("entry")])


def _atom_entry(entry):
    return Entry(
        id=entry.xpath("id/text()").get(""), published=entry.xpath("published/text()").get(),
        content=entry.xpath("content/text()").get() or entry.xpath("summary/text()").get(""),
        updated=entry.xpath("updated/text()").get("").strip() or None,
        comment_total=_count(entry.xpath("total/text()").get("")),
        links=_atom_links(entry), author=entry.xpath("author[1]/name/text()").get(""),
        author_uri=entry.xpath("author[1]/uri/text()").get(),
        reply_ref=entry.xpath("in-reply-to/@ref").get(), reply_href=entry.xpath("in-reply-to/@href").get(),
        properties=dict(zip(entry.xpath("extendedProperty/@name").getall(),
                            entry.xpath("extendedProperty/@value").getall())))


def _count(text):
    return int(text) if text.strip().isdecimal() else None


def _atom_links(node):
    found = {}
    for link in node.xpath("link"):
        found.setdefault(link.attrib.get("rel"), link.attrib.get("href"))
    return found


def _posts_feed_links(feed, following):
    """A posts feed's posts, when each was last updated and how many comments each has."""
    links = PageLinks(posts=unique(entry.links.get("alternate") for entry in feed.entries), listings=following)
    for entry in feed.entries:
        post = entry.links.get("alternate")
        if not post:
            continue
        post = strip_fragment(post)
        if entry.updated:
            links.modified[post] = entry.updated
        if entry.comment_total is not None:
            links.comment_counts[post] = entry.comment_total
    return links


def _is_comment_feed(feed):
    return feed.id.endswith("comments") or any(entry.reply_ref for entry in feed.entries)


def _read_comment_feed(page, feed):
    """A post's comment feed as a thread: None for a posts feed or a whole blog's comments."""
    if not _is_comment_feed(feed):
        return None
    named = FEED_POST.search(feed.id)
    answered = {(entry.reply_href, _entry_number(entry.reply_ref)) for entry in feed.entries if entry.reply_href}
    if named:  # one post's feed: its alternate link is the post
        post_id, post_url = named[1], feed.links.get("alternate") or next(iter(answered), (None,))[0]
    elif len(answered) == 1:
        post_url, post_id = answered.pop()
    else:
        return None
    if not post_url:
        return None
    comments, index_of = [], {}
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
    return Thread(platform=PLATFORM, post=Post(url=strip_fragment(absolute(page.url, post_url)),
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
    return [_with_query(page.url, parts.query)]
