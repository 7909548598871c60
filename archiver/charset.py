"""The encoding a fetched page is in, and its text: as declared, unless its bytes say otherwise.

Browsers trust what a page declares: its byte order mark, else its Content-Type header, else
its <meta charset> (or XML declaration). Blogs often declare what they are not in: a server's
default UTF-8 header in front of an old Latin-1 blog, a theme's iso-8859-1 in front of UTF-8
posts. Read as declared, the first loses its accents to U+FFFD and the second turns "Für"
into "FÃ¼r". So each declaration is checked against the bytes, cheaply: a page is taken to be
in the first one they do not contradict, and else in what they are.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import cache

from w3lib.encoding import html_body_declared_encoding, http_content_type_encoding, read_bom

UTF8 = "utf-8"
REPLACEMENT = "\ufffd"
# What browsers read bytes that are not UTF-8 as, when nothing true is declared (the WHATWG
# default for most locales; ISO-8859-1 labels mean it too).
NOT_UTF8 = "cp1252"
# A character of more than one byte in UTF-8 (U+FFFD stands for bytes that fit no sequence).
MULTI_BYTE = re.compile("[^\x00-\x7f\ufffd]")
# UTF-8 text whose bytes a single-byte encoding reads one character each, without an error.
UTF8_SAMPLE = "Für “Zitate” — 中文".encode(UTF8)


@dataclass(frozen=True)
class Decoded:
    text: str
    encoding: str  # what `text` was decoded as
    declared: str | None  # what the page declared first, if anything
    # U+FFFD the decoding put in place of bytes `encoding` has no character for: a page that
    # holds any was not read whole
    replaced: int = 0


def decode_page(body: bytes, content_type: str | None = None) -> Decoded:
    """The text of `body`, served with the Content-Type header `content_type`."""
    bom_encoding, bom = read_bom(body)
    if bom_encoding and bom:  # a BOM is bytes, not a claim about them: nothing can contradict it
        return _decoded(body[len(bom):], body[len(bom):].decode(bom_encoding, "replace"),
                        bom_encoding, bom_encoding)
    as_utf8 = cache(lambda: _utf8_text(body))
    first = None
    for declared in _declarations(body, content_type):
        first = first or declared
        text = _text_as_declared(body, declared, as_utf8)
        if text is not None:
            return _decoded(body, text, declared, first)
    text = as_utf8()
    if text is None:
        return _decoded(body, body.decode(NOT_UTF8, "replace"), NOT_UTF8, first)
    return _decoded(body, text, UTF8, first)


def _decoded(body: bytes, text: str, encoding: str, declared: str | None) -> Decoded:
    """`text` decoded from `body` as `encoding`, with the U+FFFD the decoding put in: those
    beyond the ones the bytes spell out themselves."""
    try:
        spelled = body.count(REPLACEMENT.encode(encoding)) if REPLACEMENT in text else 0
    except (UnicodeEncodeError, LookupError):
        spelled = 0  # an encoding with no U+FFFD: every one in the text was put there
    return Decoded(text, encoding, declared, text.count(REPLACEMENT) - spelled)


def _declarations(body: bytes, content_type: str | None) -> Iterator[str]:
    """The encodings the header, then the markup, declare; the markup is searched only if asked."""
    header = http_content_type_encoding(content_type or "")
    if header:
        yield header
    markup = html_body_declared_encoding(body)
    if markup:
        yield markup


def _text_as_declared(body: bytes, encoding: str,
                      as_utf8: Callable[[], str | None]) -> str | None:
    """`body` decoded as `encoding`, or None when its bytes contradict it."""
    if encoding == UTF8:
        return as_utf8()
    if _single_byte(encoding) and not body.isascii() and as_utf8() is not None:
        return None
    return body.decode(encoding, "replace")


def _utf8_text(body: bytes) -> str | None:
    """`body` as UTF-8, or None when its bytes are not UTF-8. A page in UTF-8 with a few stray
    bytes of another encoding (a comment pasted from elsewhere) still is: read as windows-1252,
    all the rest of it would be garbled."""
    try:
        return body.decode(UTF8)
    except UnicodeDecodeError:
        text = body.decode(UTF8, "replace")
    return text if len(MULTI_BYTE.findall(text)) > text.count("\ufffd") else None


@cache
def _single_byte(encoding: str) -> bool:
    """Whether `encoding` reads UTF-8 text one character a byte, as the single-byte encodings
    (windows-1252, ISO-8859-x, KOI8-R) do: a UTF-8 page declared in one reads as mojibake."""
    return len(UTF8_SAMPLE.decode(encoding, "replace")) == len(UTF8_SAMPLE)
