"""What the platforms' `detect` functions look for: markers in the head of a page's text and
the software its generator meta tags name. Every page is asked by every platform in turn, so
each test reads as little as it can."""

from __future__ import annotations

from collections.abc import Sequence

from archiver.page import Page, per_page

# How much of a page's text `detect` searches for markers: a platform's scripts, stylesheets
# and class names show in its head and first templates, and a search past them only costs time
# on the large pages of long threads.
DETECT_READ_LIMIT = 300_000


def head(page: Page) -> str:
    """The part of the page's text `detect` searches: its first DETECT_READ_LIMIT characters."""
    return page.text[:DETECT_READ_LIMIT]


@per_page
def generators(page: Page) -> tuple[str, ...]:
    """What the page's <meta name="generator"> tags name, lower-cased ("wordpress 6.1",
    "blogger"): read off the parsed tree once, for every platform's `detect`."""
    if page.is_json or page.is_xml:
        return ()
    return tuple(value.strip().lower() for value in page.xpath(
        "//meta[translate(@name, 'GENERATOR', 'generator') = 'generator']/@content").getall())


def has_markers(text: str, markers: Sequence[str], needed: int) -> bool:
    """Whether at least `needed` of `markers` are in `text`. Each is a search through the
    text (the head of a page), so none runs once the answer is known."""
    found = 0
    for index, marker in enumerate(markers):
        if marker in text:
            found += 1
            if found >= needed:
                return True
        elif found + len(markers) - index - 1 < needed:
            return False
    return False
