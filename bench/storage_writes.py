"""What saving threads costs the archive: SQL statements per comment and time, for a first save
and for an unchanged save by a later run, and what gzip levels make of the demo blog's pages.

    PYTHONPATH=. python bench/storage_writes.py [--threads 200] [--comments 40] [--links 2]

Saves THREADS synthetic threads of COMMENTS comments each (every third a reply, each comment
with LINKS links), one transaction a thread as a crawl saves a page, into a new archive; then
saves the same threads again as a second run. Statements are the ones the archive's connection
runs (each row of an executemany counts, what triggers run does not). The code measured is the one
on PYTHONPATH, so the same script measures an older checkout of the archiver too.
"""

import argparse
import gzip
import sqlite3
import tempfile
import time
from pathlib import Path

from archiver import storage
from archiver.items import Comment, Link, Post, SiteInfo, Thread

SITE = "blog.example"
DEMO_PAGES = Path(__file__).resolve().parents[1] / "data" / "demo-blog" / "files"


def make_thread(number: int, comments: int, links: int) -> Thread:
    """A post with its comments, every third a reply to the one before it."""
    def linked(owner: str) -> list[Link]:
        return [Link(f"https://elsewhere.example/{owner}/{n}", f"link {n}", "elsewhere.example")
                for n in range(links)]

    text = "A paragraph of a comment that says something about the post. " * 6
    thread_comments = [
        Comment(body_html=f"<p>{text} {number}.{index}</p>", body_text=f"{text} {number}.{index}",
                author=f"Reader {index % 17}", platform_id=f"{number}-{index}",
                parent=index - 1 if index % 3 == 2 else None,
                parent_platform_id=f"{number}-{index - 1}" if index % 3 == 2 else None,
                depth=2 if index % 3 == 2 else 1,
                published_shown="1 March 2024 at 10:00", published_local="2024-03-01T10:00:00",
                published_utc="2024-03-01T09:00:00+00:00", links=linked(f"{number}-{index}"))
        for index in range(comments)]
    post = Post(url=f"https://{SITE}/post-{number}/", title=f"Post {number}", author="Author",
                platform_id=str(number), published_local="2024-02-01T08:00:00",
                published_utc="2024-02-01T07:00:00+00:00", body_html=f"<p>{text * 4}</p>",
                body_text=text * 4, links=linked(f"post-{number}"),
                comment_count_shown=comments)
    return Thread(platform="wordpress", post=post, comments=thread_comments, comment_page=1)


def save_all(db, threads: list[Thread], run: int) -> dict[str, float]:
    """Save every thread as run `run` would, one transaction each; count and time it."""
    crawl_id = storage.start_crawl(db, SITE, f"https://{SITE}/", {}, f"2024-03-0{run}T00:00:00Z")
    seen = storage.Seen(crawl_id, f"2024-03-0{run}T00:00:00Z")
    statements, last = 0, ""

    def count(sql: str) -> None:
        # SQLite reports a statement again as each of its triggers starts, and the statements
        # full-text search runs inside it as comments ("-- …"): neither is one more statement.
        nonlocal statements, last
        if not sql.startswith("--") and sql != last:
            statements, last = statements + 1, sql

    db.conn.set_trace_callback(count)
    wall, cpu = time.perf_counter(), time.process_time()
    for thread in threads:
        with storage.transaction(db):
            storage.save_thread(db, SITE, thread, seen)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    db.conn.set_trace_callback(None)
    comments = sum(len(thread.comments) for thread in threads)
    return {"statements": statements / comments, "wall": wall, "cpu": cpu,
            "ms_per_thread": 1000 * wall / len(threads)}


def bench_saves(threads: int, comments: int, links: int) -> None:
    made = [make_thread(number, comments, links) for number in range(threads)]
    with tempfile.TemporaryDirectory() as folder:
        db = storage.open_archive(Path(folder) / "archive.db")
        with storage.transaction(db):
            storage.save_site(db, SiteInfo(site=SITE, url=f"https://{SITE}/"))
        print(f"{threads} threads x {comments} comments, {links} links each, "
              f"sqlite {sqlite3.sqlite_version}")
        print(f"{'save':<10} {'statements/comment':>19} {'wall s':>8} {'cpu s':>8} "
              f"{'ms/thread':>10}")
        for run, name in ((1, "first"), (2, "unchanged")):
            figures = save_all(db, made, run)
            print(f"{name:<10} {figures['statements']:>19.2f} {figures['wall']:>8.3f} "
                  f"{figures['cpu']:>8.3f} {figures['ms_per_thread']:>10.2f}")
        storage.close_archive(db)


def bench_gzip() -> None:
    bodies = [path.read_bytes() for path in sorted(DEMO_PAGES.iterdir())]
    raw = sum(len(body) for body in bodies)
    print(f"\ngzip of the {len(bodies)} demo blog pages ({raw / 1024:.0f} KiB)")
    print(f"{'level':<6} {'KiB':>8} {'ratio':>6} {'ms (x20)':>9}")
    for level in (1, 6, 9):
        started = time.process_time()
        for _ in range(20):
            packed = [gzip.compress(body, compresslevel=level, mtime=0) for body in bodies]
        spent = time.process_time() - started
        size = sum(len(body) for body in packed)
        print(f"{level:<6} {size / 1024:>8.0f} {size / raw:>6.3f} {spent * 1000:>9.0f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=200)
    parser.add_argument("--comments", type=int, default=40)
    parser.add_argument("--links", type=int, default=2)
    arguments = parser.parse_args()
    bench_saves(arguments.threads, arguments.comments, arguments.links)
    bench_gzip()


if __name__ == "__main__":
    main()
