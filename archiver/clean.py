"""HTML from the web made safe to render, turned into text, and searched for linked sources.

The only place body HTML is processed: extractors hand over raw fragments, storage
and Datasette only ever see what leaves this module.
"""

from __future__ import annotations

import re
from typing import TypedDict
from urllib.parse import unquote_to_bytes, urljoin, urlsplit

import lxml.html
import nh3
from lxml import etree

from archiver.items import Link

# What a post or comment body may keep. No scripts, styles, forms, frames, media
# or event handlers; images are dropped too, so that browsing the archive offline
# never makes the browser fetch anything from the blog or a tracker.
ALLOWED_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "cite", "code", "dd", "del", "dfn", "div", "dl",
    "dt", "em", "figcaption", "figure", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "i", "ins",
    "kbd", "li", "mark", "ol", "p", "pre", "q", "s", "samp", "small", "span", "strike",
    "strong", "sub", "sup", "table", "tbody", "td", "tfoot", "th", "thead", "tr", "u", "ul",
}
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "abbr": {"title"},
    "blockquote": {"cite"},
    "q": {"cite"},
    "td": {"colspan", "rowspan"},
    "th": {"colspan", "rowspan"},
}
URL_ATTRIBUTES = {"href", "cite"}
# A URL attribute whose value is not plainly an absolute http(s) or mailto URL: relative,
# padded with spaces, written with character references, or of another scheme.
NOT_ABSOLUTE_URL = re.compile(r"""\b(?:href|cite)\s*=\s*(?!["']?(?:https?://|mailto:))""", re.I)
SAFE_SCHEMES = {"http", "https", "mailto"}
DROP_WITH_CONTENT = {"script", "style", "template", "noscript", "iframe", "object", "embed",
                     "form", "select", "textarea", "button", "svg", "math"}
BLOCK_TAGS = {"p", "div", "blockquote", "li", "ul", "ol", "pre", "h1", "h2", "h3", "h4", "h5",
              "h6", "tr", "table", "figure", "figcaption", "dl", "dt", "dd", "hr", "section",
              "article", "header", "footer", "aside"}


class SanitizerOptions(TypedDict):
    """What nh3 is told, the same for every fragment: typed so that a checker can match each
    option with nh3's parameter of that name."""

    tags: set[str]
    clean_content_tags: set[str]
    attributes: dict[str, set[str]]
    url_schemes: set[str]
    link_rel: str


SANITIZER: SanitizerOptions = {"tags": ALLOWED_TAGS, "clean_content_tags": DROP_WITH_CONTENT,
                               "attributes": ALLOWED_ATTRIBUTES, "url_schemes": SAFE_SCHEMES,
                               "link_rel": "nofollow noopener noreferrer"}
# Built once: nh3.clean converts its options for every call, more than half its cost on a comment.
ABSOLUTE_LINKS_SANITIZER = nh3.Cleaner(**SANITIZER)
# What XML 1.0, and so lxml, cannot hold: C0 controls but tab and line ends, surrogates (alone:
# a JSON escape can give one), U+FFFE and U+FFFF. A page may hold them; no reader needs them.
UNFIT_FOR_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
ESCAPED_UTF8 = re.compile(r"(?:%[89A-Fa-f][0-9A-Fa-f])+")
BARE_URL = re.compile(r"\bhttps?://[^\s<>\"')\]]+[^\s<>\"')\].,;:!?]", re.I)


