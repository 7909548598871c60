"""Drupal 6 to 11: the comment templates of core and its common themes.

Drupal puts an anchor `<a id="comment-N">` before each comment or its theme's wrapper around
it (or the id on the comment's own element) and threads replies by indentation: a reply
follows its parent inside a `<div class="indented">`. Drupal 8 and later also print, hidden,
which comment a reply answers, and carry RDFa (`typeof="schema:Comment"`,
`property="schema:dateCreated"`).
"""

import re

from archiver.extractors.detection import generators, has_markers, head
from archiver.extractors.links import canonical, hrefs
from archiver.extractors.markup import Platform, PostQueries, Template
from archiver.extractors.selectors import has_class
from archiver.items import PageLinks, Thread
from archiver.page import Page, per_page
from archiver.urls import is_trap

PLATFORM = "drupal"

MARKERS = ("Drupal.settings", "drupal-settings-json", "/sites/default/files/", "/sites/all/",
           "/core/misc/drupal.js", "data-drupal-selector")
IS_COMMENT = (f"{has_class('comment')} or @typeof='schema:Comment'"
              " or contains(@typeof, 'sioct:Comment')")
ANCHORED = "self::a[starts-with(@id, 'comment-')]"
# Named by its own id, by the anchor just before it, or by its RDFa type.
COMMENT_NODES = (f"//*[{IS_COMMENT}]"
                 f"[starts-with(@id, 'comment-') or preceding-sibling::*[1][{ANCHORED}]"
                 f" or parent::*[preceding-sibling::*[1][{ANCHORED}]]"
                 " or @typeof='schema:Comment' or contains(@typeof, 'sioct:Comment')]"
                 "[not(ancestor::form)]")
TEMPLATES = (
    Template(
        name="drupal",
        comments=COMMENT_NODES,
        ids=("@id", "preceding-sibling::*[1][self::a]/@id",
             "../preceding-sibling::*[1][self::a]/@id", "@about"),
        id_pattern=r"comment[-/](\d+)",
        # Olivero, Bartik and Claro (8+), Bartik 7, then themes that keep core's classes.
        author=(".comment__author", "[rel='schema:author'] [property='schema:name']",
                "[rel='sioc:has_creator'] .username", ".commenter-name", ".username",
                ".comment-author", ".author"),
        time=(".comment__time", "[property~='dc:date']", ".comment-time", ".comment-date",
              "time", ".date, .time"),
        machine=(".//*[@property='schema:dateCreated']/@content",
                 ".//*[contains(@property, 'dc:date')]/@content", ".//time/@datetime"),
        byline=(".submitted", ".comment__submitted", ".comment__meta", "footer", "header"),
        body=("[property='schema:text']", "[property='content:encoded']",
              ".field-name-comment-body", ".field--name-comment-body", ".comment__content",
              ".comment-text", ".content"),
        indent=f"count(ancestor::*[{has_class('indented')}])",
        reply_to=(".visually-hidden a[href*='comment']", ".element-invisible a[href*='comment']",
                  ".comment__parent a"),
        chrome=(".//*[self::script or self::style or self::form or self::h3 or self::noscript"
                f" or {has_class('links')}"
                " or contains(@class, 'user-signature') or contains(@class, 'visually-hidden')"
                " or contains(@class, 'element-invisible') or contains(@class, 'comment__title')"
                " or @property='schema:name']"),
    ),
)
POST = PostQueries(
    title=("h1.page-title", "h1.page-header", "h1#page-title", "h1.title", "h1.node__title",
           "h1.node-title", "article h1", "h1"),
    author=(".node__meta [rel='schema:author'] [property='schema:name']",
            ".node__submitted .username", ".node__author", ".submitted .username", ".node-author",
            ".field--name-uid", ".author-name", ".byline a", ".author"),
    time=(".node__submitted time", ".node__meta time", ".submitted time",
          "[property='schema:dateCreated']", "[property~='dc:date']", ".node__submitted",
          ".submitted", "time"),
    body=(".node__content .field--name-body", ".node .field-name-body", ".field--name-body",
          ".field-name-body", ".node__content", ".node-content", ".node .content",
          "article .body"),
    exclude=(f"ancestor::*[{has_class('comment')} or @id='comments'"
             " or contains(@class, 'comment-wrapper')]"),
)
LISTING_POSTS = ("article.node--view-mode-teaser h2 a", ".node-teaser h2 a",
                 ".node-teaser .node__title a", ".views-row h2 a",
                 ".view-content .views-field-title a", "h2.node__title a", "h2.node-title a",
                 ".node h2.title a")
NEXT_PAGES = ("link[rel=next]", ".pager-next a", ".pager__item--next a", "li.next a",
              "a[rel=next]")
COMMENT_PAGER = ("#comments .pager a", ".comment-wrapper .pager a", "#comments .pager__item a",
                 "section.comments .pager a")


def detect(page: Page) -> bool:
    if any("drupal" in name for name in generators(page)):
        return True
    return has_markers(head(page), MARKERS, 2)


@per_page
def _is_single(page):
    classes = page.xpath("//body/@class").get("")
    if re.search(r"\bpage-node-\d+\b|\bnode-type-|\bpath-node\b|\bpage-node-type-", classes):
        return True
    if re.search(r"\bpath-frontpage\b|\bfront\b|\bpath-taxonomy\b|\bpage-taxonomy", classes):
        return False
    if page.xpath("//*[@id='comments'] | //form[contains(@class, 'comment-form')]"
                  f" | {COMMENT_NODES}"):
        return True
    return len(hrefs(page, LISTING_POSTS)) < 2


DRUPAL = Platform(name=PLATFORM, is_single=_is_single, post=POST, templates=TEMPLATES,
                  listing_posts=LISTING_POSTS, next_pages=NEXT_PAGES)


def read_thread(page: Page) -> Thread | None:
    thread = DRUPAL.read_thread(page)
    if thread is None or not thread.post.body_html and not thread.post.title:
        return None
    thread.more_comment_pages = _comment_pages(page)
    return thread


def _comment_pages(page):
    """Drupal pages comments with `?page=N` on the node's own address."""
    post_url = canonical(page)
    pages = hrefs(page, COMMENT_PAGER)
    return [url for url in pages if url != post_url and "page=" in url and not is_trap(url)]


def find_links(page: Page) -> PageLinks:
    if _is_single(page):
        return PageLinks(thread_pages=_comment_pages(page))
    return DRUPAL.find_links(page)
