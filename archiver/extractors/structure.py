"""The structural reader: the comments of a layout no template knows, read from the page's shape.

A comment section is a run of blocks of one kind, each holding one time (or, where no time is
shown, each named a comment by its class). Roles inside a block come from evidence that holds
across themes and languages: machine-readable times, microformats and schema.org properties,
class vocabularies (name, author, user, Autor, auteur…), a name before "says" or "sagt" or
before the time in its line, a short first line. Who answers whom comes from nesting, from a
replies container beside a comment ("children", "replies", Drupal's "indented"), or from a
depth or indent class.

Every platform module's readers come first; this one reads where none knows the page, and is
the second opinion where a platform's templates found no comments on a page that counts some,
or found them without names or without times (archiver.extractors.extract).

This module places the comments in their thread; structure_blocks finds the blocks,
structure_comment reads the comment in each, structure_names its author.
"""

import re

from lxml.etree import _Element

from archiver.extractors.elements import outermost, previous_element
from archiver.extractors.structure_blocks import (
    DocumentOrder,
    dated_blocks,
    named_blocks,
    signal_blocks,
)
from archiver.extractors.structure_comment import CommentReader
from archiver.extractors.structure_words import class_words
from archiver.items import Comment
from archiver.page import Page

# Class words of a container of replies beside the comment they answer, and of a comment
# indented as a reply in a flat list.
REPLIES_WORDS = {"children", "child", "replies", "indented", "antworten", "respuestas",
                 "reponses", "sub"}
INDENTED_WORDS = {"indented", "child", "reply", "answer", "antwort", "respuesta"}
DEPTH_CLASS = re.compile(r"(?:depth|level|lvl)[-_]?(\d+)", re.IGNORECASE)


def structural_comments(page: Page, seeds: list[_Element] | None = None) -> list[Comment]:
    """Comments of a layout no template knows, in document order, replies after their parent.
    `seeds`, elements known to lie one in each comment (a forum's post permalinks), stand for
    the times."""
    root = page.selector.root
    order = DocumentOrder(root)
    if seeds is not None:
        blocks, signals = signal_blocks(seeds, order), seeds
    else:
        blocks, signals = dated_blocks(root, page.language, order)
    if not blocks:
        blocks, signals = named_blocks(root), []
    if not blocks:
        return []
    return _Thread(page, blocks, signals).read()


class _Thread:
    """Reads one comment from each block and places it in the thread: below the block it is
    nested in, or whose replies container holds it, or as deep as its class says."""

    def __init__(self, page, blocks, signals):
        self.blocks = blocks
        self.is_block = {id(block) for block in blocks}
        self.reader = CommentReader(page, blocks, signals)

    def read(self):
        comments, index_of = [], {}
        depths = self._depths()
        stack = []  # (depth, index) of the comments a flat, indented reply may answer
        for block in self.blocks:
            comment = self.reader.comment(block)
            parent = self._holder(block)
            if parent is None:
                parent = self._replied_beside(block)
            if parent is not None:
                comment.parent = index_of[id(parent)]
            elif depths:
                while stack and stack[-1][0] >= depths[id(block)]:
                    stack.pop()
                comment.parent = stack[-1][1] if stack else None
            if comment.parent is not None:
                comment.depth = comments[comment.parent].depth + 1
                comment.parent_platform_id = comments[comment.parent].platform_id
            index_of[id(block)] = len(comments)
            if depths:
                stack.append((depths[id(block)], len(comments)))
            comments.append(comment)
        return comments

    def _holder(self, block):
        """The block this one is nested in."""
        return next((ancestor for ancestor in block.iterancestors()
                     if id(ancestor) in self.is_block), None)

    def _replied_beside(self, block):
        """The block whose replies container, right after it, holds this one: `ul.children`
        after a comment's div, Drupal's `div.indented` after a comment."""
        for element in (block, *block.iterancestors()):
            if element.tag in ("body", "html"):
                return None
            if id(element) in self.is_block and element is not block:
                return None
            if not REPLIES_WORDS & class_words(element) and not (
                    element.tag in ("ul", "ol") and element is not block.getparent()):
                continue
            before = previous_element(element)
            if before is None:
                continue
            if id(before) in self.is_block:
                return before
            inside = [node for node in before.iterdescendants() if id(node) in self.is_block]
            if inside:
                return outermost(inside)[-1]
        return None

    def _depths(self):
        """Each flat block's depth from its classes (`depth-2`, `comment--indented`), when
        the blocks are not nested and some of them say one."""
        if any(self._holder(block) is not None for block in self.blocks):
            return {}
        depths = {}
        for block in self.blocks:
            names = " ".join(filter(None, (block.get("class"), block.getparent().get("class"))))
            match = DEPTH_CLASS.search(names)
            depths[id(block)] = (int(match[1]) if match else
                                 2 if INDENTED_WORDS & class_words(block) else 1)
        return depths if len(set(depths.values())) > 1 else {}
