"""`archiver crawl` as cron runs it: real processes, killed with SIGKILL mid-run, a lock,
blogs files, a log file per run and exit codes. The demo blog holds back its answers where a
test stops a run half-way, so that the run cannot end before the test has stopped it."""

import contextlib
import json
import re
import signal
import sqlite3

import pytest

from tests.blogserver import serving
from tests.helpers import (
    DEMO_BLOG,
    FAST,
    archiver,
    pages_archived,
    rows,
    start_archiver,
    wait_until,
)

# A run whose requests the blog holds back waits for them as long as the test takes.
HELD = [*FAST, "-s", "DOWNLOAD_TIMEOUT=300"]
# Where (url, comment key) of other rows stand in for row ids; what says when, or by which
# run, a row was read is left out: it differs between any two crawls.
KEYS = {"post_id": "posts", "parent_id": "comments", "comment_id": "comments"}
RUN_COLUMNS = re.compile(r"^id$|_seen_|^thread_read_utc$|^published_relative_to$")
LOG_NAME = r"\d{4}-\d\d-\d\dT\d{6}Z-127\.0\.0\.1_\d+\.log"


def archive_rows(db):
    """Every row of posts, comments and links, sorted, with row ids given as stable keys."""
    uri = f"file:{db}?mode=ro"
    with contextlib.closing(sqlite3.connect(uri, uri=True)) as conn:
        keys = {"posts": dict(conn.execute("SELECT id, url FROM posts")),
                "comments": {id: (url, key) for id, url, key in conn.execute(
                    "SELECT c.id, p.url, c.comment_key FROM comments c "
                    "JOIN posts p ON p.id = c.post_id")}}
        return {table: sorted((stable(row, columns(conn, table), keys)
                               for row in conn.execute(f"SELECT * FROM {table}")), key=repr)
                for table in ("posts", "comments", "links")}


def columns(conn, table):
    return [name for _, name, *_ in conn.execute(f"PRAGMA table_info({table})")]


def stable(row, names, keys):
    """A row without the columns a run sets, its ids of other rows given as their keys."""
    return tuple(keys[KEYS[name]].get(value) if name in KEYS else value
                 for name, value in zip(names, row, strict=True)
                 if not RUN_COLUMNS.search(name))


def holding_after(blog, db, pages):
    """Hold back every request to `blog` that comes once the archive at `db` holds `pages`
    pages, while the block runs."""
    return blog.holding(lambda target: pages_archived(db) >= pages)


def wait_for_pages(db, pages, process):
    wait_until(lambda: pages_archived(db) >= pages, process, f"{pages} pages archived")


def kill_9(process):
    process.send_signal(signal.SIGKILL)
    process.communicate()
    assert process.returncode == -signal.SIGKILL


def integrity(db):
    with contextlib.closing(sqlite3.connect(db)) as conn:
        return (conn.execute("PRAGMA integrity_check").fetchall(),
                conn.execute("PRAGMA foreign_key_check").fetchall())


def test_a_run_prints_one_line_per_blog_and_logs_to_a_file_of_its_own(demo_blog, tmp_path):
    blog = demo_blog.url
    done = archiver("crawl", blog, "--db", "data/archive.db", *FAST, cwd=tmp_path)
    assert (done.returncode, done.stderr) == (
        0, "Made the folder data for the archive data/archive.db\n")
    line = re.fullmatch(rf"{re.escape(blog)}: ok: 20 pages, 7 posts, 58 comments, 0 errors; "
                        r"log (\S+)\n", done.stdout)
    assert line, done.stdout
    log = tmp_path / "data" / "logs" / line[1].rpartition("/")[2]
    assert line[1] == f"data/logs/{log.name}"
    assert re.fullmatch(LOG_NAME, log.name)
    assert log.name.endswith(f"-127.0.0.1_{blog.split(':')[2][:-1]}.log")
    assert [path.name for path in log.parent.iterdir()] == [log.name]
    assert "[scrapy.core.engine] INFO: Spider closed (finished)" in log.read_text(encoding="utf-8")


