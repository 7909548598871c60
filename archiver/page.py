"""Page: a fetched document (URL, decoded text, lazily parsed tree) that extractors read."""

from __future__ import annotations

import functools
import json
import re
import weakref
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from functools import cached_property
from pathlib import Path
from typing import Any, TypeVar

import lxml.html
from lxml import etree
from parsel import Selector, SelectorList

from archiver.charset import decode_page

XML_CONTENT_TYPES = re.compile(r"(xml|rss|atom)", re.I)
JSON_CONTENT_TYPES = re.compile(r"[/+]json\b|javascript", re.I)
HTML_OPENED = re.compile(r"<html[\s>]", re.I)
HTML_CLOSED = re.compile(r"</(?:body|html)\s*>", re.I)
Result = TypeVar("Result")


# libxml2 stops reading a document nested deeper than it allows (2048 elements, as parsel asks
# it), and drops the rest unsaid. The runs of opening tags that make a broken or hostile page
# so deep are dropped, and the page read again: their closing tags are then strays, ignored.
RUN_OF_OPENING_TAGS = re.compile(r"(?:<[A-Za-z][^<>]*>\s*){256,}")


# A first step `//name[…]`, which libxml2 takes as `name[…]` among the children of every node
# of the document, merging each node's matches into those it has: quadratic in the matches
# (19 s for `//li[contains(@class, 'comment')]` on a page of 30,000 comments). From the root
# element, `descendant-or-self::name[…]` finds the same elements in one walk (0.13 s): unless a
# predicate of the step may be a number, which counts among siblings in the one and among all
# the matches in the other.
FIRST_STEP = re.compile(r"//(\*|[A-Za-z_][\w.-]*(?::[\w.-]+)?)(?=\s*\[)")
# A number in a predicate: a numeric literal (not the digit of a name such as h1), a function or
# an operator that gives one, or a variable.
MAY_BE_NUMBER = re.compile(r"(?<![\w.:-])\.?\d|position\(|last\(|count\(|sum\(|number\("
                           r"|length\(|floor\(|ceiling\(|round\(|\bdiv\b|\bmod\b|\+|\s-\s|\$")
QUOTED_OR_NESTED = re.compile(r"'[^']*'|\"[^\"]*\"|\[[^\]]*\]")


def walked_once(query: str) -> str:
    """`query`, an XPath asked of a document's root element, with each `//name[…]` that begins
    it or a branch of its union as `descendant-or-self::name[…]`, where that is the same."""
    parts, depth, quote, branch_start, done = [], 0, "", True, 0
    for index, char in enumerate(query):
        if quote:
            quote = "" if char == quote else quote
            continue
        if depth == 0 and branch_start and not char.isspace():
            branch_start = False
            step = FIRST_STEP.match(query, index)
            if step and _plain_predicates(query, step.end()):
                parts += [query[done:index], "descendant-or-self::"]
                done = index + 2
        if char in "'\"":
            quote = char
        elif char in "[(":
            depth += 1
        elif char in "])":
            depth -= 1
        elif depth == 0 and char == "|":
            branch_start = True
    return "".join([*parts, query[done:]])


def _plain_predicates(query: str, start: int) -> bool:
    """Whether the predicates of one step, from `start` on, are all tests that cannot be a
    number (nested steps' own predicates aside: they only choose what a path holds)."""
    depth, quote, opened = 0, "", start
    for index in range(start, len(query)):
        char = query[index]
        if quote:
            quote = "" if char == quote else quote
        elif char in "'\"":
            quote = char
        elif char == "[":
            depth, opened = depth + 1, index if depth == 0 else opened
        elif char == "]":
            depth -= 1
            if depth == 0 and MAY_BE_NUMBER.search(_top_level(query[opened + 1:index])):
                return False
        elif depth == 0 and not char.isspace():
            return char in "/|"
    return depth == 0 and not quote


def _top_level(predicate: str) -> str:
    """A predicate's text without its string literals and nested predicates."""
    while (shorter := QUOTED_OR_NESTED.sub("", predicate)) != predicate:
        predicate = shorter
    return predicate


