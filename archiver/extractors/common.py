"""Helpers the platform modules share: selector cascades, text, URLs, scoped lookups."""

import copy
import functools
import json
import re
import weakref
from dataclasses import dataclass
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

import cssselect
import lxml.html
from cssselect.xpath import is_non_whitespace
from lxml import etree
from parsel import SelectorList
from parsel.csstranslator import GenericTranslator, HTMLTranslator

from archiver.items import PageLinks

COMMENT_PAGE_PATH = re.compile(r"/comment-page-(\d+)/?$")
# WordPress (?cpage=2) and Blogger without threaded comments (?commentPage=2).
COMMENT_PAGE_QUERIES = ("cpage", "commentPage")
# Links that are the same page again, or actions, never archive content (grab-site's
# "blogs" ignore set): crawling them only multiplies requests.
TRAP_QUERY_KEYS = {"replytocom", "share", "like_comment", "showComment", "replyto", "mode",
                   "action", "redirect_to", "unapproved", "moderation-hash", "amp", "preview"}
TRAP_PATHS = re.compile(r"/(wp-login\.php|wp-admin/|xmlrpc\.php|wp-comments-post\.php|"
                        r"jetpack-comment/|quote-comment-\d+/|trackback/?$|embed/?$)")


def first(node, queries):
    """The first non-empty result of a cascade of CSS queries (most specific first)."""
    for query in queries:
        found = css(node, query)
        if found:
            return found
    return None


def per_page(function):
    """Remember `function(page)` while the page lives: read_thread and find_links both ask."""
    results = weakref.WeakKeyDictionary()

    @functools.wraps(function)
    def remembered(page):
        if page not in results:
            results[page] = function(page)
        return results[page]
    return remembered


@per_page
def generators(page):
    """What the page's <meta name="generator"> tags name, lower-cased ("wordpress 6.1",
    "blogger"): read off the parsed tree once, for every platform's `detect`."""
    if page.is_json or page.is_xml:
        return ()
    return tuple(value.strip().lower() for value in page.xpath(
        "//meta[translate(@name, 'GENERATOR', 'generator') = 'generator']/@content").getall())


def has_markers(text, markers, needed):
    """Whether at least `needed` of `markers` are in `text`. Each is a search through the
    text (a page's first 200 KB), so none runs once the answer is known."""
    found = 0
    for index, marker in enumerate(markers):
        if marker in text:
            found += 1
            if found >= needed:
                return True
        elif found + len(markers) - index - 1 < needed:
            return False
    return False


CANONICAL = ("//link[@rel='canonical']/@href", "//meta[@property='og:url']/@content")


def canonical(page):
    """The post's own address: the canonical link or og:url, an absolute one first (saved and
    mirrored copies make them relative), else the page's own address."""
    found = [url.strip() for query in CANONICAL for url in page.xpath(query).getall() if url.strip()]
    return next((url for url in found if url.startswith(("http://", "https://"))),
                absolute(page.url, found[0]) if found else page.url)


def hrefs(page, queries, within=None):
    """The absolute link targets that any of `queries` finds (in `within`, else the whole page),
    in order, each once."""
    node = page if within is None else within
    return unique(absolute(page.url, href) for query in queries
                  for href in css(node, f"{query}::attr(href)").getall())


def listing_links(page, post_links, next_pages):
    """A listing page's posts and next pages, from the platform's queries for each."""
    return PageLinks(posts=[url for url in hrefs(page, post_links) if not is_trap(url)],
                     listings=hrefs(page, next_pages))


# What listings say of each post they list, for incremental runs.
# The text of a link to a post's comments that is not shown: its words for screen readers
# repeat the post's title (WordPress: "3 Comments<span class="screen-reader-text"> on 5 > 3?</span>").
UNSHOWN_TEXT = etree.XPath(
    ".//*[@class][contains(@class, 'screen-reader') or contains(@class, 'sr-only')"
    " or contains(@class, 'visually-hidden') or contains(@class, 'assistive-text')]")
