"""Crawl a real WordPress and check the archive against what WordPress itself says it shows.

The WordPress comes from the harness in `shared/wordpress` beside the repository (or
$WP_HARNESS): Debian's wordpress, mariadb and php packages, served on loopback. The session's
seeded site (tests/conftest.py) is crawled once per theme (one classic, one block) and the
archive compared with the harness's `truth` dump. Run them alone with `pytest -m wordpress`.
"""

import json

import pytest

from tests.helpers import copy_archive
from tests.wordpress_truth import (
    TRUTH_CHECKS,
    crawl_wordpress,
    differences,
    load_rows,
    rows_by_id,
)

pytestmark = pytest.mark.wordpress

THEMES = ("twentytwentyone", "twentytwentythree")


@pytest.fixture(scope="module", params=THEMES)
def archive(request, wordpress_crawl):
    """The site crawled once under one theme, with the truth dumped under that theme."""
    return wordpress_crawl(request.param)


@pytest.mark.parametrize("check", TRUTH_CHECKS, ids=lambda check: check.__name__)
def test_the_archive_holds_what_wordpress_shows(archive, check):
    check(archive)


def test_recrawl_changes_no_rows(archive, wordpress, tmp_path):
    db = tmp_path / "archive.db"
    copy_archive(archive.db, db)
    tables = ("posts", "comments", "links")
    before = {table: rows_by_id(db, table) for table in tables}
    crawls_before = load_rows(db, "SELECT * FROM crawls ORDER BY id")
    wordpress.run("theme", archive.theme)
    crawl_wordpress(wordpress.base, db, tmp_path / "crawl.log")
    changed = {table: differences(rows_by_id(db, table), before[table]) for table in tables}
    assert changed == {table: {} for table in tables}
    crawls_after = load_rows(db, "SELECT * FROM crawls ORDER BY id")
    assert crawls_after[:1] == crawls_before
    assert [row["status"] for row in crawls_after] == ["ok", "ok"]


def test_every_thread_s_shown_count_matches_what_was_archived(archive):
    # WordPress's count (get_comments_number) takes in pingbacks and trackbacks, as its
    # headings do: the truth's comment_count is it.
    expected = {post["url"]: post["comment_count"] for post in archive.truth["posts"]
                if post["comment_count"]}
    got = {row["url"]: row["comment_count_shown"] for row in load_rows(
        archive.db, "SELECT url, comment_count_shown FROM posts "
                    "WHERE comment_count_shown IS NOT NULL")}
    assert differences(got, expected) == {}
    (row,) = load_rows(archive.db, "SELECT stats FROM crawls")
    assert json.loads(row["stats"])["archiver/comments/count_mismatch"] == 0
