"""The archive's pages in a real browser: Debian's chromium, driven by Playwright, against
`archiver serve` on archives made by real crawls of local blogs (tests/browsing.py: the
browser, the tabs and their screenshots).
"""

import contextlib
import json
import re
import threading
from urllib.parse import urlsplit

import pytest

from archiver import storage
from tests.blogserver import running
from tests.browsing import (
    COMMENT,
    IN_CHROMIUM,
    POST_BODY,
    header_of,
    serving,
)
from tests.helpers import (
    EXAMPLE,
    EXAMPLE_THREAD,
    FAST,
    OPEN_THREAD,
    crawl,
    get,
    start_archiver,
    wait_until,
)

pytestmark = IN_CHROMIUM

HOSTILE_BLOG = "tests/sites/hostile"
HOSTILE_POST = "2024/05/01/comments-that-try-to-run-script/"
# What each hostile comment's author is shown as, in thread order, and the link texts that
# carried a `javascript:` or `data:` address.
HOSTILE_AUTHORS = ["Sid Script", "Ona Error", "Jay Link", "Vic Vector", "Fran Frame", "Dana Data",
                   "Mallory"]
HOSTILE_LINKS = ["click", "data link", "Mallory"]
# A word of one comment's body alone in the demo blog: comment 34 of the open thread, the 19th
# of 42, far down its page.
SEARCHED_WORD = "marxists"
SEARCHED_COMMENT = "34"
# Datasette's table of rows on a table page.
ROWS = "table.rows-and-columns"
# The open thread's first comment page, held back while the test looks at the archive of a
# crawl that has read the thread in part.
HELD_PAGE = "/" + OPEN_THREAD + "comment-page-1/"
# Whatever is inside the archive's own markup that could run script: the elements that run or
# embed it, event handler attributes, and addresses of a scheme that runs it.
SCRIPTABLE = """(selector) => {
  const containers = [...document.querySelectorAll(selector)];
  const found = [];
  for (const element of containers.flatMap((c) => [c, ...c.querySelectorAll("*")])) {
    const tag = element.tagName.toLowerCase();
    if (["script", "iframe", "frame", "object", "embed"].includes(tag)) found.push(tag);
    for (const attribute of element.attributes) {
      if (attribute.name.startsWith("on")) found.push(`${tag}[${attribute.name}]`);
      if (/^\\s*(javascript|data|vbscript):/i.test(attribute.value)) {
        found.push(`${tag}[${attribute.name}=${attribute.value}]`);
      }
    }
  }
  return {containers: containers.length, found};
}"""


@pytest.fixture(scope="module")
def demo(demo_blog, demo_archive, tmp_path_factory):
    """The archive of the demo blog, served; yields (Archive, the blog's base URL)."""
    log = tmp_path_factory.mktemp("demo") / "serve.log"
    with serving(demo_archive, log) as archive:
        yield archive, demo_blog.url


@pytest.fixture(scope="module")
def hostile(tmp_path_factory):
    """The hostile blog's post crawled into an archive, served; yields (Archive, post URL)."""
    tmp_path = tmp_path_factory.mktemp("hostile")
    db = tmp_path / "hostile.db"
    with running(HOSTILE_BLOG) as blog:
        crawl(blog + HOSTILE_POST, db, tmp_path)
    with serving(db, tmp_path / "serve.log") as archive:
        yield archive, blog + HOSTILE_POST


def test_thread_view_shows_every_comment_in_order_with_replies_nested(page, offsite_requests, demo):
    archive, blog = demo
    assert page.goto(archive.thread_url(blog + EXAMPLE)).status == 200
    assert [header_of(comment) for comment in page.locator(COMMENT).all()] == [
        (author, published_shown, published_utc)
        for *_, author, published_shown, published_utc in EXAMPLE_THREAD]
    # A comment's anchor is its key in the thread: on this blog, its id on the blog.
    anchor_6, anchor_8, anchor_9 = (f"comment-{platform_id}" for platform_id in ("6", "8", "9"))
    comment_6, reply_8, reply_9 = (page.locator(f"[id='{anchor}']")
                                   for anchor in (anchor_6, anchor_8, anchor_9))
    assert anchors_within(comment_6) == [anchor_8, anchor_9]
    assert anchors_within(reply_8) == [anchor_9]
    assert comment_6.bounding_box()["x"] < reply_8.bounding_box()["x"] < reply_9.bounding_box()["x"]
    assert offsite_requests == []


