"""Blogger's comments on a post's page, in every template generation.

Classic and Layouts templates list comments in a definition list (`dl#comments-block`: the
author in a <dt>, the text and the time in the <dd>s after it); the 2017 themes (Contempo,
Soho, Emporio, Notable) without threading in `div.comment` blocks; every template with threaded
comments in nested `li.comment` threads, as Blogger's server or its script renders them. A
comment's permalink carries the instant it was written (`?showComment=<ms since 1970>`), so its
shown wall time gives the blog's offset for that very comment, daylight saving included.
"""

import copy
import re
from datetime import UTC, datetime, timedelta, timezone

import lxml.html
from lxml import etree

from archiver import dates
from archiver.extractors.bylines import without_says
from archiver.extractors.elements import inner_html, text_of, without
from archiver.extractors.selectors import compiled, first, first_elements, has_class
from archiver.items import Comment
from archiver.page import Page
from archiver.plain_dates import CLOCK, clock_time, parse_plain
from archiver.urls import absolute

COMMENT_AREA = ("#comments", ".comments", "#comment-holder")
# Comment markup by template generation, each an XPath from the comment area: threaded lists,
# the 2017 themes' blocks, and classic and Layouts definition lists (a <dt> and its <dd>s; the
# "Links to this post" list below them is no comment).
THREADED = "threaded"
DEFINITIONS = "definitions"
COMMENT_LAYOUTS = (
    (THREADED, f".//li[{has_class('comment')}]"),
    ("blocks", f".//div[{has_class('comment')}]"),
    (DEFINITIONS, ".//dl/dt[not(ancestor::*[contains(@id, 'backlinks')])]"),
)
COMMENT_ID = re.compile(r"^c(\d+)$|_cmt-(\d+)$|#c(\d+)$")
# From a comment's element, compiled once (and values as plain strings, which keep no tree alive).
COMMENT_BLOCK = etree.XPath(f"./div[{has_class('comment-block')}]")
THREAD_HOLDERS = etree.XPath(f"ancestor::li[{has_class('comment')}]")
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
# Offsets in use run from -12:00 to +14:00 (in minutes); a time of day alone cannot tell -10:00
# from +14:00, and Hawaii blogs far outnumber Kiribati's.
WIDEST_OFFSET = 14 * 60
LATEST_OFFSET = 13 * 60


def read_comments(page: Page, language: str | None) -> list[Comment]:
    """Every comment of the page, in document order, a reply with its parent; `language`, the
    blog's (its primary subtag), in which times are shown."""
    area = first(page, COMMENT_AREA)
    if not area:
        return []
    layout, nodes = _layout_nodes(area[0].root)
    comments: list[Comment] = []
    index_of: dict[str | None, int] = {}  # platform id -> position
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


def _layout_nodes(area):
    """The template generation of a comment area's markup, and its comments' elements; (None,
    []) for markup of none."""
    for layout, query in COMMENT_LAYOUTS:
        nodes = compiled(query)(area)
        if nodes:
            return layout, nodes
    return None, []


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
    instant = datetime.fromtimestamp(int(match[1]) // 1000, UTC)
    if not shown:
        return dates.utc_iso(instant)
    offset = _offset(instant, shown, language)
    return instant.astimezone(timezone(offset)).isoformat() if offset is not None else None


def _offset(instant, shown, language):
    """The offset between a shown wall time and the UTC instant it shows, to 15 minutes."""
    wall = parse_plain(shown, language)
    minutes = None
    if isinstance(wall, datetime):
        minutes = (wall - instant.replace(tzinfo=None)).total_seconds() / 60
    # No date shown, or day and month read the wrong way: the clock time alone tells.
    if minutes is None or abs(minutes) > WIDEST_OFFSET:
        clock = _clock_minutes(shown)
        if clock is None:
            return None
        minutes = (clock - instant.hour * 60 - instant.minute) % 1440
        if minutes > LATEST_OFFSET:
            minutes -= 1440
    minutes = 15 * round(minutes / 15)
    return timedelta(minutes=minutes) if abs(minutes) <= WIDEST_OFFSET else None


def _clock_minutes(text):
    """Minutes after midnight of the clock time in a text ("6:32 PM", "13 h 47"), or None."""
    match = CLOCK.search(f" {text.lower()} ")
    clock = clock_time(match) if match is not None else None
    return clock[0] * 60 + clock[1] if clock is not None else None