# Count links that a script fills in (Disqus): what the page itself says is a placeholder.
SCRIPT_FILLED_COUNT = etree.XPath(
    "descendant-or-self::*[@data-disqus-identifier or @data-disqus-url or @class and"
    " (contains(@class, 'disqus-comment-count') or contains(@class, 'dsq-postid'))]")
# A count as shown: "12", "1,234", "1.234", "1'234", "1 234" (read with whitespace collapsed, so
# also with the no-break or thin space French puts between groups).
COUNT = re.compile(r"\d{1,3}(?:[,.' ]\d{3})+(?!\d)|\d+")
# schema.org items describing posts (BlogPosting, NewsArticle, SocialMediaPosting, …), the
# properties that say when one changed and how many comments it has, and those naming it.
POSTING_TYPE = re.compile(r"(?:Article|Posting)$")
SCHEMA_SIGNALS = ("dateModified", "commentCount", "interactionStatistic", "interactionCount")
SCHEMA_ADDRESSES = ("url", "mainEntityOfPage", "@id")
MICRODATA_SIGNALS = etree.XPath(
    "//*[@itemprop][contains(@itemprop, 'dateModified') or contains(@itemprop, 'commentCount')"
    " or contains(@itemprop, 'interactionCount')]")
MICRODATA_OWNER = etree.XPath("ancestor::*[@itemscope][1]")
JSON_LD = etree.XPath("//script[@type = 'application/ld+json']/text()", smart_strings=False)
COMMENTS_COUNTED = re.compile(r"UserComments:(\d+)")


def comment_counts(page, posts, counted, none=()):
    """How many comments each of `posts`, as `page` lists them, has by the links to its
    comments: the number in the text of a link to `post#F` for F in `counted`, or, for a post
    that has none of those, 0 when it has a link to `post#F` for F in `none`. A post whose
    links state different numbers, or no number, gets none."""
    listed = {post_url_of(url): url for url in posts}
    fragments = (*counted, *none)
    if not listed or not fragments:
        return {}
    tests = " or ".join(f"contains(., '#{fragment}')" for fragment in fragments)
    stated, uncommented = {}, set()
    for link in compiled(f"//a/@href[{tests}]/..")(page.selector.root):
        url = absolute(page.url, link.get("href"))
        post, fragment = listed.get(post_url_of(url)), urlsplit(url).fragment
        if post is None:
            continue
        if fragment in counted and not SCRIPT_FILLED_COUNT(link):
            shown = COUNT.search(text_without(link, UNSHOWN_TEXT(link)))
            numbers = stated.setdefault(post, set())
            if shown:
                numbers.add(int(re.sub(r"\D", "", shown[0])))
        elif fragment in none:
            uncommented.add(post)
    counts = {}
    for post in posts:
        numbers = stated.get(post)
        if numbers is None and post in uncommented:
            counts[post] = 0
        elif numbers is not None and len(numbers) == 1:
            counts[post] = min(numbers)
    return counts


def schema_signals(page, posts):
    """(modified, comment counts) of `posts` as the schema.org items describing them on `page`
    state them (JSON-LD or microdata): dateModified, and commentCount or an InteractionCounter
    of comments. Only pages naming one of those properties are searched."""
    if not posts or not any(name in page.text for name in SCHEMA_SIGNALS):
        return {}, {}
    listed = {strip_fragment(url): url for url in posts}
    modified, counts = {}, {}
    for item in _json_ld_postings(page):
        post = next((listed[address] for address in (strip_fragment(absolute(page.url, address))
                                                      for address in _json_ld_addresses(item))
                     if address in listed), None)
        if post is None:
            continue
        if isinstance(item.get("dateModified"), str) and item["dateModified"].strip():
            modified.setdefault(post, item["dateModified"].strip())
        count = _json_ld_comment_count(item)
        if count is not None:
            counts.setdefault(post, count)
    for element in MICRODATA_SIGNALS(page.selector.root):
        owner = MICRODATA_OWNER(element)
        if not owner or not POSTING_TYPE.search((owner[0].get("itemtype") or "").strip()):
            continue
        post = _microdata_post(page, owner[0], listed)
        value = (element.get("datetime") or element.get("content") or text_of(element)).strip()
        names = (element.get("itemprop") or "").split()
        if post is None or not value:
            continue
        if "dateModified" in names:
            modified.setdefault(post, value)
        count = (_count_in(value, plain=True) if "commentCount" in names else
                 _count_in(value, plain=False) if "interactionCount" in names else None)
        if count is not None:
            counts.setdefault(post, count)
    return modified, counts


