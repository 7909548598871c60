"""What the browser tests share besides their fixtures (in conftest.py: Debian's chromium
driven by Playwright, and a fresh tab per test that leaves a full-page screenshot of the page
it ended on, named after the test, in the folder ARCHIVER_TEST_ARTEFACTS names, default
test-artefacts/ at the repository root): the thread view's markup, and an archive served."""

import contextlib
import dataclasses
import os
from pathlib import Path

import pytest

from tests.helpers import ROOT, rows
from tests.local_servers import archiver_serve

CHROMIUM = Path("/usr/bin/chromium")
ARTEFACTS = Path(os.environ.get("ARCHIVER_TEST_ARTEFACTS") or ROOT / "test-artefacts")

# Every browser test module's pytestmark: marked, and skipped where chromium is missing.
IN_CHROMIUM = [pytest.mark.browser, pytest.mark.skipif(
    not CHROMIUM.exists(),
    reason=f"needs Debian's chromium package at {CHROMIUM} (apt-get install chromium)")]
# The thread view's markup: a comment (its replies inside it), its own header's author and
# time as shown, and the post's body.
COMMENT = "li.comment"
HEADER = ".comment-header"
AUTHOR = ".author"
SHOWN = ".shown"
POST_BODY = ".post-body"


@dataclasses.dataclass(frozen=True)
class Archive:
    """An archive served by `archiver serve` or plain `datasette`, at `base`
    ("http://127.0.0.1:PORT")."""

    base: str
    path: Path

    @property
    def database(self):
        """Datasette's name for the database: the file's stem."""
        return self.path.stem

    def url(self, path):
        return f"{self.base}/{self.database}{path}"

    def thread_url(self, post_url):
        """The thread view of the post at `post_url`, at its key: its host and path."""
        return self.url(f"/-/thread/{post_url.split('://', 1)[1]}")

    def rows(self, sql, *params):
        return rows(self.path, sql, *params)

    def post_id(self, url):
        ((post_id,),) = self.rows("SELECT id FROM posts WHERE url = ?", url)
        return post_id


@contextlib.contextmanager
def serving(db, log):
    """`archiver serve` on `db`, once it answers; yields an Archive."""
    with archiver_serve(db, log) as base:
        yield Archive(base, Path(db))


def header_of(comment):
    """A comment's author, time as shown (None when not shown) and UTC time, as its header has
    them."""
    header = comment.locator(HEADER).first
    shown = header.locator(SHOWN)
    return (header.locator(AUTHOR).inner_text(), shown.inner_text() if shown.count() else None,
            header.locator("time").get_attribute("datetime"))
