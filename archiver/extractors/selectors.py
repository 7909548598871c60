"""CSS cascades run as XPath, skipping what a document cannot match.

Platform modules list many themes' class names, most specific first, and a page uses few of
them. Each query is translated once into its alternatives, each with the class names and
class attribute tests it needs; `css` and `css_elements` run only the alternatives whose
needs the document's (or one comment's) class attributes meet, so that a miss costs no walk
over the tree.
"""

from __future__ import annotations

import functools
import re
import weakref
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import cssselect
from cssselect.xpath import is_non_whitespace
from lxml import etree
from parsel import Selector, SelectorList
from parsel.csstranslator import GenericTranslator, HTMLTranslator

if TYPE_CHECKING:
    from archiver.page import Page

# (class names, class attribute tests) an alternative needs in the document to match.
Needs = tuple[frozenset[str], frozenset[tuple[str, str]]]


def first(node: Page | Selector | SelectorList, queries: Iterable[str]) -> SelectorList | None:
    """The first non-empty result of a cascade of CSS queries (most specific first)."""
    for query in queries:
        found = css(node, query)
        if found:
            return found
    return None


def first_elements(element: etree._Element, queries: Iterable[str]) -> list | None:
    """What `first` does, for an lxml element: the matches of the first of a cascade of CSS
    queries that has any, or None."""
    for query in queries:
        found = css_elements(element, query)
        if found:
            return found
    return None


def css(node: Page | Selector | SelectorList, query: str) -> SelectorList:
    """`node.css(query)`, without walking the tree for alternatives that cannot match: those
    needing a class name, or a class attribute (`[class$='-author']`), the document lacks.

    Cascades list many themes' class names and a page uses few of them: each miss would
    otherwise be a walk over the whole page, or over every comment.
    """
    if isinstance(node, list) and not node:
        return SelectorList()
    classes = _document_classes(node)
    possible = [xpath for xpath, needs in _alternatives(query, _document_type(node))
                if classes.may_match(needs)]
    return node.xpath(" | ".join(possible)) if possible else SelectorList()


def css_elements(element: etree._Element, query: str, classes: Classes | None = None) -> list:
    """lxml elements under `element` (or itself) matching CSS `query`: what `css` does, for code
    that walks lxml trees, skipping alternatives that need a class missing from `classes` (the
    Classes of `element` when a caller reads many queries in it; else the document's)."""
    xpath = (_document_classes(element) if classes is None else classes).query(query)
    return xpath(element) if xpath is not None else []


def has_class(name: str, attribute: str = "@class") -> str:
    """The XPath test that the class list `attribute` holds the word `name`, as CSS `.name`."""
    return f"contains(concat(' ', normalize-space({attribute}), ' '), ' {name} ')"


@functools.lru_cache(maxsize=256)
def compiled(xpath: str) -> etree.XPath:
    """`xpath` compiled once: `element.xpath(query)` compiles its query again on every call."""
    return etree.XPath(xpath)


class Classes:
    """The class attributes of an element and its descendants (a whole document, or one
    comment): the names in them, memoised attribute tests, and what of each CSS query may match
    where they are."""

    def __init__(self, values: frozenset[str]) -> None:
        self.values = values
        self.names = frozenset(name for value in self.values for name in value.split())
        self.text = " ".join(self.values)
        self._passed: dict[tuple[str, str], bool] = {}
        self._queries: dict[str, etree.XPath | None] = {}
        self._chromes: dict[Chrome, etree.XPath | None] = {}

    def query(self, query: str) -> etree.XPath | None:
        """CSS `query` as one compiled XPath of its alternatives that may match here, or None."""
        if query not in self._queries:
            possible = [xpath for xpath, needs in _alternatives(query, "html")
                        if self.may_match(needs)]
            self._queries[query] = compiled(" | ".join(possible)) if possible else None
        return self._queries[query]

    def chrome(self, chrome: Chrome) -> etree.XPath | None:
        """The compiled XPath of the Chrome that can be where these classes are, or None."""
        if chrome not in self._chromes:
            xpath = chrome.xpath(self)
            self._chromes[chrome] = compiled(xpath) if xpath else None
        return self._chromes[chrome]

    def may_match(self, needs: Needs) -> bool:
        """Whether a selector needing these (class names, class attribute tests) may match."""
        names, attribute_tests = needs
        return names <= self.names and all(self.has_value(*test) for test in attribute_tests)

    def has_value(self, operator: str, expected: str) -> bool:
        """Whether some class attribute passes the CSS attribute test (possibly loosely:
        `~=` as a substring), so that a query needing it may match."""
        key = (operator, expected)
        if key not in self._passed:
            test = CLASS_ATTRIBUTE_TESTS[operator]
            self._passed[key] = any(test(value, expected) for value in self.values)
        return self._passed[key]


@dataclass(frozen=True, eq=False)  # compared as itself: Classes remember each one's XPath
class Chrome:
    """What a text leaves out (bylines, buttons, scripts), as data: elements by name, elements
    with one of `class_names`, and elements whose class attribute contains one of `class_parts`.

    Written as one XPath, every element of a text is tested against every part, and a `self::`
    test costs as much as a string test; `xpath` keeps only the parts the text's classes have
    and finds named elements by name, which libxml2 does without testing each element.
    """

    names: tuple = ()  # element names, each possibly with a predicate: "a[contains(@href, '#x')]"
    class_names: tuple = ()
    class_parts: tuple = ()

    def xpath(self, classes: Classes) -> str:
        """The relative XPath of this chrome in a text whose Classes are `classes` (or contain
        them), or "" when none can be there."""
        tests = [has_class(name) for name in self.class_names if name in classes.names]
        tests += [f"contains(@class, '{part}')" for part in self.class_parts
                  if part in classes.text]
        steps = [f".//{name}" for name in self.names]
        if tests:
            steps.append(f".//*[@class and ({' or '.join(tests)})]")
        return " | ".join(steps)