def _json_ld_postings(page):
    """Every JSON-LD object on the page whose type is a posting, however nested, in order."""
    for text in JSON_LD(page.selector.root):
        try:
            data = json.loads(text)
        except ValueError:
            continue
        yield from _postings_in(data)


def _postings_in(value):
    if isinstance(value, list):
        for item in value:
            yield from _postings_in(item)
    elif isinstance(value, dict):
        types = value.get("@type")
        if any(POSTING_TYPE.search(str(kind)) for kind in (types if isinstance(types, list) else [types])):
            yield value
        for child in value.values():
            if isinstance(child, (list, dict)):
                yield from _postings_in(child)


def _json_ld_addresses(item):
    for key in SCHEMA_ADDRESSES:
        value = item.get(key)
        if isinstance(value, dict):
            value = value.get("@id") or value.get("url")
        if isinstance(value, str) and value.strip():
            yield value


def _json_ld_comment_count(item):
    if "commentCount" in item:
        return _count_in(str(item["commentCount"]), plain=True)
    statistics = item.get("interactionStatistic") or []
    for statistic in statistics if isinstance(statistics, list) else [statistics]:
        if not isinstance(statistic, dict):
            continue
        kind = statistic.get("interactionType")
        kind = kind.get("@type") if isinstance(kind, dict) else kind
        if "Comment" in str(kind):
            return _count_in(str(statistic.get("userInteractionCount", "")), plain=True)
    return _count_in(str(item.get("interactionCount", "")), plain=False)


def _count_in(value, plain):
    """A comment count: a plain number when `plain`, else schema.org's old "UserComments:12"."""
    match = re.fullmatch(r"\s*(\d+)\s*", value) if plain else COMMENTS_COUNTED.search(value)
    return int(match[1]) if match else None


def _microdata_post(page, item, listed):
    """Which listed post a microdata item describes: its itemid, its own url or mainEntityOfPage
    property, or else its first own link to a listed post."""
    addresses, links = [item.get("itemid")], []
    for element in item.iterdescendants():
        if MICRODATA_OWNER(element)[0] is not item:  # a property of an item inside (its author)
            continue
        names = (element.get("itemprop") or "").split()
        if "url" in names or "mainEntityOfPage" in names:
            addresses.append(element.get("itemid") or element.get("href") or element.get("content"))
        elif element.tag == "a":
            links.append(element.get("href"))
    addresses += links
    return next((listed[strip_fragment(absolute(page.url, address))] for address in addresses
                 if address and strip_fragment(absolute(page.url, address)) in listed), None)


def first_elements(element, queries):
    """What `first` does, for an lxml element: the matches of the first of a cascade of CSS
    queries that has any, or None."""
    for query in queries:
        found = css_elements(element, query)
        if found:
            return found
    return None


def css(node, query):
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


class Classes:
    """The class attributes of an element and its descendants (a whole document, or one
    comment): the names in them, memoised attribute tests, and what of each CSS query may match
    where they are."""

    def __init__(self, values):
        self.values = values
        self.names = frozenset(name for value in self.values for name in value.split())
        self.text = " ".join(self.values)
        self._passed = {}
        self._queries = {}
        self._chromes = {}

    def query(self, query):
        """CSS `query` as one compiled XPath of its alternatives that may match here, or None."""
        if query not in self._queries:
            possible = [xpath for xpath, needs in _alternatives(query, "html") if self.may_match(needs)]
            self._queries[query] = compiled(" | ".join(possible)) if possible else None
        return self._queries[query]

    def chrome(self, chrome):
        """The compiled XPath of the Chrome that can be where these classes are, or None."""
        if chrome not in self._chromes:
            xpath = chrome.xpath(self)
            self._chromes[chrome] = compiled(xpath) if xpath else None
        return self._chromes[chrome]

    def may_match(self, needs):
        """Whether a selector needing these (class names, class attribute tests) may match."""
        names, attribute_tests = needs
        return names <= self.names and all(self.has_value(*test) for test in attribute_tests)

    def has_value(self, operator, expected):
        """Whether some class attribute passes the CSS attribute test (possibly loosely:
        `~=` as a substring), so that a query needing it may match."""
        key = (operator, expected)
        if key not in self._passed:
            test = CLASS_ATTRIBUTE_TESTS[operator]
            self._passed[key] = any(test(value, expected) for value in self.values)
        return self._passed[key]


