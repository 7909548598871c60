"""A long page as its shell and runs, split as it is parsed, for archiver.long_pages.

The page is parsed as a stream. An element that comes to hold a run of many finished children
(a comment list) has them taken out as they finish and kept as markup, a part at a time, in
compressed pieces: what is left, the shell, is the page less its runs. Nothing holds the tree
of the whole page, ten times its size.
"""

from __future__ import annotations

import codecs
import dataclasses
import re
import secrets
import zlib
from collections import Counter
from pathlib import Path

from lxml import etree
from w3lib.encoding import read_bom

from archiver.charset import decode_page
from archiver.extractors.structure import DEPTH_CLASS
from archiver.page import Page

# A page to read in parts: larger than a crawl ever fetches (DOWNLOAD_MAXSIZE), so a saved page
# given to `archiver extract`; any page a crawl stores is read whole, as the crawl read it.
LONG_PAGE_BYTES = 16 * 2**20
# Finished children that make an element's run one to read in parts.
RUN_LENGTH = 64
# The markup of a part: some 650 comments of a common theme, a tree of some 12 MiB. Parts of
# 2 MiB or more read a tenth slower: their trees fit the processor's caches less well.
PART_CHARACTERS = 2**20
# The fewest comments a part holds.
COMMENTS_A_PART = 16
# What the encoding is told from, as Page.from_bytes would: the head of the page.
HEAD_BYTES = 2**20


@dataclasses.dataclass
class _Run:
    """An element's run of children, taken out of the tree as they finish: its parts' markup,
    compressed (a run holds most of a long page), and the part being gathered.

    A part ends only where a comment begins: before a child like those that begin one, the
    kind of child (name and first class) the run has most of, the first of those it has as many
    of (the <dt> of <dt>/<dd> pairs, a heading before its text); where the children's classes
    give depths (depth-1, level-0…), at the shallowest, so that a flat list's indented replies
    stay in the part of what they answer; and once it holds COMMENTS_A_PART comments at least,
    the last part too, so that a reader that knows comments by their likeness sees enough.
    """

    parts: list[bytes] = dataclasses.field(default_factory=list)
    gathered: list[str] = dataclasses.field(default_factory=list)
    size: int = 0
    kinds: Counter[tuple[str | None, str | None]] = dataclasses.field(default_factory=Counter)
    gathered_kinds: Counter[tuple[str | None, str | None]] = dataclasses.field(
        default_factory=Counter)
    shallowest: int | None = None

    def take(self, holder: etree._Element, keep: int, part_characters: int) -> None:
        """Take out `holder`'s children but its last `keep` (which may not be finished)."""
        children = list(holder)
        taken = children[:len(children) - keep]
        for child in taken:
            kind, depth = _kind(child), _class_depth(child)
            if self.size >= part_characters and self._begins_comment(kind, depth) and (
                    self._comments_gathered() >= COMMENTS_A_PART):
                self.end_part()
            self.kinds[kind] += 1
            self.gathered_kinds[kind] += 1
            if depth is not None and (self.shallowest is None or depth < self.shallowest):
                self.shallowest = depth
            markup = etree.tostring(child, method="html", encoding="unicode", with_tail=True)
            self.gathered.append(markup)
            self.size += len(markup)
        del holder[:len(taken)]

    def _begins_comment(self, kind: tuple[str | None, str | None], depth: int | None) -> bool:
        shallow = depth is None or self.shallowest is None or depth <= self.shallowest
        return shallow and kind == self.kinds.most_common(1)[0][0]

    def _comments_gathered(self) -> int:
        return self.gathered_kinds[self.kinds.most_common(1)[0][0]] if self.kinds else 0

    def end_part(self) -> None:
        if self.gathered:
            self.parts.append(zlib.compress("".join(self.gathered).encode("utf-8"), 1))
            self.gathered, self.size, self.gathered_kinds = [], 0, Counter()

    def end(self) -> None:
        """End the last part; one of too few comments goes with the part before it."""
        if self.parts and self._comments_gathered() < COMMENTS_A_PART:
            self.gathered.insert(0, zlib.decompress(self.parts.pop()).decode("utf-8"))
        self.end_part()


def _kind(element: etree._Element) -> tuple[str | None, str | None]:
    """An element's name and first class; no name for a comment or processing instruction."""
    classes = (element.get("class") or "").split()
    return (element.tag if isinstance(element.tag, str) else None,
            classes[0] if classes else None)