def classes_in(element: etree._Element, alike: dict[frozenset[str], Classes]) -> Classes:
    """The Classes of `element` and its descendants, shared through `alike` (a dict kept while
    one page is read) by elements with the same class attributes: a page's comments mostly
    have the same, and then what one Classes works out about each query serves them all."""
    values = frozenset(CLASS_ATTRIBUTES(element))
    if values not in alike:
        alike[values] = Classes(values)
    return alike[values]


def _document_classes(node: Any) -> Classes:
    """The Classes of the document of `node` (a Page, a Selector or a non-empty list of them,
    or an element), read once."""
    if isinstance(node, list):
        node = node[0]
    element = node.selector.root if hasattr(node, "selector") else getattr(node, "root", node)
    root = element.getroottree().getroot()
    classes = _DOCUMENT_CLASSES.get(root)
    if classes is None:
        classes = _DOCUMENT_CLASSES[root] = Classes(frozenset(CLASS_ATTRIBUTES(root)))
    return classes


_DOCUMENT_CLASSES: weakref.WeakKeyDictionary[etree._Element, Classes] = weakref.WeakKeyDictionary()
# Plain strings: lxml's "smart" ones would keep their elements, and so the document, alive.
CLASS_ATTRIBUTES = etree.XPath("descendant-or-self::*/@class", smart_strings=False)
CLASS_ATTRIBUTE_TESTS: dict[str, Callable[[str, str], bool]] = {
    "=": str.__eq__,
    "^=": str.startswith,
    "$=": str.endswith,
    "*=": str.__contains__,
    "~=": str.__contains__,
    "|=": lambda value, expected: value == expected or value.startswith(f"{expected}-"),
}


class _AttributeTests:
    """parsel's translation, with `.x` (and `[attr~=x]`) tested as `@class[contains(., 'x') and
    …]`: the same matches, but the attribute is read once per element instead of three times,
    a quarter less time on every walk over a whole page; and `#x` as `@id[. = 'x']`, which
    FIRST_STEP_ATTRIBUTE_TEST can turn round."""

    def xpath_hash(self, id_selector):
        xpath = self.xpath(id_selector.selector)
        xpath.add_condition(f"@id[. = {self.xpath_literal(id_selector.id)}]")
        return xpath

    def xpath_attrib_includes(self, xpath, name, value):
        if value and is_non_whitespace(value):
            word = self.xpath_literal(f" {value} ")
            xpath.add_condition(f"{name}[contains(., {self.xpath_literal(value)}) and contains("
                                f"concat(' ', normalize-space(.), ' '), {word})]")
        else:
            xpath.add_condition("0")
        return xpath


class _HTMLTranslator(_AttributeTests, HTMLTranslator):
    pass


class _XMLTranslator(_AttributeTests, GenericTranslator):
    pass


TRANSLATORS: dict[str, cssselect.GenericTranslator] = {"html": _HTMLTranslator(),
                                                       "xml": _XMLTranslator()}


def _document_type(node: Any) -> str:
    """How parsel translates CSS for `node`: as for "html" or as for "xml"."""
    if isinstance(node, list):
        return node[0].type
    selector = node.selector if hasattr(node, "selector") else node
    return "xml" if getattr(selector, "type", "html") == "xml" else "html"


@functools.lru_cache(maxsize=1024)
def _alternatives(query: str, document_type: str) -> tuple[tuple[str, Needs], ...]:
    """Per alternative of a selector list: its XPath (as parsel writes it, but for class tests)
    and what the document needs for it to match: class names, and tests of the class
    attribute. Negated parts (:not(.x)) need nothing."""
    translator = TRANSLATORS[document_type]
    return tuple((FIRST_STEP_ATTRIBUTE_TEST.sub(r"\1/\2/parent::*", translator.selector_to_xpath(
                      alternative, "descendant-or-self::", translate_pseudo_elements=True)),
                  _needs(alternative.parsed_tree))
                 for alternative in cssselect.parse(query))


# A first step testing one class or id only (`.entry-content`, `h1.title`, `#comments`),
# rewritten to go through the class or id attributes and up to their elements: the same
# elements, as libxml2 then tests only the elements that have the attribute (a third less
# time for a class over a whole page, two thirds for an id).
FIRST_STEP_ATTRIBUTE_TEST = re.compile(
    r"^(descendant-or-self::[\w*-]+)\[(@(?:class|id)\[[^\]]*\])\](?=/|$)")


def _needs(part: Any) -> Needs:
    """(class names, class attribute tests) that matching a part of a parsed selector needs in
    the document."""
    if part is None:
        return frozenset(), frozenset()
    # Each part filters what its `selector` matches, and a combined selector also needs its
    # `subselector`; what :not() negates and the alternatives of :is() are no needs.
    names, tests = _needs(getattr(part, "selector", None))
    if isinstance(part, cssselect.parser.CombinedSelector):
        more_names, more_tests = _needs(part.subselector)
        names, tests = names | more_names, tests | more_tests
    if isinstance(part, cssselect.parser.Class):
        names |= {part.class_name}
    elif (isinstance(part, cssselect.parser.Attrib) and part.attrib == "class"
          and part.namespace is None and part.operator in CLASS_ATTRIBUTE_TESTS):
        value: Any = part.value  # a Token, whose `value` is the string
        tests |= {(part.operator, getattr(value, "value", value))}
    return names, tests
