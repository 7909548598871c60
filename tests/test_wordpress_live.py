"""Crawl a real WordPress and check the archive against what WordPress itself says it shows.

The WordPress comes from the harness in `shared/wordpress` beside the repository (or
$WP_HARNESS): Debian's wordpress, mariadb and php packages, served on loopback. The tests
start a site of their own in pytest's temporary directory, seed it, crawl it once per theme
(one classic, one block) and compare the archive with the harness's `truth` dump.
Run them alone with `pytest -m wordpress`.
"""

import contextlib
import json
import sqlite3
import subprocess
import sys
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from tests.wordpress_harness import harness_path, missing_prerequisite, seeded_site

pytestmark = pytest.mark.wordpress

REPO = Path(__file__).resolve().parents[1]
THEMES = ("twentytwentyone", "twentytwentythree")
SEED = ("30", "40")
# The seed's one WordPress page: not a post, but a thread page all the same.
ABOUT_PAGE = "/about-this-blog/"
# WordPress's default `posts_per_rss`, which the harness keeps.
POSTS_PER_RSS = 10
REFERENCE_POST = 1
# Thread order of the reference post: 8 replies to 6 and 9 to 8, so both come before 7.
REFERENCE_THREAD = (1, 2, 3, 4, 5, 6, 8, 9, 7)
HIDDEN = "HIDDEN-"
# Stands for a key one side of a comparison lacks, so that it never equals a None.
ABSENT = "(absent)"
TYPOGRAPHIC = str.maketrans({"’": "'", "‘": "'", "“": '"', "”": '"'})
CRAWL_TIMEOUT = 10 * 60


@dataclass(frozen=True)
class Crawl:
    """One theme's crawl: the truth WordPress dumped just before it, and the archive it made."""

    theme: str
    truth: dict
    db: Path


def crawl(base, db, log, *args):
    """Crawl the whole blog into `db`, as a user would from the repository root."""
    command = [sys.executable, "-m", "scrapy", "crawl", "blog", "-a", f"url={base}/",
               "-s", f"ARCHIVE_DB={db}", "-s", "DOWNLOAD_DELAY=0",
               "-s", "AUTOTHROTTLE_ENABLED=False", "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=8",
               "-s", f"LOG_FILE={log}", *args]
    result = subprocess.run(command, cwd=REPO, stdin=subprocess.DEVNULL, capture_output=True,
                            text=True, timeout=CRAWL_TIMEOUT)
    assert result.returncode == 0, (f"crawl exited {result.returncode}; log tail:\n{tail(log)}\n"
                                    f"stderr:\n{result.stderr[-3000:]}")


def tail(path, lines=40):
    """The last lines of a text file, or a note that it was never written."""
    if not path.exists():
        return f"({path.name} was not written)"
    return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])


def load_rows(db, sql, *params):
    """The rows a query gives, as dicts."""
    with contextlib.closing(sqlite3.connect(db)) as conn:
        conn.row_factory = sqlite3.Row
        return [dict(row) for row in conn.execute(sql, params)]


def rows_by_id(db, table):
    """Every row of a table, by id."""
    return {row["id"]: row for row in load_rows(db, f"SELECT * FROM {table}")}


def copy_archive(source, target):
    """Copy an SQLite archive with SQLite's own backup, so the copy is consistent."""
    with contextlib.closing(sqlite3.connect(source)) as src, \
            contextlib.closing(sqlite3.connect(target)) as dst:
        src.backup(dst)


def differences(got, expected):
    """The keys whose values differ between two dicts, each with (got, expected)."""
    # Under CI pytest prints whole operands; this keeps a failure's report to what differs.
    keys = got.keys() | expected.keys()
    pairs = {key: (got.get(key, ABSENT), expected.get(key, ABSENT)) for key in keys}
    return {key: pair for key, pair in pairs.items() if pair[0] != pair[1]}


def normalise_author(name):
    """A name with typographic quotes made plain: block themes texturize names as displayed."""
    return name.translate(TYPOGRAPHIC) if name else name


def minute(timestamp):
    """An ISO timestamp cut to the minute, the precision every page shows."""
    return timestamp[:16] if timestamp else None


def to_utc(local):
    """An ISO time with offset, as the same instant in UTC."""
    instant = datetime.fromisoformat(local).astimezone(timezone.utc)
    return instant.strftime("%Y-%m-%dT%H:%M:%SZ")


