"""PIXNET (痞客邦): blog posts and their message boards.

Each message is a `ul.single-post`: `li.post-info` with its anchor, name and time, the text in
`li.post-text`, and the blog owner's answer, when there is one, in `li.reply-text`, signed
"Owner 於 2014/01/01 20:31 回覆" — read as a reply to the message. Private messages
(`ul.single-post.secret`, "悄悄話") show neither name nor text and are left out.
"""

import re

from archiver.extractors.detection import has_markers, head
from archiver.extractors.markup import Platform, PostQueries, Template
from archiver.extractors.selectors import has_class
from archiver.items import Post
from archiver.page import Page, per_page

PLATFORM = "pixnet"

# Its domain and its static and image hosts.
MARKERS = ("pixnet.net", "pixfs.net", "pimg.tw")
TEMPLATES = (
    Template(
        name="pixnet",
        comments=f"//ul[{has_class('single-post')}][li[{has_class('post-info')}]]",
        ids=(".//a[starts-with(@name, 'comment-')]/@name",
             ".//*[starts-with(@id, 'comment-')]/@id"),
        id_pattern=r"comment-(\d+)",
        author=(".post-info .user-name",),
        time=(".post-info .post-time",),
        body=("li.post-text",),
        answer="li.reply-text",
        chrome=".//*[self::script or self::style or starts-with(@id, 'comment-')]",
    ),
)
POST = PostQueries(
    title=("#article-content-inner .title h2", ".article-head .title", "li.title h2",
           ".title h2", "h2.title", "h1"),
    author=(".author .author-profile", ".author-name"),
    time=(".publish", ".article-head .date", ".post-date"),
    body=("#article-content-inner", ".article-content-inner", ".article-content",
          ".article-body"),
    exclude="ancestor::*[@id='comment-box']",
)
# "Owner 發表在 痞客邦 PIXNET 留言(42)": the line under a post names its author first.
POSTED_IN = re.compile(r"^\s*(.+?)\s*發表在")
LISTING_POSTS = (".article .title h2 a", "li.title h2 a", ".article-head .title a")
NEXT_PAGES = ("link[rel=next]", ".page a.next", ".pagination a.next")


def detect(page: Page) -> bool:
    return has_markers(head(page), MARKERS, 2)


@per_page
def _is_single(page):
    return re.search(r"/blog/posts?/\d+", page.url + " " + (page.xpath(
        "//link[@rel='canonical']/@href").get() or "")) is not None or bool(
        page.css("#comment-box"))


def _posted_in(page: Page, post: Post) -> None:
    """The author the line under the post names, where there is one."""
    posted = POSTED_IN.match(" ".join(
        page.xpath("//p[contains(@class, 'author')]//text()").getall()))
    if posted:
        post.author = posted[1]


PIXNET = Platform(name=PLATFORM, is_single=_is_single, post=POST, templates=TEMPLATES,
                  listing_posts=LISTING_POSTS, next_pages=NEXT_PAGES, amend_post=_posted_in)
read_thread = PIXNET.read_thread
find_links = PIXNET.find_links
