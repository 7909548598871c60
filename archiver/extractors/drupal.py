"""Drupal 6 to 11: the comment templates of core and its common themes.

Drupal puts an anchor `<a id="comment-N">` before each comment or its theme's wrapper around
it (or the id on the comment's own element) and threads replies by indentation: a reply follows its parent inside a
`<div class="indented">`. Drupal 8 and later also print, hidden, which comment a reply
answers, and carry RDFa (`typeof="schema:Comment"`, `property="schema:dateCreated"`).
"""

import re

from archiver.extractors.common import (canonical, generators, has_markers, hrefs, is_trap,
                                        listing_links, per_page)
from archiver.extractors.markup import Template, read_comments, read_post
from archiver.items import PageLinks, Thread

PLATFORM = "drupal"

MARKERS = ("Drupal.settings", "drupal-settings-json", "/sites/default/files/", "/sites/all/",
           "/core/misc/drupal.js", "data-drupal-selector")
HAS_CLASS_COMMENT = "contains(concat(' ', normalize-space(@class), ' '), ' comment ')"
# Named by its own id, by the anchor just before it, or by its RDFa type.
COMMENT_NODES = (f"//*[{HAS_CLASS_COMMENT} or @typeof='schema:Comment' or contains(@typeof, 'sioct:Comment')]"
                 "[starts-with(@id, 'comment-') or preceding-sibling::*[1][self::a[starts-with(@id, 'comment-')]]"
                 " or parent::*[preceding-sibling::*[1][self::a[starts-with(@id, 'comment-')]]]"
                 " or @typeof='schema:Comment' or contains(@typeof, 'sioct:Comment')]"
                 "[not(ancestor::form)]")
INDENT = "count(ancestor::*[contains(concat(' ', normalize-space(@class), ' '), ' indented ')])"
TEMPLATES = (
    Template(
        name="drupal",
        comments=COMMENT_NODES,
        ids=("@id", "preceding-sibling::*[1][self::a]/@id", "../preceding-sibling::*[1][self::a]/@id", "@about"),
        id_pattern=r"comment[-/](\d+)",
        # Olivero, Bartik and Claro (8+), Bartik 7, then themes that keep core's classes.
        author=(".comment__author", "[rel='schema:author'] [property='schema:name']",
                "[rel='sioc:has_creator'] .username", ".commenter-name", ".username",
                ".comment-author", ".author"),
        time=(".comment__time", "[property~='dc:date']", ".comment-time", ".comment-date",
              "time", ".date, .time"),
        machine=(".//*[@property='schema:dateCreated']/@content", ".//*[contains(@property, 'dc:date')]/@content",
                 ".//time/@datetime"),
        byline=(".submitted", ".comment__submitted", ".comment__meta", "footer", "header"),
        body=("[property='schema:text']", "[property='content:encoded']", ".field-name-comment-body",
              ".field--name-comment-body", ".comment__content", ".comment-text", ".content"),
        indent=INDENT,
        reply_to=(".visually-hidden a[href*='comment']", ".element-invisible a[href*='comment']",
                  ".comment__parent a"),
        chrome=(".//*[self::script or self::style or self::form or self::h3 or self::noscript"
                " or contains(concat(' ', normalize-space(@class), ' '), ' links ')"
                " or contains(@class, 'user-signature') or contains(@class, 'visually-hidden')"
                " or contains(@class, 'element-invisible') or contains(@class, 'comment__title')"
                " or @property='schema:name']"),
    ),
)
POST_TITLE = ("h1.page-title", "h1.page-header", "h1#page-title", "h1.title", "h1.node__title",
              "h1.node-title", "article h1", "h1")
POST_AUTHOR = (".node__meta [rel='schema:author'] [property='schema:name']", ".node__submitted .username",
               ".node__author", ".submitted .username", ".node-author", ".field--name-uid",
               ".author-name", ".byline a", ".author")
POST_TIME = (".node__submitted time", ".node__meta time", ".submitted time",
             "[property='schema:dateCreated']", "[property~='dc:date']", ".node__submitted",
             ".submitted", "time")
POST_BODY = (".node__content .field--name-body", ".node .field-name-body", ".field--name-body",
             ".field-name-body", ".node__content", ".node-content", ".node .content", "article .body")
IN_COMMENTS = f"ancestor::*[{HAS_CLASS_COMMENT} or @id='comments' or contains(@class, 'comment-wrapper')]"
LISTING_POSTS = ("article.node--view-mode-teaser h2 a", ".node-teaser h2 a", ".node-teaser .node__title a",
                 ".views-row h2 a", ".view-content .views-field-title a", "h2.node__title a",
                 "h2.node-title a", ".node h2.title a")
NEXT_PAGES = ("link[rel=next]", ".pager-next a", ".pager__item--next a", "li.next a", "a[rel=next]")
COMMENT_PAGER = ("#comments .pager a", ".comment-wrapper .pager a", "#comments .pager__item a",
                 "section.comments .pager a")


def detect(page):
    head = page.text[:300_000]
    if any("drupal" in name for name in generators(page)):
        return True
    return has_markers(head, MARKERS, 2)


@per_page
def _is_single(page):
    classes = page.xpath("//body/@class").get("")
    if re.search(r"\bpage-node-\d+\b|\bnode-type-|\bpath-node\b|\bpage-node-type-", classes):
        return True
    if re.search(r"\bpath-frontpage\b|\bfront\b|\bpath-taxonomy\b|\bpage-taxonomy", classes):
        return False
    if page.xpath(f"//*[@id='comments'] | //form[contains(@class, 'comment-form')] | {COMMENT_NODES}"):
        return True
    return len(hrefs(page, LISTING_POSTS)) < 2


def read_thread(page):
    if not _is_single(page):
        return None
    post = read_post(page, title=POST_TITLE, author=POST_AUTHOR, time=POST_TIME, body=POST_BODY,
                     exclude=IN_COMMENTS)
    if not post.body_html and not post.title:
        return None
    return Thread(platform=PLATFORM, post=post, comments=read_comments(page, TEMPLATES),
                  more_comment_pages=_comment_pages(page))


def _comment_pages(page):
    """Drupal pages comments with `?page=N` on the node's own address."""
    post_url = canonical(page)
    pages = hrefs(page, COMMENT_PAGER)
    return [url for url in pages if url != post_url and "page=" in url and not is_trap(url)]


def find_links(page):
    if _is_single(page):
        return PageLinks(thread_pages=_comment_pages(page))
    return listing_links(page, LISTING_POSTS, NEXT_PAGES)