@pytest.mark.parametrize("pages", [1, 12], ids=["after-1-page", "after-12-pages"])
def test_a_run_killed_at_any_moment_leaves_a_sound_archive_the_next_run_completes(
        demo_blog, demo_archive, tmp_path, pages):
    db = tmp_path / "archive.db"
    with holding_after(demo_blog, db, pages):
        run = start_archiver("crawl", demo_blog.url, "--db", db, *HELD, cwd=tmp_path)
        wait_for_pages(db, pages, run)
        kill_9(run)
    assert integrity(db) == ([("ok",)], [])
    assert rows(db, "SELECT status, finished_utc FROM crawls") == [("running", None)]
    assert 0 < pages_archived(db) < pages_archived(demo_archive)

    done = archiver("crawl", demo_blog.url, "--db", db, *FAST, cwd=tmp_path)
    assert (done.returncode, done.stderr) == (0, ""), done.stdout
    assert integrity(db) == ([("ok",)], [])
    assert rows(db, "SELECT status FROM crawls ORDER BY id") == [("running",), ("ok",)]
    assert archive_rows(db) == archive_rows(demo_archive)


def test_a_second_run_on_the_same_archive_exits_75_at_once_and_runs_once_the_first_is_killed(
        demo_blog, tmp_path):
    blog, db = demo_blog.url, tmp_path / "archive.db"
    with holding_after(demo_blog, db, 1):
        first = start_archiver("crawl", blog, "--db", db, *HELD, cwd=tmp_path)
        wait_for_pages(db, 1, first)
        holder = (tmp_path / "archive.db.lock").read_text(encoding="utf-8")
        assert re.fullmatch(rf"pid {first.pid}, started \d{{4}}-\d\d-\d\dT\d\d:\d\d:\d\dZ\n",
                            holder)

        second = archiver("crawl", blog, "--db", db, *FAST, cwd=tmp_path)
        assert (second.returncode, second.stdout) == (75, "")
        assert second.stderr == (f"Error: {db} is being archived by another run "
                                 f"({holder.strip()}): try again later\n")
        kill_9(first)
    third = archiver("crawl", blog, "--db", db, "--max-posts", "1", *FAST, cwd=tmp_path)
    assert (third.returncode, third.stderr) == (0, "")
    assert rows(db, "SELECT start_url, status FROM crawls ORDER BY id") == [
        (blog, "running"), (blog, "ok")]


def test_sigterm_closes_the_current_crawl_cleanly_and_starts_no_other(demo_blog, tmp_path):
    blog, db, logs = demo_blog.url, tmp_path / "archive.db", tmp_path / "logs"
    never_crawled = "http://127.0.0.1:9/"
    with holding_after(demo_blog, db, 1):
        run = start_archiver("crawl", blog, never_crawled, "--db", db, *HELD, cwd=tmp_path)
        wait_for_pages(db, 1, run)
        run.send_signal(signal.SIGTERM)
        # The requests held back are answered once the crawl has taken the signal: it asks
        # for no other, and ends.
        wait_until(lambda: "Received SIGTERM" in "".join(
            path.read_text(encoding="utf-8") for path in logs.glob("*.log")), run,
            "SIGTERM logged")
    stdout, stderr = run.communicate(timeout=60)
    assert run.returncode == 1
    assert re.fullmatch(rf"{re.escape(blog)}: failed: \d+ pages, \d+ posts, \d+ comments, "
                        rf"0 errors; log {re.escape(str(logs))}/{LOG_NAME}\n", stdout), stdout
    assert stderr == (f"Error: the crawl of {blog} failed: stopped (SIGTERM or SIGINT) before the "
                      f"crawl finished\nError: the run was stopped; not crawled: {never_crawled}\n")
    assert [(url, reason, status, finished is not None) for url, reason, status, finished in rows(
        db, "SELECT start_url, finish_reason, status, finished_utc FROM crawls")] == [
        (blog, "shutdown", "failed", True)]
    assert integrity(db) == ([("ok",)], [])


@pytest.fixture
def other_blog():
    """A second copy of the demo blog, on a port (so a site) of its own."""
    with serving(DEMO_BLOG) as blog:
        yield blog.url


