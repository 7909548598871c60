"""One comment from its block, to the structural reader: its time, its author (see
archiver.extractors.structure_names), its text, permalink and id, and whether it is a pingback
or trackback."""

import re

from lxml.etree import _Element

from archiver.extractors.bylines import PING_LABEL_IN_HTML, author_of, machine_time
from archiver.extractors.elements import (
    contains,
    inner_html,
    innermost,
    leading_text,
    next_element,
    outermost,
    previous_element,
    text_of,
    text_without,
    without,
    without_elements,
)
from archiver.extractors.structure_blocks import TIME_TEXT_LIMIT
from archiver.extractors.structure_names import find_name
from archiver.extractors.structure_words import COMMENT_WORDS, LETTER, class_words
from archiver.items import COMMENT, Comment
from archiver.page import Page
from archiver.plain_dates import RELATIVE, date_span
from archiver.urls import absolute

TEXT_WORDS = {"text", "content", "message", "body", "entry", "inhalt", "texto", "contenu",
              "testo", "copy", "submitted"}
# A byline before a text block is short.
HEADER_LIMIT = 200
# What a line holding a name and a time may hold besides: separators, "says", "on".
LINE_REST_LIMIT = 12
# Parts of a comment that are not its text: controls, counters, forms; the class parts matched
# in lower case.
META_TAGS = ("script", "style", "form", "button", "noscript", "input", "label", "select",
             "textarea", "img")
META_CLASS_PARTS = ("reply", "action", "like", "vote", "rating", "report", "control", "avatar",
                    "hidden")
_LOWER_CLASS = "translate(@class, 'REPLYACTIONSFOTEIKMDQUVG', 'replyactionsfoteikmdquvg')"
META_CHROME = (".//*[" + " or ".join(f"self::{tag}" for tag in META_TAGS)
               + "".join(f" or contains({_LOWER_CLASS}, '{part}')" for part in META_CLASS_PARTS)
               + "]")
SHOWN_INSTANT = re.compile(r"[?&]showComment=(1\d{12})\b")
PERMALINK = re.compile(r"#(?:comment|c|post|reply)?[-_]?\d+$|[?&](?:c|cid|comment|showComment)=\d+")


class CommentReader:
    """Reads the comment in each of a thread's `blocks`, each holding one of `signals` (its
    time), or none."""

    def __init__(self, page: Page, blocks: list[_Element], signals: list[_Element]):
        self.page = page
        self.is_block = {id(block) for block in blocks}
        self.signals = signals  # kept alive: `is_signal` holds their ids
        self.is_signal = {id(signal) for signal in signals}

    def comment(self, block: _Element) -> Comment:
        """The comment in `block`, its parent not yet known."""
        mine = self.own(block)
        times = self._times(mine)
        language = self.page.language
        header = [] if times else _header_before(block, self.is_block, language)
        if header:
            times = innermost([element for element in header
                               if len(text_of(element)) <= TIME_TEXT_LIMIT
                               and date_span(text_of(element), language)])[:1]
        kind = _ping_kind(block, times)
        shown = _titled_time(times, language) or " ".join(map(text_of, times)) or None
        if kind is None:
            author, name, link, shown = find_name(block, header, mine, times, shown, language,
                                                  self.is_block)
        else:
            author = _ping_link(mine)
            name, link = author_of(author) if author is not None else ("", None)
        body_html = self._body(block, mine, times, author)
        return Comment(
            platform_id=_block_id(block) or (_block_id(header[0]) if header else None),
            author=name, author_url=absolute(self.page.url, link),
            permalink=self._permalink(mine), type=kind or COMMENT,
            published_shown=shown,
            published_machine=machine_time(times) or _permalink_time(mine),
            body_html=PING_LABEL_IN_HTML.sub(r"\1", body_html, count=1) if kind else body_html,
        )

    def own(self, block: _Element) -> list[_Element]:
        """The elements of this block, not of a block nested in it, in document order."""
        mine, pending = [], [child for child in reversed(block) if isinstance(child.tag, str)]
        while pending:
            element = pending.pop()
            if id(element) in self.is_block:
                continue
            mine.append(element)
            pending.extend(child for child in reversed(element) if isinstance(child.tag, str))
        return mine

    def _times(self, mine):
        """The block's time: its signal, with a clock printed right after it."""
        signal = next((element for element in mine if id(element) in self.is_signal), None)
        if signal is None:
            return []
        times = [signal]
        following = signal.getnext()
        while following is not None and following.tag == signal.tag \
                and following.get("class") == signal.get("class") \
                and not (times[-1].tail or "").strip():
            times.append(following)
            following = following.getnext()
        return times

    def _permalink(self, mine):
        for element in mine:
            href = element.get("href") if element.tag == "a" else None
            if href and PERMALINK.search(href):
                return absolute(self.page.url, href)
        return None

    def _body(self, block, mine, times, author):
        """The text: the element with the most of it among those whose class says they hold
        it and do not hold the name (one that says comment first, then one without the time,
        which is left out of it); else the block less its name, time and replies; else (a
        block of name, time and perhaps a number) the text block after it."""
        meta = [*times, *([author] if author is not None else [])]
        nested = [element for element in block.iterdescendants() if id(element) in self.is_block]
        inside_meta = {id(element) for part in meta for element in part.iter()}
        above_author = ({id(element) for element in author.iterancestors()}
                        if author is not None else set())
        above_times = {id(element) for time in times for element in time.iterancestors()}
        candidates = [element for element in mine if TEXT_WORDS & class_words(element)
                      and id(element) not in inside_meta and id(element) not in above_author]
        text = max(candidates, default=None, key=lambda element: (
            bool(COMMENT_WORDS & class_words(element)), id(element) not in above_times,
            len(text_without(element, meta))))
        if text is not None and text_without(text, meta):
            root = without_elements(text, [element for element in (*nested, *meta)
                                           if contains(text, element)])
        else:
            root = without_elements(block, [*nested, *_with_line(meta, block)])
        body = without(root, META_CHROME)
        if not LETTER.search(text_of(body)):  # nothing, or a comment's number
            following = next_element(block)
            if following is not None and id(following) not in self.is_block and (
                    not following.xpath(".//*[@id]")
                    or (TEXT_WORDS | COMMENT_WORDS) & class_words(following)):
                texts = [element for element in following.iter()
                         if TEXT_WORDS & class_words(element)]
                longest = max(texts, key=lambda element: len(text_of(element)), default=following)
                body = without(longest, META_CHROME)
        return inner_html(body)