def _class_depth(element: etree._Element) -> int | None:
    match = DEPTH_CLASS.search(element.get("class") or "")
    return int(match[1]) if match else None


@dataclasses.dataclass
class Split:
    """A page as its shell and runs: `pieces`, the shell's markup around the runs (one more
    than the runs), and `runs`, each run's parts' markup, compressed, in page order."""

    pieces: list[str]
    runs: list[list[bytes]]

    def around(self, run: int) -> tuple[str, str]:
        """The shell's markup before and after run `run`, every other run empty."""
        return "".join(self.pieces[:run + 1]), "".join(self.pieces[run + 1:])

    def put_back(self, run: int) -> Split:
        """This split with run `run` back in the shell."""
        markup = "".join(zlib.decompress(part).decode("utf-8") for part in self.runs[run])
        pieces = [*self.pieces[:run], self.pieces[run] + markup + self.pieces[run + 1],
                  *self.pieces[run + 2:]]
        return Split(pieces, self.runs[:run] + self.runs[run + 1:])


class _Stream:
    """The streaming parse: the tree so far, its runs taken out after each chunk fed."""

    def __init__(self, run_length: int, part_characters: int) -> None:
        self.parser = etree.HTMLPullParser(events=("start",), tag="html", recover=True,
                                           huge_tree=True, encoding="utf-8")
        self.root: etree._Element | None = None
        self.runs: dict[etree._Element, _Run] = {}
        self.around_runs: set[etree._Element] = set()  # never a run: its runs would go with it
        self.run_length = run_length
        self.part_characters = part_characters

    def feed(self, text: str) -> None:
        self.parser.feed(text.replace("\x00", "").encode("utf-8"))
        if self.root is None:
            self.root = next((element for _, element in self.parser.read_events()), None)
        element = self.root
        # Only the elements still open can be gaining children: the last child of each, down.
        while element is not None:
            run = self.runs.get(element)
            if run is None and len(element) > self.run_length and (
                    element not in self.around_runs):
                run = self.runs[element] = _Run()
                self.around_runs.update(element.iterancestors())
            if run is not None:
                run.take(element, 1, self.part_characters)
                return
            element = _last_element(element)

    def close(self) -> Split | None:
        """The page's shell and runs; None when it has no run, or nests deeper than libxml2
        reads (which Page reads again without the runs of tags that made it so)."""
        root = self.parser.close()
        too_deep = any("Excessive depth" in error.message for error in self.parser.error_log)
        if not self.runs or too_deep:
            return None
        marker = secrets.token_hex(8)
        for number, (holder, run) in enumerate(self.runs.items()):
            run.take(holder, 0, self.part_characters)
            run.end()
            holder.append(etree.Comment(f"{marker} {number}"))
        shell = etree.tostring(root.getroottree(), method="html", encoding="unicode")
        pieces = re.split(f"<!--{marker} ([0-9]+)-->", shell)
        runs = list(self.runs.values())
        return Split(pieces[::2], [runs[int(number)].parts for number in pieces[1::2]])


def _last_element(element: etree._Element) -> etree._Element | None:
    try:
        last = element[-1]
    except IndexError:
        return None
    return last if isinstance(last.tag, str) else None


def split_page(path: Path, run_length: int = RUN_LENGTH,
               part_characters: int = PART_CHARACTERS) -> Split | None:
    """The shell and runs of the HTML page saved at `path`, decoded as Page.from_bytes would
    (from what its first megabyte declares); None when it has no run of `run_length` children,
    or is XML or JSON."""
    stream = _Stream(run_length, part_characters)
    with path.open("rb") as saved:
        head = saved.read(HEAD_BYTES)
        decoded = decode_page(head)
        start = Page(path.resolve().as_uri(), decoded.text)
        if start.is_xml or start.is_json:
            return None
        _, bom = read_bom(head)
        decoder = codecs.getincrementaldecoder(decoded.encoding)(errors="replace")
        # Fed half a part at a time, a run is looked at twice at least while it grows by one.
        feed = max(1, part_characters // 2)
        rest = head[len(bom or b""):]
        while rest:
            for offset in range(0, len(rest), feed):
                stream.feed(decoder.decode(rest[offset:offset + feed]))
            rest = saved.read(HEAD_BYTES)
        stream.feed(decoder.decode(b"", final=True))
    return stream.close()
