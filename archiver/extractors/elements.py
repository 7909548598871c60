"""Where elements stand among others, as the hand-written readers ask it: their neighbours
passing over HTML comments, and which of several hold the others."""

from collections.abc import Iterable

from lxml.etree import _Element


def previous_element(element: _Element) -> _Element | None:
    """The element just before `element` among its siblings, passing over HTML comments."""
    return _first_element(element.getprevious(), _Element.getprevious)


def next_element(element: _Element) -> _Element | None:
    """The element just after `element` among its siblings, passing over HTML comments."""
    return _first_element(element.getnext(), _Element.getnext)


def _first_element(node, step):
    """`node`, or the first element `step` leads to from it. A loop in Python: lxml's own
    itersiblings(Element) costs three times as much for the one step most calls take."""
    while node is not None and not isinstance(node.tag, str):
        node = step(node)
    return node


def outermost(elements: list[_Element]) -> list[_Element]:
    """Elements not inside another of them (a `span.date` around a `time` is one signal)."""
    kept = {id(element) for element in elements}
    return [element for element in elements
            if not any(id(ancestor) in kept for ancestor in element.iterancestors())]


def innermost(elements: list[_Element]) -> list[_Element]:
    """Elements with none of the others inside them: the tightest holder of each date."""
    inside = {id(ancestor) for element in elements for ancestor in element.iterancestors()}
    return [element for element in elements if id(element) not in inside]


def contains(outer: _Element, inner: _Element) -> bool:
    """Whether `inner` lies inside `outer`."""
    return any(ancestor is outer for ancestor in inner.iterancestors())


def lineage(elements: Iterable[_Element]) -> set[_Element]:
    """The elements, their ancestors and their descendants. A set of the elements themselves,
    not their ids: it keeps their lxml proxies alive, so a node met again is the same object."""
    return {related for element in elements
            for related in (*element.iter(), *element.iterancestors())}
