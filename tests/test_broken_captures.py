"""A capture that is not the page as the blog shows it (undecodable bytes, a page cut short)
never becomes a version: the thread read from it is read again by the next run, and repaired
in place when a whole capture comes."""

import json

import pytest

from tests.helpers import DEMO_BLOG, EXAMPLE, EXAMPLE_THREAD, THREAD_QUERY, crawl, rows

# The example thread's post page and its first comment page show the same comments.
EXAMPLE_FILES = {f"/{EXAMPLE}": "files/13.html", f"/{EXAMPLE}comment-page-1/": "files/32.html"}
FIRST_COMMENT = b"Worth reading alongside this, from a rather different angle"
# The first comment as the blog shows it once fixed: with a character of two bytes in UTF-8.
FIXED = "Wörth reading alongside this, from a rather different angle".encode()
# Captures of it that are not the page: a byte UTF-8 has no character for, and the page cut
# off in the middle of the comment.
BROKEN = {"undecodable": lambda page: page.replace(FIXED, FIXED.replace(b"\xc3\xb6", b"\xf6")),
          "truncated": lambda page: page[:page.index(FIXED) + 30]}


FIRST_COMMENT_TEXT = "SELECT body_text FROM comments WHERE platform_id = '1'"


def demo_blog_showing(tmp_path, name, change):
    """A snapshot of the demo blog whose example thread pages are `change`d: a folder."""
    folder = tmp_path / name
    folder.mkdir()
    manifest = json.loads((DEMO_BLOG / "manifest.json").read_text(encoding="utf-8"))
    for page in manifest["pages"]:
        page["file"] = str(DEMO_BLOG / page["file"])
        if page["path"] in EXAMPLE_FILES:
            changed = folder / EXAMPLE_FILES[page["path"]].replace("/", "-")
            changed.write_bytes(change((DEMO_BLOG / EXAMPLE_FILES[page["path"]]).read_bytes()))
            page["file"] = str(changed)
    (folder / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    return folder


def fixed(page):
    return page.replace(FIRST_COMMENT, FIXED)


def history(db):
    """What a run could have filed as edits: versions, and comments marked edited."""
    return rows(db, "SELECT (SELECT count(*) FROM comment_versions), "
                    "(SELECT count(*) FROM post_versions), "
                    "(SELECT count(*) FROM comments WHERE edited_utc IS NOT NULL)")


def example_post(db, blog):
    return rows(db, "SELECT broken_utc IS NOT NULL, stale_utc IS NOT NULL, "
                    "thread_read_utc IS NOT NULL FROM posts WHERE url = ?", blog.url + EXAMPLE)


@pytest.mark.parametrize("kind", BROKEN)
def test_a_thread_read_from_a_broken_capture_is_read_again_and_repaired(demo_blog, demo_archive,
                                                                        tmp_path, kind):
    db = tmp_path / "archive.db"
    with demo_blog.showing(demo_blog_showing(tmp_path, "broken", lambda page:
                                             BROKEN[kind](fixed(page)))):
        log = crawl(demo_blog.url, db, tmp_path)
    assert f"Broken capture of {demo_blog.url}{EXAMPLE} ({kind})" in log
    ((status, errors, failed),) = rows(db, "SELECT status, errors, failed_urls FROM crawls")
    assert (status, errors, json.loads(failed)) == (
        "partial", 1, [{"url": demo_blog.url + EXAMPLE, "role": "post", "reason": kind}])
    # Archived as far as it goes, marked, and left for the next run.
    assert example_post(db, demo_blog) == [(1, 1, 0)]
    with demo_blog.showing(demo_blog_showing(tmp_path, "fixed", fixed)):
        log = crawl(demo_blog.url, db, tmp_path)
    assert "'archiver/posts/read_again/stale': 1" in log
    assert rows(db, "SELECT mode, status, errors, comments_changed FROM crawls WHERE id = 2") == [
        ("incremental", "ok", 0, 0)]
    assert rows(db, THREAD_QUERY, demo_blog.url + EXAMPLE) == EXAMPLE_THREAD
    ((whole,),) = rows(demo_archive, FIRST_COMMENT_TEXT)
    assert rows(db, FIRST_COMMENT_TEXT) == [(whole.replace("Worth", "Wörth", 1),)]
    assert history(db) == [(0, 0, 0)]
    assert example_post(db, demo_blog) == [(0, 0, 1)]


def test_a_broken_capture_leaves_a_thread_read_whole_as_it_is(demo_blog, demo_archive_copy,
                                                             tmp_path):
    db = demo_archive_copy
    texts = ("SELECT id, author, author_url, body_html, body_text, edited_utc, removed_utc "
             "FROM comments ORDER BY id")
    before = rows(db, texts)
    # The blog shows an edit of the first comment, in a capture that cannot be read whole.
    broken = demo_blog_showing(tmp_path, "broken",
                               lambda page: BROKEN["undecodable"](fixed(page)))
    with demo_blog.showing(broken):
        crawl(demo_blog.url, db, tmp_path, "-a", "full=1")
    assert rows(db, texts) == before
    assert history(db) == [(0, 0, 0)]
    assert example_post(db, demo_blog) == [(0, 1, 1)]