def has_class(name, attribute="@class"):
    """The XPath test that the class list `attribute` holds the word `name`, as CSS `.name`."""
    return f"contains(concat(' ', normalize-space({attribute}), ' '), ' {name} ')"


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

    def xpath(self, classes):
        """The relative XPath of this chrome in a text whose Classes are `classes` (or contain
        them), or "" when none can be there."""
        tests = [has_class(name) for name in self.class_names if name in classes.names]
        tests += [f"contains(@class, '{part}')" for part in self.class_parts if part in classes.text]
        steps = [f".//{name}" for name in self.names]
        if tests:
            steps.append(f".//*[@class and ({' or '.join(tests)})]")
        return " | ".join(steps)


def _document_classes(node):
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


def classes_in(element, alike):
    """The Classes of `element` and its descendants, shared through `alike` (a dict kept while
    one page is read) by elements with the same class attributes: a page's comments mostly
    have the same, and then what one Classes works out about each query serves them all."""
    values = frozenset(CLASS_ATTRIBUTES(element))
    if values not in alike:
        alike[values] = Classes(values)
    return alike[values]


_DOCUMENT_CLASSES = weakref.WeakKeyDictionary()
# Plain strings: lxml's "smart" ones would keep their elements, and so the document, alive.
CLASS_ATTRIBUTES = etree.XPath("descendant-or-self::*/@class", smart_strings=False)
CLASS_ATTRIBUTE_TESTS = {
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
            xpath.add_condition(f"{name}[contains(., {self.xpath_literal(value)}) and contains(concat("
                                f"' ', normalize-space(.), ' '), {self.xpath_literal(f' {value} ')})]")
        else:
            xpath.add_condition("0")
        return xpath


class _HTMLTranslator(_AttributeTests, HTMLTranslator):
    pass


class _XMLTranslator(_AttributeTests, GenericTranslator):
    pass


TRANSLATORS = {"html": _HTMLTranslator(), "xml": _XMLTranslator()}


def _document_type(node):
    """How parsel translates CSS for `node`: as for "html" or as for "xml"."""
    if isinstance(node, list):
        return node[0].type
    selector = node.selector if hasattr(node, "selector") else node
    return "xml" if getattr(selector, "type", "html") == "xml" else "html"


@functools.lru_cache(maxsize=1024)
def _alternatives(query, document_type):
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
FIRST_STEP_ATTRIBUTE_TEST = re.compile(r"^(descendant-or-self::[\w*-]+)\[(@(?:class|id)\[[^\]]*\])\](?=/|$)")


def _needs(part):
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
        tests |= {(part.operator, getattr(part.value, "value", part.value))}
    return names, tests


def text_of(node):
    """Whitespace-collapsed text of a parsel node, lxml element or the first of a list, or ""."""
    if isinstance(node, list):
        node = node[0] if node else None
    if node is None:
        return ""
    element = getattr(node, "root", node)
    if isinstance(element, str):
        return " ".join(element.split())
    return " ".join("".join(element.itertext()).split())


def text_without(element, excluded):
    """`text_of(without_elements(element, excluded))`, without the copy."""
    return " ".join("".join(_texts(element, set(excluded))).split())


def first_outside(elements, excluded, within):
    """The first of `elements` of `within` that is neither one of `excluded` nor inside one:
    what a query finds first in `without_elements(within, excluded)`."""
    for element in elements:
        node = element
        while node is not within and node not in excluded:
            node = node.getparent()
        if node is within:
            return element
    return None


def leading_text(element, excluded, length):
    """The first `length` characters of `text_of(without_elements(element, excluded))`, read
    only as far as they go: no copy, and no walk past them."""
    seen = ""
    for piece in _texts(element, set(excluded)):
        seen += piece
        collapsed = " ".join(seen.split())
        if len(collapsed) >= length:
            return collapsed[:length]
    return " ".join(seen.split())


def _texts(element, excluded):
    """The text pieces `itertext` gives, in order, less those inside `excluded` (but not their
    tails, which leaving an element out keeps)."""
    if element.text and isinstance(element.tag, str):
        yield element.text
    for child in element:
        if isinstance(child.tag, str) and child not in excluded:
            yield from _texts(child, excluded)
        if child.tail:
            yield child.tail


def inner_html(element):
    parts = [element.text or ""]
    parts.extend(lxml.html.tostring(child, encoding="unicode") for child in element)
    return "".join(parts)


def without(element, xpath):
    """`element` less the descendants matching the relative `xpath` (their tails kept): a copy,
    or the element itself when none match (callers only read it)."""
    return without_elements(element, compiled(xpath)(element))


def without_elements(element, excluded):
    """`element` less the given descendants (their tails kept): a copy, or the element itself
    when there are none (callers only read it).

    Found in the original and dropped from the copy, so that the common case, nothing to leave
    out, copies nothing; each is found in the copy by its position below `element`, not by
    walking both trees side by side.
    """
    positions = [position for position in map(functools.partial(_position, element), dict.fromkeys(excluded))
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


def _position(element, descendant):
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


@functools.lru_cache(maxsize=256)
def compiled(xpath):
    """`xpath` compiled once: `element.xpath(query)` compiles its query again on every call."""
    return etree.XPath(xpath)


def absolute(base, url):
    return urljoin(base, url.strip()) if url else None


def strip_fragment(url):
    return urlunsplit(urlsplit(url)._replace(fragment=""))


def comment_page_of(url):
    """The comment page number a URL names (/comment-page-N/ or ?cpage=N), or None."""
    parts = urlsplit(url)
    match = COMMENT_PAGE_PATH.search(parts.path)
    if match:
        return int(match[1])
    for key, value in parse_qsl(parts.query):
        if key in COMMENT_PAGE_QUERIES and value.isdigit():
            return int(value)
    return None


def post_url_of(url):
    """A post's own URL, without its comment page part or fragment."""
    parts = urlsplit(url)
    path = COMMENT_PAGE_PATH.sub("/", parts.path)
    query = urlencode([(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True)
                       if k not in COMMENT_PAGE_QUERIES])
    return urlunsplit(parts._replace(path=path, query=query, fragment=""))


def is_trap(url):
    """True for URLs that only repeat a page or trigger an action (reply forms, shares, logins)."""
    parts = urlsplit(url)
    if TRAP_PATHS.search(parts.path):
        return True
    return any(key in TRAP_QUERY_KEYS for key, _ in parse_qsl(parts.query, keep_blank_values=True))


def number_in(text):
    """The first whole number in a text ("12 thoughts on …" -> 12), or None."""
    match = re.search(r"\d+", (text or "").replace(",", ""))
    return int(match[0]) if match else None


def unique(urls):
    """URLs without fragments, in first-seen order, each once."""
    seen, out = set(), []
    for url in urls:
        if not url:
            continue
        url = strip_fragment(url)
        if url not in seen:
            seen.add(url)
            out.append(url)
    return out


def css_elements(element, query, classes=None):
    """lxml elements under `element` (or itself) matching CSS `query`: what `css` does, for code
    that walks lxml trees, skipping alternatives that need a class missing from `classes` (the
    Classes of `element` when a caller reads many queries in it; else the document's)."""
    xpath = (_document_classes(element) if classes is None else classes).query(query)
    return xpath(element) if xpath is not None else []


# The count a post page shows of its own thread, where a heading or count element near the
# comments gives one: "23 comments", "9 thoughts on “…”", "One Response to …", "Comments (23)",
# "5 Kommentare", "12 commentaires", "3 comentarios". Of links, only those to the page's own
# #comments count: on a post page the others are other posts' counts (related posts).
COMMENT_WORDS = r"(?:comments?|responses?|thoughts?|replies|reactions?|kommentare?|commentaires?|" \
                r"comentarios?|comentários?|commenti|reacties|kommentarer|reacciones|respuestas)"
ONE = {"one": 1, "un": 1, "une": 1, "ein": 1, "eine": 1, "einen": 1, "uno": 1, "una": 1,
       "um": 1, "uma": 1}
WORDED_COUNT = re.compile(rf"(?<![\w.,])({COUNT.pattern}|{'|'.join(ONE)})\s+{COMMENT_WORDS}\b"
                          rf"|\b{COMMENT_WORDS}\s*[(:]\s*({COUNT.pattern})\b", re.I)


# Elements named a comments title or count (`comments-title`, `commentCount`): one scan of the
# page's class and id attributes (lower-casing them all in XPath costs milliseconds), the
# exact test in Python on the few it finds.
COUNT_NAMED = etree.XPath(" | ".join(f"//@{attribute}[contains(., 'omment')][contains(., 'itle') or"
                                     " contains(., 'ount') or contains(., 'eading')]/.."
                                     for attribute in ("class", "id")))
COUNT_NAMES = ("title", "count", "heading")
HEADINGS = etree.XPath("//h2 | //h3 | //h4 | //h5")


def _headings_in_comments(root):
    """The headings inside an element named for comments (`#comments h2`)."""
    in_comments = {}  # element -> whether it or an ancestor is named for comments
    return [heading for heading in HEADINGS(root) if _in_comments(heading.getparent(), in_comments)]


def _count_named(root):
    """The elements named a comments title or count (`comments-title`, `span.comment-count`)."""
    return [element for element in COUNT_NAMED(root)
            if "comment" in _names(element) and any(name in _names(element) for name in COUNT_NAMES)]


def _in_comments(element, known):
    """Whether `element` or an ancestor is named for comments."""
    return in_marked_ancestry(element, known, lambda node: "omment" in (node.get("class") or "")
                              + (node.get("id") or "") and "comment" in _names(node))


def in_marked_ancestry(element, known, marked):
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


def _names(element):
    return f"{element.get('class') or ''} {element.get('id') or ''}".lower()


COUNT_ELSEWHERE = etree.XPath("ancestor-or-self::a or ancestor::aside or ancestor::nav")
# Longer texts are sections, not headings or counts.
COUNT_TEXT_LENGTH = 200


def shown_comment_count(page):
    """The number of comments a post page says its thread has, or None when it says none or
    its headings disagree. Headings in the comments first, then elements named a comments
    title or count; a bare number counts in an element named a count, only if one is; a link
    to the page's own #comments, only where no heading or count element says."""
    root = page.selector.root
    headings = _headings_in_comments(root)
    worded, bare = _counts_in(headings)
    if not worded:  # the attributes of the whole page are scanned only when no heading says
        named = [element for element in _count_named(root) if element not in headings]
        more_worded, more_bare = _counts_in(named)
        worded, bare = more_worded, bare + more_bare
    counts = set(worded) or (set(bare) if len(bare) == 1 else set())
    if len(counts) == 1:
        return counts.pop()
    if counts:
        return None
    own = comment_counts(page, unique([canonical(page), page.url]), ("comments",))
    return next(iter(own.values()), None)


def _counts_in(places):
    """(worded counts, bare numbers) the places show: "23 comments", or "23" in a count."""
    worded, bare = [], []
    for element in places:
        if COUNT_ELSEWHERE(element):
            continue
        text = text_without(element, UNSHOWN_TEXT(element))
        if len(text) > COUNT_TEXT_LENGTH:
            continue
        match = WORDED_COUNT.search(text)
        if match:
            worded.append(_count_value(match[1] or match[2]))
        elif COUNT.fullmatch(text) and "count" in _names(element):
            bare.append(_count_value(text))
    return worded, bare


def _count_value(shown):
    return ONE.get(shown.lower()) or int(re.sub(r"\D", "", shown))
