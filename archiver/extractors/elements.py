"""What extractors read out of lxml elements: their text and inner HTML, an element less some
of its descendants (bylines, replies, buttons), tests up an element's ancestry, and where
elements stand among others (their neighbours passing over HTML comments, which of several
hold the others)."""

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
    tails, which leaving an element out keeps). A walk with a stack, not recursion: a broken or
    hostile page may nest elements thousands deep."""
    if element.text and isinstance(element.tag, str):
        yield element.text
    stack = [(element, iter(element))]
    while stack:
        parent, children = stack[-1]
        child = next(children, None)
        if child is None:
            stack.pop()
            if stack and parent.tail:
                yield parent.tail
        elif isinstance(child.tag, str) and child not in excluded:
            if child.text:
                yield child.text
            stack.append((child, iter(child)))
        elif child.tail:
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


def previous_element(element: etree._Element) -> etree._Element | None:
    """The element just before `element` among its siblings, passing over HTML comments."""
    return _first_element(element.getprevious(), etree._Element.getprevious)


def next_element(element: etree._Element) -> etree._Element | None:
    """The element just after `element` among its siblings, passing over HTML comments."""
    return _first_element(element.getnext(), etree._Element.getnext)


def _first_element(node, step):
    """`node`, or the first element `step` leads to from it. A loop in Python: lxml's own
    itersiblings(Element) costs three times as much for the one step most calls take."""
    while node is not None and not isinstance(node.tag, str):
        node = step(node)
    return node


def outermost(elements: list[etree._Element]) -> list[etree._Element]:
    """Elements not inside another of them (a `span.date` around a `time` is one signal)."""
    kept = set(elements)
    return [element for element in elements
            if not any(ancestor in kept for ancestor in element.iterancestors())]


def innermost(elements: list[etree._Element]) -> list[etree._Element]:
    """Elements with none of the others inside them: the tightest holder of each date."""
    # A set of the ancestors themselves, not their ids: it keeps their lxml proxies alive, so
    # no other node can take a freed one's id.
    inside = {ancestor for element in elements for ancestor in element.iterancestors()}
    return [element for element in elements if element not in inside]


def contains(outer: etree._Element, inner: etree._Element) -> bool:
    """Whether `inner` lies inside `outer`."""
    return any(ancestor is outer for ancestor in inner.iterancestors())


def lineage(elements: Iterable[etree._Element]) -> set[etree._Element]:
    """The elements, their ancestors and their descendants. A set of the elements themselves,
    not their ids: it keeps their lxml proxies alive, so a node met again is the same object."""
    return {related for element in elements
            for related in (*element.iter(), *element.iterancestors())}