def sanitize_html(fragment: str | None, base_url: str | None = None) -> str:
    """Safe HTML: allowlisted tags and attributes, absolute http(s) links only.

    >>> sanitize_html('<p onclick="x()">Hi <a href="/a">a</a><script>bad()</script></p>',
    ...               "https://b.example/")
    '<p>Hi <a href="https://b.example/a" rel="nofollow noopener noreferrer">a</a></p>'
    """
    if not fragment:
        return ""

    def absolute(element, attribute, value):
        if attribute not in URL_ATTRIBUTES:
            return value
        url = urljoin(base_url or "", value.strip())
        return url if urlsplit(url).scheme.lower() in SAFE_SCHEMES else None

    # The filter is a call back into Python for every attribute: only worth it when some link
    # is not already an absolute http(s) or mailto URL (nh3 drops other schemes itself).
    if NOT_ABSOLUTE_URL.search(fragment):
        return nh3.clean(fragment, attribute_filter=absolute, **SANITIZER).strip()
    return ABSOLUTE_LINKS_SANITIZER.clean(fragment).strip()


def drop_unfit_characters(text: str) -> tuple[str, int]:
    """`text` without the characters XML cannot hold, and how many there were.

    >>> drop_unfit_characters("Fine\\x00 point\\x0c")
    ('Fine point', 2)
    """
    return UNFIT_FOR_XML.subn("", text)


def parse_fragment(fragment: str | None) -> etree._Element | None:
    """An lxml element wrapping `fragment`, or None when it is empty."""
    if not fragment or not fragment.strip():
        return None
    return lxml.html.fragment_fromstring(drop_unfit_characters(fragment)[0], create_parent="div")


def html_to_text(root: etree._Element | None) -> str:
    """Readable text of a parsed fragment: blocks on their own lines, spaces collapsed."""
    if root is None:
        return ""
    parts = []

    def walk(node):
        tag = node.tag if isinstance(node.tag, str) else ""
        if tag in DROP_WITH_CONTENT:
            return
        block = tag in BLOCK_TAGS or tag == "br"
        if block:
            parts.append("\n")
        if node.text and tag:
            parts.append(" ".join(node.text.split("\n")))
        for child in node:
            walk(child)
        if block:
            parts.append("\n")
        if node.tail:
            parts.append(" ".join(node.tail.split("\n")))

    walk(root)
    lines = (" ".join(line.split()) for line in "".join(parts).split("\n"))
    return "\n".join(line for line in lines if line)


def safe_link(url: str | None) -> str | None:
    """`url` when it is an absolute http(s) address or a mailto one, else None: an author's
    link may be a `javascript:` one, which nothing should keep to render."""
    parts = urlsplit(url or "")
    scheme = parts.scheme.lower()
    return url if scheme == "mailto" or scheme in SAFE_SCHEMES and parts.netloc else None


def as_iri(url: str) -> str:
    """A URL with its percent-escaped UTF-8 shown as the characters it spells ("Laïcité")."""
    def decode(match):
        try:
            return unquote_to_bytes(match[0]).decode("utf-8")
        except UnicodeDecodeError:
            return match[0]
    return ESCAPED_UTF8.sub(decode, url)


def find_links(root: etree._Element | None, base_url: str | None = None,
               site_host: str | None = None) -> list[Link]:
    """Linked sources of a parsed fragment: <a href> targets, then bare URLs in its text."""
    if root is None:
        return []
    links, seen = [], set()

    def add(url, text):
        url = as_iri(urljoin(base_url or "", url.strip()))
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            return
        domain = parts.hostname or ""
        external = site_host is None or domain != site_host.split(":")[0]
        key = (url, text)
        if key not in seen:
            seen.add(key)
            links.append(Link(url=url, text=text, domain=domain, external=external))

    for anchor in root.iter("a"):
        href = anchor.get("href")
        if href and not href.startswith("#"):
            add(href, " ".join(anchor.text_content().split()))

    def bare_urls(node, in_anchor):
        """URLs written out in text outside any <a>, whose own link was added above."""
        inside = in_anchor or node.tag == "a"
        texts = ([] if inside or not isinstance(node.tag, str) else [node.text]) + \
                ([] if in_anchor else [node.tail])
        for text in texts:
            for match in BARE_URL.finditer(text or ""):
                add(match.group(0), match.group(0))
        for child in node:
            bare_urls(child, inside)

    if "http" in root.text_content().lower():
        bare_urls(root, False)
    return links