# lxml.html's element classes, chosen in C: lxml.html's own lookup, which gives form fields
# classes of their own that no reader uses, is a Python call for every element a reader touches
# (a twentieth of the time a comment takes to read).
HTML_CLASSES = etree.ElementDefaultClassLookup(
    element=lxml.html.HtmlElement, comment=lxml.html.HtmlComment,
    pi=lxml.html.HtmlProcessingInstruction, entity=lxml.html.HtmlEntity)


def _html_root(text: str, base_url: str) -> tuple[etree._Element, bool]:
    """The lxml tree of an HTML document, as parsel makes it, and whether the parser stopped
    at its depth limit."""
    parser = etree.HTMLParser(recover=True, encoding="utf-8", huge_tree=True)
    parser.set_element_class_lookup(HTML_CLASSES)
    body = text.strip().replace("\x00", "").encode("utf-8") or b"<html/>"
    root = etree.fromstring(body, parser=parser, base_url=base_url)
    if root is None:  # only comments, or nothing an element can be made of
        root = etree.fromstring(b"<html/>", parser=parser, base_url=base_url)
    too_deep = any("Excessive depth" in error.message for error in parser.error_log)
    return root, too_deep


class Page:
    """A document to read. Extractors see only this, never a Scrapy response."""

    # Runs of opening tags dropped where the page nested past what the parser reads.
    tag_runs_dropped = 0

    def __init__(self, url: str, text: str, *, content_type: str | None = "text/html",
                 fetched_utc: datetime | None = None, headers: Mapping[str, str] | None = None,
                 encoding: str | None = None, declared_encoding: str | None = None,
                 replaced_characters: int = 0) -> None:
        self.url = url
        self.text = text
        self.encoding = encoding  # what `text` was decoded from, when known
        self.declared_encoding = declared_encoding  # what the page said it was in, if it did
        # U+FFFD put in place of bytes that `encoding` has no character for
        self.replaced_characters = replaced_characters
        self.content_type = content_type or "text/html"
        # Lower-case names: APIs page through headers (WordPress REST: Link, X-WP-TotalPages).
        self.headers = {name.lower(): value for name, value in (headers or {}).items()}
        self.fetched_utc = fetched_utc or datetime.now(UTC)

    @classmethod
    def from_response(cls, response: Any, fetched_utc: datetime | None = None) -> Page:
        """Wrap a Scrapy response. The page parses its own tree, when first asked, and never
        asks Scrapy for one (which would parse it as the response's): the tree, many times
        the size of the bytes, goes with the page, while the response may stay until the page
        is archived."""
        content_type = response.headers.get(b"Content-Type", b"text/html").decode("latin-1")
        decoded = decode_page(response.body, content_type)
        headers = {name.decode("latin-1"): b", ".join(values).decode("latin-1")
                   for name, values in response.headers.items()}
        return cls(response.url, decoded.text, content_type=content_type, fetched_utc=fetched_utc,
                   headers=headers, encoding=decoded.encoding, declared_encoding=decoded.declared,
                   replaced_characters=decoded.replaced)

    @classmethod
    def from_bytes(cls, url: str, body: bytes, content_type: str | None = "text/html",
                   fetched_utc: datetime | None = None,
                   headers: Mapping[str, str] | None = None) -> Page:
        """Decode raw bytes as browsers do (BOM, header, then <meta charset>), unless they
        contradict what they declare (archiver.charset)."""
        decoded = decode_page(body, content_type)
        return cls(url, decoded.text, content_type=content_type, fetched_utc=fetched_utc,
                   headers=headers, encoding=decoded.encoding, declared_encoding=decoded.declared,
                   replaced_characters=decoded.replaced)

    @classmethod
    def from_file(cls, path: str | Path, url: str | None = None) -> Page:
        """A saved page; relative times on it count back from when it was saved."""
        path = Path(path)
        saved = datetime.fromtimestamp(path.stat().st_mtime, UTC)
        return cls.from_bytes(url or path.resolve().as_uri(), path.read_bytes(), fetched_utc=saved)

    @property
    def charset_contradicted(self) -> bool:
        """Whether the page's bytes contradicted the encoding it declared."""
        return self.declared_encoding is not None and self.encoding != self.declared_encoding

    @property
    def broken(self) -> str | None:
        """Why this capture is not the page as the blog shows it, if it is not: "undecodable",
        bytes its encoding has no character for (put in as U+FFFD), or "truncated", an HTML
        document that opens <html> and ends before it closes its body or itself."""
        if self.replaced_characters:
            return "undecodable"
        if (not self.is_xml and not self.is_json and HTML_OPENED.search(self.text)
                and not HTML_CLOSED.search(self.text)):
            return "truncated"
        return None

    @property
    def is_xml(self) -> bool:
        if XML_CONTENT_TYPES.search(self.content_type):
            return True
        return (self.text.lstrip()[:200].startswith("<?xml")
                and "<html" not in self.text[:2000].lower())

    @property
    def is_json(self) -> bool:
        """Platform APIs and JSON feeds (WordPress REST, Blogger `alt=json`, Disqus)."""
        return (bool(JSON_CONTENT_TYPES.search(self.content_type))
                or self.text.lstrip()[:1] in ("{", "["))

    @cached_property
    def data(self) -> Any:
        """The parsed JSON of a JSON page, or None when it does not parse.

        Blogger wraps `alt=json-in-script` answers in a callback; the wrapper is dropped.
        """
        text = self.text.strip()
        wrapped = re.fullmatch(r"[\w.$]+\((.*)\);?", text, re.S)
        try:
            return json.loads(wrapped[1] if wrapped else text)
        except ValueError:
            return None

    @cached_property
    def selector(self) -> Selector:
        kind = "xml" if self.is_xml else "html"
        try:
            return self._parse(self.text, kind)
        except UnicodeEncodeError:  # lone surrogates, which the parser's UTF-8 cannot carry
            replaced = self.text.encode("utf-8", "surrogatepass").decode("utf-8", "replace")
            return self._parse(replaced, kind)

    def _parse(self, text, kind):
        if kind == "xml":
            text = re.sub(r"^\s*<\?xml[^>]*\?>", "", text)
            return Selector(text=text, type=kind, base_url=self.url)
        root, too_deep = _html_root(text, self.url)
        if too_deep:
            text, self.tag_runs_dropped = RUN_OF_OPENING_TAGS.subn("", text)
            root, _ = _html_root(text, self.url)
        return Selector(root=root, type=kind, base_url=self.url)

    @cached_property
    def language(self) -> str | None:
        """Primary language subtag from <html lang> or og:locale ("en", "fr"), or None."""
        if self.is_json:  # an API answer names no language (and Scrapy parses it as JSON)
            return None
        lang = self.selector.xpath("/html/@lang").get() or self.selector.xpath(
            "//meta[@property='og:locale']/@content").get() or ""
        lang = re.split(r"[-_]", lang.strip().lower())[0]
        return lang if re.fullmatch(r"[a-z]{2,3}", lang) else None

    def css(self, query: str) -> SelectorList:
        return self._query("css", query)

    def xpath(self, query: str, **kwargs: Any) -> SelectorList:
        return self._query("xpath", query, **kwargs)

    def _query(self, kind, query, **kwargs):
        """Whole-document lookups, each run once: platform modules ask the same ones (the
        canonical link, the comment area) and each is a walk over the entire tree."""
        key = (kind, query, *sorted(kwargs.items()))
        found = self._found.get(key)
        if found is None:
            asked = walked_once(query) if kind == "xpath" else query
            found = self._found[key] = getattr(self.selector, kind)(asked, **kwargs)
        return found

    @cached_property
    def _found(self):
        return {}


def per_page(function: Callable[[Page], Result]) -> Callable[[Page], Result]:
    """Remember `function(page)` while the page lives: read_thread and find_links both ask."""
    results: weakref.WeakKeyDictionary[Page, Result] = weakref.WeakKeyDictionary()

    @functools.wraps(function)
    def remembered(page: Page) -> Result:
        if page not in results:
            results[page] = function(page)
        return results[page]
    return remembered
