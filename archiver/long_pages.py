"""A page too long to hold as one tree, read in parts. A saved thread of 100,000 comments is
160 MiB of markup, and libxml2's tree of it ten times that.

The page is split as it is parsed (archiver.page_runs): runs of many children (a comment list)
taken out a part at a time, about 1 MiB of markup, and the shell, the page less its runs. Each
part is read as the page it would be if its run held only that part, the shell around it, by
the one extraction path (extractors.extract), in worker processes. Every part repeats what the
shell holds: the post is taken from the first part, a comment outside the runs is given once,
and the other comment pages are those any part names (a pager is in a comment list's last
part). A run whose first part holds no comments the shell does not (a long post, a sidebar's
archive list) is put back into the shell.
"""

from __future__ import annotations

import dataclasses
import importlib
import multiprocessing
import os
import signal
import zlib
from collections import defaultdict, deque
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from datetime import UTC, datetime
from pathlib import Path

from archiver import extractors
from archiver.items import Comment, Thread
from archiver.page import Page
from archiver.page_runs import PART_CHARACTERS, RUN_LENGTH, Split, split_page


@dataclasses.dataclass(frozen=True)
class _Part:
    """A part of a run to read in a worker, as the page with only that part in its run."""

    url: str
    fetched_utc: datetime
    before: str
    markup: bytes
    after: str
    timezone: str | None
    reader: str | None  # the module name of the platform reader; None: detect it

    def page(self) -> Page:
        text = self.before + zlib.decompress(self.markup).decode("utf-8") + self.after
        return Page(self.url, text, fetched_utc=self.fetched_utc)


def _read(part: _Part) -> tuple[str, Thread | None]:
    """The reader's module name and the thread on `part`'s page."""
    page = part.page()
    reader = (importlib.import_module(part.reader) if part.reader
              else extractors.extractor_for(page))
    return reader.__name__, extractors.extract(page, part.timezone, reader=reader)


def _ready() -> None:
    """Nothing: a worker that runs it has imported the extractors."""


def extract_long(path: Path, url: str | None = None, timezone: str | None = None, *,
                 run_length: int = RUN_LENGTH, part_characters: int = PART_CHARACTERS,
                 workers: int | None = None) -> tuple[Thread | None, Iterable[Comment]]:
    """The thread on the long page saved at `path` (`url`, `timezone`: as for extract), without
    its comments, and its comments as they are read, in page order, each parent an index among
    them; the thread's other comment pages are complete once they are all read. A page with no
    run of comments is read whole."""
    url = url or path.resolve().as_uri()
    fetched = datetime.fromtimestamp(path.stat().st_mtime, UTC)
    workers = workers or len(os.sched_getaffinity(0))
    pool = ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn"))
    # Ctrl-C, which a terminal sends every process of the command, is the command's to handle:
    # the workers are started ignoring it, as they inherit, and read on until the pool is shut
    # down. Started now, they import while the page is split.
    interrupt = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        for _ in range(workers):
            pool.submit(_ready)
    finally:
        signal.signal(signal.SIGINT, interrupt)
    split = split_page(path, run_length, part_characters)
    reading = _Reading(split, url, fetched, timezone, pool, workers) if split else None
    if reading is None or not reading.find_comment_runs():
        pool.shutdown()
        whole = reading.split.pieces[0] if reading else None
        page = Page(url, whole, fetched_utc=fetched) if whole else Page.from_file(path, url)
        thread = extractors.extract(page, timezone)
        return thread, thread.comments if thread else ()
    return reading.post_thread, reading.comments()


