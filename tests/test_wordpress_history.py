"""Keeping a real WordPress's archive current: crawl it, change it as readers and moderators do
(new comments, a reply on a later comment page, an edit, a trash, a late approval, an edited
post, a trashed post), crawl again, and check the exact rows, versions and removals against
what WordPress says it shows. Run with `pytest -m wordpress`.
"""

import json
import sqlite3
import subprocess
import sys

import pytest

from tests.helpers import ROOT, copy_archive, rows, wait_until
from tests.wordpress_harness import (
    SEED,
    change_the_blog,
    live_threads,
    seeded_site,
    truth_threads,
)
from tests.wordpress_truth import crawl_wordpress, load_rows

pytestmark = pytest.mark.wordpress

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
def site(wordpress_harness, tmp_path_factory):
    """A seeded WordPress of this module's own, which its tests change."""
    with seeded_site(wordpress_harness, tmp_path_factory.mktemp("wordpress"), *SEED) as site:
        yield site


@pytest.fixture(scope="module")
def history(site, tmp_path_factory):
    """One archive through four runs: first, unchanged, after the changes, and full again;
    and a copy of it after the first."""
    folder = tmp_path_factory.mktemp("history")
    db = folder / "archive.db"
    before = site.truth()
    crawl_wordpress(site.base, db, folder / "first.log")
    first = {table: table_rows(db, table) for table in TABLES}
    copy_archive(db, folder / "first.db")
    crawl_wordpress(site.base, db, folder / "unchanged.log")
    unchanged = {table: table_rows(db, table) for table in TABLES}
    read_unchanged = threads_read(db, 2)
    changes = change_the_blog(site, before)
    after = site.truth()
    crawl_wordpress(site.base, db, folder / "changed.log")
    changed = {table: table_rows(db, table, SIGHTING) for table in TABLES}
    read_again = threads_read(db, 3)
    crawl_wordpress(site.base, db, folder / "full.log", "-a", "full=1")
    return {"db": db, "first_db": folder / "first.db", "before": before, "after": after,
            "changes": changes, "first": first, "unchanged": unchanged, "changed": changed,
            "read_unchanged": read_unchanged, "read_again": read_again}


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
    changes = history["changes"]
    trashed = next(c for c in history["before"]["comments"] if c["id"] == changes.trashed)
    assert [(row["platform_id"], row["removed_by_crawl"], " ".join(row["body_text"].split()))
            for row in removed] == [(str(trashed["id"]), 3, trashed["content_text"])]
    gone = next(p for p in history["before"]["posts"] if p["id"] == changes.trashed_post)
    assert load_rows(db, "SELECT url, title, removed_by_crawl FROM posts "
                         "WHERE removed_utc IS NOT NULL") == [
        {"url": gone["url"], "title": gone["title"], "removed_by_crawl": 3}]
    assert load_rows(db, "SELECT count(*) AS n FROM comments "
                         "JOIN posts ON posts.id = comments.post_id WHERE posts.url = ?",
                     gone["url"]) == [{"n": gone["comment_count"]}]


def test_new_comments_are_added_with_their_run_and_the_reply_on_its_page(history):
    db, changes = history["db"], history["changes"]
    truth = {c["id"]: c for c in history["after"]["comments"]}
    for comment_id in (*changes.new, changes.approved):
        row = comment_row(db, comment_id)
        assert (row["first_seen_crawl"], row["author"], " ".join(row["body_text"].split())) == (
            3, truth[comment_id]["author"], truth[comment_id]["content_text"])
    reply = comment_row(db, changes.reply)
    parent = load_rows(db, "SELECT platform_id FROM comments WHERE id = ?", reply["parent_id"])
    assert (parent, reply["comment_page"]) == (
        [{"platform_id": str(truth[changes.reply]["parent_id"])}], 2)


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
def resumed(site, history, tmp_path_factory):
    """An archive of the site before the changes, whose run after them was killed (SIGKILL)
    once it had marked the changed threads stale and before it had read them all, then run
    again to the end."""
    folder = tmp_path_factory.mktemp("resumed")
    db = folder / "archive.db"
    copy_archive(history["first_db"], db)
    # One request at a time, slowly: the changed threads are read over several seconds.
    killed = subprocess.Popen(
        [sys.executable, "-m", "scrapy", "crawl", "blog", "-a", f"url={site.base}/",
         "-s", f"ARCHIVE_DB={db}", "-s", "DOWNLOAD_DELAY=0.5", "-s", "AUTOTHROTTLE_ENABLED=False",
         "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=1", "-s", f"LOG_FILE={folder / 'killed.log'}"],
        cwd=ROOT, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL)
    try:
        # It reads them again only after marking them all, and clears the marks as it ends.
        count = len(history["changes"].posts)
        wait_until(lambda: stale_threads(db) >= count, killed, f"{count} threads marked stale")
    finally:
        killed.kill()
        killed.wait()
    state = {"integrity": load_rows(db, "PRAGMA integrity_check"),
             "killed": load_rows(db, "SELECT status, finished_utc FROM crawls WHERE id = 2")}
    crawl_wordpress(site.base, db, folder / "resumed.log")
    return {"db": db, "changes": history["changes"], "after": history["after"], **state}


def stale_threads(db):
    """How many threads a run has marked stale in the archive at `db`, read-only."""
    try:
        return rows(db, "SELECT count(*) FROM posts WHERE stale_utc IS NOT NULL")[0][0]
    except sqlite3.OperationalError:  # the run is migrating the archive
        return 0


def test_a_run_killed_mid_way_leaves_a_sound_archive_the_next_run_completes(resumed):
    db, changes = resumed["db"], resumed["changes"]
    assert resumed["integrity"] == [{"integrity_check": "ok"}]
    assert resumed["killed"] == [{"status": "running", "finished_utc": None}]
    assert live_threads(db) == truth_threads(resumed["after"])
    assert [row["platform_id"] for row in load_rows(
        db, "SELECT platform_id FROM comments WHERE removed_utc IS NOT NULL")] == [
        str(changes.trashed)]
    versions = load_rows(db, "SELECT comments.platform_id FROM comment_versions "
                             "JOIN comments ON comments.id = comment_versions.comment_id")
    assert versions == [{"platform_id": str(changes.edited)}]
    assert load_rows(db, "SELECT count(*) AS n FROM post_versions") == [{"n": 1}]
    assert load_rows(db, "SELECT count(*) AS n FROM posts "
                         "WHERE stale_utc IS NOT NULL") == [{"n": 0}]
    on_live_posts = load_rows(db, "SELECT count(*) AS n, count(DISTINCT comments.platform_id) "
                                  "AS ids FROM comments JOIN posts ON posts.id = comments.post_id "
                                  "WHERE posts.removed_utc IS NULL")
    assert on_live_posts == [{"n": len(resumed["after"]["comments"]) + 1,
                              "ids": len(resumed["after"]["comments"]) + 1}]
    assert [row["platform_id"] for row in load_rows(
        db, "SELECT platform_id FROM posts WHERE removed_utc IS NOT NULL")] == [
        str(changes.trashed_post)]
