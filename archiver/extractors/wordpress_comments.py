"""WordPress's comments, read from the markup its comment walker prints (and wpDiscuz's).

Comments are found by the ids WordPress's comment walker gives them (`comment-123`,
`li-comment-123`, `div-comment-123`) or wpDiscuz its threads (`wc-comm-123_0`), leaving out
"recent comments" widgets; every field comes from the comment's own markup, never from the
replies nested inside it. Pingbacks and trackbacks are typed as such, with the linking page
for their author.
"""

import copy
import re

import lxml.html
from lxml import etree
from lxml.etree import _Element

from archiver.extractors.bylines import PING_LABEL, PING_LABEL_IN_HTML, without_says
from archiver.extractors.elements import (
    first_outside,
    in_marked_ancestry,
    inner_html,
    leading_text,
    previous_element,
    text_of,
    text_without,
    without,
    without_elements,
)
from archiver.extractors.selectors import (
    Chrome,
    Classes,
    classes_in,
    compiled,
    css_elements,
    has_class,
)
from archiver.items import PINGBACK, TRACKBACK, Comment
from archiver.page import Page
from archiver.urls import absolute

# The comment walker's ids (`comment-12`, `li-comment-12`, `div-comment-12`) and wpDiscuz's
# thread wrappers (`wc-comm-12_0`, `wpd-comm-12_3`: comment 12 answering 3), which hold the replies.
COMMENT_ID = re.compile(r"^(?:(?:li-|div-)?comment-|(?:wc|wpd)-comm-)(\d+)(?:_\d+)?$")
# COMMENT_ID in XPath 1.0, on an id attribute: EXSLT regular expressions call back into Python
# for every node. The one contains() first passes over the page's other ids at the cost of a
# single test.
IS_COMMENT_ID = (
    "contains(., 'comm') and ("
    "((starts-with(., 'comment-') or starts-with(., 'li-comment-')"
    " or starts-with(., 'div-comment-')) and substring-after(., 'comment-') != ''"
    " and translate(substring-after(., 'comment-'), '0123456789', '') = '')"
    " or ((starts-with(., 'wc-comm-') or starts-with(., 'wpd-comm-'))"
    " and substring-after(., 'comm-') != ''"
    " and translate(substring-after(., 'comm-'), '0123456789_', '') = ''))")
IS_COMMENT = f"@id[{IS_COMMENT_ID}]"
IS_REPLY_LIST = has_class("children")
# Elements tested for the id, not the ids walked up from (//@id[…]/..): libxml2 checks each
# parent it adds against those it has, quadratic in their number (1.5 s against 0.08 s for
# 30,000 comments). On the descendant axis of the root element, not as //*: libxml2 takes that
# as child::* of every node, merging each step's elements into those it has, quadratic again
# in the comments of a page whose threads nest (51 s against 0.3 s for 30,000 comments).
COMMENT_NODES = etree.XPath(f"descendant-or-self::*[@id[{IS_COMMENT_ID}]]")
# Pingbacks and trackbacks that some themes print without an id, beside the comments in their
# list (or in #comments): looked for there, not in the whole page.
IDLESS_PINGS = etree.XPath(f"*[not(@id)][{has_class('pingback')} or {has_class('trackback')}]")
COMMENTS_AREA = etree.XPath("//*[@id='comments']//*[not(@id)][contains(@class, 'pingback') or"
                            " contains(@class, 'trackback')]/..")
COMMENT_NODES_WITHIN = etree.XPath(f"descendant::*/@id[{IS_COMMENT_ID}]/..")
# "Recent comments" widgets, which give their entries comment ids too: a class name beginning
# with "widget" (after XML whitespace, as XPath's normalize-space sees it), or one of these.
# Not on <body>: body classes such as `widget_title_layout1` only describe the page.
WIDGET_CLASS = re.compile(r"(?:^|[ \t\n\r])widget")
WIDGET_CLASS_PARTS = ("latest-comments", "recentcomments")
# Things inside a comment that are not its text. `comment-author` as a whole class name: the
# `comment-author-admin` of a comment's wrapper marks whose it is.
COMMENT_CHROME = Chrome(
    names=("cite", "footer", "form", "script", "style", "noscript"),
    class_names=("comment-author",),
    class_parts=("comment-meta", "commentmetadata", "reply", "edit-link",
                 "comment-awaiting-moderation",
                 "wp-block-comment-author-name", "wp-block-comment-date", "avatar", "comment-like",
                 "says", "report"))