def anchors_within(comment):
    return [reply.get_attribute("id") for reply in comment.locator(COMMENT).all()]


def test_search_finds_a_comment_by_a_word_and_leads_to_it_in_its_thread(page, offsite_requests,
                                                                         demo):
    archive, blog = demo
    assert page.goto(archive.url(f"/-/search?q={SEARCHED_WORD}")).status == 200
    hits = page.locator("a[href*='/-/thread/']")
    assert [urlsplit(hit.get_attribute("href")).path for hit in hits.all()] == [
        urlsplit(archive.thread_url(blog + OPEN_THREAD)).path]
    hits.click()
    page.wait_for_load_state()
    anchor = urlsplit(page.url).fragment
    assert anchor == f"comment-{SEARCHED_COMMENT}"
    comment = page.locator(f"[id='{anchor}']")
    assert header_of(comment) == ("François Lefèvre", "May 14, 2015 at 10:05 am",
                                  "2015-05-14T09:05:16Z")
    assert SEARCHED_WORD in comment.inner_text()
    assert page.evaluate("window.scrollY") > 0
    assert 0 <= comment.bounding_box()["y"] < page.viewport_size["height"]
    assert offsite_requests == []


def test_hostile_comments_render_inert_in_the_thread_view(page, dialogs, offsite_requests, hostile):
    archive, post_url = hostile
    # Asked for by its id, the thread view answers at its address by key.
    thread = archive.thread_url(post_url)
    assert page.goto(archive.url(f"/-/thread/{archive.post_id(post_url)}")).status == 200
    assert page.url == thread
    authors = [header_of(comment)[0] for comment in page.locator(COMMENT).all()]
    assert authors == HOSTILE_AUTHORS
    assert page.evaluate(SCRIPTABLE, COMMENT) == {"containers": len(HOSTILE_AUTHORS), "found": []}
    assert page.evaluate(SCRIPTABLE, POST_BODY) == {"containers": 1, "found": []}
    assert click_every(page.locator("#comments"), HOSTILE_LINKS) == {
        text: 1 for text in HOSTILE_LINKS}
    assert page.url == thread
    assert_nothing_ran(page, dialogs)
    assert offsite_requests == []


def test_hostile_comments_render_inert_in_the_comments_table(page, dialogs, offsite_requests,
                                                              hostile):
    archive, _ = hostile
    table = archive.url("/comments")
    assert page.goto(table).status == 200
    assert page.evaluate(SCRIPTABLE, ROWS) == {"containers": 1, "found": []}
    assert click_every(page.locator(ROWS), HOSTILE_LINKS) == {text: 1 for text in HOSTILE_LINKS}
    assert page.url == table
    assert_nothing_ran(page, dialogs)
    assert offsite_requests == []


def test_the_raw_copy_of_a_hostile_page_is_shown_as_text(page, dialogs, offsite_requests, hostile):
    archive, post_url = hostile
    assert page.goto(archive.url(f"/-/thread/{archive.post_id(post_url)}")).status == 200
    raw_links = page.locator("a[href*='/-/raw/']")
    ((page_id,),) = archive.rows("SELECT id FROM pages WHERE url = ?", post_url)
    # The post and each of its comments link the one page that showed them all.
    assert {urlsplit(link.get_attribute("href")).path for link in raw_links.all()} == {
        f"/{archive.database}/-/raw/{page_id}"}
    raw_links.first.click()
    page.wait_for_load_state()
    assert urlsplit(page.url).path == f"/{archive.database}/-/raw/{page_id}"
    assert page.evaluate("document.contentType") == "text/plain"
    text = page.inner_text("body")
    for markup in ("<script>window.__pwned=1</script>", '<img src=x onerror="window.__pwned=2">',
                   "<a href='javascript:window.__pwned=6' rel='external nofollow ugc' "
                   "class='url'>"):
        assert markup in text
    assert_nothing_ran(page, dialogs)
    assert offsite_requests == []


