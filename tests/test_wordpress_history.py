"""Keeping a real WordPress's archive current: crawl it, change it as readers and moderators do
(new comments, a reply on a later comment page, an edit, a trash, a late approval, an edited
post, a trashed post), crawl again, and check the exact rows, versions and removals against what WordPress
says it shows. Run with `pytest -m wordpress`.
"""

import contextlib
import json
import sqlite3
import subprocess
import sys
import time

import pytest

from tests.test_wordpress_live import REPO, crawl, load_rows
from tests.wordpress_harness import (
    change_the_blog,
    harness_path,
    live_threads,
    missing_prerequisite,
    seeded_site,
    truth_threads,
)

pytestmark = pytest.mark.wordpress

SEED = ("30", "40")
TABLES = ("posts", "comments", "links")
# Bookkeeping a run that reads a thread again rewrites whatever it finds.
SIGHTING = {"last_seen_utc", "last_seen_crawl", "thread_read_utc"}


def table_rows(db, table, without=()):
    return {row["id"]: {key: value for key, value in row.items() if key not in without}
            for row in load_rows(db, f"SELECT * FROM {table}")}


def crawl_row(db, crawl_id):
    counts = ("mode", "status", "posts_new", "posts_changed", "posts_removed", "comments_new",
              "comments_changed", "comments_removed", "errors")
    row = load_rows(db, "SELECT * FROM crawls WHERE id = ?", crawl_id)[0]
    return {key: row[key] for key in counts}


def comment_row(db, comment_id):
    return load_rows(db, "SELECT * FROM comments WHERE platform_id = ?", str(comment_id))[0]


def threads_read(db, crawl_id):
    """The WordPress ids of the posts whose pages a run fetched (pages keep their latest fetch:
    ask before the next run)."""
    return {int(row["platform_id"]) for row in load_rows(
        db, "SELECT DISTINCT posts.platform_id FROM pages JOIN posts ON posts.url = pages.url "
            "WHERE pages.crawl_id = ? AND pages.role = 'post'", crawl_id)}


@pytest.fixture(scope="module")
def harness():
    path = harness_path()
    reason = missing_prerequisite(path)
    if reason:
        pytest.skip(reason)
    return path


@pytest.fixture(scope="module")
def history(harness, tmp_path_factory):
    """One archive through four runs: first, unchanged, after the changes, and full again."""
    folder = tmp_path_factory.mktemp("history")
    db = folder / "archive.db"
    with seeded_site(harness, folder / "wordpress", *SEED) as site:
        before = site.truth()
        crawl(site.base, db, folder / "first.log")
        first = {table: table_rows(db, table) for table in TABLES}
        crawl(site.base, db, folder / "unchanged.log")
        unchanged = {table: table_rows(db, table) for table in TABLES}
        read_unchanged = threads_read(db, 2)
        changes = change_the_blog(site, before)
        after = site.truth()
        crawl(site.base, db, folder / "changed.log")
        changed = {table: table_rows(db, table, SIGHTING) for table in TABLES}
        read_again = threads_read(db, 3)
        crawl(site.base, db, folder / "full.log", "-a", "full=1")
    return {"db": db, "before": before, "after": after, "changes": changes, "first": first,
            "unchanged": unchanged, "changed": changed, "read_unchanged": read_unchanged,
            "read_again": read_again}


def test_a_run_with_nothing_changed_reads_no_thread_and_changes_no_row(history):
    db = history["db"]
    assert history["unchanged"] == history["first"]
    assert crawl_row(db, 2) == {
        "mode": "incremental", "status": "ok", "posts_new": 0, "posts_changed": 0,
        "posts_removed": 0, "comments_new": 0, "comments_changed": 0, "comments_removed": 0,
        "errors": 0}
    assert history["read_unchanged"] == set()


def test_the_run_after_the_changes_reads_exactly_the_changed_threads(history):
    db, changes = history["db"], history["changes"]
    assert history["read_again"] == changes.posts
    assert crawl_row(db, 3) == {
        "mode": "incremental", "status": "ok", "posts_new": 0, "posts_changed": 1,
        "posts_removed": 1, "comments_new": len(changes.new) + 1, "comments_changed": 1,
        "comments_removed": 1, "errors": 0}


