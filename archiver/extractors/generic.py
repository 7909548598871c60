"""Any other blog: the fallback of the registry (`detect` is always true).

The post body comes from trafilatura's main-content extraction. Comments come, first found
first used, from the markup of common comment systems (Isso, microformats2 `p-comment`), from
schema.org `Comment` items in JSON-LD or microdata (read with extruct), or else from the page's
structure (archiver.extractors.structure).
"""

import logging
import re

from extruct.jsonld import JsonLdExtractor
from extruct.w3cmicrodata import LxmlMicrodataExtractor

from archiver.extractors.bylines import machine_time
from archiver.extractors.elements import inner_html, text_of, without
from archiver.extractors.feeds import named_feeds
from archiver.extractors.links import (
    canonical,
    comment_counts,
    hrefs,
    listing_links,
    schema_signals,
)
from archiver.extractors.markup import CHROME, PostQueries, Template, read_comments, read_post
from archiver.extractors.selectors import has_class
from archiver.extractors.structure import structural_comments
from archiver.items import Comment, PageLinks, Thread
from archiver.page import Page
from archiver.urls import absolute

logger = logging.getLogger(__name__)

PLATFORM = "generic"

# Comment systems that render their threads into the page, and microformats2 comments.
TEMPLATES = (
    Template(
        name="isso",
        comments=f"//div[{has_class('isso-comment')}]",
        ids=("@id",), id_pattern=r"isso-(\d+)",
        author=(".isso-comment-header .isso-author",),
        time=(".isso-comment-header time",),
        body=(".isso-text",),
    ),
    Template(
        name="microformats2",
        comments=f"//*[{has_class('p-comment')} or {has_class('u-comment')}]",
        ids=("@id", f".//a[{has_class('u-url')}]/@href"),
        id_pattern=r"(\w[\w-]*)$",
        author=(".p-author .p-name", ".p-author"),
        time=(".dt-published",),
        body=(".e-content", ".p-content", ".p-summary"),
    ),
)
COMMENT_TYPES = ("Comment", "UserComments")
COMMENT_ITEMTYPES = re.compile(r"itemtype=[\"']https?://schema\.org/(?:Comment|UserComments)[\"']",
                               re.I)
JSON_LD_COMMENT = re.compile(r'"@type"\s*:\s*(?:\[[^\]]*)?"(?:Comment|UserComments)"')
TEXT_PROPERTIES = ("text", "commentText", "description")
TIME_PROPERTIES = ("dateCreated", "datePublished", "commentTime", "uploadDate")

# No body cascade: for a platform nothing here knows, trafilatura finds the text.
POST = PostQueries(
    title=("h1[itemprop=headline]", "article h1", "h1.entry-title", "h1.post-title", "h1"),
    author=("[itemprop=author] [itemprop=name]", "article [rel~=author]", ".byline .author",
            ".author .fn"),
    time=("article header time[datetime]", "time[itemprop=datePublished]",
          "[itemprop=datePublished]", "time.published", "time.entry-date",
          "article time[datetime]"),
)
LISTING_POSTS = ("article h2 a", "h2.entry-title a", "h2.post-title a", ".post-title a",
                 "h2 a[rel~=bookmark]", "h3.entry-title a")
NEXT_PAGES = ("link[rel=next]", "a[rel=next]", ".pagination a.next", ".nav-previous a",
              "a.older-posts", ".older a")
# A listing's link to a post's #comments whose text gives a number ("12 comments"). Not
# #disqus_thread and the like: scripts fill those in, and the page's own text is a placeholder.
COUNTED_COMMENTS = ("comments",)


def detect(page: Page) -> bool:
    return True


def read_thread(page: Page) -> Thread | None:
    comments = comments_of(page)
    kind = page.xpath("//meta[@property='og:type']/@content").get()
    if not comments and kind not in ("article", None):
        return None
    post = read_post(page, POST)
    if not post.title and not post.body_html:
        return None
    return Thread(platform=PLATFORM, post=post, comments=comments)


def comments_of(page: Page) -> list[Comment]:
    """The comments of a page whose platform has no templates of its own."""
    return read_comments(page, TEMPLATES) or schema_comments(page) or structural_comments(page)


def schema_comments(page: Page) -> list[Comment]:
    """schema.org Comment items from JSON-LD or microdata, in document order, replies after
    their parent. Only pages that carry such items pay for extruct."""
    head = page.text
    comments: list[Comment] = []
    if JSON_LD_COMMENT.search(head):
        for document in _json_ld_documents(page):
            _walk_json_ld(page, document, None, comments)
        if comments:
            return comments
    if COMMENT_ITEMTYPES.search(head):
        extractor = LxmlMicrodataExtractor(add_html_node=True)
        for item in extractor.extract_items(page.selector.root, page.url):
            _walk_microdata(page, item, None, comments)
        return comments
    return []


def _json_ld_documents(page):
    """The items of each JSON-LD block. extruct reads a page's blocks all at once, and one that
    is no JSON even to its lenient reading would stop the others: each is read on its own."""
    extractor = JsonLdExtractor()
    for script in page.selector.xpath('//script[@type="application/ld+json"]'):
        try:
            yield from extractor.extract_items(script.root)
        except ValueError:
            logger.info("A JSON-LD block of %s is not JSON: skipped", page.url)