AUTHOR = (".comment-author .fn", ".comment-author cite", ".wp-block-comment-author-name",
          "cite.fn", ".fn", ".comment-author-name", ".comment-author strong", ".comment-author b",
          ".comment-author", ".commentauthor",
          # Prefixed by a theme or plugin: `epoch-comment-author`, `comment_author`.
          "[class$='-author']", "[class*='-author ']", "[class$='_author']", "[class*='_author ']",
          "cite", ".author")
# Not the name: what author blocks also hold (Epoch puts the dated permalink in it).
AUTHOR_CHROME = Chrome(names=("img", "time", "a[contains(@href, '#comment-')]"),
                       class_parts=("says", "avatar", "screen-reader-text", "reply", "edit"))
# Not the date: what a meta line also holds.
DATE_CHROME = Chrome(class_parts=("edit", "fn", "author", "reply"))
SEPARATORS = " ·|-–—:,"
# Classic themes put <time> inside the permalink, block themes around it; some print a relative
# time ("2 weeks ago") with the datetime on the link itself.
PERMALINK_TIME = "(descendant-or-self::* | ancestor::time)[@datetime][1]/@datetime"
# The author block last: some themes print the time as bare text after the name.
TIME_TEXT = (".comment-metadata", ".comment-meta", ".commentmetadata", ".wp-block-comment-date",
             ".comment-date", ".comment-time", ".comment-info", ".wc-comment-date",
             ".wpd-comment-date", "small", ".comment-author")
BODY = (".comment-content", ".wp-block-comment-content", ".comment-text", ".comment-entry",
        ".commenttext", ".comment_text", ".wc-comment-text", ".wpd-comment-text",
        ".epoch-comment-content", ".w-comments-item-text", ".format_text", ".comment-body")
PING_LABEL_LENGTH = len("trackback")  # how much of a text tells whether it starts with one


def read_comments(page: Page) -> list[Comment]:
    """Every comment on the page, in document order, each with its parent and depth."""
    nodes: list[tuple[str | None, _Element]] = []
    seen = set()
    for node in _comment_nodes(page):
        number = _number(node)
        # li#li-comment-5 wraps div#comment-5: the outer one stands.
        if number is None or number not in seen:
            seen.add(number)
            nodes.append((number, node))
    index_of = {number: i for i, (number, _) in enumerate(nodes)}
    comments = []
    alike: dict[frozenset[str], Classes] = {}  # see classes_in
    for number, node in nodes:
        holders = [n for n in _holders(node) if n != number]
        parent = holders[-1] if holders else None
        comment = _read_comment(page, _CommentMarkup(number, _extent(node), alike))
        comment.parent_platform_id = parent
        comment.parent = index_of.get(parent)
        comment.depth = len(dict.fromkeys(holders)) + 1
        comments.append(comment)
    return comments


def _number(node):
    """A comment's number from its id; None for a pingback printed without one."""
    match = COMMENT_ID.match(node.get("id") or "")
    return match[1] if match else None


def _comment_nodes(page):
    """The elements with a comment's id (or, without one, a pingback's class), in document
    order, less those inside widgets.

    Walked up in Python, each ancestor tested once for all the comments below it: an XPath
    test of every ancestor of every comment cost more than finding the comments.
    """
    in_widget = {}  # element -> whether it or an ancestor of it is a widget
    nodes = [node for node in COMMENT_NODES(page.selector.root) if not _in_widget(node, in_widget)]
    lists = {node.getparent()
             for node in nodes} if nodes else set(COMMENTS_AREA(page.selector.root))
    pings = [ping for holder in lists if holder is not None for ping in IDLESS_PINGS(holder)]
    if not pings:
        return nodes
    order = {element: index for index, element in enumerate(page.selector.root.iter())}
    return sorted([*nodes, *pings], key=order.__getitem__)


def _in_widget(element, known):
    """Whether an ancestor of `element` is a widget; `known` keeps the answers for the next
    comments."""
    return in_marked_ancestry(element.getparent(), known, _is_widget)


def _is_widget(element):
    classes = element.get("class")
    return bool(classes) and element.tag != "body" and bool(
        WIDGET_CLASS.search(classes) or any(part in classes for part in WIDGET_CLASS_PARTS))