def test_the_archive_then_holds_what_wordpress_shows_and_what_it_no_longer_does(history):
    db, after = history["db"], history["after"]
    assert live_threads(db) == truth_threads(after)
    removed = load_rows(db, "SELECT platform_id, removed_by_crawl, body_text FROM comments "
                            "WHERE removed_utc IS NOT NULL")
    trashed = next(c for c in history["before"]["comments"] if c["id"] == history["changes"].trashed)
    assert [(row["platform_id"], row["removed_by_crawl"], " ".join(row["body_text"].split()))
            for row in removed] == [(str(trashed["id"]), 3, trashed["content_text"])]
    gone = next(p for p in history["before"]["posts"] if p["id"] == history["changes"].trashed_post)
    assert load_rows(db, "SELECT url, title, removed_by_crawl FROM posts WHERE removed_utc IS NOT NULL") == [
        {"url": gone["url"], "title": gone["title"], "removed_by_crawl": 3}]
    assert load_rows(db, "SELECT count(*) AS n FROM comments JOIN posts ON posts.id = comments.post_id "
                         "WHERE posts.url = ?", gone["url"]) == [{"n": gone["comment_count"]}]


def test_new_comments_are_added_with_their_run_and_the_reply_on_its_page(history):
    db, changes = history["db"], history["changes"]
    truth = {c["id"]: c for c in history["after"]["comments"]}
    for comment_id in (*changes.new, changes.approved):
        row = comment_row(db, comment_id)
        assert (row["first_seen_crawl"], row["author"], " ".join(row["body_text"].split())) == (
            3, truth[comment_id]["author"], truth[comment_id]["content_text"])
    reply = comment_row(db, changes.reply)
    parent = load_rows(db, "SELECT platform_id FROM comments WHERE id = ?", reply["parent_id"])
    assert (parent, reply["comment_page"]) == ([{"platform_id": str(truth[changes.reply]["parent_id"])}], 2)


def test_an_edited_comment_keeps_its_earlier_text_as_a_version(history):
    db, changes = history["db"], history["changes"]
    earlier = next(c for c in history["before"]["comments"] if c["id"] == changes.edited)
    now = next(c for c in history["after"]["comments"] if c["id"] == changes.edited)
    row = comment_row(db, changes.edited)
    first_run = load_rows(db, "SELECT started_utc FROM crawls WHERE id = 1")[0]["started_utc"]
    versions = load_rows(db, "SELECT * FROM comment_versions")
    assert [(v["comment_id"], v["version"], v["author"], " ".join(v["body_text"].split()),
             v["first_seen_utc"] >= first_run, v["replaced_by_crawl"]) for v in versions] == [
        (row["id"], 1, earlier["author"], earlier["content_text"], True, 3)]
    assert (" ".join(row["body_text"].split()), row["edited_utc"]) == (
        now["content_text"], versions[0]["replaced_utc"])


def test_an_edited_post_keeps_its_earlier_text_as_a_version(history):
    db, changes = history["db"], history["changes"]
    earlier = next(p for p in history["before"]["posts"] if p["id"] == changes.edited_post)
    now = next(p for p in history["after"]["posts"] if p["id"] == changes.edited_post)
    versions = load_rows(db, "SELECT post_versions.*, posts.platform_id FROM post_versions "
                             "JOIN posts ON posts.id = post_versions.post_id")
    assert [(v["platform_id"], v["version"], v["title"], " ".join(v["body_text"].split()),
             v["replaced_by_crawl"]) for v in versions] == [
        (str(changes.edited_post), 1, earlier["title"], earlier["content_text"], 3)]
    post = load_rows(db, "SELECT body_text, edited_utc FROM posts WHERE platform_id = ?",
                     str(changes.edited_post))[0]
    assert " ".join(post["body_text"].split()) == now["content_text"] and post["edited_utc"]


