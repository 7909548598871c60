"""Who wrote a comment or post, and when, as its byline shows it: an author element less its
avatar and "says", a machine-readable time on a time element, and a line holding both
("Posted by: Ann | May 2, 2010 at 10:01", "12 mai 2010, par Jean").

It holds the one vocabulary of what a byline prints between the commenter's name and the
comment, in the languages blogs are written in ("Ann says:", "Anonymous said...", "Jean a
écrit :"), for every reader: WordPress themes, Blogger's templates (which word it in the blog's
language), the template platforms and the structural reader, which takes a short text followed
by one of these words for a name; and the label a pingback or trackback opens with.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from lxml import etree

from archiver.dates import EPOCH
from archiver.extractors.elements import text_of, without

SAYS = ("says", "said", "wrote", "dit", "a dit", "écrit", "a écrit", "sagt", "sagte",
        "hat gesagt", "schreibt", "schrieb", "meint", "dice", "dijo", "escribió", "disse",
        "scrive", "ha scritto", "ha detto", "zegt", "zei", "schreef", "sa", "sagde", "skrev",
        "sanoi", "napisał(a)", "powiedział(a)", "berkata", "mengatakan", "dedi ki", "va dir",
        "a spus")
# Longest first: at the start of a text, "sagt" must not stop at "sa".
_SAYS = "|".join(re.escape(word) for word in sorted(SAYS, key=len, reverse=True))
# The word at the start of the text after a name ("<b>Ann</b> sagt:"), as a whole word.
SAYS_AFTER_NAME = re.compile(rf"^\s*(?:{_SAYS})(?![^\W\d_])\s*:?", re.IGNORECASE)
# The word ending a name's own text ("Ann says:", "Anonymous said..."), with its punctuation.
SAYS_AT_END = re.compile(rf"\s+(?:{_SAYS})\s*(?:\.\.\.|…|:)?\s*$", re.IGNORECASE)

# "Pingback: ", at the start of a text, or of the HTML of a ping (after the tags it opens with).
PING_LABEL = re.compile(r"^\s*(pingback|trackback)\s*:?\s*", re.IGNORECASE)
PING_LABEL_IN_HTML = re.compile(r"(^|>)\s*(pingback|trackback)\s*:?\s*", re.IGNORECASE)


# Parts of a byline that are not the name or the time.
BYLINE_CHROME = (".//*[self::img or self::script or contains(@class, 'visually-hidden')"
                 " or contains(@class, 'element-invisible') or contains(@class, 'avatar')"
                 " or contains(@class, 'reply') or contains(@class, 'edit')]")
# Where a time element carries its machine-readable value: ISO 8601 in any of them, or seconds
# or milliseconds since 1970 in the data-* attributes scripts read.
MACHINE_ATTRIBUTES = ("datetime", "content", "title", "data-timestamp", "data-time", "data-utime",
                      "data-datetime", "data-date")
ISO_LIKE = re.compile(r"^\d{4}-\d\d-\d\d")
# "Posted by:", "Submitted by", "By", "Von", "Par" before a name, in the languages blogs use.
LEAD = re.compile(r"^\s*(?:(?:posted|submitted|written|commented|geschrieben|verfasst|publié|"
                  r"posté|écrit|escrito|publicado|scritto|inviato)\s*(?:by|von|par|por|da|door)?|"
                  r"by|von|par|por|da|door)\s*:?\s*", re.I)
# "…, par Jean": a name named after the time.
BY_AFTER = re.compile(r"(?:^|[\s,;|])(?:by|von|par|por|door)\s+([^|,;]+?)\s*$", re.I)
SEPARATOR = re.compile(r"\s*(?:\||·|—|–|\s-\s|,|\sat\s|\son\s|\sam\s|\sum\s|\sle\s|\sà\s|\s於\s"
                       r"|\s于\s)\s*")
EDGE = re.compile(r"^(?:[\s|·—–:,.-]|at\s|on\s|am\s|um\s|le\s|à\s)+|(?:[\s|·—–:,.-]|\s回覆|\s回复|"
                  r"\sreplied|\swrote|\ssagt|\sdit)+$", re.I)
# What is left around a name once its "says" is gone.
NAME_EDGE = " :|,·-–—"


def author_of(element: etree._Element) -> tuple[str, str | None]:
    """(name, link) of an author element, without avatars or "says"."""
    trimmed = without(element, BYLINE_CHROME)
    link = trimmed.xpath("descendant-or-self::a[@href][1]/@href")
    name = SAYS_AT_END.sub("", text_of(trimmed)).strip(NAME_EDGE)
    return name, (link[0] if link else None)


def machine_time(elements: Iterable[etree._Element]) -> str | None:
    """The machine-readable time on the first element that carries one."""
    for element in elements:
        for holder in (element, *element.iterdescendants()):
            for attribute in MACHINE_ATTRIBUTES:
                value = (holder.get(attribute) or "").strip()
                if value and (attribute == "datetime" or ISO_LIKE.match(value)
                              or attribute.startswith("data-") and EPOCH.fullmatch(value)):
                    return value
    return None


def read_byline(element: etree._Element, known_name: str = "",
                known_time: str | None = None) -> tuple[str, str | None, str | None]:
    """(name, link, time shown) from a line holding both: "Posted by: Ann | May 2, 2010 at 10:01".

    A name already known is taken out of the line to leave its time; a link on the line that
    does not point at a comment is the author's.
    """
    trimmed = without(element, BYLINE_CHROME)
    text = LEAD.sub("", text_of(trimmed))
    link = None
    for anchor in trimmed.xpath(".//a[@href]"):
        href = anchor.get("href")
        if "#" not in href and "cid=" not in href and text_of(anchor):
            link = href
            known_name = known_name or text_of(anchor)
            break
    if known_time:
        text = text.replace(known_time, " ")
    name = known_name
    if not name:
        after = BY_AFTER.search(text)
        if after:
            name, text = after[1], text[:after.start()]
        else:
            parts = SEPARATOR.split(text, maxsplit=1)
            name, text = parts[0], parts[1] if len(parts) > 1 else ""
    else:
        text = text.replace(name, " ", 1)
    rest = EDGE.sub("", " ".join(text.split()))
    time = known_time or (rest if re.search(r"\d", rest) else None)
    return SAYS_AT_END.sub("", name).strip(NAME_EDGE), link, time


def without_says(name: str) -> str:
    """A name's text less the word after it: "Ann says:" -> "Ann"."""
    return SAYS_AT_END.sub("", name)
