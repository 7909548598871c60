"""The number of comments a post page says its thread has: in a heading in its comments
("9 thoughts on “…”", "Comments (23)", "5 Kommentare"), in an element named a comments title
or count, or on a link to its own #comments."""

from __future__ import annotations

import re

from lxml import etree

from archiver.extractors.elements import in_marked_ancestry, text_without
from archiver.extractors.links import COUNT, UNSHOWN_TEXT, canonical, comment_counts
from archiver.page import Page
from archiver.urls import unique

# The count a post page shows of its own thread, where a heading or count element near the
# comments gives one: "23 comments", "9 thoughts on “…”", "One Response to …", "Comments (23)",
# "5 Kommentare", "12 commentaires", "3 comentarios". Of links, only those to the page's own
# #comments count: on a post page the others are other posts' counts (related posts).
COMMENT_WORDS = (r"(?:comments?|responses?|thoughts?|replies|reactions?|kommentare?|"
                 r"commentaires?|comentarios?|comentários?|commenti|reacties|kommentarer|"
                 r"reacciones|respuestas)")
ONE = {"one": 1, "un": 1, "une": 1, "ein": 1, "eine": 1, "einen": 1, "uno": 1, "una": 1,
       "um": 1, "uma": 1}
WORDED_COUNT = re.compile(rf"(?<![\w.,])({COUNT.pattern}|{'|'.join(ONE)})\s+{COMMENT_WORDS}\b"
                          rf"|\b{COMMENT_WORDS}\s*[(:]\s*({COUNT.pattern})\b", re.I)
# Elements named a comments title or count (`comments-title`, `commentCount`): one scan of the
# page's class and id attributes (lower-casing them all in XPath costs milliseconds), the
# exact test in Python on the few it finds.
COUNT_NAMED = etree.XPath(" | ".join(f"//@{attribute}[contains(., 'omment')]"
                                     "[contains(., 'itle') or contains(., 'ount')"
                                     " or contains(., 'eading')]/.."
                                     for attribute in ("class", "id")))
COUNT_NAMES = ("title", "count", "heading")
HEADINGS = etree.XPath("//h2 | //h3 | //h4 | //h5")
COUNT_ELSEWHERE = etree.XPath("ancestor-or-self::a or ancestor::aside or ancestor::nav")
# Longer texts are sections, not headings or counts.
COUNT_TEXT_LENGTH = 200


def shown_comment_count(page: Page) -> int | None:
    """The number of comments a post page says its thread has, or None when it says none or
    its headings disagree. Headings in the comments first, then elements named a comments
    title or count; a bare number counts in an element named a count, only if one is; a link
    to the page's own #comments, only where no heading or count element says."""
    root = page.selector.root
    headings = _headings_in_comments(root)
    worded, bare = _counts_in(headings)
    if not worded:  # the attributes of the whole page are scanned only when no heading says
        named = [element for element in _count_named(root) if element not in headings]
        more_worded, more_bare = _counts_in(named)
        worded, bare = more_worded, bare + more_bare
    counts = set(worded) or (set(bare) if len(bare) == 1 else set())
    if len(counts) == 1:
        return counts.pop()
    if counts:
        return None
    own = comment_counts(page, unique([canonical(page), page.url]), ("comments",))
    return next(iter(own.values()), None)


def _headings_in_comments(root: etree._Element) -> list[etree._Element]:
    """The headings inside an element named for comments (`#comments h2`)."""
    # Each element passed -> whether it or an ancestor is named for comments.
    in_comments: dict[etree._Element, bool] = {}
    return [heading for heading in HEADINGS(root)
            if _in_comments(heading.getparent(), in_comments)]


def _count_named(root):
    """The elements named a comments title or count (`comments-title`, `span.comment-count`)."""
    return [element for element in COUNT_NAMED(root) if "comment" in _names(element)
            and any(name in _names(element) for name in COUNT_NAMES)]


def _in_comments(element, known):
    """Whether `element` or an ancestor is named for comments."""
    return in_marked_ancestry(element, known, lambda node: "omment" in (node.get("class") or "")
                              + (node.get("id") or "") and "comment" in _names(node))


def _names(element):
    return f"{element.get('class') or ''} {element.get('id') or ''}".lower()


def _counts_in(places):
    """(worded counts, bare numbers) the places show: "23 comments", or "23" in a count."""
    worded, bare = [], []
    for element in places:
        if COUNT_ELSEWHERE(element):
            continue
        text = text_without(element, UNSHOWN_TEXT(element))
        if len(text) > COUNT_TEXT_LENGTH:
            continue
        match = WORDED_COUNT.search(text)
        if match:
            worded.append(_count_value(match[1] or match[2]))
        elif COUNT.fullmatch(text) and "count" in _names(element):
            bare.append(_count_value(text))
    return worded, bare


def _count_value(shown):
    return ONE.get(shown.lower()) or int(re.sub(r"\D", "", shown))