def test_a_full_run_afterwards_reads_everything_and_finds_nothing_new(history):
    db = history["db"]
    assert {table: table_rows(db, table, SIGHTING) for table in TABLES} == history["changed"]
    assert crawl_row(db, 4) == {
        "mode": "full", "status": "ok", "posts_new": 0, "posts_changed": 0, "posts_removed": 0,
        "comments_new": 0, "comments_changed": 0, "comments_removed": 0, "errors": 0}
    arguments = load_rows(db, "SELECT arguments FROM crawls WHERE id = 4")[0]["arguments"]
    assert json.loads(arguments)["full"] == "1"


@pytest.fixture(scope="module")
def resumed(harness, tmp_path_factory):
    """An archive whose run after the changes was killed (SIGKILL) once it had marked the changed
    threads stale and before it had read them all, then run again to the end."""
    folder = tmp_path_factory.mktemp("resumed")
    db = folder / "archive.db"
    with seeded_site(harness, folder / "wordpress", *SEED) as site:
        crawl(site.base, db, folder / "first.log")
        changes = change_the_blog(site, site.truth())
        after = site.truth()
        # One request at a time, slowly: the changed threads are read over several seconds.
        killed = subprocess.Popen(
            [sys.executable, "-m", "scrapy", "crawl", "blog", "-a", f"url={site.base}/",
             "-s", f"ARCHIVE_DB={db}", "-s", "DOWNLOAD_DELAY=0.5", "-s", "AUTOTHROTTLE_ENABLED=False",
             "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=1", "-s", f"LOG_FILE={folder / 'killed.log'}"],
            cwd=REPO, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            wait_until_stale(db, killed, len(changes.posts))
        finally:
            killed.kill()
            killed.wait()
        state = {"integrity": load_rows(db, "PRAGMA integrity_check"),
                 "killed": load_rows(db, "SELECT status, finished_utc FROM crawls WHERE id = 2")}
        crawl(site.base, db, folder / "resumed.log")
    return {"db": db, "changes": changes, "after": after, **state}


def wait_until_stale(db, process, count):
    """Poll the archive, read-only, until a run has marked `count` threads stale (it reads them
    again only after that, and clears the marks only when it ends)."""
    deadline = time.monotonic() + 120
    while True:
        assert process.poll() is None, f"the run ended before it marked {count} threads stale"
        assert time.monotonic() < deadline, f"{count} threads were never marked stale"
        try:
            with contextlib.closing(sqlite3.connect(f"file:{db}?mode=ro", uri=True)) as conn:
                stale = conn.execute("SELECT count(*) FROM posts WHERE stale_utc IS NOT NULL").fetchone()[0]
        except sqlite3.OperationalError:  # the run is migrating the archive
            stale = 0
        if stale >= count:
            return
        time.sleep(0.01)


def test_a_run_killed_mid_way_leaves_a_sound_archive_the_next_run_completes(resumed):
    db, changes = resumed["db"], resumed["changes"]
    assert resumed["integrity"] == [{"integrity_check": "ok"}]
    assert resumed["killed"] == [{"status": "running", "finished_utc": None}]
    assert live_threads(db) == truth_threads(resumed["after"])
    assert [row["platform_id"] for row in load_rows(db, "SELECT platform_id FROM comments "
                                                        "WHERE removed_utc IS NOT NULL")] == [str(changes.trashed)]
    versions = load_rows(db, "SELECT comments.platform_id FROM comment_versions "
                             "JOIN comments ON comments.id = comment_versions.comment_id")
    assert versions == [{"platform_id": str(changes.edited)}]
    assert load_rows(db, "SELECT count(*) AS n FROM post_versions") == [{"n": 1}]
    assert load_rows(db, "SELECT count(*) AS n FROM posts WHERE stale_utc IS NOT NULL") == [{"n": 0}]
    on_live_posts = load_rows(db, "SELECT count(*) AS n, count(DISTINCT comments.platform_id) AS ids "
                                  "FROM comments JOIN posts ON posts.id = comments.post_id "
                                  "WHERE posts.removed_utc IS NULL")
    assert on_live_posts == [{"n": len(resumed["after"]["comments"]) + 1,
                              "ids": len(resumed["after"]["comments"]) + 1}]
    assert [row["platform_id"] for row in load_rows(db, "SELECT platform_id FROM posts WHERE "
                                                        "removed_utc IS NOT NULL")] == [str(changes.trashed_post)]