class _Reading:
    """The parts of a split page read in a pool of workers."""

    def __init__(self, split: Split, url: str, fetched: datetime, timezone: str | None,
                 pool: ProcessPoolExecutor, workers: int) -> None:
        self.split = split
        self.url, self.fetched, self.timezone = url, fetched, timezone
        self.pool, self.workers = pool, workers
        self.reader: str | None = None
        self.shell_comments: list[Comment] = []
        self.first_parts: list[Thread | None] = []
        self.post_thread: Thread | None = None

    def part(self, run: int, number: int, reader: str | None) -> _Part:
        before, after = self.split.around(run)
        return _Part(self.url, self.fetched, before, self.split.runs[run][number], after,
                     self.timezone, reader)

    def find_comment_runs(self) -> bool:
        """Whether the page has runs of comments, the others put back into the shell: the reader
        is the one the page with every run's first part detects; a run of comments is one whose
        first part holds comments the shell alone does not."""
        while self.split.runs:
            sample = self.pool.submit(_read, self._page(self._sample(), None))
            shell = self.pool.submit(_read, self._page("".join(self.split.pieces), None))
            self.reader, sample_thread = sample.result()
            shell_reader, shell_thread = shell.result()
            if shell_reader != self.reader:
                _, shell_thread = _read(self._page("".join(self.split.pieces), self.reader))
            self.shell_comments = shell_thread.comments if shell_thread else []
            if len(self.split.runs) == 1:  # the sample is the run's first part
                self.first_parts = [sample_thread]
            else:
                self.first_parts = [thread for _, thread in self.pool.map(
                    _read, [self.part(run, 0, self.reader) for run in range(len(self.split.runs))])]
            merge = _Merge(self.shell_comments)
            not_comments = [run for run, thread in enumerate(self.first_parts)
                            if thread is None or not merge.own(thread)]
            if not_comments:  # put back together, then the page read again without them
                for run in reversed(not_comments):
                    self.split = self.split.put_back(run)
                continue
            first = self.first_parts[0]
            if first is not None:
                self.post_thread = dataclasses.replace(
                    first, comments=[], more_comment_pages=list(first.more_comment_pages))
            return True
        return False

    def _page(self, text: str, reader: str | None) -> _Part:
        return _Part(self.url, self.fetched, text, zlib.compress(b""), "", self.timezone, reader)

    def _sample(self) -> str:
        """The page with every run's first part."""
        firsts = [zlib.decompress(parts[0]).decode("utf-8") for parts in self.split.runs]
        pieces = self.split.pieces
        return "".join(piece + first for piece, first in zip(pieces, [*firsts, ""], strict=True))

    def comments(self) -> Iterator[Comment]:
        """Every part's comments, in page order, parents renumbered; the shell's given once."""
        merge = _Merge(self.shell_comments)
        more_pages = self.post_thread.more_comment_pages if self.post_thread else []
        try:
            for thread in self._threads():
                if thread is None:
                    continue
                # A comment list's pager is in its last part: each part reads its own.
                more_pages += [url for url in thread.more_comment_pages if url not in more_pages]
                yield from merge.given(thread.comments)
        finally:
            self.pool.shutdown(cancel_futures=True)

    def _threads(self) -> Iterator[Thread | None]:
        """Each part's thread in page order, at most two a worker asked for ahead."""
        ahead: deque[Future] = deque()
        for run, parts in enumerate(self.split.runs):
            yield self.first_parts[run]
            for number in range(1, len(parts)):
                ahead.append(self.pool.submit(_read, self.part(run, number, self.reader)))
                if len(ahead) > 2 * self.workers:
                    yield ahead.popleft().result()[1]
            while ahead:
                yield ahead.popleft().result()[1]


class _Merge:
    """Puts the parts' comments together: each part's own, and those of the shell, which every
    part repeats, the first time a part gives them; each parent an index among them all."""

    def __init__(self, shell: list[Comment]) -> None:
        self.shell: dict[tuple, list[int]] = defaultdict(list)
        for number, comment in enumerate(shell):
            self.shell[_key(comment)].append(number)
        self.given_shell: dict[int, int] = {}  # a shell comment's number -> its index given
        self.count = 0

    def own(self, thread: Thread) -> list[Comment]:
        """The comments of a part's thread the shell does not hold."""
        return [comment for comment, shell in zip(thread.comments,
                                                  self._shell_numbers(thread.comments),
                                                  strict=True) if shell is None]

    def given(self, comments: list[Comment]) -> Iterator[Comment]:
        index: list[int] = []  # the index given to each of `comments`
        for comment, shell in zip(comments, self._shell_numbers(comments), strict=True):
            if shell is not None and shell in self.given_shell:
                index.append(self.given_shell[shell])
                continue
            if comment.parent is not None:
                comment.parent = index[comment.parent]
            if shell is not None:
                self.given_shell[shell] = self.count
            index.append(self.count)
            self.count += 1
            yield comment

    def _shell_numbers(self, comments: list[Comment]) -> list[int | None]:
        """Which shell comment each of `comments` is, if any: the first not yet matched of
        those alike, in order."""
        unmatched = {key: deque(numbers) for key, numbers in self.shell.items()}
        found: list[int | None] = []
        for comment in comments:
            alike = unmatched.get(_key(comment))
            found.append(alike.popleft() if alike else None)
        return found


def _key(comment: Comment) -> tuple:
    return (comment.type, comment.platform_id, comment.author, comment.author_url,
            comment.published_shown, comment.published_machine, comment.body_html)
