"""Posts and comment threads read from a platform's templates, kept as data.

A platform module describes its markup: a `Platform` names which pages are a post's own, the
`PostQueries` that find the post on them, the comment `Template`s it knows (one per template
generation, most specific first) and a listing's links. The code that reads them is here.

`read_comments` takes the first template whose comments are on the page and reads every field
of a comment from its own markup, never from the replies nested inside it. Who answers whom
comes from nesting (a reply inside its parent), from indentation (Drupal's `div.indented`,
LiveJournal's depth classes: a reply follows its parent one level deeper), or from a link
the reply carries to the comment it answers.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

import lxml.html
import trafilatura
from lxml import etree

from archiver import clean
from archiver.extractors.bylines import author_of, machine_time, read_byline
from archiver.extractors.detection import head
from archiver.extractors.elements import inner_html, text_of, without, without_elements
from archiver.extractors.links import canonical, listing_links
from archiver.extractors.selectors import css_elements, first, has_class
from archiver.items import Comment, PageLinks, Post, Thread
from archiver.page import Page
from archiver.urls import absolute

# Parts of a comment's text container that are not its text.
CHROME = (".//*[self::script or self::style or self::form or self::noscript or self::button"
          " or contains(@class, 'reply') or contains(@class, 'visually-hidden')"
          " or contains(@class, 'element-invisible') or contains(@class, 'hidden')"
          f" or {has_class('links')}]")


@dataclass(frozen=True)
class Template:
    """One template generation's comment markup.

    CSS cascades are tried in order inside each comment; `time` joins every element of the
    first query that matches (Drupal 7 themes print the date and the clock apart).
    """

    name: str
    comments: str  # XPath: every comment's element, in document order
    # Its text container; none: the comment less its byline, author and time.
    body: tuple[str, ...] = ()
    author: tuple[str, ...] = ()  # the name; a link on it is the author's URL
    # The time as shown; a datetime/content/title attribute on it is machine time.
    time: tuple[str, ...] = ()
    # XPaths from the comment to a machine-readable time, when `time` has none.
    machine: tuple[str, ...] = ()
    # A line holding name and time together ("Posted by: Ann | 2 May 2010").
    byline: tuple[str, ...] = ()
    ids: tuple[str, ...] = ("@id",)  # XPaths from the comment to a string holding its id
    id_pattern: str = r"(\d+)"
    indent: str | None = None  # XPath counting the indentation around a comment (flat threads)
    depth_class: str | None = None  # regex on an ancestor-or-self class giving the depth
    reply_to: tuple[str, ...] = ()  # a link to the comment this one answers
    answer: str | None = None  # CSS: the blog owner's answer shown inside a comment (Pixnet)
    answer_byline: str = "p"  # CSS in `answer`: the line naming who answered and when
    chrome: str = CHROME


@dataclass(frozen=True)
class PostQueries:
    """Where a post's own page shows the post: CSS cascades for each field, the XPath of what
    the body leaves out, and `exclude`, an XPath naming the elements the post's author and time
    are never taken from (the comment area reuses the same markup)."""

    title: tuple[str, ...] = ()
    author: tuple[str, ...] = ()
    time: tuple[str, ...] = ()
    body: tuple[str, ...] = ()
    boilerplate: str = CHROME
    exclude: str | None = None


@dataclass(frozen=True)
class Platform:
    """A platform read from its templates. Its module states this data and takes `read_thread`
    and `find_links` from here, adding only what its platform does otherwise."""

    name: str  # stored in posts.platform
    # A post's own page, not a listing: both methods ask, so a module remembers it per page.
    is_single: Callable[[Page], bool]
    post: PostQueries
    templates: tuple[Template, ...] = ()
    listing_posts: tuple[str, ...] = ()
    next_pages: tuple[str, ...] = ()
    # Forks and hosts of the platform stored under their own name: (what the head of their
    # pages holds, the name), the first that matches taken (Dreamwidth, TypePad).
    variants: tuple[tuple[str, str], ...] = ()
    # What the platform says of the post outside the cascades' fields, read into it.
    amend_post: Callable[[Page, Post], None] | None = None
    # The comments of a page none of `templates` finds any on.
    other_comments: Callable[[Page], list[Comment]] | None = None

    def read_thread(self, page: Page) -> Thread | None:
        """The post and comments on a post's own page; None on any other page."""
        if not self.is_single(page):
            return None
        post = read_post(page, self.post)
        if self.amend_post is not None:
            self.amend_post(page, post)
        comments = read_comments(page, self.templates)
        if not comments and self.other_comments is not None:
            comments = self.other_comments(page)
        return Thread(platform=self.name_of(page), post=post, comments=comments)

    def name_of(self, page: Page) -> str:
        """The platform's name, or the name of the variant `page` is on."""
        text = head(page)
        return next((name for marker, name in self.variants if marker in text), self.name)

    def find_links(self, page: Page) -> PageLinks:
        """A listing's posts and next pages; nothing from a post's own page."""
        if self.is_single(page):
            return PageLinks()
        return listing_links(page, self.listing_posts, self.next_pages)


