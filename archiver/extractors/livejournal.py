"""LiveJournal and Dreamwidth, and the other sites running their code (Dreamwidth forked it).

Both lay a thread out flat: each comment in order, indented by a depth class on its wrapper
(`comment-depth-N` on Dreamwidth's `div.comment-thread`, `b-tree-twig-N` on LiveJournal's),
so a reply is the next comment one level deeper than the one it answers; Dreamwidth also
links a reply to its parent (`li.commentparent`).
"""

import re

from archiver.extractors.common import listing_links, per_page
from archiver.extractors.generic import comments_of
from archiver.extractors.markup import Template, read_comments, read_post
from archiver.items import PageLinks, Thread

PLATFORM = "livejournal"
DREAMWIDTH = "dreamwidth"

HOSTS = re.compile(r"\b(livejournal\.com|dreamwidth\.org|insanejournal\.com|deadjournal\.com)\b")
MARKERS = ('class="ljuser', "lj:user=", "b-leaf", "dwexpcomment", "LJ_cmtinfo", "Site.journal")
TEMPLATES = (
    Template(
        name="dreamwidth",
        comments="//div[contains(concat(' ', normalize-space(@class), ' '), ' dwexpcomment ')]",
        ids=("@id",), id_pattern=r"cmt(\d+)",
        author=(".comment-poster", ".poster-info .ljuser", ".ljuser"),
        time=(".datetime",),
        body=(".comment-content",),
        depth_class=r"\bcomment-depth-(\d+)\b",
        reply_to=(".commentparent a",),
    ),
    Template(
        name="livejournal",
        comments="//div[contains(concat(' ', normalize-space(@class), ' '), ' b-leaf ')]"
                 "[not(contains(concat(' ', normalize-space(@class), ' '), ' b-leaf-collapsed '))]",
        ids=("@id",), id_pattern=r"t(\d+)",
        author=(".b-leaf-username-name", ".b-leaf-username"),
        time=(".b-leaf-createdtime",),
        body=(".b-leaf-article",),
        depth_class=r"\bb-tree-twig-(\d+)\b",
    ),
)
POST_TITLE = (".entry-title", ".b-singlepost-title", "h3.entry-header", ".subject", "h1")
POST_AUTHOR = (".entry .poster .ljuser", ".b-singlepost-author .i-ljuser-username", ".poster .ljuser",
               ".entry-poster .ljuser", ".ljuser")
POST_TIME = (".entry .datetime", ".b-singlepost-author-date", ".entry-date", "time[datetime]")
POST_BODY = (".entry-content", ".b-singlepost-bodywrapper", ".b-singlepost-body", "article.entry-content")
LISTING_POSTS = (".entry-title a", ".subject a", ".b-lenta-item-title a", ".entry-readlink a")
NEXT_PAGES = (".navigation .prev a", "a[rel=prev]", "link[rel=prev]", ".b-pager-prev a")


def detect(page):
    head = page.text[:300_000]
    return bool(HOSTS.search(head)) and sum(marker in page.text for marker in MARKERS) >= 2


def platform_of(page):
    return DREAMWIDTH if "dreamwidth.org" in page.text[:300_000] else PLATFORM


@per_page
def _is_single(page):
    """An entry's page: its address is /1234.html."""
    return re.search(r"/\d+\.html(?:[?#]|$)", page.url) is not None or re.search(
        r"/\d+\.html", page.xpath("//link[@rel='canonical']/@href").get("")) is not None


def read_thread(page):
    if not _is_single(page):
        return None
    post = read_post(page, title=POST_TITLE, author=POST_AUTHOR, time=POST_TIME, body=POST_BODY,
                     exclude="ancestor::*[@id='comments' or contains(@class, 'comment')]")
    comments = read_comments(page, TEMPLATES) or comments_of(page)
    return Thread(platform=platform_of(page), post=post, comments=comments)


def find_links(page):
    if _is_single(page):
        return PageLinks()
    links = listing_links(page, LISTING_POSTS, NEXT_PAGES)
    links.posts = [url for url in links.posts if re.search(r"/\d+\.html", url)]
    return links