def test_a_blogs_file_crawls_each_blog_with_its_own_options(demo_blog, demo_archive, other_blog,
                                                             tmp_path):
    blog = demo_blog.url
    (tmp_path / "cron").mkdir()
    (tmp_path / "cron" / "blogs.toml").write_text(f"""
db = "data/archive.db"
settings = {{DOWNLOAD_DELAY = 0, AUTOTHROTTLE_ENABLED = false, RETRY_TIMES = 0, LOG_LEVEL = "INFO"}}

[[blog]]
url = "{blog}"
max_posts = 1

[[blog]]
url = "{other_blog}"
since = 2015-01-01
full = true
refresh_days = 7
settings = {{LOG_LEVEL = "DEBUG"}}
""", encoding="utf-8")
    done = archiver("crawl", "--config", "cron/blogs.toml", cwd=tmp_path)
    assert (done.returncode, done.stderr) == (
        0, "Made the folder cron/data for the archive cron/data/archive.db\n")
    db = tmp_path / "cron" / "data" / "archive.db"
    assert [line.partition(": ")[0] for line in done.stdout.splitlines()] == [blog, other_blog]

    crawls = rows(db, "SELECT start_url, arguments, status, stats FROM crawls ORDER BY id")
    assert [(url, json.loads(arguments), status) for url, arguments, status, _ in crawls] == [
        (blog, {"url": blog, "max_posts": "1"}, "ok"),
        (other_blog, {"url": other_blog, "since": "2015-01-01", "full": "1",
                      "refresh_days": "7"}, "ok")]
    # The top-level LOG_LEVEL for the first blog, the second's own for it.
    assert ["log_count/DEBUG" in json.loads(stats) for *_, stats in crawls] == [False, True]

    def paths(archive, base):
        return rows(archive, "SELECT substr(url, length(?) + 1) FROM posts WHERE url LIKE ? || '%' "
                             "ORDER BY url", base, base)
    assert paths(db, blog) == [("2023/04/23/whatever-happened-to-the-arab-spring-part-2/",)]
    since_2015 = rows(demo_archive, "SELECT substr(url, length(?) + 1) FROM posts WHERE "
                                    "coalesce(substr(published_local, 1, 10), '9') >= '2015-01-01' "
                                    "ORDER BY url", blog)
    assert paths(db, other_blog) == since_2015

    logs = sorted(path.name for path in (db.parent / "logs").iterdir())
    assert [re.fullmatch(LOG_NAME, name) is not None for name in logs] == [True, True]
    assert sorted(name.rpartition("-")[2] for name in logs) == sorted(
        f"127.0.0.1_{url.split(':')[2][:-1]}.log" for url in (blog, other_blog))


@pytest.mark.parametrize("text, error", [
    ('[[blog]]\nurl = "http://127.0.0.1:9/"\nmax_post = 3\n',
     "blog 1: unknown key 'max_post' (known: url, max_posts, since, full, refresh_days, settings)"),
    ('[[blog]]\nurl = "http://127.0.0.1:9/"\nsince = "last week"\n',
     'blog 1 (http://127.0.0.1:9/): since must be a date like 2024-01-31, not "last week"'),
    ('[[blog]]\nmax_posts = 3\n', "blog 1: url is missing"),
    ('[[blog]]\nurl = "http://127.0.0.1:9/"\nsettings = {DOWNLOAD_DELY = 2}\n',
     "blog 1 (http://127.0.0.1:9/): settings: DOWNLOAD_DELY is not a Scrapy or archiver setting"),
])
def test_a_blogs_file_is_checked_before_anything_is_crawled(tmp_path, text, error):
    (tmp_path / "blogs.toml").write_text(text, encoding="utf-8")
    done = archiver("crawl", "--config", "blogs.toml", cwd=tmp_path)
    assert (done.returncode, done.stdout) == (2, "")
    assert done.stderr.splitlines()[-1] == \
        f"Error: Invalid value for '--config': blogs.toml: {error}"
    assert list(tmp_path.iterdir()) == [tmp_path / "blogs.toml"]


def test_a_run_exits_1_when_any_blog_failed(demo_blog, tmp_path):
    blog = demo_blog.url
    done = archiver("crawl", blog, "http://127.0.0.1:9/", "--max-posts", "1", *FAST, cwd=tmp_path)
    assert (done.returncode, done.stderr) == (
        1, "Made the folder data for the archive data/archive.db\n"
           "Error: the crawl of http://127.0.0.1:9/ failed: connection refused at "
           "http://127.0.0.1:9/robots.txt\n")
    assert [re.sub(r"; log .*", "", line) for line in done.stdout.splitlines()] == [
        f"{blog}: ok: 8 pages, 1 posts, 0 comments, 0 errors",
        "http://127.0.0.1:9/: failed: 0 pages, 0 posts, 0 comments, 2 errors"]


def test_an_archive_that_cannot_be_opened_fails_the_run_with_one_line(demo_blog, tmp_path):
    (tmp_path / "archive.db").write_bytes(b"not a database, but a file in its place\n" * 100)
    done = archiver("crawl", demo_blog.url, "--db", "archive.db", *FAST, cwd=tmp_path)
    assert (done.returncode, done.stdout) == (1, "")
    assert done.stderr == "Error: archive.db is not an archive: not an SQLite database\n"
