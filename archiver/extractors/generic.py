"""Any other blog: the post from common article markup, comments from schema.org Comment microdata.

The fallback of the registry: `detect` is always true.
"""

from archiver.extractors.common import absolute, first, inner_html, text_of, unique, without
from archiver.items import Comment, PageLinks, Post, Thread

PLATFORM = "generic"

TITLE = ("h1[itemprop=headline]", "article h1", "h1.entry-title", "h1.post-title", "h1")
BODY = ("[itemprop=articleBody]", "article .entry-content", ".entry-content", ".post-body",
        "article", "main")
COMMENTS = "[itemtype$='schema.org/Comment'], [itemtype$='schema.org/UserComments']"
BOILERPLATE = ".//*[self::script or self::style or self::form or self::nav or self::aside]"


def detect(page):
    return True


def read_thread(page):
    if page.xpath("//meta[@property='og:type']/@content").get() not in ("article", None):
        return None
    title = first(page, TITLE)
    body = first(page, BODY)
    if not title or not body:
        return None
    url = page.xpath("//link[@rel='canonical']/@href").get() or page.url
    post = Post(url=absolute(page.url, url), title=text_of(title[0]),
                author=page.xpath("//meta[@name='author']/@content").get(""),
                published_machine=page.xpath("//meta[@property='article:published_time']/@content").get(),
                body_html=inner_html(without(body[0].root, BOILERPLATE)))
    return Thread(platform=PLATFORM, post=post, comments=[_read_comment(page, node)
                                                           for node in page.css(COMMENTS)])


def _read_comment(page, node):
    author = node.css("[itemprop=author] [itemprop=name], [itemprop=author], [itemprop=creator]")
    time = node.css("[itemprop=dateCreated], [itemprop=datePublished], time")
    body = node.css("[itemprop=text], [itemprop=commentText], [itemprop=description]")
    return Comment(
        author=text_of(author[0]) if author else "",
        author_url=absolute(page.url, author.css("a::attr(href)").get()) if author else None,
        published_shown=text_of(time[0]) if time else None,
        published_machine=(time.attrib.get("datetime") or time.attrib.get("content")) if time else None,
        body_html=inner_html(body[0].root) if body else "",
    )


def find_links(page):
    return PageLinks(feeds=unique(absolute(page.url, href) for href in page.xpath(
        "//link[@rel='alternate'][contains(@type, 'rss') or contains(@type, 'atom')]/@href").getall()))
