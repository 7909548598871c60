"""Ghost: posts in the markup of its themes (Casper, Source, Headline and those built like them).

Ghost's own comments load from its members API in the reader's browser and are not in the
page; what a page does show (an embedded comment system's markup, schema.org Comment items)
is read as on any other blog.
"""

import re

from archiver.extractors.detection import generators
from archiver.extractors.generic import comments_of
from archiver.extractors.markup import Platform, PostQueries
from archiver.page import Page, per_page

PLATFORM = "ghost"

POST = PostQueries(
    title=("h1.gh-article-title", "h1.article-title", "h1.post-full-title", "h1.post-title",
           "article h1", "h1"),
    author=(".gh-article-author-name a", ".author-name a", ".byline-meta-content .author-name",
            ".author-list-item .author-name", ".post-full-byline .author-name",
            "a[rel~=author]"),
    time=("time.gh-article-meta-date", "time.byline-meta-date", "time.post-full-meta-date",
          "article header time[datetime]", "time[datetime]"),
    body=(".gh-content", ".post-full-content .post-content", ".post-content", ".article-content",
          ".post-full-content"),
    exclude="ancestor::*[contains(@class, 'comment')]",
)
LISTING_POSTS = ("article.post-card a.post-card-content-link", "article.gh-card a.gh-card-link",
                 ".post-card-title a", "a.post-card-image-link", ".gh-card-link")
NEXT_PAGES = ("link[rel=next]", "a.older-posts", ".pagination a.older-posts", "a[rel=next]")


def detect(page: Page) -> bool:
    return any(re.match(r"ghost\b", name) for name in generators(page))


@per_page
def _is_single(page):
    classes = page.xpath("//body/@class").get("")
    return bool(re.search(r"\bpost-template\b|\bpage-template\b", classes))


GHOST = Platform(name=PLATFORM, is_single=_is_single, post=POST, listing_posts=LISTING_POSTS,
                 next_pages=NEXT_PAGES, other_comments=comments_of)
read_thread = GHOST.read_thread
find_links = GHOST.find_links
