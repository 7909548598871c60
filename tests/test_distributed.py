"""Distributed mode: `archiver enqueue` puts three local blogs on a frontier in a real Redis,
three `archiver worker` processes crawl them into shards of their own, and `archiver merge`
combines the shards into an archive equal, table by table, to one process's crawl of the same
blogs; also when a worker is killed with SIGKILL mid-crawl and started again on its shard."""

from __future__ import annotations

import contextlib
import shutil
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from archiver.storage import TABLES
from tests.blogserver import ServedBlog, serving
from tests.helpers import (
    DEMO_BLOG,
    FAST,
    PATIENCE,
    ROOT,
    archiver,
    archiver_output,
    copy_archive,
    natural_rows,
    rows,
)
from tests.local_servers import redis_server

# Each crawl named by its blog: a blog crawled again after its worker was killed has two.
CRAWLS_BY_BLOG = "SELECT id, site FROM crawls"
# Each crawl named by its blog and its place among that blog's crawls.
CRAWLS_BY_BLOG_IN_TURN = ("SELECT id, site || ' ' || row_number() OVER (PARTITION BY site "
                          "ORDER BY started_utc) FROM crawls")
# The requests of the runs of each mode: an incremental run asks for little.
REQUESTS_BY_MODE = "SELECT mode, sum(requests) FROM crawls GROUP BY mode ORDER BY mode"
# What a finished crawl of a blog says of it, wherever it ran.
FINISHED_CRAWLS = ("SELECT site, start_url, mode, status, finish_reason, posts, comments "
                   "FROM crawls WHERE finished_utc IS NOT NULL ORDER BY site")


@pytest.fixture(scope="module")
def blogs() -> Iterator[list[ServedBlog]]:
    """Three blogs on loopback, each the demo blog at an address of its own."""
    with contextlib.ExitStack() as stack:
        yield [stack.enter_context(serving(DEMO_BLOG)) for _ in range(3)]


@pytest.fixture(scope="module")
def single(blogs, tmp_path_factory) -> Path:
    """The three blogs crawled by `archiver crawl` in one process, into one archive."""
    folder = tmp_path_factory.mktemp("single")
    db = folder / "single.db"
    done = archiver("crawl", *(blog.url for blog in blogs), "--db", db,
                    "--log-file", folder / "crawl.log", *FAST)
    assert done.returncode == 0, done.stdout + done.stderr
    return db


@pytest.fixture
def redis_url(tmp_path) -> Iterator[str]:
    if not shutil.which("redis-server"):
        pytest.skip("Redis is needed: apt-get install redis-server")
    with redis_server(tmp_path / "redis") as url:
        yield url


