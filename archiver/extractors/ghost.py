"""Ghost: posts in the markup of its themes (Casper, Source, Headline and those built like them).

Ghost's own comments load from its members API in the reader's browser and are not in the
page; what a page does show (an embedded comment system's markup, schema.org Comment items)
is read as on any other blog.
"""

import re

from archiver.extractors.common import generators, listing_links, per_page
from archiver.extractors.generic import comments_of
from archiver.extractors.markup import read_post
from archiver.items import PageLinks, Thread

PLATFORM = "ghost"

POST_TITLE = ("h1.gh-article-title", "h1.article-title", "h1.post-full-title", "h1.post-title",
              "article h1", "h1")
POST_AUTHOR = (".gh-article-author-name a", ".author-name a", ".byline-meta-content .author-name",
               ".author-list-item .author-name", ".post-full-byline .author-name", "a[rel~=author]")
POST_TIME = ("time.gh-article-meta-date", "time.byline-meta-date", "time.post-full-meta-date",
             "article header time[datetime]", "time[datetime]")
POST_BODY = (".gh-content", ".post-full-content .post-content", ".post-content", ".article-content",
             ".post-full-content")
LISTING_POSTS = ("article.post-card a.post-card-content-link", "article.gh-card a.gh-card-link",
                 ".post-card-title a", "a.post-card-image-link", ".gh-card-link")
NEXT_PAGES = ("link[rel=next]", "a.older-posts", ".pagination a.older-posts", "a[rel=next]")


def detect(page):
    return any(re.match(r"ghost\b", name) for name in generators(page))


@per_page
def _is_single(page):
    classes = page.xpath("//body/@class").get("")
    return bool(re.search(r"\bpost-template\b|\bpage-template\b", classes))


def read_thread(page):
    if not _is_single(page):
        return None
    post = read_post(page, title=POST_TITLE, author=POST_AUTHOR, time=POST_TIME, body=POST_BODY,
                     exclude="ancestor::*[contains(@class, 'comment')]")
    return Thread(platform=PLATFORM, post=post, comments=comments_of(page))


def find_links(page):
    if _is_single(page):
        return PageLinks()
    return listing_links(page, LISTING_POSTS, NEXT_PAGES)
