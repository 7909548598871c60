"""Fixtures the test modules share: the demo blog served for the whole session, one archive of
a whole crawl of it, copies of that archive for the tests that change one, `archiver serve`
on an archive with a history, and plain `datasette` on the demo archive; the harness's
WordPress, seeded once for the session, and its crawls; the browser tests' chromium and tabs.
Helpers that are no fixtures are in tests/helpers.py, tests/served_archive.py,
tests/browsing.py and tests/wordpress_truth.py, the test servers in tests/blogserver.py,
tests/local_servers.py and tests/wordpress_harness.py."""

import json
import shutil
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import sync_playwright

from archiver import storage
from archiver.items import SiteInfo
from tests.blogserver import serving
from tests.browsing import ARTEFACTS, CHROMIUM, Archive
from tests.corpus_scoring import CORPUS, SCORING
from tests.helpers import DEMO_BLOG, copy_archive, crawl, dump
from tests.local_servers import LOOPBACK, archiver_serve, datasette
from tests.saved_threads import SITE
from tests.served_archive import Served, edit_and_delete_a_comment, polling
from tests.wordpress_harness import (
    SEED,
    harness_path,
    missing_prerequisite,
    seeded_site,
)
from tests.wordpress_truth import Crawl, crawl_wordpress


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items):
    """Where the corpus gate is among the tests chosen, start scoring the corpus now, in the
    background, and run the gate last."""
    gate = [item for item in items if item.path.name == "test_corpus_quality.py"]
    if gate and CORPUS.is_dir():
        items[:] = [item for item in items if item not in gate] + gate
        SCORING.start()


def pytest_sessionfinish():
    """A run ended before the corpus gate (by -x, or Ctrl-C) waits for the scorer to end, so
    that it leaves no process behind."""
    SCORING.finish()


@pytest.fixture
def db(tmp_path):
    """A new archive holding the test blog's row, for threads saved straight into it."""
    archive = storage.open_archive(tmp_path / "archive.db")
    storage.save_site(archive, SiteInfo(site=SITE, url="https://blog.example/"))
    yield archive
    archive.close()


@pytest.fixture(scope="session")
def demo_blog():
    """The demo blog served by this process on a free loopback port for the whole session: a
    ServedBlog, whose `url` is the blog's base URL."""
    with serving(DEMO_BLOG) as blog:
        yield blog


@pytest.fixture(scope="session")
def demo_archive(demo_blog, tmp_path_factory):
    """The archive of one whole crawl of `demo_blog`, for the tests that only read it; a test
    that writes to an archive takes `demo_archive_copy`. It is checked unchanged as the
    session ends: a test that wrote to it shows as an error there."""
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


@pytest.fixture(scope="session")
def served(demo_blog, demo_archive, tmp_path_factory):
    """`archiver serve` on a copy of the demo blog's archive, crawled again in full from the
    blog changed while the server answered (tests/served_archive.py): a Served."""
    tmp_path = tmp_path_factory.mktemp("served")
    blog_files = tmp_path / "blog"
    shutil.copytree(DEMO_BLOG, blog_files)
    edit_and_delete_a_comment(blog_files)
    db = tmp_path / "archive.db"
    copy_archive(demo_archive, db)
    with archiver_serve(db, tmp_path / "serve.log") as base:
        archive = Served(base, db, demo_blog.url)
        with polling(archive), demo_blog.showing(blog_files):
            crawl(demo_blog.url, db, tmp_path, "-a", "full=1")
        yield archive


@pytest.fixture(scope="session")
def plain_datasette(demo_archive, tmp_path_factory):
    """Plain `datasette` on `demo_archive`, with no option (the installed plugin alone), for
    the whole session: an Archive (tests/browsing.py)."""
    log = tmp_path_factory.mktemp("plain-datasette") / "datasette.log"
    with datasette(log, demo_archive) as base:
        yield Archive(base, Path(demo_archive))


@pytest.fixture(scope="session")
def wordpress_harness():
    """The WordPress harness's folder; the test is skipped, saying why, where it cannot run."""
    harness = harness_path()
    reason = missing_prerequisite(harness)
    if reason:
        pytest.skip(reason)
    return harness


@pytest.fixture(scope="session")
def wordpress(wordpress_harness, tmp_path_factory):
    """The harness's WordPress seeded with SEED, on a free loopback port for the session;
    stopped and wiped afterwards. Tests may switch its theme and add must-use plugins for a
    while; tests that change what it shows seed a site of their own."""
    state = tmp_path_factory.mktemp("wordpress-state")
    with seeded_site(wordpress_harness, state, *SEED) as site:
        yield site


@pytest.fixture(scope="session")
def wordpress_crawl(wordpress, tmp_path_factory):
    """A function of a theme giving the Crawl of the session's WordPress under that theme: the
    site crawled whole once, as the theme is first asked for, and the truth dumped just
    before."""
    crawls = {}

    def under(theme):
        if theme not in crawls:
            folder = tmp_path_factory.mktemp(theme)
            wordpress.run("theme", theme)
            truth = wordpress.run("truth")
            (folder / "truth.json").write_text(truth)
            crawl_wordpress(wordpress.base, folder / "archive.db", folder / "crawl.log")
            crawls[theme] = Crawl(theme, json.loads(truth), folder / "archive.db")
        return crawls[theme]

    return under


@pytest.fixture(scope="module")
def browser():
    with sync_playwright() as playwright:
        # Playwright's own browsers are never downloaded: the system's chromium is driven.
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox"])
        yield browser
        browser.close()


@pytest.fixture
def page(browser, request):
    """A fresh tab; its last page is kept as a full-page screenshot named after the test."""
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    # What a test looks for is on the page once it has loaded: a missing element fails soon.
    # Loading a page may take long on a loaded machine.
    context.set_default_timeout(5000)
    context.set_default_navigation_timeout(60000)
    page = context.new_page()
    yield page
    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=ARTEFACTS / f"{request.node.name}.png", full_page=True)
    context.close()


@pytest.fixture
def dialogs(page):
    """The messages of every dialog (alert, confirm, prompt) the tab opens; each is dismissed."""
    opened = []
    page.on("dialog", lambda dialog: (opened.append(dialog.message), dialog.dismiss()))
    return opened


@pytest.fixture
def offsite_requests(page):
    """Every request the tab makes to a host other than the archive's loopback server; each is
    refused, as it would fail offline. With every request routed, Playwright also never answers
    a load from the browser's cache (Datasette lets a browser keep a page for a few seconds):
    each load asks the server."""
    asked = []

    def refuse_offsite(route):
        if urlsplit(route.request.url).hostname == LOOPBACK:
            route.continue_()
        else:
            asked.append(route.request.url)
            route.abort()

    page.route("**/*", refuse_offsite)
    return asked