def _holders(element):
    """The numbers of the comments `element` sits in, outermost first: its ancestors, and the
    comment just before a reply list that encloses it (some themes close the parent's <li>
    before its <ul class="children">).

    Walked up in Python: an XPath per element costs far more.
    """
    found = []
    for ancestor in element.iterancestors():
        holder = COMMENT_ID.match(ancestor.get("id") or "")
        if holder:
            found.append(holder[1])
        if "children" in (ancestor.get("class") or "").split():
            previous = previous_element(ancestor)
            holder = COMMENT_ID.match(previous.get("id") or "") if previous is not None else None
            if holder:
                found.append(holder[1])
    return found[::-1]




def _extent(element):
    """A comment's markup: its element, or a <dt> with the <dd> after it that holds its text."""
    text = compiled("self::dt/following-sibling::*[1][self::dd]")(element)
    if not text:
        return element
    joined = lxml.html.Element("div", dict(element.attrib))
    joined.extend([copy.deepcopy(element), copy.deepcopy(text[0])])
    return joined


class _CommentMarkup:
    """Comment `number`'s markup `element`, and the classes in it (shared through `alike` with
    the page's other comments that have the same).

    A comment is read through some forty cascade queries, most naming themes' classes that the
    page has elsewhere but this comment lacks: checked against the comment's own classes, read
    in one pass, they are skipped without a walk. (The queries only look inside the comment:
    none goes to siblings.)
    """

    def __init__(self, number, element, alike):
        self.number = number
        self.element = element
        self.classes = classes_in(element, alike)
        self._replies = {}

    def has_any(self, queries):
        """Whether any of `queries` matches in the comment, replies nested in it included."""
        return any(css_elements(self.element, query, self.classes) for query in queries)

    def own(self, query):
        """Elements matching `query` inside this comment but outside the replies nested in it."""
        return self._own(css_elements(self.element, query, self.classes))

    def own_matching(self, xpath, **variables):
        """`own`, for a compiled XPath given its variables: one query for every comment, where
        a CSS query naming the comment would be translated again for each."""
        return self._own(xpath(self.element, **variables))

    def _own(self, elements):
        return [element for element in elements
                if element is not self.element and _belongs_to(element, self.element, self.number)]

    def own_first(self, queries):
        """The first of this comment's own elements along a cascade of queries, or None."""
        for query in queries:
            if self.classes.query(query) is not None:  # else nothing to walk for
                found = self.own(query)
                if found:
                    return found[0]
        return None

    def chrome_in(self, element, chrome):
        """The elements of `chrome` in `element` of this comment."""
        xpath = self.classes.chrome(chrome)
        return xpath(element) if xpath is not None else []

    def without(self, element, chrome):
        """`element` of this comment less its `chrome` (a copy, or itself when it has none)."""
        return without_elements(element, self.chrome_in(element, chrome))

    def replies_in(self, element):
        """The other comments nested in `element` of this comment, and reply lists (asked for
        the same element by the ping test and for the text)."""
        if element not in self._replies:
            replies = [node for node in COMMENT_NODES_WITHIN(element)
                       if COMMENT_ID.match(node.get("id"))[1] != self.number]
            if "children" in self.classes.names:  # IS_REPLY_LIST's class
                replies += compiled(f".//*[{IS_REPLY_LIST}]")(element)
            self._replies[element] = replies
        return self._replies[element]

    def without_replies(self, element):
        """`element` of this comment without the other comments nested in it: a copy, or the
        element itself when it holds none (callers never change it)."""
        return without_elements(element, self.replies_in(element))


def _belongs_to(element, comment_root, number):
    """Whether no other comment holds `element` below `comment_root` (see _holders)."""
    for ancestor in element.iterancestors():
        if ancestor is comment_root:
            return True
        holder = COMMENT_ID.match(ancestor.get("id") or "")
        if holder is None and "children" in (ancestor.get("class") or "").split():
            previous = previous_element(ancestor)
            holder = COMMENT_ID.match(previous.get("id") or "") if previous is not None else None
        if holder is not None and holder[1] != number:
            return False
    return True


def _read_comment(page, comment):
    """A comment from its _CommentMarkup: a comment, or a pingback or trackback."""
    number, element = comment.number, comment.element
    classes = " " + (element.get("class") or "") + " "
    kind = PINGBACK if " pingback " in classes else TRACKBACK if " trackback " in classes else None
    body = None
    if kind is None:
        body = comment.own_first(BODY)
        if body is None and not comment.has_any(BODY):
            label = PING_LABEL.match(leading_text(element, comment.replies_in(element),
                                                  PING_LABEL_LENGTH))
            kind = label[1].lower() if label else None
    if kind is not None:
        return _read_ping(page, comment, comment.without_replies(element), kind)
    author = comment.own_first(AUTHOR)
    name, author_link = _author(comment, author)
    shown, machine, permalink = _read_time(page, comment, name)
    return Comment(
        platform_id=number,
        author=name,
        author_url=absolute(page.url, author_link),
        permalink=permalink,
        published_shown=shown,
        published_machine=machine,
        body_html=_text_html(comment, body, author),
    )


