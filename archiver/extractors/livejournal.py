"""LiveJournal and Dreamwidth, and the other sites running their code (Dreamwidth forked it).

Both lay a thread out flat: each comment in order, indented by a depth class on its wrapper
(`comment-depth-N` on Dreamwidth's `div.comment-thread`, `b-tree-twig-N` on LiveJournal's),
so a reply is the next comment one level deeper than the one it answers; Dreamwidth also
links a reply to its parent (`li.commentparent`).
"""

import re

from archiver.extractors.detection import head
from archiver.extractors.generic import comments_of
from archiver.extractors.markup import Platform, PostQueries, Template
from archiver.extractors.selectors import has_class
from archiver.items import PageLinks
from archiver.page import Page, per_page

PLATFORM = "livejournal"
DREAMWIDTH = "dreamwidth"

HOSTS = re.compile(r"\b(livejournal\.com|dreamwidth\.org|insanejournal\.com|deadjournal\.com)\b")
MARKERS = ('class="ljuser', "lj:user=", "b-leaf", "dwexpcomment", "LJ_cmtinfo", "Site.journal")
TEMPLATES = (
    Template(
        name="dreamwidth",
        comments=f"//div[{has_class('dwexpcomment')}]",
        ids=("@id",), id_pattern=r"cmt(\d+)",
        author=(".comment-poster", ".poster-info .ljuser", ".ljuser"),
        time=(".datetime",),
        body=(".comment-content",),
        depth_class=r"\bcomment-depth-(\d+)\b",
        reply_to=(".commentparent a",),
    ),
    Template(
        name="livejournal",
        comments=f"//div[{has_class('b-leaf')}][not({has_class('b-leaf-collapsed')})]",
        ids=("@id",), id_pattern=r"t(\d+)",
        author=(".b-leaf-username-name", ".b-leaf-username"),
        time=(".b-leaf-createdtime",),
        body=(".b-leaf-article",),
        depth_class=r"\bb-tree-twig-(\d+)\b",
    ),
)
POST = PostQueries(
    title=(".entry-title", ".b-singlepost-title", "h3.entry-header", ".subject", "h1"),
    author=(".entry .poster .ljuser", ".b-singlepost-author .i-ljuser-username",
            ".poster .ljuser", ".entry-poster .ljuser", ".ljuser"),
    time=(".entry .datetime", ".b-singlepost-author-date", ".entry-date", "time[datetime]"),
    body=(".entry-content", ".b-singlepost-bodywrapper", ".b-singlepost-body",
          "article.entry-content"),
    exclude="ancestor::*[@id='comments' or contains(@class, 'comment')]",
)
LISTING_POSTS = (".entry-title a", ".subject a", ".b-lenta-item-title a", ".entry-readlink a")
NEXT_PAGES = (".navigation .prev a", "a[rel=prev]", "link[rel=prev]", ".b-pager-prev a")


def detect(page: Page) -> bool:
    return bool(HOSTS.search(head(page))) and sum(marker in page.text for marker in MARKERS) >= 2


@per_page
def _is_single(page):
    """An entry's page: its address is /1234.html."""
    return re.search(r"/\d+\.html(?:[?#]|$)", page.url) is not None or re.search(
        r"/\d+\.html", page.xpath("//link[@rel='canonical']/@href").get("")) is not None


LIVEJOURNAL = Platform(name=PLATFORM, is_single=_is_single, post=POST, templates=TEMPLATES,
                       listing_posts=LISTING_POSTS, next_pages=NEXT_PAGES,
                       variants=(("dreamwidth.org", DREAMWIDTH),), other_comments=comments_of)
read_thread = LIVEJOURNAL.read_thread


def find_links(page: Page) -> PageLinks:
    links = LIVEJOURNAL.find_links(page)
    links.posts = [url for url in links.posts if re.search(r"/\d+\.html", url)]
    return links
