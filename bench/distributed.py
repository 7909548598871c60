"""The crawl benchmark's distributed figure: three generated blogs crawled by one `archiver
crawl` process (one blog after another, as it runs from cron) and by three `archiver worker`
processes sharing a Redis frontier (Debian's redis-server, on 127.0.0.1), into shards merged
after. Rows for bench/crawl.py's table."""

from __future__ import annotations

import contextlib
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench.blog_generator import generate
from tests.local_servers import free_port, nginx, redis_server

BLOGS = 3
# How long a worker waits for more blogs before it stops; taken off its wall time.
IDLE_EXIT = 2


def crawl_settings(concurrency: int) -> list[str]:
    return ["-s", "DOWNLOAD_DELAY=0", "-s", "AUTOTHROTTLE_ENABLED=False",
            "-s", f"CONCURRENT_REQUESTS={concurrency}",
            "-s", f"CONCURRENT_REQUESTS_PER_DOMAIN={concurrency}"]


def archiver(*args: object) -> list[str]:
    return [sys.executable, "-m", "archiver.cli", *map(str, args)]


def requests_and_posts(dbs: list[Path]) -> tuple[int, int]:
    """The requests the archives' runs made, and the posts they hold."""
    requests = posts = 0
    for db in dbs:
        with sqlite3.connect(db) as conn:
            requests += conn.execute("SELECT sum(requests) FROM crawls").fetchone()[0] or 0
            posts += conn.execute("SELECT count(*) FROM posts").fetchone()[0]
        conn.close()
    return requests, posts


def distributed_rows(posts: int, concurrency: int, folder: Path,
                     measured: Callable[[list[str], Path], Any]) -> list[list[str]]:
    """The one-process and three-worker rows for `posts` posts a blog. `measured` is
    bench/crawl.py's: it runs a command and returns its wall time, CPU and peak RSS."""
    with contextlib.ExitStack() as stack:
        urls = []
        for number in range(BLOGS):
            port = free_port()
            generate(folder / f"blog-{number}", f"http://127.0.0.1:{port}", posts)
            base = stack.enter_context(nginx(folder / f"blog-{number}", folder / f"nginx-{number}",
                                             port=port, access_log=False))
            urls.append(base + "/")
        single_db = folder / "single.db"
        single = measured(archiver("crawl", *urls, "--db", single_db, "--log-file",
                                   folder / "single.log", *crawl_settings(concurrency)),
                          folder / "single.out")
        redis_url = stack.enter_context(redis_server(folder / "redis"))
        subprocess.run(archiver("enqueue", "--redis", redis_url, *urls,
                                *crawl_settings(concurrency)), check=True, capture_output=True)
        shards = [folder / f"shard-{number}.db" for number in range(BLOGS)]
        started = time.perf_counter()
        workers = [subprocess.Popen(archiver("worker", "--redis", redis_url, "--db", shard,
                                             "--blogs-at-once", 1, "--idle-exit", IDLE_EXIT,
                                             "--log-file", f"{shard}.log"),
                                    stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
                   for shard in shards]
        for worker in workers:
            worker.wait()
        wall = time.perf_counter() - started - IDLE_EXIT
    rows = []
    for name, dbs, seconds in (("one process, three blogs in turn", [single_db], single.wall),
                               ("three workers (scrapy-redis)", shards, wall)):
        pages, held = requests_and_posts(dbs)
        rows.append([f"3 x {posts:,}", str(concurrency), name, f"{pages:,}", f"{seconds:.1f}",
                     f"{pages / seconds:.0f}", f"{held / seconds:.1f}", "", "", "", "", "", ""])
    return rows
