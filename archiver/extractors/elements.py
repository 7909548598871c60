"""What extractors read out of lxml elements: their text and inner HTML, an element less some
of its descendants (bylines, replies, buttons), and tests up an element's ancestry."""

from __future__ import annotations

import copy
import functools
import re
from collections.abc import Callable, Collection, Iterable, Iterator
from typing import Any

import lxml.html
from lxml import etree

from archiver.extractors.selectors import compiled


def text_of(node: Any) -> str:
    """Whitespace-collapsed text of a parsel node, lxml element or the first of a list, or ""."""
    if isinstance(node, list):
        node = node[0] if node else None
    if node is None:
        return ""
    element = getattr(node, "root", node)
    if isinstance(element, str):
        return " ".join(element.split())
    return " ".join("".join(element.itertext()).split())


def text_without(element: etree._Element, excluded: Iterable[etree._Element]) -> str:
    """`text_of(without_elements(element, excluded))`, without the copy."""
    return " ".join("".join(_texts(element, set(excluded))).split())


def leading_text(element: etree._Element, excluded: Iterable[etree._Element], length: int) -> str:
    """The first `length` characters of `text_of(without_elements(element, excluded))`, read
    only as far as they go: no copy, and no walk past them."""
    seen = ""
    for piece in _texts(element, set(excluded)):
        seen += piece
        collapsed = " ".join(seen.split())
        if len(collapsed) >= length:
            return collapsed[:length]
    return " ".join(seen.split())


def _texts(element: etree._Element, excluded: Collection[etree._Element]) -> Iterator[str]:
    """The text pieces `itertext` gives, in order, less those inside `excluded` (but not their
    tails, which leaving an element out keeps)."""
    if element.text and isinstance(element.tag, str):
        yield element.text
    for child in element:
        if isinstance(child.tag, str) and child not in excluded:
            yield from _texts(child, excluded)
        if child.tail:
            yield child.tail


def number_in(text: str | None) -> int | None:
    """The first whole number in a text ("12 thoughts on …" -> 12), or None."""
    match = re.search(r"\d+", (text or "").replace(",", ""))
    return int(match[0]) if match else None


def inner_html(element: etree._Element) -> str:
    """The HTML inside `element`: its text and its children, not its own tag."""
    parts = [element.text or ""]
    parts.extend(lxml.html.tostring(child, encoding="unicode") for child in element)
    return "".join(parts)


def without(element: etree._Element, xpath: str) -> etree._Element:
    """`element` less the descendants matching the relative `xpath` (their tails kept): a copy,
    or the element itself when none match (callers only read it)."""
    return without_elements(element, compiled(xpath)(element))


def without_elements(element: etree._Element,
                     excluded: Iterable[etree._Element]) -> etree._Element:
    """`element` less the given descendants (their tails kept): a copy, or the element itself
    when there are none (callers only read it).

    Found in the original and dropped from the copy, so that the common case, nothing to leave
    out, copies nothing; each is found in the copy by its position below `element`, not by
    walking both trees side by side.
    """
    positions = [position for position in map(functools.partial(_position, element),
                                               dict.fromkeys(excluded))
                 if position is not None]
    if not positions:
        return element
    duplicate = copy.deepcopy(element)
    doomed = []
    for position in positions:
        twin = duplicate
        for index in position:
            twin = twin[index]
        doomed.append(twin)
    for twin in doomed:
        twin.drop_tree()
    return duplicate


def _position(element: etree._Element, descendant: etree._Element) -> list[int] | None:
    """The child indexes that lead from `element` down to `descendant`, or None when it is not
    below `element`."""
    indexes = []
    while descendant is not element:
        parent = descendant.getparent()
        if parent is None:
            return None
        indexes.append(parent.index(descendant))
        descendant = parent
    return indexes[::-1]


def first_outside(elements: Iterable[etree._Element], excluded: Collection[etree._Element],
                  within: etree._Element) -> etree._Element | None:
    """The first of `elements` of `within` that is neither one of `excluded` nor inside one:
    what a query finds first in `without_elements(within, excluded)`."""
    for element in elements:
        node = element
        while node is not within and node not in excluded:
            node = node.getparent()
        if node is within:
            return element
    return None


def in_marked_ancestry(element: etree._Element | None, known: dict[etree._Element, bool],
                       marked: Callable[[etree._Element], bool]) -> bool:
    """Whether `element` or an ancestor of it is `marked`. `known` keeps the answer for every
    element passed: the next element asked mostly shares them, so each is tested once."""
    passed, found = [], False
    while element is not None:
        if element in known:
            found = known[element]
            break
        passed.append(element)
        if marked(element):
            found = True
            break
        element = element.getparent()
    known.update(dict.fromkeys(passed, found))
    return found
