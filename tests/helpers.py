"""What the test modules share besides fixtures (those are in conftest.py): the project's
commands run as real processes, reading an archive's rows and the pages served from it, and
what the demo blog holds."""

from __future__ import annotations

import contextlib
import os
import re
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from email.message import Message
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import lxml.html

from archiver.storage import TABLES

ROOT = Path(__file__).resolve().parent.parent
DEMO_BLOG = ROOT / "data" / "demo-blog"
# Settings for a crawl of a blog on loopback: no politeness delays, no retries, and a timeout
# that a loaded machine never reaches on a page the server answers.
FAST = ["-s", "DOWNLOAD_DELAY=0", "-s", "AUTOTHROTTLE_ENABLED=False",
        "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=8", "-s", "DOWNLOAD_TIMEOUT=15",
        "-s", "RETRY_TIMES=0"]
# How long a test waits for something a process it started is sure to do.
PATIENCE = 120

# The demo blog's example thread as WordPress shows it: replies after their parent, pingbacks
# typed and timed from the post's comment feed (the theme prints no date on them).
EXAMPLE = "2014/08/12/iraqi-communists-call-on-worlds-proletariat-to-unite-against-islamists/"
EXAMPLE_TITLE = "Iraqi Communists Call on World’s Proletariat to unite against Islamists"
EXAMPLE_THREAD = [
    # position, platform_id, parent, depth, type, author, published_shown, published_utc
    (1, "1", None, 1, "comment", "Jim Monaghan", "August 12, 2014 at 2:15 pm",
     "2014-08-12T13:15:00Z"),
    (2, "2", None, 1, "comment", "Andrew Coates", "August 12, 2014 at 3:55 pm",
     "2014-08-12T14:55:00Z"),
    (3, "3", None, 1, "pingback", "Iraq, the Left and the Islamic State | Another Left Blog",
     None, "2014-08-12T14:59:00Z"),
    (4, "4", None, 1, "comment", "Anonymous", "August 12, 2014 at 11:22 pm",
     "2014-08-12T22:22:00Z"),
    (5, "5", None, 1, "pingback",
     "Iraqi Communist Party appeal: read it and pass it on | Workers' Solidarity Notes", None,
     "2014-08-13T07:31:00Z"),
    (6, "6", None, 1, "comment", "Jim Denham", "August 13, 2014 at 1:47 pm",
     "2014-08-13T12:47:00Z"),
    (7, "8", "6", 2, "comment", "Andrew Coates", "August 13, 2014 at 5:02 pm",
     "2014-08-13T16:02:00Z"),
    (8, "9", "8", 3, "comment", "Jim Denham", "August 13, 2014 at 6:30 pm",
     "2014-08-13T17:30:00Z"),
    (9, "7", None, 1, "comment", "Sue R", "August 13, 2014 at 3:23 pm", "2014-08-13T14:23:00Z"),
]
# The rows of EXAMPLE_THREAD, for the post at the URL given.
THREAD_QUERY = (
    "SELECT c.position, c.platform_id, parent.platform_id, c.depth, c.type, c.author, "
    "c.published_shown, c.published_utc FROM comments c JOIN posts p ON p.id = c.post_id "
    "LEFT JOIN comments parent ON parent.id = c.parent_id WHERE p.url = ? ORDER BY c.position")
# The open thread, whose 42 comments span four comment pages.
OPEN_THREAD = "2015/03/01/open-thread-anything-goes-comments-paginated/"
# The demo blog's posts and their comment counts, by path, when every page of it was read.
POSTS = [
    ("2014/02/09/why-kurdistan-still-matters/", 2),
    (EXAMPLE, 9),
    ("2015/01/02/review-the-arab-spring-revisited/", 5),
    (OPEN_THREAD, 42),
    ("2022/08/09/solidarity-%e2%9c%8a-with-the-kurds/", 0),
    ("2023/04/23/whatever-happened-to-the-arab-spring-part-2/", 0),
    ("about-this-blog/", 0),
]
# POSTS as an archive holds them, for the blog's base URL given.
POSTS_QUERY = "SELECT substr(url, length(?) + 1), comment_count FROM posts ORDER BY url"

