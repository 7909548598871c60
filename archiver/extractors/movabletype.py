"""Movable Type and TypePad: the comment templates of their template generations.

MT 2 and 3's classic templates put each comment in `div.comments-body` with the author line
("Posted by: Ann at May 2, 2004 10:01 AM") after the text; MT 3.2+ and TypePad give each
comment `div.comment#comment-N` with a `p.comment-footer` ("Posted by: Ann | May 2, 2004 at
10:01 AM"); MT 4 and later put the author and an ISO-titled `abbr.published` in a byline
above the text, and a reply's byline links to the comment it answers.
"""

import re

from archiver.extractors.detection import generators, has_markers, head
from archiver.extractors.markup import Platform, PostQueries, Template
from archiver.extractors.selectors import has_class
from archiver.items import Post
from archiver.page import Page, per_page

PLATFORM = "movabletype"
TYPEPAD = "typepad"

GENERATORS = ("movable type", "movabletype", "typepad.com")
# Script and stylesheet names and class names of the default templates.
MARKERS = ("mt-comments.cgi", "mt-comments.fcgi", "mt-tb.cgi", "/mt-static/", "mt-site.js",
           "mtCommentOnSubmit", "styles-site.css", "OpenTrackback", '"comments-post"',
           '"comments-body"', '"blogbody"', "static.typepad.com", "typepad.com/.shared/")
OWN_LINK = ("a[href*='#comment-']", "a[href*='#c0']", "a[href*='?cid=']")
COMMENT = f"//div[{has_class('comment')}][starts-with(@id, 'comment-')]"
TEMPLATES = (
    Template(
        name="mt4",
        comments=f"{COMMENT}[.//*[{has_class('byline')}]]",
        ids=("@id",), id_pattern=r"comment-(\w+)",
        author=(".vcard.author", ".comment-author", ".byline .author"),
        time=("abbr.published", ".byline time"),
        byline=(".byline",),
        body=(".comment-content", ".comment-body"),
        reply_to=(".byline a[href*='#comment-']",),
    ),
    Template(
        name="mt3-typepad",
        comments=COMMENT,
        ids=("@id",), id_pattern=r"comment-(\w+)",
        author=(".comment-author",),
        time=tuple(f".comment-footer {query}" for query in OWN_LINK) + (".comment-footer abbr",),
        byline=(".comment-footer", ".comment-header"),
        body=(".comment-content", ".comment-body"),
    ),
    Template(
        name="mt-classic",
        comments=f"//div[{has_class('comments-body')}]",
        ids=("preceding-sibling::*[1][self::a]/@name", "preceding-sibling::*[1][self::a]/@id"),
        id_pattern=r"(\d+)",
        byline=(".comments-post", ".comment-footer"),
    ),
)
POST = PostQueries(
    title=("h1.asset-name", "h2.asset-name", "h3.entry-header", "h2.entry-header", "h3.title",
           "#archive-title", ".entry-title", "h1"),
    author=(".asset-meta .vcard.author", ".entry-footer a[rel~=author]",
            ".post-footers a[rel~=author]", ".post-footers a"),
    time=(".asset-meta abbr.published", "abbr.published", "time[datetime]", "h2.date-header",
          "h2.date"),
    body=(".asset-body", ".entry-body", ".blogbody", ".entry-content"),
    boilerplate=(".//*[self::script or self::style or self::form"
                 " or contains(@class, 'posted') or contains(@class, 'title')"
                 " or contains(@class, 'entry-footer') or contains(@class, 'entry-tags')]"),
    exclude=("ancestor::*[contains(@class, 'comment') or contains(@class, 'trackback')"
             " or @id='comments']"),
)
# "Posted by ajh59 at February 20, 2008 11:23 AM": the post's byline in MT 2 and 3.
POSTED_BY = re.compile(r"^\s*posted by:?\s+(.+?)\s+(?:at|on)\s+(.+?)\s*$", re.I | re.S)
LISTING_POSTS = (".entry-header a", "h2.asset-name a", "h2.entry-header a",
                 ".asset-header a[rel~=bookmark]", ".permalink")
NEXT_PAGES = ("link[rel=next]", ".pager a[rel=next]", ".content-nav a.content-nav-next")
# The entries a page shows, of every template generation: an entry archive shows one.
ENTRIES = f"//*[{has_class('entry')} or {has_class('asset')} or {has_class('blogbody')}]"


def detect(page: Page) -> bool:
    return (any(known in name for name in generators(page) for known in GENERATORS)
            or has_markers(head(page), MARKERS, 2))


@per_page
def _is_single(page):
    """Entry archives: one entry, or a comment area, or MT's comment form for one entry."""
    if page.xpath("//input[@name='entry_id'] | //*[@id='comments']"
                  " | //*[contains(@class, 'comments-body')]"):
        return True
    return len(page.xpath(ENTRIES)) == 1


def _posted_by(page: Page, post: Post) -> None:
    """MT 2 and 3 and TypePad name the post's author and clock time in one line below it."""
    line = page.xpath("//*[contains(@class, 'posted') or contains(@class, 'post-footers')]")
    if not line:
        return
    text = " ".join(line[0].xpath("string()").get().split())
    match = POSTED_BY.match(text.split(" in ")[0].split(" | ")[0])
    if not match:
        return
    post.author = post.author or match[1]
    when = match[2]
    # TypePad prints only the clock time there, the date in the date header above the entry.
    if not re.search(r"\d{4}", when) and post.published_shown:
        when = f"{post.published_shown} {when}"
    post.published_shown = when


MOVABLE_TYPE = Platform(name=PLATFORM, is_single=_is_single, post=POST, templates=TEMPLATES,
                        listing_posts=LISTING_POSTS, next_pages=NEXT_PAGES,
                        variants=(("typepad.com", TYPEPAD),), amend_post=_posted_by)
read_thread = MOVABLE_TYPE.read_thread
find_links = MOVABLE_TYPE.find_links
