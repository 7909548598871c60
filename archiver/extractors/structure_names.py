"""Who wrote a comment, to the structural reader: the name in a comment's block, from the
strongest evidence there is.

A name marked as one (schema.org, microformats, a class word in many languages), a name
printed before the time in its line or before "says", a `cite`, bold text before the time, a
profile link, a short first line, the one short text of a byline block.
"""

import re

from lxml.etree import _Element

from archiver.extractors.bylines import LEAD, SAYS_AFTER_NAME, author_of, read_byline
from archiver.extractors.elements import (
    contains,
    lineage,
    next_element,
    text_of,
    text_without,
    without_elements,
)
from archiver.extractors.structure_words import LETTER, class_words, edge_words
from archiver.plain_dates import date_span

# A text longer than this is not a name.
NAME_LIMIT = 60
# Class words of an element that holds a name: the name's own first, then its author's.
NAME_WORDS = ({"fn", "nick", "nickname", "name", "username", "nombre", "nom"},
              {"author", "autor", "auteur", "autore", "user", "usuario", "benutzer", "poster",
               "commenter", "commentor", "member", "verfasser"})
AVATAR_WORDS = {"avatar", "photo", "image", "img", "pic", "gravatar"}
# Separators and "at" between a name and the time after it.
BYLINE_EDGE = re.compile(r"^[\s|·—–:,-]+|(?:[\s|·—–:,/-]|\s(?:at|on|am|um|le|el|à)\b)+$",
                         re.IGNORECASE)
# Links that lead to no author: anchors in the page, reply forms, comment permalinks.
NOT_A_PROFILE = re.compile(r"#|reply|replytocom|/comment/|[?&](?:c|cid|showComment)=",
                           re.IGNORECASE)
# Elements a name is printed in, and the words of controls printed where a name might be.
NAME_TAGS = ("a", "b", "strong", "cite", "span", "em", "div", "p", "h3", "h4", "h5", "h6", "dt")
CONTROL_WORDS = {"reply", "antworten", "antwort", "répondre", "repondre", "responder", "rispondi",
                 "beantwoorden", "quote", "zitieren", "citer", "citar", "like", "report", "melden",
                 "share", "teilen", "permalink", "edit", "bearbeiten", "modifier", "editar"}


def find_name(block: _Element, header: list[_Element], mine: list[_Element],
              times: list[_Element], shown: str | None, language: str | None,
              is_block: set[int]) -> tuple[_Element | None, str, str | None, str | None]:
    """(element, name, link, time shown) of the author of the comment in `block`: `mine`, its
    own elements; `header`, a byline printed before it; `times`, its time; `is_block`, the ids
    of every comment block (a name is never another comment's)."""
    author = _marked_name([*header, *mine], times)
    name, link = _name_of(author, times) if author is not None else ("", None)
    if name:
        return author, name, link, shown
    name, rest = _name_before_time(shown, language) if shown else ("", shown)
    if name:
        return None, name, None, rest
    author = _linked_name([*header, *mine], times)
    if author is None:
        author = _leading_name(mine, times)
    if author is not None:
        return (author, *author_of(author), shown)
    if times and times[0].getparent() is not block:
        name, link, _ = read_byline(times[0].getparent(), "", shown)
        if name and len(name) <= NAME_LIMIT and name != shown:
            return None, name, link, shown
    author = _lone_name(block, mine, times, is_block)
    return (author, *(author_of(author) if author is not None else ("", None)), shown)


def _marked_name(mine, times):
    """The name's element: one marked as a name (schema.org, microformats, a class word in
    many languages; its link when it holds more than the name, its text less the time when
    it holds the time too), else a name before "says", else a `cite`, else bold text
    before the time."""
    around_times = lineage(times)
    in_times = {element for time in times for element in time.iter()}
    usable = [element for element in mine if element not in in_times and text_of(element)
              and not AVATAR_WORDS & class_words(element)]
    tiers = ([element for element in usable
              if element.get("itemprop") in ("author", "creator", "name")],
             *([element for element in usable if words & edge_words(element)]
               for words in NAME_WORDS))
    for marked in tiers:
        named = [name for name in (_name_in(element, times, around_times) for element in marked)
                 if 0 < len(_name_of(name, times)[0]) <= NAME_LIMIT]
        if named:
            return named[0]
    short = [element for element in usable if element not in around_times
             and len(text_of(element)) <= NAME_LIMIT]
    said = [element for element in short if element.tag in ("strong", "b", "cite", "span")
            and SAYS_AFTER_NAME.match(_text_after(element))]
    cited = [element for element in short if element.tag == "cite"]
    return next(iter(said or cited or _bold_before(short, times)), None)