# Columns that tell when something happened, or the server's answer headers: a shard and the
# single archive made the same crawl at different times.
TIMED = {"requests", "pages", "errors", "stats", "arguments", "headers", "published_relative_to"}
# What a run counted of the archive it wrote to, which in a shard is the shard (its new, changed
# and removed counts are the merged archive's: merging works them out again).
COUNTED = {"crawls": {"posts", "comments"}}
# The columns pointing at each table, by the table they point at.
POINTERS = {"crawls": ("first_seen_crawl", "last_seen_crawl", "removed_by_crawl",
                       "replaced_by_crawl", "crawl_id"),
            "posts": ("post_id",), "comments": ("comment_id", "parent_id")}
# A crawl by its place in start order, for natural_rows.
CRAWLS_IN_START_ORDER = "SELECT id, row_number() OVER (ORDER BY started_utc) FROM crawls"


def readme_columns(table: str) -> dict[str, str]:
    """Each column of `table` the README's table of it describes, with what it says of it, less
    markdown backticks."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split(f"### {table}\n", 1)[1].split("\n### ", 1)[0].split("\n## ", 1)[0]
    return {name.strip(): meaning.replace("`", "")
            for names, meaning in re.findall(r"^\| ([^|]+) \| (.+) \|$", section, re.M)
            if names != "column"
            for name in names.split(",")}


def crawl(url: str, db: Path, tmp_path: Path, *args: str) -> str:
    """`scrapy crawl blog` of `url` into `db`, as from the repository root, with FAST settings
    and its log in `tmp_path`; returns the log's text."""
    log = tmp_path / f"crawl-{len(list(tmp_path.glob('crawl-*.log')))}.log"
    return crawled(start_crawl(url, db, log, *args), log)