def _text_html(comment, body, author):
    """A comment's text: its text container `body`, or else the comment less its heading; without
    the replies nested in it or chrome.

    What to leave out is found in the original and dropped from one copy: the tests only read
    each element's own name and attributes, and an element inside a dropped one goes with it.
    """
    if body is not None:
        root, heading = body, []
    else:
        anchor = comment.own_first((f"a[href*='#comment-{comment.number}']",))
        root, heading = comment.element, _heading(comment, [author, anchor])
    excluded = [*heading, *comment.replies_in(root), *comment.chrome_in(root, COMMENT_CHROME)]
    return inner_html(without_elements(root, excluded))


def _heading(comment, parts):
    """The author and permalink of a comment, or the one element holding only them."""
    # Themes without a text container give them a line of their own: "<p>Ann • 2 weeks ago</p>".
    parts = [part for part in parts if part is not None]
    if len(parts) < 2:
        return parts
    ancestors = [parts[0], *parts[0].iterancestors()]
    common = next(element for element in [parts[1], *parts[1].iterancestors()]
                  if any(element is ancestor for ancestor in ancestors))
    if common is comment.element:
        return parts
    rest = text_of(comment.without(common, COMMENT_CHROME))
    for part in parts:
        rest = rest.replace(text_of(part), "", 1)
    return parts if re.search(r"\w", rest) else [common]


# A comment's permalink: a link to its own fragment.
PERMALINK = ".//a[contains(@href, $fragment)]"


def _read_time(page, comment, author=""):
    """(shown, machine, permalink): the permalink's text is the time in WordPress themes."""
    permalink = None
    for anchor in comment.own_matching(compiled(PERMALINK), fragment=f"#comment-{comment.number}"):
        permalink = absolute(page.url, anchor.get("href"))
        machine = next(map(str, compiled(PERMALINK_TIME)(anchor)), None)
        if machine or re.search(r"\d", text_of(anchor)):
            return text_of(anchor), machine, permalink
    time = comment.own_first(("time[datetime]",))
    if time is not None:
        return text_of(time), time.get("datetime"), permalink
    holder = comment.own_first(TIME_TEXT)
    shown = _date_text(comment, holder, author) if holder is not None else None
    return shown, None, permalink


def _date_text(comment, holder, author=""):
    """The date in a meta line, without edit links or the author's name around it."""
    title = holder.attrib.get("title", "")  # wpDiscuz shows "3 years ago", titled with the date
    if re.search(r"\d", title):
        return " ".join(title.split())
    trimmed = comment.without(holder, DATE_CHROME)
    text = text_of(trimmed)
    if author and text.startswith(author):
        text = text[len(author):].strip()
    return text if re.search(r"\d", text) else None


def _author(comment, author):
    """(name, link) of an author block, without its avatar, "says", the time or the permalink."""
    if author is None:
        return "", None
    # Read around the chrome: no copy without it.
    chrome = set(comment.chrome_in(author, AUTHOR_CHROME))
    link = first_outside(compiled("descendant-or-self::a[@href]")(author), chrome, author)
    name = without_says(text_without(author, chrome)).strip(SEPARATORS)
    return name, link.get("href") if link is not None else None


def _read_ping(page, comment, own_root, kind):
    link = compiled(".//a[@href][not(contains(@class, 'edit'))][1]")(own_root)
    rest = without(own_root, ".//a[@href][1] | .//*[contains(@class, 'edit')] | "
                             ".//*[contains(@class, 'comment-meta')]")
    body_html = PING_LABEL_IN_HTML.sub(r"\1", inner_html(rest), count=1).strip()
    shown, machine, permalink = _read_time(page, comment)
    return Comment(
        platform_id=comment.number, type=kind,
        author=text_of(link[0]) if link else "",
        author_url=absolute(page.url, link[0].get("href")) if link else None,
        permalink=permalink, published_shown=shown, published_machine=machine,
        body_html=body_html if PING_LABEL.sub("", text_of(without(rest, ".//time"))) else "",
    )