def _name_in(element, times, around_times):
    """A name element, or the link in it when it holds more than the link (a title, a count)
    and the link is not around or in the time (`around_times`, the times' lineage)."""
    link = [link for link in element.xpath(".//a[@href][normalize-space()]")
            if link not in around_times]
    if link and len(text_of(link[0])) < len(text_without(element, times)):
        return link[0]
    return element


def _name_of(element, times):
    """(name, link) of a name element, less a time inside it (a theme's `comment-author` that
    holds the permalink and its time)."""
    inside = [time for time in times if contains(element, time)]
    return author_of(without_elements(element, inside) if inside else element)


def _bold_before(elements, times):
    """Bold text printed before the time, in its line: a name set off by weight alone."""
    if not times:
        return []
    shown = times[0]  # the time, or the link or span around it alone
    while shown.getparent() is not None and text_of(shown.getparent()) == text_of(times[0]):
        shown = shown.getparent()
    line = shown.getparent()
    if line is None:
        return []
    before = set()
    for child in line:
        if child is shown:
            break
        before.add(id(child))
    return [element for element in elements if element.tag in ("strong", "b")
            and id(element) in before]


def _text_after(element):
    """The text right after an element, across HTML comments (`<b>Ann</b> <!-- -->sagt:`), or
    the next element's when only space is between (`<cite>Ann</cite> <span>says:</span>`)."""
    text, following = element.tail or "", element.getnext()
    while following is not None and not isinstance(following.tag, str):
        text += following.tail or ""
        following = following.getnext()
    return text if text.strip() or following is None else text_of(following)


def _name_before_time(shown, language):
    """(name, time) from a time shown after its author's name ("Posted by: Kate at February
    20, 2008 12:31 PM", "Heidemarie Heim | Di, 21. April 2020 - 16:40"); ("", shown) when the
    text starts with the time."""
    span = date_span(shown, language)
    if not span or span[0] == 0:
        return "", shown
    name = BYLINE_EDGE.sub("", LEAD.sub("", shown[:span[0]]))
    if not LETTER.search(name) or len(name) > NAME_LIMIT:
        return "", shown
    return name, shown[span[0]:span[1]]


def _linked_name(mine, times):
    """The last resort for a name: the first short link with letters that points at no
    comment, no reply form, and sits in no paragraph of the text."""
    around_times = lineage(times)
    return next((element for element in mine if element.tag == "a" and element not in around_times
                 and not NOT_A_PROFILE.search(element.get("href") or "#")
                 and 0 < len(text_of(element)) <= NAME_LIMIT and LETTER.search(text_of(element))
                 and not element.xpath("ancestor::p | ancestor::blockquote")), None)


def _leading_name(mine, times):
    """The first short line before the time that reads like a name, not a sentence or a
    control ("Franzi", not "Antworten" or "Hi!"): where nothing marks the name."""
    if not times:
        return None
    for element in mine:
        if element is times[0] or contains(element, times[0]):
            return None
        text = text_of(element)
        if element.tag in NAME_TAGS and text and len(text) <= NAME_LIMIT and LETTER.search(text) \
                and text == " ".join((element.text or "").split()) \
                and not text.endswith((".", "!", "?", ":")) and text.lower() not in CONTROL_WORDS:
            return element
    return None


def _lone_name(block, mine, times, is_block):
    """In a byline block of a time and one short text, with the comment's text in the
    block after it (no class saying which is which), the element of that short text."""
    rest = text_without(block, times)
    following = next_element(block)
    if not LETTER.search(rest) or len(rest) > NAME_LIMIT or following is None \
            or id(following) in is_block or len(text_of(following)) <= len(rest):
        return None
    return next((element for element in mine if text_of(element) == rest), None)