def start_worker(redis_url: str, shard: Path, *args: object) -> subprocess.Popen[str]:
    """An `archiver worker` on `shard` that takes one blog at a time and stops once no blog
    has waited for two seconds."""
    return subprocess.Popen([sys.executable, "-m", "archiver.cli", "worker", "--redis",
                             redis_url, "--db", str(shard), "--blogs-at-once", "1",
                             "--idle-exit", "2", "--log-file", f"{shard}.log", *FAST,
                             *map(str, args)],
                            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def finished(worker: subprocess.Popen[str]) -> list[str]:
    """The lines a worker printed, once it has exited 0."""
    stdout, stderr = worker.communicate(timeout=300)
    assert worker.returncode == 0, stdout + stderr
    return stdout.splitlines()


def pages_of(shard: Path, site: str) -> int:
    """How many pages of `site` the shard holds committed (none while it does not exist)."""
    if not shard.exists():
        return 0
    try:
        return rows(shard, "SELECT count(*) FROM pages WHERE site = ?", site)[0][0]
    except sqlite3.OperationalError:  # its tables not made yet
        return 0


def merged(shards: list[Path], tmp_path: Path) -> Path:
    db = tmp_path / "merged.db"
    archiver_output("merge", "--db", db, *(shard for shard in shards if shard.exists()))
    return db


def assert_same_archive(merged_db: Path, single_db: Path,
                        crawl_names: str = CRAWLS_BY_BLOG) -> None:
    for table in TABLES:
        if table != "crawls":
            assert (natural_rows(merged_db, table, crawl_names)
                    == natural_rows(single_db, table, crawl_names)), table
    assert rows(merged_db, FINISHED_CRAWLS) == rows(single_db, FINISHED_CRAWLS)


def test_three_workers_archive_what_one_process_does(blogs, single, redis_url, tmp_path):
    urls = [blog.url for blog in blogs]
    assert archiver_output("enqueue", "--redis", redis_url, *urls) == (
        "3 blogs enqueued, 0 already on the frontier; 3 waiting\n")
    shards = [tmp_path / f"shard-{number}.db" for number in range(3)]
    workers = [start_worker(redis_url, shard) for shard in shards]
    printed = [line for worker in workers for line in finished(worker)]
    assert sorted(printed) == [f"{url}: ok: 20 pages, 7 posts, 58 comments, 0 errors"
                               for url in sorted(urls)]
    assert_same_archive(merged(shards, tmp_path), single)


def test_the_next_round_s_workers_read_what_is_archived_from_the_merged_archive(
        blogs, single, redis_url, tmp_path):
    """Whichever worker takes a blog in a later round runs incrementally, reading what the
    archive the shards are merged into holds of it (--state), as one process's next run does."""
    urls = [blog.url for blog in blogs]
    archive, again = tmp_path / "archive.db", tmp_path / "single-again.db"
    copy_archive(single, archive)
    copy_archive(single, again)
    done = archiver("crawl", *urls, "--db", again, "--log-file", tmp_path / "again.log", *FAST)
    assert done.returncode == 0, done.stdout + done.stderr
    archiver_output("enqueue", "--redis", redis_url, *urls)
    shards = [tmp_path / f"round-2-{number}.db" for number in range(3)]
    workers = [start_worker(redis_url, shard, "--state", archive) for shard in shards]
    for worker in workers:
        finished(worker)
    archiver_output("merge", "--db", archive, *(shard for shard in shards if shard.exists()))
    assert_same_archive(archive, again, crawl_names=CRAWLS_BY_BLOG_IN_TURN)
    assert [row[:3] for row in rows(archive, FINISHED_CRAWLS)].count(
        (urlsplit(urls[0]).netloc, urls[0], "incremental")) == 1
    assert (rows(archive, REQUESTS_BY_MODE) == rows(again, REQUESTS_BY_MODE))


def test_a_blog_waiting_or_being_crawled_is_not_enqueued_twice(blogs, redis_url):
    first, second = blogs[0].url, blogs[1].url
    archiver_output("enqueue", "--redis", redis_url, first)
    assert archiver_output("enqueue", "--redis", redis_url, first, second) == (
        "1 blogs enqueued, 1 already on the frontier; 2 waiting\n")


def test_a_worker_killed_mid_crawl_and_started_again_changes_nothing(blogs, single, redis_url,
                                                                    tmp_path):
    archiver_output("enqueue", "--redis", redis_url, *(blog.url for blog in blogs))
    shards = [tmp_path / f"shard-{number}.db" for number in range(3)]
    held, site = blogs[0], urlsplit(blogs[0].url).netloc
    # The open thread's pages wait until the worker crawling its blog is killed.
    with held.holding(lambda target: "/2015/03/01/" in target):
        workers = [start_worker(redis_url, shard) for shard in shards]
        deadline = time.monotonic() + PATIENCE
        while not any(pages_of(shard, site) for shard in shards):
            assert time.monotonic() < deadline, "no worker archived a page of the held blog"
            time.sleep(0.1)
        killed = next(number for number, shard in enumerate(shards) if pages_of(shard, site))
        workers[killed].kill()
        workers[killed].communicate()
    restarted = start_worker(redis_url, shards[killed])
    others = [worker for number, worker in enumerate(workers) if number != killed]
    printed = [line for worker in [*others, restarted] for line in finished(worker)]
    assert sorted(printed) == [f"{blog.url}: ok: 20 pages, 7 posts, 58 comments, 0 errors"
                               for blog in sorted(blogs, key=lambda blog: blog.url)]
    assert "was claimed by this worker when it stopped: crawled again in full" in (
        Path(f"{shards[killed]}.log").read_text())
    db = merged(shards, tmp_path)
    assert_same_archive(db, single)
    # The killed crawl stays in the history as one that never finished.
    assert rows(db, "SELECT site FROM crawls WHERE finished_utc IS NULL") == [(site,)]