def _is_comment(types):
    types = types if isinstance(types, list) else [types]
    return any(str(kind).rsplit("/", 1)[-1] in COMMENT_TYPES for kind in types)


def _walk_json_ld(page, value, parent, comments):
    if isinstance(value, list):
        for item in value:
            _walk_json_ld(page, item, parent, comments)
        return
    if not isinstance(value, dict):
        return
    if _is_comment(value.get("@type")):
        comments.append(_json_ld_comment(page, value, parent, comments))
        parent = len(comments) - 1
    for key, item in value.items():
        if key in ("comment", "@graph", "mainEntity", "hasPart", "itemListElement", "item"):
            _walk_json_ld(page, item, parent, comments)


def _json_ld_comment(page, item, parent, comments):
    author = item.get("author") or item.get("creator") or {}
    if isinstance(author, list):
        author = author[0] if author else {}
    name = author.get("name", "") if isinstance(author, dict) else str(author)
    link = author.get("url") if isinstance(author, dict) else None
    when = next((item[key] for key in TIME_PROPERTIES if item.get(key)), None)
    body = next((item[key] for key in TEXT_PROPERTIES if item.get(key)), "")
    url = item.get("url") or item.get("@id") or ""
    return _schema_comment(page, comments, parent, url=url, name=name, link=link,
                           published_machine=str(when) if when else None,
                           body_html=_as_html(body))


def _walk_microdata(page, item, parent, comments):
    if not isinstance(item, dict):
        return
    properties = item.get("properties", {})
    if _is_comment(item.get("type")):
        comments.append(_microdata_comment(page, item, parent, comments))
        parent = len(comments) - 1
    for value in properties.values():
        for child in value if isinstance(value, list) else [value]:
            _walk_microdata(page, child, parent, comments)


def _microdata_comment(page, item, parent, comments):
    properties, node = item.get("properties", {}), item["htmlNode"]
    author = properties.get("author") or properties.get("creator") or ""
    if isinstance(author, list):
        author = author[0]
    if isinstance(author, dict):
        name = author.get("properties", {}).get("name", "")
        link = author.get("properties", {}).get("url")
    else:
        name, link = author, None
    own = _own_properties(node)
    shown = next((own[key] for key in TIME_PROPERTIES if key in own), None)
    body = next((own[key] for key in TEXT_PROPERTIES if key in own), None)
    url = properties.get("url") or node.get("itemid") or node.get("id") or ""
    return _schema_comment(
        page, comments, parent, url=url, name=name, link=link,
        published_shown=text_of(shown) if shown is not None else None,
        published_machine=machine_time([shown]) if shown is not None else
        next((properties[key] for key in TIME_PROPERTIES if properties.get(key)), None),
        body_html=inner_html(without(body, CHROME)) if body is not None else "",
    )


def _schema_comment(page, comments, parent, *, url, name, link, **fields):
    """A schema.org item's comment, a reply to `comments[parent]` when `parent` is not None."""
    above = comments[parent] if parent is not None else None
    return Comment(
        platform_id=_id_in(url), author=" ".join(str(name).split()),
        author_url=absolute(page.url, link),
        permalink=absolute(page.url, url) if url.startswith(("http", "/", "#")) else None,
        parent=parent, parent_platform_id=above.platform_id if above is not None else None,
        depth=above.depth + 1 if above is not None else 1, **fields,
    )


def _own_properties(node):
    """The elements of an item's own properties (not of items nested in it), by name."""
    found = {}
    for element in node.iterdescendants():
        names = (element.get("itemprop") or "").split()
        if not names or any(ancestor.get("itemscope") is not None
                            for ancestor in _ancestors_below(element, node)):
            continue
        for name in names:
            found.setdefault(name, element)
    return found


def _ancestors_below(element, top):
    for ancestor in element.iterancestors():
        if ancestor is top:
            return
        yield ancestor


def _id_in(url):
    """The id a comment's URL or element id ends in: its fragment, or the number at its end."""
    match = re.search(r"(?:#(?:comment-?)?|comment[-_/=]?)(\w+)$|(\d+)$", url or "")
    return (match[1] or match[2]) if match else None


def _as_html(text):
    escaped = str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return "".join(f"<p>{line}</p>" for line in escaped.split("\n") if line.strip())


def find_links(page: Page) -> PageLinks:
    """A listing's posts and next pages, with what it clearly states of each post (schema.org's
    dateModified and comment counts, a count on the link to its comments); a post's own
    comment feed."""
    if len(hrefs(page, LISTING_POSTS)) >= 2:
        links = listing_links(page, LISTING_POSTS, NEXT_PAGES)
        links.modified, counts = schema_signals(page, links.posts)
        links.comment_counts = {**counts, **comment_counts(page, links.posts, COUNTED_COMMENTS)}
        return links
    below_post = canonical(page).rstrip("/") + "/"
    # A post's own feeds (of its comments) are among those its head names.
    return PageLinks(feeds=[url for url in named_feeds(page) if url.startswith(below_post)])

