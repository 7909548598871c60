"""An archive of the harness's WordPress (tests/wordpress_harness.py) against what WordPress says
its site shows, the `truth` dump: how the tests marked `wordpress` crawl the site, read both
sides and compare them, and TRUTH_CHECKS, which every whole crawl of the seeded site passes."""

from __future__ import annotations

import contextlib
import sqlite3
import subprocess
import sys
from collections import Counter, defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from tests.helpers import ROOT
from tests.wordpress_harness import REFERENCE_POST

CRAWL_TIMEOUT = 10 * 60
# The seed's one WordPress page: not a post, but a thread page all the same.
ABOUT_PAGE = "/about-this-blog/"
# WordPress's default `posts_per_rss`, which the harness keeps.
POSTS_PER_RSS = 10
# Thread order of the reference post: 8 replies to 6 and 9 to 8, so both come before 7.
REFERENCE_THREAD = (1, 2, 3, 4, 5, 6, 8, 9, 7)
HIDDEN = "HIDDEN-"
# Stands for a key one side of a comparison lacks, so that it never equals a None.
ABSENT = "(absent)"
TYPOGRAPHIC = str.maketrans({"’": "'", "‘": "'", "“": '"', "”": '"'})


@dataclass(frozen=True)
class Crawl:
    """One theme's crawl: the truth WordPress dumped just before it, and the archive it made."""

    theme: str
    truth: dict[str, Any]
    db: Path


def crawl_wordpress(base: str, db: Path, log: Path, *args: str) -> None:
    """Crawl the whole blog into `db`, as a user would from the repository root."""
    command = [sys.executable, "-m", "scrapy", "crawl", "blog", "-a", f"url={base}/",
               "-s", f"ARCHIVE_DB={db}", "-s", "DOWNLOAD_DELAY=0",
               "-s", "AUTOTHROTTLE_ENABLED=False", "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=8",
               "-s", f"LOG_FILE={log}", *args]
    result = subprocess.run(command, cwd=ROOT, stdin=subprocess.DEVNULL, capture_output=True,
                            text=True, timeout=CRAWL_TIMEOUT)
    assert result.returncode == 0, (f"crawl exited {result.returncode}; log tail:\n{tail(log)}\n"
                                    f"stderr:\n{result.stderr[-3000:]}")


def tail(path: Path, lines: int = 40) -> str:
    """The last lines of a text file, or a note that it was never written."""
    if not path.exists():
        return f"({path.name} was not written)"
    return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])


def load_rows(db: Path, sql: str, *params: object) -> list[dict[str, Any]]:
    """The rows a query gives, as dicts."""
    with contextlib.closing(sqlite3.connect(db)) as conn:
        conn.row_factory = sqlite3.Row
        return [dict(row) for row in conn.execute(sql, params)]


def rows_by_id(db: Path, table: str) -> dict[int, dict[str, Any]]:
    """Every row of a table, by id."""
    return {row["id"]: row for row in load_rows(db, f"SELECT * FROM {table}")}


def differences(got: Mapping[Any, Any],
                expected: Mapping[Any, Any]) -> dict[Any, tuple[Any, Any]]:
    """The keys whose values differ between two dicts, each with (got, expected)."""
    # Under CI pytest prints whole operands; this keeps a failure's report to what differs.
    keys = got.keys() | expected.keys()
    pairs = {key: (got.get(key, ABSENT), expected.get(key, ABSENT)) for key in keys}
    return {key: pair for key, pair in pairs.items() if pair[0] != pair[1]}


def normalise_author(name: str | None) -> str | None:
    """A name with typographic quotes made plain: block themes texturize names as displayed."""
    return name.translate(TYPOGRAPHIC) if name else name


def minute(timestamp: str | None) -> str | None:
    """An ISO timestamp cut to the minute, the precision every page shows."""
    return timestamp[:16] if timestamp else None


def to_utc(local: str) -> str:
    """An ISO time with offset, as the same instant in UTC."""
    instant = datetime.fromisoformat(local).astimezone(UTC)
    return instant.strftime("%Y-%m-%dT%H:%M:%SZ")


def in_dst_gap(wall: str, zone: ZoneInfo) -> bool:
    """Whether an ISO time's wall clock reading, offset ignored, never happens in `zone`."""
    naive = datetime.fromisoformat(wall).replace(tzinfo=None)
    round_trip = naive.replace(tzinfo=zone).astimezone(UTC).astimezone(zone)
    return round_trip.replace(tzinfo=None) != naive


def truth_utc(item: dict[str, Any], zone: ZoneInfo) -> str | None:
    """The UTC time of a truth post or comment, to the minute."""
    utc = to_utc(item["date_local"])
    if in_dst_gap(utc, zone):
        # The harness prints date_gmt by reading WordPress's stored GMT time as a wall time in
        # the site's zone, so a GMT time in the hour the clocks skip comes out an hour late;
        # date_local is converted from the same stored time correctly.
        return minute(utc)
    return minute(item["date_gmt"])


def newest_in_feed(comments: list[dict[str, Any]]) -> set[int]:
    """Ids of the comments in each post's comment feed: its newest POSTS_PER_RSS by GMT date."""
    by_post = defaultdict(list)
    for comment in comments:
        by_post[comment["post_id"]].append(comment)
    newest = (sorted(thread, key=lambda c: c["date_gmt"], reverse=True)[:POSTS_PER_RSS]
              for thread in by_post.values())
    return {comment["id"] for thread in newest for comment in thread}


