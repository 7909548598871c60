"""The archive the tests of `archiver serve`'s pages and queries ask over HTTP (the `served`
fixture of conftest.py): a copy of the demo blog's archive, crawled again in full from the blog
changed (a comment edited, another deleted) while `archiver serve` answered from it. So the
archive has a history, and the server has been read while a crawl wrote to it."""

from __future__ import annotations

import contextlib
import json
import re
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from tests.helpers import get, post_id, rows, thread_address

OPEN_THREAD_TITLE = "Open thread: anything goes (comments paginated)"
# Comment 4 of the example thread before and after its edit, and comment 7, deleted.
EDITED = ("And where were all these people when the sanctions were killing children? "
          "Just asking.")
EDITED_NOW = ("And where were all these people when the sanctions were killing children? "
              "Just asking, again.")
REMOVED = "I’ve shared this with our union branch. Solidarity!"
# What the pages ask while a crawl writes to the archive.
POLLED = ["/archive/comments.json?_size=5", "/archive/posts", "/archive/-/search?q=the",
          "/archive/last_crawl.json"]


@dataclass
class Served:
    """`archiver serve` on the archive at `db`, crawled from the blog at `blog`."""

    base: str
    db: Path
    blog: str
    answers_during_crawl: list[tuple[str, int | str]] = field(default_factory=list)

    def get(self, path: str) -> tuple[int, str]:
        """(status, body) of a GET of `path`; error statuses are answers too."""
        status, _, body = get(self.base + path)
        return status, body.decode("utf-8")

    def json(self, path: str, **params: object) -> Any:
        status, body = self.get(f"{path}?{urlencode(params)}")
        assert status == 200, body[:2000]
        return json.loads(body)

    def rows(self, sql: str, *params: object) -> list[tuple[Any, ...]]:
        return rows(self.db, sql, *params)

    def post_id(self, path: str) -> int:
        return post_id(self.db, self.blog + path)

    def comment_id(self, path: str, platform_id: str) -> int:
        ((comment_id,),) = self.rows("SELECT id FROM comments "
                                     "WHERE post_id = ? AND platform_id = ?",
                                     self.post_id(path), platform_id)
        return comment_id

    def thread_url(self, path: str, platform_id: str | None = None) -> str:
        """The thread view of the post at `path`, by its key: the blog's host and the path; at
        the comment of `platform_id`, by its key, that id."""
        url = thread_address(self.blog, path)
        return url if platform_id is None else f"{url}#comment-{platform_id}"


def edit_and_delete_a_comment(blog_files: Path) -> None:
    """On the example thread, as its pages and comment feed show it: comment 4 edited, comment 7
    deleted."""
    for name in ("13.html", "32.html", "27.xml"):
        page = blog_files / "files" / name
        text = page.read_text(encoding="utf-8").replace("Just asking.", "Just asking, again.")
        text = re.sub(r'\s*<li id="comment-7".*?</li><!-- #comment-## -->', "", text, flags=re.S)
        text = re.sub(r"\s*<item>(?:(?!</item>).)*?#comment-7</link>.*?</item>", "", text,
                      flags=re.S)
        page.write_text(text, encoding="utf-8")


@contextlib.contextmanager
def polling(archive: Served) -> Iterator[None]:
    """Ask the server for POLLED pages, one after another, until the block ends; their statuses
    (or the error that stood for one) go to `archive.answers_during_crawl`."""
    done = threading.Event()

    def ask() -> None:
        while not done.is_set():
            for path in POLLED:
                answer: int | str
                try:
                    answer = archive.get(path)[0]
                except OSError as error:
                    answer = repr(error)
                archive.answers_during_crawl.append((path, answer))

    asker = threading.Thread(target=ask)
    asker.start()
    try:
        yield
    finally:
        done.set()
        asker.join()