def in_dst_gap(wall, zone):
    """Whether an ISO time's wall clock reading, offset ignored, never happens in `zone`."""
    naive = datetime.fromisoformat(wall).replace(tzinfo=None)
    round_trip = naive.replace(tzinfo=zone).astimezone(timezone.utc).astimezone(zone)
    return round_trip.replace(tzinfo=None) != naive


def truth_utc(item, zone):
    """The UTC time of a truth post or comment, to the minute."""
    utc = to_utc(item["date_local"])
    if in_dst_gap(utc, zone):
        # The harness prints date_gmt by reading WordPress's stored GMT time as a wall time in
        # the site's zone, so a GMT time in the hour the clocks skip comes out an hour late;
        # date_local is converted from the same stored time correctly.
        return minute(utc)
    return minute(item["date_gmt"])


def newest_in_feed(comments):
    """Ids of the comments in each post's comment feed: its newest POSTS_PER_RSS by GMT date."""
    by_post = defaultdict(list)
    for comment in comments:
        by_post[comment["post_id"]].append(comment)
    newest = (sorted(thread, key=lambda c: c["date_gmt"], reverse=True)[:POSTS_PER_RSS]
              for thread in by_post.values())
    return {comment["id"] for thread in newest for comment in thread}


def truth_posts(archive):
    """The truth's posts by WordPress id."""
    return {post["id"]: post for post in archive.truth["posts"]}


def archived_comments(archive):
    """The archived row of each truth comment that was archived, by WordPress comment id."""
    rows = {(row["post_url"], row["platform_id"]): row for row in load_rows(
        archive.db,
        "SELECT posts.url AS post_url, comments.platform_id, comments.type, comments.author, "
        "comments.published_utc, parent.platform_id AS parent "
        "FROM comments JOIN posts ON posts.id = comments.post_id "
        "LEFT JOIN comments AS parent ON parent.id = comments.parent_id")}
    posts = truth_posts(archive)
    keys = {comment["id"]: (posts[comment["post_id"]]["url"], str(comment["id"]))
            for comment in archive.truth["comments"]}
    return {comment_id: rows[key] for comment_id, key in keys.items() if key in rows}


@pytest.fixture(scope="module")
def wordpress(tmp_path_factory):
    """A seeded WordPress of our own on a free loopback port; stopped and wiped afterwards."""
    harness = harness_path()
    reason = missing_prerequisite(harness)
    if reason:
        pytest.skip(reason)
    with seeded_site(harness, tmp_path_factory.mktemp("wordpress-state"), *SEED) as site:
        yield site


@pytest.fixture(scope="module", params=THEMES)
def archive(request, wordpress, tmp_path_factory):
    """The site crawled once under one theme, with the truth dumped under that theme."""
    theme = request.param
    folder = tmp_path_factory.mktemp(theme)
    wordpress.run("theme", theme)
    truth = wordpress.run("truth")
    (folder / "truth.json").write_text(truth)
    crawl(wordpress.base, folder / "archive.db", folder / "crawl.log")
    return Crawl(theme, json.loads(truth), folder / "archive.db")


def test_every_post_archived_with_title_author_and_time(archive):
    zone = ZoneInfo(archive.truth["site"]["timezone"])
    expected = {post["url"]: (post["title"], normalise_author(post["author"]),
                              truth_utc(post, zone)) for post in archive.truth["posts"]}
    rows = load_rows(archive.db, "SELECT url, title, author, published_utc FROM posts")
    got = {row["url"]: (row["title"], normalise_author(row["author"]),
                        minute(row["published_utc"])) for row in rows if row["url"] in expected}
    assert differences(got, expected) == {}


def test_only_extra_thread_is_the_about_page(archive):
    urls = {row["url"] for row in load_rows(archive.db, "SELECT url FROM posts")}
    extra = urls - {post["url"] for post in archive.truth["posts"]}
    assert extra == {archive.truth["site"]["home"] + ABOUT_PAGE}


def test_every_approved_comment_archived_once(archive):
    posts = truth_posts(archive)
    expected = Counter((posts[comment["post_id"]]["url"], str(comment["id"]))
                       for comment in archive.truth["comments"])
    got = Counter((row["url"], row["platform_id"]) for row in load_rows(
        archive.db, "SELECT posts.url, comments.platform_id "
                    "FROM comments JOIN posts ON posts.id = comments.post_id"))
    assert differences(got, expected) == {}


