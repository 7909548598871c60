"""Faults in words: what the blog, or the way to it, did, for the log and for the one line on
stderr that says why a run failed. An exception's class name (DownloadConnectionRefusedError)
is no answer for a user."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from urllib.parse import urlsplit

from scrapy.exceptions import (
    CannotResolveHostError,
    DownloadConnectionRefusedError,
    DownloadTimeoutError,
    ResponseDataLossError,
)
from twisted.internet.error import ConnectionRefusedError as TwistedConnectionRefused
from twisted.internet.error import DNSLookupError
from twisted.internet.error import TimeoutError as TwistedTimeoutError

# Scrapy 2.19 raises its own exceptions for these; a retry or another handler may still hand
# on Twisted's.
WORDS: list[tuple[tuple[type[BaseException], ...], str]] = [
    ((DownloadConnectionRefusedError, TwistedConnectionRefused), "connection refused"),
    ((CannotResolveHostError, DNSLookupError), "host name not found (DNS)"),
    ((DownloadTimeoutError, TwistedTimeoutError), "timed out"),
    ((ResponseDataLossError,), "answer cut short"),
]


def fault_words(error: BaseException) -> str:
    """`error`, a fault on the way to a server, in words."""
    for kinds, words in WORDS:
        if isinstance(error, kinds):
            return words
    return str(error) or type(error).__name__


def failure_cause(failed: Sequence[Mapping[str, str]], causes: Mapping[str, str],
                  start_url: str | None, finish_reason: str) -> str:
    """Why a run that failed did, in one line, from the URLs it never got a good answer for (in
    the order they failed, each {url, role, reason}) and `causes`, each one's fault in words:
    its blog's robots.txt first, since it keeps every other page from being asked, then its
    start URL, then the first that failed. A run stopped, or one that found no post and failed
    nothing, says so."""
    if finish_reason == "shutdown":
        return "stopped (SIGTERM or SIGINT) before the crawl finished"
    if finish_reason != "finished" and not finish_reason.startswith("closespider"):
        return f"the crawl ended early ({finish_reason})"
    host = urlsplit(start_url or "").netloc
    robots = f"{urlsplit(start_url or '').scheme}://{host}/robots.txt"
    for wanted in (robots, start_url or ""):
        if wanted in causes:
            return _cause(wanted, causes[wanted])
    for entry in failed:
        if entry["url"] in causes:
            return _cause(entry["url"], causes[entry["url"]])
    return f"no post found at {start_url}"


def _cause(url: str, words: str) -> str:
    if url.endswith("/robots.txt") and words.startswith("HTTP "):
        return (f"{words} at {url}: the host is not crawled while its robots.txt cannot be "
                "read (RFC 9309)")
    return f"{words} at {url}"
