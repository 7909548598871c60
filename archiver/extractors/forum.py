"""Articles whose comments are the posts of a forum thread shown under them.

News sites run their comment sections on a forum (XenForo, vBulletin, phpBB, Discourse,
Invision, Vanilla): each comment links to its post in the forum thread. The page's own
platform (often WordPress) reads the article; the comments, laid out by the site's own
templates, are read by the structural reader: the blocks of one kind that hold one time each.
"""

from __future__ import annotations

import re

from lxml import etree

from archiver.extractors import drupal, generic, structure, wordpress
from archiver.items import PageLinks, Thread
from archiver.page import Page, per_page

PLATFORM = "forum"

# Permalinks of forum posts, by forum software. Every page is asked, WordPress ones included,
# so only link targets are searched, never the whole text.
POST_PERMALINK = re.compile(
    r"/[\w.-]+\.\d+/post-\d+"  # XenForo: /threads/slug.123/post-456 (any route prefix)
    r"|/posts/\d+/"  # XenForo: /posts/456/
    r"|show(?:thread|post)\.php\?[^\"'\s>]*\bp=\d+"  # vBulletin
    r"|viewtopic\.php\?[^\"'\s>]*\bp=\d+"  # phpBB
    r"|/t/[\w-]+/\d+/\d+"  # Discourse: /t/slug/123/4
    r"|do=findComment&(?:amp;)?comment=\d+"  # Invision
    r"|/discussion/comment/\d+")  # Vanilla
# What every POST_PERMALINK contains: the page's link targets are searched with the regular
# expression only when, all together, they hold one of these.
PERMALINK_PARTS = ("/post-", "/posts/", "showthread.php?", "showpost.php?", "viewtopic.php?", "/t/",
                   "do=findComment&", "/discussion/comment/")
LINK_TARGETS = etree.XPath("//a/@href", smart_strings=False)
# Whose article this is: the first that recognises the page reads the post.
POST_PLATFORMS = (wordpress, drupal, generic)


@per_page
def detect(page: Page) -> bool:
    hrefs = LINK_TARGETS(page.selector.root)
    joined = "\n".join(hrefs)
    if not any(part in joined for part in PERMALINK_PARTS):
        return False
    found = set()
    for href in hrefs:
        match = POST_PERMALINK.search(href)
        if match:
            found.add(match[0])
            if len(found) >= 2:
                return True
    return False


@per_page
def _platform(page):
    return next(module for module in POST_PLATFORMS if module.detect(page))


def read_thread(page: Page) -> Thread | None:
    thread = _platform(page).read_thread(page)
    if thread is not None:
        thread.comments = structure.structural_comments(page)
    return thread


def find_links(page: Page) -> PageLinks:
    return _platform(page).find_links(page)
