"""PIXNET (痞客邦): blog posts and their message boards.

Each message is a `ul.single-post`: `li.post-info` with its anchor, name and time, the text in
`li.post-text`, and the blog owner's answer, when there is one, in `li.reply-text`, signed
"Owner 於 2014/01/01 20:31 回覆" — read as a reply to the message. Private messages
(`ul.single-post.secret`, "悄悄話") show neither name nor text and are left out.
"""

import re

from archiver.extractors.common import has_markers, listing_links, per_page
from archiver.extractors.markup import Template, read_comments, read_post
from archiver.items import PageLinks, Thread

PLATFORM = "pixnet"

# Its domain and its static and image hosts.
MARKERS = ("pixnet.net", "pixfs.net", "pimg.tw")
TEMPLATES = (
    Template(
        name="pixnet",
        comments="//ul[contains(concat(' ', normalize-space(@class), ' '), ' single-post ')]"
                 "[li[contains(concat(' ', normalize-space(@class), ' '), ' post-info ')]]",
        ids=(".//a[starts-with(@name, 'comment-')]/@name", ".//*[starts-with(@id, 'comment-')]/@id"),
        id_pattern=r"comment-(\d+)",
        author=(".post-info .user-name",),
        time=(".post-info .post-time",),
        body=("li.post-text",),
        answer="li.reply-text",
        chrome=".//*[self::script or self::style or starts-with(@id, 'comment-')]",
    ),
)
POST_TITLE = ("#article-content-inner .title h2", ".article-head .title", "li.title h2", ".title h2",
              "h2.title", "h1")
POST_AUTHOR = (".author .author-profile", ".author-name")
# "Owner 發表在 痞客邦 PIXNET 留言(42)": the line under a post names its author first.
POSTED_IN = re.compile(r"^\s*(.+?)\s*發表在")
POST_TIME = (".publish", ".article-head .date", ".post-date")
POST_BODY = ("#article-content-inner", ".article-content-inner", ".article-content", ".article-body")
LISTING_POSTS = (".article .title h2 a", "li.title h2 a", ".article-head .title a")
NEXT_PAGES = ("link[rel=next]", ".page a.next", ".pagination a.next")


def detect(page):
    head = page.text[:300_000]
    return has_markers(head, MARKERS, 2)


@per_page
def _is_single(page):
    return re.search(r"/blog/posts?/\d+", page.url + " " + (page.xpath(
        "//link[@rel='canonical']/@href").get() or "")) is not None or bool(page.css("#comment-box"))


def read_thread(page):
    if not _is_single(page):
        return None
    post = read_post(page, title=POST_TITLE, author=POST_AUTHOR, time=POST_TIME, body=POST_BODY,
                     exclude="ancestor::*[@id='comment-box']")
    posted = POSTED_IN.match(" ".join(page.xpath("//p[contains(@class, 'author')]//text()").getall()))
    if posted:
        post.author = posted[1]
    return Thread(platform=PLATFORM, post=post, comments=read_comments(page, TEMPLATES))


def find_links(page):
    if _is_single(page):
        return PageLinks()
    return listing_links(page, LISTING_POSTS, NEXT_PAGES)