def _find_template(page: Page, templates: Iterable[Template]
                   ) -> tuple[Template | None, list[etree._Element]]:
    """The first template with comments on the page and its comment elements, or (None, [])."""
    for template in templates:
        nodes = [node.root for node in page.xpath(template.comments)]
        if nodes:
            return template, nodes
    return None, []


def read_comments(page: Page, templates: Sequence[Template]) -> list[Comment]:
    """Every comment on the page, in document order, read with the first template that finds
    some."""
    template, nodes = _find_template(page, templates)
    if template is None:
        return []
    reader = _Reader(page, template, nodes)
    return reader.read()


class _Reader:
    """Reads the comments of one page with one template."""

    def __init__(self, page, template, nodes):
        self.page = page
        self.template = template
        self.nodes = nodes
        self.is_comment = {id(node) for node in nodes}

    def read(self):
        template = self.template
        comments, index_of_node, index_of_id = [], {}, {}
        stack = []  # (depth, index) of the comments an indented reply may answer
        for node in self.nodes:
            comment = self.comment(node)
            holder = self._holder(node)
            depth = self._depth(node)
            if holder is not None:
                comment.parent = index_of_node[id(holder)]
            elif depth is not None:
                while stack and stack[-1][0] >= depth:
                    stack.pop()
                comment.parent = stack[-1][1] if stack else None
            answered = self._answered(node, comment.platform_id)
            if answered in index_of_id:
                comment.parent = index_of_id[answered]
            if comment.parent is not None:
                parent = comments[comment.parent]
                comment.parent_platform_id = parent.platform_id
                comment.depth = parent.depth + 1
            index = len(comments)
            index_of_node[id(node)] = index
            if comment.platform_id:
                index_of_id[comment.platform_id] = index
            if depth is not None:
                stack.append((depth, index))
            comments.append(comment)
            if template.answer:
                comments.extend(self._answers(node, index, comment))
        return comments

    def _holder(self, node):
        """The comment this node's element is nested in, if any."""
        for ancestor in node.iterancestors():
            if id(ancestor) in self.is_comment:
                return ancestor
        return None

    def _depth(self, node):
        template = self.template
        if template.indent:
            return int(node.xpath(template.indent)) + 1
        if template.depth_class:
            for element in (node, *node.iterancestors()):
                match = re.search(template.depth_class, element.get("class") or "")
                if match:
                    return int(match[1])
        return None

    def own(self, node, query):
        """Elements matching `query` in this comment, not in a comment nested in it."""
        return [element for element in css_elements(node, query) if self._belongs(element, node)]

    def _belongs(self, element, node):
        for ancestor in element.iterancestors():
            if ancestor is node:
                return True
            if id(ancestor) in self.is_comment:
                return False
        return False

    def own_first(self, node, queries):
        for query in queries:
            found = self.own(node, query)
            if found:
                return found
        return []

    def platform_id(self, node):
        for query in self.template.ids:
            for value in node.xpath(query):
                match = re.search(self.template.id_pattern, str(value))
                if match:
                    return match[1]
        return None

    def _answered(self, node, own_id):
        """The id of the comment a reply links to as the one it answers."""
        for link in self.own_first(node, self.template.reply_to):
            match = re.search(self.template.id_pattern, (link.get("href") or "").rsplit("#", 1)[-1])
            if match and match[1] != own_id:
                return match[1]
        return None

    def comment(self, node):
        template, page = self.template, self.page
        number = self.platform_id(node)
        author = self.own_first(node, template.author)
        times = self.own_first(node, template.time)
        byline = self.own_first(node, template.byline)
        name, link = author_of(author[0]) if author else ("", None)
        shown = " ".join(filter(None, (text_of(element) for element in times))) or None
        if byline and (not name or not shown):
            byline_name, byline_link, byline_time = read_byline(byline[0], name, shown)
            name, link = name or byline_name, link or byline_link
            shown = shown or byline_time
        machine = machine_time(times) or self._machine(node)
        body = self.own_first(node, template.body)
        # The text is the text container, or else the comment, less the byline either holds.
        root = body[0] if body else node
        meta = [element for element in (*author, *times, *byline)
                if element is not root
                and any(ancestor is root for ancestor in element.iterancestors())]
        nested = [element for element in root.iterdescendants() if id(element) in self.is_comment]
        if nested or meta:
            root = without_elements(root, [*nested, *meta])
        return Comment(
            platform_id=number,
            author=name,
            author_url=absolute(page.url, link),
            permalink=self._permalink(node, number),
            published_shown=shown,
            published_machine=machine,
            body_html=inner_html(without(root, template.chrome)),
        )

    def _machine(self, node):
        for query in self.template.machine:
            for value in node.xpath(query):
                value = str(value).strip()
                if value:
                    return value
        return None

    def _permalink(self, node, number):
        if not number:
            return None
        for link in node.xpath(".//a[@href][contains(@href, $number)]", number=number):
            href = link.get("href")
            if "#" in href or "cid=" in href:
                return absolute(self.page.url, href)
        return None

    def _answers(self, node, index, comment):
        """The blog owner's answers shown inside comment `node`, as replies to it."""
        answers = []
        for answer in self.own(node, self.template.answer):
            signature = css_elements(answer, self.template.answer_byline)
            if not signature:
                continue
            signature = signature[-1]
            name, link, shown = read_byline(signature, "", None)
            author = signature.xpath(".//a[@href][1]")
            if author:
                name, link = text_of(author[0]), author[0].get("href")
                _, _, shown = read_byline(signature, name, None)
            answers.append(Comment(
                author=name, author_url=absolute(self.page.url, link), parent=index,
                parent_platform_id=comment.platform_id, depth=comment.depth + 1,
                published_shown=shown,
                body_html=inner_html(without_elements(answer, [signature])),
            ))
        return answers


