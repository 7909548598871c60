"""`archiver reparse`: real archives crawled from the demo blog, re-read by real processes that
ask the blog nothing."""

import json
import os
import re
import sqlite3
from pathlib import Path

from archiver import storage
from archiver.schedule import ArchiveLock
from tests.blogserver import running
from tests.helpers import (
    DEMO_BLOG,
    EXAMPLE,
    EXAMPLE_THREAD,
    THREAD_QUERY,
    archiver,
    crawl,
    reparse,
    rows,
)

SUMMARY = "13 pages read: 7 posts, 58 comments; 0 failed to extract, 0 not a thread\n"
# What a post or comment says, without the row ids and the history of when runs saw it.
COMMENT_CONTENT = ("c.platform_id, parent.comment_key, c.parent_platform_id, c.depth, "
                   "c.position, c.comment_page, c.page_position, c.type, c.author, c.author_url, "
                   "c.permalink, c.published_shown, c.published_local, c.published_utc, "
                   "c.published_relative_to, c.body_html, c.body_text, c.source, c.comment_key")


def tables(db):
    """Every row of every table of the archive."""
    return {name: rows(db, f"SELECT * FROM [{name}] ORDER BY [{spec['pk']}]")
            for name, spec in storage.TABLES.items()}


def change(db, *statements):
    with sqlite3.connect(db) as conn:
        for statement in statements:
            conn.execute(statement)
    conn.close()


def links(db):
    """The links table without its row ids, which a row written again does not keep."""
    return rows(db, "SELECT post_id, comment_id, position, url, text, domain, external FROM links "
                    "ORDER BY post_id, comment_id, position")


def test_reparse_restores_what_an_old_extractor_left_out_without_asking_the_blog(
        demo_blog, demo_archive_copy):
    archive = demo_archive_copy
    before = tables(archive)
    before_links = links(archive)
    change(archive,
           "UPDATE posts SET title = NULL, body_html = NULL, body_text = NULL, tags = NULL",
           "UPDATE comments SET author_url = NULL, body_html = NULL, body_text = NULL, "
           "published_utc = NULL",
           "DELETE FROM links",
           "UPDATE pages SET post_id = NULL")
    asked = len(demo_blog.asked)
    assert reparse(archive) == SUMMARY
    assert demo_blog.asked[asked:] == []
    after = tables(archive)
    assert {name: after[name] for name in after if name != "links"} == \
           {name: before[name] for name in before if name != "links"}
    assert links(archive) == before_links


def test_reparse_writes_deleted_comments_again_without_history(demo_blog, demo_archive_copy):
    archive, post = demo_archive_copy, demo_blog.url + EXAMPLE
    thread = ("SELECT " + COMMENT_CONTENT + " FROM comments c JOIN posts p ON p.id = c.post_id "
              "LEFT JOIN comments parent ON parent.id = c.parent_id WHERE p.url = ? "
              "ORDER BY c.position")
    before = rows(archive, thread, post)
    ((post_id,),) = rows(archive, "SELECT id FROM posts WHERE url = ?", post)
    change(archive, f"DELETE FROM links WHERE comment_id IS NOT NULL AND post_id = {post_id}",
           f"DELETE FROM comments WHERE post_id = {post_id}")
    assert reparse(archive) == SUMMARY
    assert rows(archive, thread, post) == before
    assert rows(archive, THREAD_QUERY, post) == EXAMPLE_THREAD
    # An extractor change is no edit on the blog: the rows say no run saw them.
    assert rows(archive, "SELECT count(*), count(first_seen_utc), count(last_seen_crawl) "
                         "FROM comments WHERE post_id = ?", post_id) == [(9, 0, 0)]
    assert rows(archive, "SELECT count(*) FROM comment_versions") == [(0,)]


def test_reparse_of_an_unchanged_archive_changes_nothing(demo_archive_copy):
    archive = demo_archive_copy
    before = tables(archive)
    assert reparse(archive) == SUMMARY
    assert tables(archive) == before


def test_reparse_of_another_site_reads_nothing(demo_archive_copy):
    archive = demo_archive_copy
    before = tables(archive)
    assert reparse(archive, "--site", "blog.example") == \
        "0 pages read: 0 posts, 0 comments; 0 failed to extract, 0 not a thread\n"
    assert tables(archive) == before


def test_reparse_writes_nothing_while_another_run_writes_to_the_archive(demo_archive_copy):
    archive = demo_archive_copy
    before = tables(archive)
    with ArchiveLock(archive):
        done = archiver("reparse", "--db", archive)
    assert (done.returncode, done.stdout) == (75, "")
    assert re.fullmatch(rf"Error: {re.escape(str(archive))} is being archived by another run "
                        rf"\(pid {os.getpid()}, started \d{{4}}-\d\d-\d\dT\d\d:\d\d:\d\dZ\): "
                        r"try again later\n", done.stderr), done.stderr
    assert tables(archive) == before


def test_relative_times_count_back_from_when_the_page_was_fetched(tmp_path):
    """A comment shown "3 hours ago" on a page fetched on 1 July 2020 at noon UTC was written at
    9:00 UTC, 10:00 in the blog's zone (Europe/London, from its REST index), whenever it is read.
    The archive is one an extractor that could not read relative times left without them."""
    site = blog_with_relative_time(tmp_path / "site")
    db = tmp_path / "archive.db"
    with running(site) as url:
        crawl(url + EXAMPLE, db, tmp_path)
    change(db, "UPDATE pages SET fetched_utc = '2020-07-01T12:00:00Z' WHERE role = 'post'",
           "UPDATE comments SET published_local = NULL, published_utc = NULL, "
           "published_relative_to = NULL WHERE platform_id = '1'")
    assert reparse(db) == "1 pages read: 1 posts, 9 comments; 0 failed to extract, 0 not a thread\n"
    assert rows(db, "SELECT published_shown, published_local, published_utc, published_relative_to "
                    "FROM comments WHERE platform_id = '1'") == [
        ("3 hours ago", "2020-07-01T10:00:00+01:00", "2020-07-01T09:00:00Z",
         "2020-07-01T12:00:00Z")]


def blog_with_relative_time(folder):
    """A snapshot of the demo blog's REST index and example post, whose first comment shows
    the time it was written as "3 hours ago"."""
    manifest = json.loads((DEMO_BLOG / "manifest.json").read_text(encoding="utf-8"))
    pages = [page for page in manifest["pages"] if page["path"] in ("/wp-json/", "/" + EXAMPLE)]
    (folder / "files").mkdir(parents=True)
    for page in pages:
        body = (DEMO_BLOG / page["file"]).read_bytes()
        if page["path"] != "/wp-json/":
            shown = b'<time datetime="2014-08-12T14:15:00+01:00">August 12, 2014 at 2:15 pm</time>'
            assert body.count(shown) == 1
            body = body.replace(shown, b"<time>3 hours ago</time>")
        (folder / page["file"]).write_bytes(body)
    (folder / "manifest.json").write_text(json.dumps({**manifest, "pages": pages}),
                                          encoding="utf-8")
    return Path(folder)
