"""What an element's class names and id say it is, to the structural reader: their words,
split at -, _ and camelCase (`xenforo-comment`, `commentAuthor`), in the languages blogs use."""

import re
from functools import lru_cache

from lxml.etree import _Element

WORDS = re.compile(r"[A-Za-z][a-z]+|[A-Z]+(?![a-z])|\d+")
# Class words for the parts of a comment, in the languages blogs use.
COMMENT_WORDS = {"comment", "comments", "kommentar", "kommentare", "commentaire", "commentaires",
                 "comentario", "comentarios", "commento", "commenti", "reaction", "reactions",
                 "discussion", "reply", "replies", "response", "responses", "thread"}
# A block's last class word that names it one comment: "thread" and "comments" name a list.
ONE_COMMENT_WORDS = COMMENT_WORDS - {"thread", "comments"}
LETTER = re.compile(r"[^\W\d_]")


def name_words(name: str | None) -> list[str]:
    """The words of one class name, lower-cased: `commentAuthor-2` -> comment, author, 2."""
    return [word.lower() for word in WORDS.findall(name or "")]


def class_words(element: _Element) -> frozenset[str]:
    """The words of all an element's class names and its id."""
    return _words_of(f"{element.get('class') or ''} {element.get('id') or ''}")


@lru_cache(maxsize=4096)
def _words_of(names):
    return frozenset(word for name in names.split() for word in name_words(name))


def edge_words(element: _Element) -> frozenset[str]:
    """The first and last words of each class name: what the name says the element is
    (`author-name`, `commentor-info`), not what it qualifies (Drupal's
    `field--name-comment-body`)."""
    return _edge_words_of(f"{element.get('class') or ''} {element.get('id') or ''}")


@lru_cache(maxsize=4096)
def _edge_words_of(names):
    edges = set()
    for name in names.split():
        words = name_words(name)
        edges.update(words[:1] + words[-1:])
    return frozenset(edges)


def _last_word(element: _Element) -> str:
    """The last word of an element's first class: "comment" for `xenforo-comment`, "content"
    for `comment-content`."""
    classes = (element.get("class") or "").split()
    words = name_words(classes[0]) if classes else []
    return words[-1] if words else ""


def names_a_comment(element: _Element) -> bool:
    """Whether an element's first class names it one comment (`div.comment`,
    `div.comment-reply`, `li.xenforo-comment`)."""
    return isinstance(element.tag, str) and _last_word(element) in ONE_COMMENT_WORDS
