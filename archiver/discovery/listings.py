"""Listings: the home page and the pages after it, read for the posts they list and their next
pages, on any theme.

The platform's extractor reads what its themes are known to print; the pager is also found
wherever it sits, by what its links say in several languages (their text, `rel`, class and
`aria-label`), so that a theme nobody wrote a selector for still leads on to its older posts.
"""

import dataclasses
import re
import unicodedata

from lxml import etree

from archiver.extractors import extractor_for, find_links
from archiver.extractors.links import canonical, hrefs
from archiver.items import Role
from archiver.urls import absolute, comment_page_of, is_trap, post_url_of, unique

ROLE = Role.LISTING
START = ("",)
CONDITIONAL = False

# What a link to the next page of older posts says, lower-cased, without arrows or quotes.
NEXT_WORDS = frozenset({
    "older posts", "older entries", "older articles", "older", "next page", "next", "more posts",
    "previous posts", "previous entries", "earlier posts", "load more posts",
    "ältere beiträge", "ältere einträge", "ältere artikel", "ältere posts", "ältere",
    "nächste seite", "weitere beiträge", "vorherige beiträge", "frühere beiträge",
    "articles plus anciens", "articles précédents", "billets plus anciens", "billets précédents",
    "messages plus anciens", "page suivante", "suivant", "plus anciens",
    "entradas antiguas", "entradas anteriores", "entradas más antiguas", "artículos anteriores",
    "publicaciones anteriores", "página siguiente", "siguiente", "más entradas",
    "articoli precedenti", "post più vecchi", "pagina successiva",
    "postagens mais antigas", "página seguinte", "oudere berichten", "volgende pagina"})
# Class names of a pager's link to older posts, on the link or the element around it.
NEXT_CLASSES = frozenset({"next", "older", "nav-previous", "next-page", "older-posts",
                          "pagination-next", "wp-block-query-pagination-next", "nextpostslink",
                          "blog-pager-older-link", "page-next", "pager-next", "previous-entries"})
# Arrows, guillemets and dots that decorate pager text ("Ältere Beiträge »", "← Older").
DECORATION = re.compile(r"[\s«»‹›<>←→⟵⟶⇐⇒…·|.:\-–—]+")
LINKS = etree.XPath("//a[@href] | //link[@href][@rel]")
# Post links a static front page shows below its own text (latest posts, teasers).
TEASER_POSTS = (".wp-block-latest-posts__post-title", ".wp-block-post-title a", ".entry-title a",
                "h2.post-title a", "article h2 a", "article h3 a", "a[rel~=bookmark]")


def read(page):
    """The posts `page` lists and its next pages: the platform's reading, with the pager found
    by what it says, and, where the platform reads the page as a thread alone (a static front
    page), the posts it shows besides."""
    links = find_links(page)
    if page.is_json or page.is_xml:
        return links
    posts = links.posts or teaser_posts(page)
    listings = unique([*links.listings, *next_pages(page)])
    return dataclasses.replace(links, posts=posts, listings=listings)


def is_thread(page):
    """Whether a listing page is also a thread (a static front page with its comments): its
    platform reads a post from it, with comments, or lists no posts on it at all."""
    if page.is_json or page.is_xml:
        return False
    thread = extractor_for(page).read_thread(page)
    return thread is not None and bool(thread.comments or not find_links(page).posts)


def next_pages(page):
    """The page's links to its next page of posts, wherever they sit."""
    own = post_url_of(page.url)
    found = [absolute(page.url, link.get("href")) for link in LINKS(page.selector.root)
             if _says_next(link)]
    return [url for url in unique(found) if url.startswith(("http://", "https://"))
            and post_url_of(url) != own and comment_page_of(url) is None and not is_trap(url)]


def teaser_posts(page):
    """Links to posts on a page its platform reads as one thread, less the page itself."""
    own = post_url_of(canonical(page))
    return [url for url in hrefs(page, TEASER_POSTS)
            if post_url_of(url) != own and comment_page_of(url) is None and not is_trap(url)]


def _says_next(link):
    if "next" in (link.get("rel") or "").lower().split():
        return True
    if link.tag != "a":
        return False
    classes = set((link.get("class") or "").lower().split())
    parent = link.getparent()
    if parent is not None:
        classes |= set((parent.get("class") or "").lower().split())
    if classes & NEXT_CLASSES:
        return True
    said = (link.get("aria-label"), link.get("title"), "".join(link.itertext()))
    return any(_words(text) in NEXT_WORDS for text in said if text)


def _words(text):
    return DECORATION.sub(" ", unicodedata.normalize("NFC", text)).strip().lower()