def click_every(within, texts):
    """Click every element inside `within` whose whole text is one of `texts`; return how many
    each had."""
    clicked = {}
    for text in texts:
        found = within.get_by_text(text, exact=True).all()
        for element in found:
            element.click()
        clicked[text] = len(found)
    return clicked


def assert_nothing_ran(page, dialogs):
    assert dialogs == []
    assert page.evaluate("typeof window.__pwned") == "undefined"


def test_pages_keep_answering_while_a_crawl_writes_to_the_archive(page, offsite_requests,
                                                                  demo_blog, tmp_path):
    blog, db, log = demo_blog.url, tmp_path / "archive.db", tmp_path / "crawl.log"
    # An archive as `archiver crawl` leaves it before its first page: created, empty.
    storage.close_archive(storage.open_archive(db))
    with serving(db, tmp_path / "serve.log") as archive:
        table = archive.url("/comments")
        counts = [rows_shown(page, table)]
        with polling_over_http(archive) as answers:
            with demo_blog.holding(lambda target: target == HELD_PAGE):
                run = start_archiver("crawl", blog, "--db", db, "--log-file", log, *FAST,
                                     cwd=tmp_path)
                wait_until(lambda: comments_archived(archive, blog + OPEN_THREAD) > 0, run,
                           "a page of the open thread archived")
                thread = archive.url(f"/-/thread/{archive.post_id(blog + OPEN_THREAD)}")
                counts.append(rows_shown(page, table))
                thread_counts = [comments_shown(page, thread)]
            stdout, stderr = run.communicate(timeout=300)
        assert run.returncode == 0, stderr + log.read_text(encoding="utf-8")[-3000:]
        assert stdout == f"{blog}: ok: 20 pages, 7 posts, 58 comments, 0 errors\n"
        counts.append(rows_shown(page, table))
        thread_counts.append(comments_shown(page, thread))
    assert counts[0] == 0 and 0 < counts[1] < 58 and counts[2] == 58, counts
    assert 0 < thread_counts[0] < 42 and thread_counts[1] == 42, thread_counts
    assert answers != [] and [answer for answer in answers if answer[1:] != (200, False)] == []


def comments_archived(archive, post_url):
    ((count,),) = archive.rows("SELECT count(*) FROM comments c JOIN posts p "
                               "ON p.id = c.post_id WHERE p.url = ?", post_url)
    return count


def load(page, url):
    """Open `url` in the tab; it must answer 200 with no "database is locked"."""
    response = page.goto(url)
    html = page.content()
    assert (response.status, "database is locked" in html) == (200, False), html[:3000]


def rows_shown(page, url):
    """The row count a table page shows."""
    load(page, url)
    (count,) = re.findall(r"([\d,]+) rows?", page.title())
    return int(count.replace(",", ""))


def comments_shown(page, url):
    load(page, url)
    return page.locator(COMMENT).count()


@contextlib.contextmanager
def polling_over_http(archive):
    """Ask for the comments table (as HTML and JSON), the posts and every post's thread view,
    over and over from a thread of its own until the block ends; yields the answers so far, as
    (url, status, whether the body says "database is locked")."""
    answers = []
    done = threading.Event()

    def ask(url):
        try:
            status, _, body = get(url)
        except OSError as error:
            status, body = repr(error), b""
        answers.append((url, status, b"database is locked" in body))
        return body if status == 200 else b"[]"

    def poll():
        while not done.is_set():
            ask(archive.url("/comments"))
            ask(archive.url("/comments.json?_shape=array&_size=max"))
            posts = json.loads(ask(archive.url("/posts.json?_shape=array&_col=id&_size=max")))
            for post in posts:
                ask(archive.url(f"/-/thread/{post['id']}"))

    poller = threading.Thread(target=poll, name="http-poller")
    poller.start()
    try:
        yield answers
    finally:
        done.set()
        poller.join()