def truth_posts(archive: Crawl) -> dict[int, dict[str, Any]]:
    """The truth's posts by WordPress id."""
    return {post["id"]: post for post in archive.truth["posts"]}


def archived_comments(archive: Crawl) -> dict[int, dict[str, Any]]:
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


def every_post_archived_with_title_author_and_time(archive: Crawl) -> None:
    zone = ZoneInfo(archive.truth["site"]["timezone"])
    expected = {post["url"]: (post["title"], normalise_author(post["author"]),
                              truth_utc(post, zone)) for post in archive.truth["posts"]}
    rows = load_rows(archive.db, "SELECT url, title, author, published_utc FROM posts")
    got = {row["url"]: (row["title"], normalise_author(row["author"]),
                        minute(row["published_utc"])) for row in rows if row["url"] in expected}
    assert differences(got, expected) == {}


def only_extra_thread_is_the_about_page(archive: Crawl) -> None:
    urls = {row["url"] for row in load_rows(archive.db, "SELECT url FROM posts")}
    extra = urls - {post["url"] for post in archive.truth["posts"]}
    assert extra == {archive.truth["site"]["home"] + ABOUT_PAGE}


def every_approved_comment_archived_once(archive: Crawl) -> None:
    posts = truth_posts(archive)
    expected = Counter((posts[comment["post_id"]]["url"], str(comment["id"]))
                       for comment in archive.truth["comments"])
    got = Counter((row["url"], row["platform_id"]) for row in load_rows(
        archive.db, "SELECT posts.url, comments.platform_id "
                    "FROM comments JOIN posts ON posts.id = comments.post_id"))
    assert differences(got, expected) == {}


def comment_authors(archive: Crawl) -> None:
    expected = {c["id"]: normalise_author(c["author"]) for c in archive.truth["comments"]}
    got = {cid: normalise_author(row["author"]) for cid, row in archived_comments(archive).items()}
    assert differences(got, expected) == {}


def comment_parents(archive: Crawl) -> None:
    expected = {c["id"]: str(c["parent_id"]) if c["parent_id"] else None
                for c in archive.truth["comments"]}
    got = {cid: row["parent"] for cid, row in archived_comments(archive).items()}
    assert differences(got, expected) == {}


def comment_types(archive: Crawl) -> None:
    expected = {c["id"]: c["type"] for c in archive.truth["comments"]}
    got = {cid: row["type"] for cid, row in archived_comments(archive).items()}
    assert differences(got, expected) == {}


def comment_times(archive: Crawl) -> None:
    comments = archive.truth["comments"]
    zone = ZoneInfo(archive.truth["site"]["timezone"])
    # A classic theme prints no time for pingbacks and trackbacks, so the post's comment
    # feed, which lists only its newest comments, is the one public source of theirs.
    pings = {c["id"] for c in comments if c["type"] != "comment"}
    undated = set() if archive.truth["site"]["block_theme"] else pings - newest_in_feed(comments)
    expected = {c["id"]: None if c["id"] in undated else truth_utc(c, zone) for c in comments}
    got = {cid: minute(row["published_utc"]) for cid, row in archived_comments(archive).items()}
    assert differences(got, expected) == {}


def comment_links(archive: Crawl) -> None:
    expected = {str(c["id"]): c["links"] for c in archive.truth["comments"]}
    got = defaultdict(list)
    for row in load_rows(archive.db, "SELECT comments.platform_id, links.url FROM links "
                                     "JOIN comments ON comments.id = links.comment_id "
                                     "ORDER BY links.comment_id, links.position"):
        got[row["platform_id"]].append(row["url"])
    assert differences({cid: got[cid] for cid in expected}, expected) == {}


def no_hidden_content(archive: Crawl) -> None:
    leaks = load_rows(
        archive.db,
        "SELECT 'posts' AS tbl, id FROM posts WHERE instr(title, ?1) OR instr(author, ?1) "
        "OR instr(body_text, ?1) OR instr(body_html, ?1) "
        "UNION ALL SELECT 'comments', id FROM comments WHERE instr(author, ?1) "
        "OR instr(body_text, ?1) OR instr(body_html, ?1)", HIDDEN)
    assert leaks == []


def post_outbound_links(archive: Crawl) -> None:
    missing = {}
    for post in archive.truth["posts"]:
        stored = {row["url"] for row in load_rows(
            archive.db, "SELECT links.url FROM links JOIN posts ON posts.id = links.post_id "
                        "WHERE posts.url = ? AND links.comment_id IS NULL", post["url"])}
        missing[post["url"]] = sorted(set(post["outbound_links"]) - stored)
    assert {url: links for url, links in missing.items() if links} == {}


def reference_thread_order_and_local_times(archive: Crawl) -> None:
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


# What every whole crawl of the seeded site archives as WordPress shows it, whatever the theme
# and whether or not the crawl reads the REST API.
TRUTH_CHECKS = (
    every_post_archived_with_title_author_and_time,
    only_extra_thread_is_the_about_page,
    every_approved_comment_archived_once,
    comment_authors,
    comment_parents,
    comment_types,
    comment_times,
    comment_links,
    no_hidden_content,
    post_outbound_links,
    reference_thread_order_and_local_times,
)