def read_post(page: Page, queries: PostQueries) -> Post:
    """The post from cascades of CSS queries; where they miss, the page's meta tags and, when
    the body cascade finds no text, trafilatura's main-content extraction and its metadata."""
    author_node = _outside(page, queries.author, queries.exclude)
    time_node = _outside(page, queries.time, queries.exclude)
    body_node = first(page, queries.body)
    body_html = (inner_html(without(body_node[0].root, queries.boilerplate)) if body_node
                 else "")
    found: dict[str, str] = {}
    if not text_of(clean.parse_fragment(body_html)):
        body_html, found = _main_content(page)
    meta = page.xpath
    return Post(
        url=canonical(page),
        title=_title(page, queries.title),
        author=author_of(author_node)[0] if author_node is not None else (
            meta("//meta[@name='author']/@content").get("") or found.get("author", "")),
        published_shown=text_of(time_node) if time_node is not None else None,
        published_machine=_published(page, time_node) or found.get("date"),
        body_html=body_html,
    )


def _title(page, queries):
    """The first heading of the cascade that the page's own title names; a theme's first
    heading may be its logo. Else og:title, else <title>."""
    named = page.xpath("//meta[@property='og:title']/@content").get("").strip()
    full = named or text_of(page.xpath("//title"))
    for query in queries:
        for element in css_elements(page.selector.root, query):
            text = text_of(element)
            if text and (text in full or named and named in text):
                return text
    return full


def _published(page, time_node):
    """The machine time of the post's time element; the article:published_time meta tag when
    the element has none or only the day it gives too."""
    machine = machine_time([time_node]) if time_node is not None else None
    meta = page.xpath("//meta[@property='article:published_time']/@content").get()
    if meta and (not machine or len(machine) == 10 and meta.startswith(machine)):
        return meta
    return machine


def _main_content(page: Page) -> tuple[str, dict[str, str]]:
    """(body HTML, metadata) as trafilatura finds them, for themes no cascade knows: it costs
    tens of milliseconds, so only then. It works on a copy, as it prunes the tree it is given."""
    html = trafilatura.extract(copy.deepcopy(page.selector.root), url=page.url,
                               output_format="html", with_metadata=True, include_comments=False,
                               include_links=True, include_formatting=True, include_images=False)
    if not html:
        return "", {}
    document = lxml.html.document_fromstring(html)
    body = document.find("body")
    found = {meta.get("name"): meta.get("content") for meta in document.iterfind(".//head/meta")}
    return (inner_html(body) if body is not None else ""), found


def _outside(page, queries, exclude):
    for query in queries:
        for element in css_elements(page.selector.root, query):
            if not exclude or not element.xpath(exclude):
                return element
    return None
