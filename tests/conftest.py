"""Fixtures the test modules share: the demo blog served for the whole session, one archive of
a whole crawl of it, and copies of that archive for the tests that change one. Helpers that
are no fixtures are in tests/helpers.py; the test servers in tests/blogserver.py and
tests/local_servers.py."""

import pytest

from tests.blogserver import serving
from tests.helpers import DEMO_BLOG, copy_archive, crawl, dump


@pytest.fixture(scope="session")
def demo_blog():
    """The demo blog served by this process on a free loopback port for the whole session: a
    ServedBlog, whose `url` is the blog's base URL."""
    with serving(DEMO_BLOG) as blog:
        yield blog


@pytest.fixture(scope="session")
def demo_archive(demo_blog, tmp_path_factory):
    """The archive of one whole crawl of `demo_blog`, for the tests that only read it; a test
    that writes to an archive takes `demo_archive_copy`. Found changed at the end of the
    session, it fails the last test that used it."""
    folder = tmp_path_factory.mktemp("demo-archive")
    db = folder / "archive.db"
    crawl(demo_blog.url, db, folder)
    content = dump(db)
    yield db
    assert dump(db) == content, "a test wrote to the shared demo archive: copy it first"


@pytest.fixture
def demo_archive_copy(demo_archive, tmp_path):
    """A copy of `demo_archive` for one test to change, in its tmp_path."""
    db = tmp_path / "archive.db"
    copy_archive(demo_archive, db)
    return db