def test_comment_authors(archive):
    expected = {c["id"]: normalise_author(c["author"]) for c in archive.truth["comments"]}
    got = {cid: normalise_author(row["author"]) for cid, row in archived_comments(archive).items()}
    assert differences(got, expected) == {}


def test_comment_parents(archive):
    expected = {c["id"]: str(c["parent_id"]) if c["parent_id"] else None
                for c in archive.truth["comments"]}
    got = {cid: row["parent"] for cid, row in archived_comments(archive).items()}
    assert differences(got, expected) == {}


def test_comment_types(archive):
    expected = {c["id"]: c["type"] for c in archive.truth["comments"]}
    got = {cid: row["type"] for cid, row in archived_comments(archive).items()}
    assert differences(got, expected) == {}


def test_comment_times(archive):
    comments = archive.truth["comments"]
    zone = ZoneInfo(archive.truth["site"]["timezone"])
    # A classic theme prints no time for pingbacks and trackbacks, so the post's comment
    # feed, which lists only its newest comments, is the one public source of theirs.
    pings = {c["id"] for c in comments if c["type"] != "comment"}
    undated = set() if archive.truth["site"]["block_theme"] else pings - newest_in_feed(comments)
    expected = {c["id"]: None if c["id"] in undated else truth_utc(c, zone) for c in comments}
    got = {cid: minute(row["published_utc"]) for cid, row in archived_comments(archive).items()}
    assert differences(got, expected) == {}


def test_comment_links(archive):
    expected = {str(c["id"]): c["links"] for c in archive.truth["comments"]}
    got = defaultdict(list)
    for row in load_rows(archive.db, "SELECT comments.platform_id, links.url FROM links "
                                     "JOIN comments ON comments.id = links.comment_id "
                                     "ORDER BY links.comment_id, links.position"):
        got[row["platform_id"]].append(row["url"])
    assert differences({cid: got[cid] for cid in expected}, expected) == {}


def test_no_hidden_content(archive):
    leaks = load_rows(
        archive.db,
        "SELECT 'posts' AS tbl, id FROM posts WHERE instr(title, ?1) OR instr(author, ?1) "
        "OR instr(body_text, ?1) OR instr(body_html, ?1) "
        "UNION ALL SELECT 'comments', id FROM comments WHERE instr(author, ?1) "
        "OR instr(body_text, ?1) OR instr(body_html, ?1)", HIDDEN)
    assert leaks == []


def test_post_outbound_links(archive):
    missing = {}
    for post in archive.truth["posts"]:
        stored = {row["url"] for row in load_rows(
            archive.db, "SELECT links.url FROM links JOIN posts ON posts.id = links.post_id "
                        "WHERE posts.url = ? AND links.comment_id IS NULL", post["url"])}
        missing[post["url"]] = sorted(set(post["outbound_links"]) - stored)
    assert {url: links for url, links in missing.items() if links} == {}


def test_reference_thread_order_and_local_times(archive):
    truth = {c["id"]: c for c in archive.truth["comments"]}
    rows = load_rows(
        archive.db, "SELECT comments.platform_id, comments.type, comments.author, "
                    "comments.published_local FROM comments "
                    "JOIN posts ON posts.id = comments.post_id "
                    "WHERE posts.url = ? ORDER BY comments.position",
        truth_posts(archive)[REFERENCE_POST]["url"])
    got = [(row["platform_id"], row["type"], normalise_author(row["author"])) for row in rows]
    assert got == [(str(cid), truth[cid]["type"], normalise_author(truth[cid]["author"]))
                   for cid in REFERENCE_THREAD]
    # Local times keep the blog's own offset (+01:00, British Summer Time in August).
    assert [row["published_local"] for row in rows] == [
        truth[cid]["date_local"] for cid in REFERENCE_THREAD]


def test_recrawl_changes_no_rows(archive, wordpress, tmp_path):
    db = tmp_path / "archive.db"
    copy_archive(archive.db, db)
    tables = ("posts", "comments", "links")
    before = {table: rows_by_id(db, table) for table in tables}
    crawls_before = load_rows(db, "SELECT * FROM crawls ORDER BY id")
    wordpress.run("theme", archive.theme)
    crawl(wordpress.base, db, tmp_path / "crawl.log")
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
        archive.db, "SELECT url, comment_count_shown FROM posts WHERE comment_count_shown IS NOT NULL")}
    assert differences(got, expected) == {}
    (row,) = load_rows(archive.db, "SELECT stats FROM crawls")
    assert json.loads(row["stats"])["archiver/comments/count_mismatch"] == 0
