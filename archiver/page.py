"""Page: a fetched document (URL, decoded text, lazily parsed tree) that extractors read."""

import json
import re
from datetime import datetime, timezone
from functools import cached_property
from pathlib import Path

from parsel import Selector

from archiver.charset import decode_page

XML_CONTENT_TYPES = re.compile(r"(xml|rss|atom)", re.I)
JSON_CONTENT_TYPES = re.compile(r"[/+]json\b|javascript", re.I)


class Page:
    """A document to read. Extractors see only this, never a Scrapy response."""

    def __init__(self, url, text, *, content_type="text/html", fetched_utc=None, selector=None,
                 headers=None, encoding=None, declared_encoding=None):
        self.url = url
        self.text = text
        self.encoding = encoding  # what `text` was decoded from, when known
        self.declared_encoding = declared_encoding  # what the page said it was in, if it did
        self.content_type = content_type or "text/html"
        # Lower-case names: APIs page through headers (WordPress REST: Link, X-WP-TotalPages).
        self.headers = {name.lower(): value for name, value in (headers or {}).items()}
        self.fetched_utc = fetched_utc or datetime.now(timezone.utc)
        if selector is not None:
            self.__dict__["selector"] = selector

    @classmethod
    def from_response(cls, response, fetched_utc=None):
        """Wrap a Scrapy response, reusing the tree Scrapy may already have parsed."""
        content_type = response.headers.get(b"Content-Type", b"text/html").decode("latin-1")
        decoded = decode_page(response.body, content_type)
        # Scrapy's tree is of its own decoding, which trusts a declaration the bytes contradict.
        agrees = decoded.encoding == getattr(response, "encoding", None)
        selector = response.selector if agrees else None
        headers = {name.decode("latin-1"): b", ".join(values).decode("latin-1")
                   for name, values in response.headers.items()}
        return cls(response.url, decoded.text, content_type=content_type, fetched_utc=fetched_utc,
                   selector=selector, headers=headers, encoding=decoded.encoding,
                   declared_encoding=decoded.declared)

    @classmethod
    def from_bytes(cls, url, body, content_type="text/html", fetched_utc=None, headers=None):
        """Decode raw bytes as browsers do (BOM, header, then <meta charset>), unless they
        contradict what they declare (archiver.charset)."""
        decoded = decode_page(body, content_type)
        return cls(url, decoded.text, content_type=content_type, fetched_utc=fetched_utc,
                   headers=headers, encoding=decoded.encoding, declared_encoding=decoded.declared)

    @classmethod
    def from_file(cls, path, url=None):
        """A saved page; relative times on it count back from when it was saved."""
        path = Path(path)
        saved = datetime.fromtimestamp(path.stat().st_mtime, timezone.utc)
        return cls.from_bytes(url or path.resolve().as_uri(), path.read_bytes(), fetched_utc=saved)

    @property
    def charset_contradicted(self):
        """Whether the page's bytes contradicted the encoding it declared."""
        return self.declared_encoding is not None and self.encoding != self.declared_encoding

    @property
    def is_xml(self):
        if XML_CONTENT_TYPES.search(self.content_type):
            return True
        return self.text.lstrip()[:200].startswith("<?xml") and "<html" not in self.text[:2000].lower()

    @property
    def is_json(self):
        """Platform APIs and JSON feeds (WordPress REST, Blogger `alt=json`, Disqus)."""
        return bool(JSON_CONTENT_TYPES.search(self.content_type)) or self.text.lstrip()[:1] in ("{", "[")

    @cached_property
    def data(self):
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
    def selector(self):
        kind = "xml" if self.is_xml else "html"
        try:
            return self._parse(self.text, kind)
        except UnicodeEncodeError:  # lone surrogates, which the parser's UTF-8 cannot carry
            return self._parse(self.text.encode("utf-8", "surrogatepass").decode("utf-8", "replace"), kind)

    def _parse(self, text, kind):
        if kind == "xml":
            text = re.sub(r"^\s*<\?xml[^>]*\?>", "", text)
        return Selector(text=text, type=kind, base_url=self.url)

    @cached_property
    def language(self):
        """Primary language subtag from <html lang> or og:locale ("en", "fr"), or None."""
        if self.is_json:  # an API answer names no language (and Scrapy parses it as JSON)
            return None
        lang = self.selector.xpath("/html/@lang").get() or self.selector.xpath(
            "//meta[@property='og:locale']/@content").get() or ""
        lang = re.split(r"[-_]", lang.strip().lower())[0]
        return lang if re.fullmatch(r"[a-z]{2,3}", lang) else None

    def css(self, query):
        return self._query("css", query)

    def xpath(self, query, **kwargs):
        return self._query("xpath", query, **kwargs)

    def _query(self, kind, query, **kwargs):
        """Whole-document lookups, each run once: platform modules ask the same ones (the
        canonical link, the comment area) and each is a walk over the entire tree."""
        key = (kind, query, *sorted(kwargs.items()))
        found = self._found.get(key)
        if found is None:
            found = self._found[key] = getattr(self.selector, kind)(query, **kwargs)
        return found

    @cached_property
    def _found(self):
        return {}