def _with_line(meta, block):
    """The name and time, and the line that holds them when it holds little else ("Ann ·
    2 May", "Ann says: 2 May")."""
    parts = list(meta)
    for element in meta:
        line = element.getparent()
        if line is not None and line is not block \
                and len(text_without(line, meta)) <= LINE_REST_LIMIT:
            parts.append(line)
    return outermost(parts)


def _header_before(block, is_block, language):
    """The elements of a byline printed before a block that holds only text (a `<dt>` with
    its name and time before the `<dd>`), or []."""
    before = previous_element(block)
    if before is None or id(before) in is_block or before.xpath(".//p") or \
            len(leading_text(before, (), HEADER_LIMIT + 1)) > HEADER_LIMIT:
        return []
    if not date_span(text_of(before), language):
        return []
    return [before,
            *(element for element in before.iterdescendants() if isinstance(element.tag, str))]


def _titled_time(times, language):
    """The date a time's title gives where its text is relative ("2 years ago", titled
    "August 12, 2014 2:15 pm"): the machine-readable time of themes that print none."""
    text = " ".join(text_of(time) for time in times)
    if not times or not RELATIVE.search(text) and re.search(r"\d", text):
        return None
    for holder in (element for time in times for element in time.iter()):
        title = " ".join((holder.get("title") or "").split())
        if re.search(r"\d", title) and date_span(title, language):
            return title
    return None


def _ping_kind(block, times):
    """"pingback" or "trackback" for a block that its class or its first words (after its
    time) name one."""
    named = class_words(block) & {"pingback", "trackback"}
    if named:
        return min(named)
    label = PING_LABEL_IN_HTML.match(leading_text(block, times, len("trackback:") + 2))
    return label[2].lower() if label else None


def _ping_link(mine):
    """A pingback's author: the linking page, its first link that is no comment anchor."""
    return next((element for element in mine if element.tag == "a" and element.get("href")
                 and not element.get("href").startswith("#")), None)


def _permalink_time(mine):
    """The instant a permalink carries, where the page shows none: Blogger's
    `?showComment=<milliseconds since 1970>`."""
    for element in mine:
        match = SHOWN_INSTANT.search(element.get("href") or "") if element.tag == "a" else None
        if match:
            return match[1]
    return None


def _block_id(block):
    for element in (block, *block.iterdescendants()):
        if not isinstance(element.tag, str):
            continue
        for value in (element.get("id"), element.get("name")):
            match = re.search(r"(\d+)$", value or "")
            if match:
                return match[1]
    return None