def start_crawl(url: str, db: Path, log: Path, *args: str) -> subprocess.Popen[str]:
    """`scrapy crawl blog` of `url` into `db`, started as `crawl` runs it, its log in `log`: the
    Popen."""
    return subprocess.Popen([sys.executable, "-m", "scrapy", "crawl", "blog", "-a", f"url={url}",
                             "-s", f"ARCHIVE_DB={db}", "-s", f"LOG_FILE={log}", *FAST, *args],
                            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def crawled(process: subprocess.Popen[str], log: Path) -> str:
    """The text of `log` once the crawl `process` has ended, which it must do successfully."""
    try:
        _, stderr = process.communicate(timeout=300)
    finally:
        if process.poll() is None:  # it outlasted the timeout
            process.kill()
            process.communicate()
    text = log.read_text(encoding="utf-8")
    assert process.returncode == 0, stderr[-2000:] + text[-3000:]
    return text


def archiver(*args: object, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    """The `archiver` command with `args`, run to its end: the CompletedProcess, output as
    text."""
    return subprocess.run([sys.executable, "-m", "archiver.cli", *map(str, args)], cwd=cwd,
                          capture_output=True, text=True, timeout=300)


def archiver_crawl(url: str, db: Path, log: Path,
                   *args: str) -> subprocess.CompletedProcess[str]:
    """`archiver crawl` of `url` into `db`, with FAST settings and its log in `log`: the
    CompletedProcess."""
    return archiver("crawl", url, "--db", db, "--log-file", log, *FAST, *args)


def start_archiver(*args: object, cwd: Path) -> subprocess.Popen[str]:
    """The `archiver` command with `args`, started: the Popen, output as text."""
    return subprocess.Popen([sys.executable, "-m", "archiver.cli", *map(str, args)], cwd=cwd,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def archiver_output(*args: object) -> str:
    """What the `archiver` command with `args` printed; it must succeed."""
    done = archiver(*args)
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


def reparse(db: Path, *args: str) -> str:
    """What `archiver reparse` of `db` printed; it must succeed."""
    return archiver_output("reparse", "--db", db, *args)


def rows(db: Path, sql: str, *params: object) -> list[tuple[Any, ...]]:
    """The rows `sql` gives on the archive at `db`, as tuples, read through a read-only
    connection (a crawl may be writing to it)."""
    uri = f"{Path(db).resolve().as_uri()}?mode=ro"
    with contextlib.closing(sqlite3.connect(uri, uri=True)) as conn:
        return [tuple(row) for row in conn.execute(sql, params)]


def thread_address(blog: str, path: str) -> str:
    """The thread view's address of the post at `path` on the blog at `blog`, in the archive
    served as `archive`: the blog's host, then the path."""
    return f"/archive/-/thread/{urlsplit(blog).netloc}/{path}"


def post_id(db: Path, url: str) -> int:
    """The id of the post at `url` in the archive at `db`."""
    ((found,),) = rows(db, "SELECT id FROM posts WHERE url = ?", url)
    return found


def pages_archived(db: Path) -> int:
    """How many pages the archive at `db` holds: 0 before its crawl has created it."""
    try:
        return rows(db, "SELECT count(*) FROM pages")[0][0]
    except sqlite3.OperationalError:  # no file yet, or its tables not yet
        return 0


def wait_until(condition: Callable[[], bool], process: subprocess.Popen[str], what: str) -> None:
    """Poll `condition` until it holds, while `process`, which is to bring it about, runs."""
    deadline = time.monotonic() + PATIENCE
    while not condition():
        if process.poll() is not None:
            assert condition(), f"ended before {what}: {process.communicate()}"
            return
        assert time.monotonic() < deadline, f"never {what}"
        time.sleep(0.01)


def listening_ports(pid: int) -> set[int]:
    """The TCP ports the process `pid` listens on: its sockets (the inodes its descriptors
    name) that its network namespace's tables list in state LISTEN (0A)."""
    fds = Path(f"/proc/{pid}/fd")
    inodes = set()
    for fd in fds.iterdir():
        with contextlib.suppress(FileNotFoundError):  # closed since it was listed
            inodes.update(re.findall(r"^socket:\[(\d+)\]$", os.readlink(fd)))
    ports = set()
    for table in ("tcp", "tcp6"):
        for line in (Path(f"/proc/{pid}/net") / table).read_text().splitlines()[1:]:
            _, local, _, state, *_, inode = line.split()[:10]
            if state == "0A" and inode in inodes:
                ports.add(int(local.rpartition(":")[2], 16))
    return ports


def copy_archive(source: Path, target: Path) -> None:
    """Copy an SQLite archive with SQLite's own backup, so the copy is consistent."""
    with contextlib.closing(sqlite3.connect(source)) as src, \
            contextlib.closing(sqlite3.connect(target)) as dst:
        src.backup(dst)


def dump(db: Path) -> str:
    """The whole content of the archive at `db`, as SQL."""
    with contextlib.closing(sqlite3.connect(db)) as conn:
        return "\n".join(conn.iterdump())


def get(url: str) -> tuple[int, Message, bytes]:
    """(status, headers, body bytes) of a GET of `url`; error statuses are answers too."""
    try:
        with urllib.request.urlopen(url, timeout=PATIENCE) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read()


def html_page(url: str) -> tuple[str, lxml.html.HtmlElement]:
    """(HTML text, lxml document) of the page at `url`, which must answer 200."""
    status, _, body = get(url)
    assert status == 200, body[:2000]
    html = body.decode("utf-8")
    return html, lxml.html.fromstring(html)


def text(element: lxml.html.HtmlElement) -> str:
    """An element's text, its whitespace collapsed."""
    return " ".join(element.text_content().split())


def natural_rows(db: Path, table: str, crawl_names: str = CRAWLS_IN_START_ORDER,
                 ) -> list[tuple[Any, ...]]:
    """The rows of `table`, sorted, with the ids they point at given as what they are (a run by
    what `crawl_names` selects for its id, by default its place in start order; a post by site
    and URL, a comment by post and key) and no time a crawl took them at."""
    names = {
        "crawls": dict(rows(db, crawl_names)),
        "posts": {post_id: (site, url) for post_id, site, url
                  in rows(db, "SELECT id, site, url FROM posts")},
    }
    names["comments"] = {comment_id: (names["posts"][post_id], key) for comment_id, post_id, key
                         in rows(db, "SELECT id, post_id, comment_key FROM comments")}
    columns = [column for column in TABLES[table]["columns"] if column != "id"
               and column not in TIMED | COUNTED.get(table, set()) and (column == "published_utc"
                                             or not column.endswith("_utc"))]
    found = []
    for values in rows(db, f"SELECT {', '.join(columns)} FROM [{table}]"):
        row = dict(zip(columns, values, strict=True))
        for target, pointers in POINTERS.items():
            for column in set(pointers) & set(row):
                row[column] = names[target].get(row[column])
        found.append(tuple(row.values()))
    return sorted(found, key=repr)
