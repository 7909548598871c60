"""How fast the archiver crawls a blog that is not the bottleneck, against a bare Scrapy spider
fetching the same URLs and `wget --mirror`.

    python bench/crawl.py [--posts 500 2000] [--concurrency 8] [--rounds 1]
                          [--distributed 300] [--out docs/crawl-benchmark.md]

For each N, generates a WordPress-shaped blog of N posts from the demo blog's markup
(bench/blog_generator.py), serves it with nginx on 127.0.0.1 and runs, interleaved round by
round, (a) the archiver into a new archive, (b) the bare spider (bench/bare_spider.py) on the
URLs that archiver run fetched, at the same concurrency, and (c) `wget --mirror` (one
connection). Then the archiver again on the first round's archive, with nothing changed.
Reports pages/s, posts/s, CPU per page, peak RSS and archive size, and the ratios to the bare
spider, and writes them as Markdown to --out.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime
import json
import os
import platform
import sqlite3
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
# The repository, not bench/, whose incremental.py would shadow Twisted's `incremental`.
sys.path[0] = str(REPO)

import scrapy  # noqa: E402

from bench.blog_generator import generate  # noqa: E402
from bench.distributed import distributed_rows  # noqa: E402
from bench.rusage import measure  # noqa: E402
from tests.local_servers import free_port, nginx  # noqa: E402

CONTENDERS = ("archiver", "bare spider", "wget --mirror")


@dataclasses.dataclass
class Run:
    """One contender's run: what it fetched and what it cost."""

    wall: float
    cpu: float
    peak_rss_kib: int
    pages: int = 0
    posts: int = 0
    size: int = 0


def measured(command: list[str], log: Path) -> Run:
    """Run `command` from the repository; its wall time, user+sys CPU and peak RSS."""
    with open(log, "wb") as output:
        usage = measure(command, output, cwd=REPO)
    # wget answers 8 when some address gave an error (the head's REST and oEmbed links).
    if usage.returncode not in (0, 8) or (usage.returncode and command[0] != "wget"):
        sys.exit(f"{command[:4]} exited {usage.returncode}; see {log}")
    return Run(usage.wall, usage.cpu, usage.peak_rss_kib)


def archiver_run(base: str, db: Path, concurrency: int, log: Path,
                 post_urls: set[str]) -> tuple[Run, list[str]]:
    """The archiver's crawl of the blog into `db`, and the URLs it fetched."""
    run = measured([sys.executable, "-m", "scrapy", "crawl", "blog", "-a", f"url={base}/",
                    "-s", f"ARCHIVE_DB={db}", "-s", "DOWNLOAD_DELAY=0",
                    "-s", "AUTOTHROTTLE_ENABLED=False", "-s", f"CONCURRENT_REQUESTS={concurrency}",
                    "-s", f"CONCURRENT_REQUESTS_PER_DOMAIN={concurrency}",
                    "-s", f"LOG_FILE={log}"], log.with_suffix(".out"))
    with sqlite3.connect(db) as conn:
        crawl_id, requests = conn.execute(
            "SELECT id, requests FROM crawls ORDER BY id DESC LIMIT 1").fetchone()
        fetched = [url for (url,) in conn.execute(
            "SELECT url FROM pages WHERE crawl_id = ? ORDER BY id", [crawl_id])]
        archived = {url for (url,) in conn.execute("SELECT url FROM posts")}
    run.pages, run.posts, run.size = requests, len(archived & post_urls), db.stat().st_size
    return run, fetched


def bare_run(urls: list[str], folder: Path, concurrency: int, post_urls: set[str]) -> Run:
    """The bare spider on `urls`, at the same concurrency."""
    listing = folder / "urls.txt"
    listing.write_text("\n".join(urls) + "\n", encoding="utf-8")
    run = measured([sys.executable, "-m", "bench.bare_spider", str(listing), str(concurrency)],
                   folder / "bare.log")
    # Its last line: the responses it had, which are its pages.
    summary = (folder / "bare.log").read_text(encoding="utf-8").strip().splitlines()[-1]
    run.pages, run.posts = json.loads(summary)["responses"], len(set(urls) & post_urls)
    return run


def wget_run(base: str, folder: Path, post_paths: list[str]) -> Run:
    """`wget --mirror` of the blog into `folder`."""
    run = measured(["wget", "--mirror", "--quiet", "-e", "robots=off", "--no-host-directories",
                    f"--directory-prefix={folder}", f"{base}/"], folder.with_suffix(".log"))
    files = [path for path in folder.rglob("*") if path.is_file()]
    run.pages, run.size = len(files), sum(path.stat().st_size for path in files)
    run.posts = sum((folder / path / "index.html").is_file() for path in post_paths)
    return run


def bench_blog(posts: int, options: argparse.Namespace, folder: Path) -> list[list[str]]:
    """The table rows for a blog of `posts` posts."""
    port = free_port()
    blog = generate(folder / "blog", f"http://127.0.0.1:{port}", posts)
    post_urls = set(blog.post_urls)
    post_paths = [url[len(blog.base) + 1:] for url in blog.post_urls]
    runs: dict[str, list[Run]] = {name: [] for name in CONTENDERS}
    with nginx(folder / "blog", folder / "nginx", port=port, access_log=False) as base:
        for number in range(options.rounds):
            round_folder = folder / f"round-{number}"
            round_folder.mkdir()
            archived, fetched = archiver_run(base, round_folder / "archive.db",
                                             options.concurrency, round_folder / "crawl.log",
                                             post_urls)
            runs["archiver"].append(archived)
            runs["bare spider"].append(bare_run(fetched, round_folder, options.concurrency,
                                                post_urls))
            runs["wget --mirror"].append(wget_run(base, round_folder / "mirror", post_paths))
            print(f"N={posts} round {number + 1}: " + ", ".join(
                f"{name} {runs[name][-1].pages / runs[name][-1].wall:.0f} pages/s"
                for name in CONTENDERS), flush=True)
        again, _ = archiver_run(base, folder / "round-0" / "archive.db", options.concurrency,
                                folder / "unchanged.log", post_urls)
    return [*table_rows(posts, options, runs, again),
            reading_alone_row(posts, options, folder / "round-0" / "archive.db", runs)]


def reading_alone_row(posts: int, options: argparse.Namespace, db: Path,
                      runs: dict[str, list[Run]]) -> list[str]:
    """What reading and storing the pages costs with no crawl around it: `archiver reparse` of
    the first run's archive, less the same command's start-up (a reparse of no blog). With the
    bare spider's CPU per page, it bounds the archiver's pages/s on this machine's cores, however
    well the work were spread over them."""
    copy = db.with_name("reparsed.db")
    copy.write_bytes(db.read_bytes())
    command = [sys.executable, "-m", "archiver.cli", "reparse", "--db", str(copy)]
    idle = measured([*command, "--site", "no.such.blog"], copy.with_suffix(".idle.log"))
    reparsed = measured(command, copy.with_suffix(".log"))
    pages = int(copy.with_suffix(".log").read_text(encoding="utf-8").split(" pages read")[0]
                .split()[-1])
    cpu_ms = 1000 * (reparsed.cpu - idle.cpu) / pages
    bare = runs["bare spider"][0]
    bare_ms, bare_rate = 1000 * bare.cpu / bare.pages, bare.pages / bare.wall
    ceiling = (os.cpu_count() or 1) * 1000 / (bare_ms + cpu_ms) / bare_rate
    return [f"{posts:,}", str(options.concurrency),
            "reading and storing alone (`archiver reparse`)", f"{pages:,}",
            f"{reparsed.wall:.1f}", "", "", f"{cpu_ms:.1f}", "", "",
            f"at most {ceiling:.2f}", "", ""]


def table_rows(posts: int, options: argparse.Namespace, runs: dict[str, list[Run]],
               again: Run) -> list[list[str]]:
    """Rows per contender over all rounds, with the ratios to the bare spider."""
    totals = {name: Run(sum(run.wall for run in done), sum(run.cpu for run in done),
                        max(run.peak_rss_kib for run in done), sum(run.pages for run in done),
                        sum(run.posts for run in done), done[-1].size)
              for name, done in runs.items()}
    bare = totals["bare spider"]
    rows = []
    for name, total in totals.items():
        ratios = [f"{(total.pages / total.wall) / (bare.pages / bare.wall):.2f}",
                  f"{(total.posts / total.wall) / (bare.posts / bare.wall):.2f}",
                  f"{(total.cpu / total.pages) / (bare.cpu / bare.pages):.1f}x"]
        rows.append([f"{posts:,}", str(options.concurrency), name,
                     f"{total.pages // options.rounds:,}", f"{total.wall:.1f}",
                     f"{total.pages / total.wall:.0f}", f"{total.posts / total.wall:.1f}",
                     f"{1000 * total.cpu / total.pages:.1f}",
                     f"{total.peak_rss_kib / 1024:.0f}",
                     f"{total.size / 2**20:.1f}" if total.size else "-", *ratios])
    first = runs["archiver"][0]
    rows.append([f"{posts:,}", str(options.concurrency), "archiver, unchanged re-run",
                 f"{again.pages:,}", f"{again.wall:.1f}",
                 f"{again.pages / first.pages:.1%} of the first run's requests",
                 f"{again.wall / first.wall:.1%} of its time", "", "", "", "", "", ""])
    return rows


HEADER = ["N", "concurrency", "contender", "pages", "wall s", "pages/s", "posts/s",
          "CPU ms/page", "peak RSS MiB", "archive MiB", "pages/s / bare", "posts/s / bare",
          "CPU per page / bare"]


def markdown(rows: list[list[str]], command: str) -> str:
    """The benchmark's page: how it was run, on what, and the table."""
    versions = (f"Python {platform.python_version()}, Scrapy {scrapy.__version__}, "
                f"SQLite {sqlite3.sqlite_version}, "
                + subprocess.run(["nginx", "-v"], capture_output=True, text=True)
                .stderr.strip().replace("nginx version: ", "") + ", "
                + subprocess.run(["wget", "--version"], capture_output=True, text=True)
                .stdout.split(" built")[0])
    lines = ["# Crawl benchmark", "",
             f"`{command}`, {datetime.date.today().isoformat()}, {os.cpu_count()} CPUs; "
             f"{versions}.", "",
             "A generated WordPress-shaped blog of N posts (bench/blog_generator.py) served by "
             "nginx on 127.0.0.1. Pages: the archiver's requests (the run's `requests`), the "
             "bare spider's responses to the same URLs, wget's files. Posts: posts archived by "
             "the archiver, post pages fetched by the others. CPU: user+sys of the process. "
             "Reading and storing alone: `archiver reparse` of the first run's archive, CPU per "
             "thread page net of its start-up; its `pages/s / bare` is the most the archiver "
             "could reach on these CPUs if that work and the bare spider's were spread over "
             "all of them without loss (links are found on top of it). "
             "The last two rows (bench/distributed.py): three such blogs crawled by one "
             "`archiver crawl` process, one blog after another, and by three `archiver worker` "
             "processes sharing a Redis frontier (their wall time less the seconds a worker "
             "waits for more blogs before it stops).",
             "", "| " + " | ".join(HEADER) + " |", "|" + "---|" * len(HEADER)]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--posts", type=int, nargs="+", default=[500, 2000])
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--distributed", type=int, default=300, metavar="POSTS",
                        help="posts a blog of the three of the distributed figure (0: none)")
    parser.add_argument("--out", type=Path, default=REPO / "docs" / "crawl-benchmark.md")
    options = parser.parse_args()
    rows = []
    for posts in options.posts:
        with tempfile.TemporaryDirectory() as folder:
            rows += bench_blog(posts, options, Path(folder))
    if options.distributed:
        with tempfile.TemporaryDirectory() as folder:
            rows += distributed_rows(options.distributed, options.concurrency, Path(folder),
                                     measured)
    command = "python bench/crawl.py " + " ".join(sys.argv[1:])
    page = markdown(rows, command.strip())
    options.out.write_text(page, encoding="utf-8")
    print(page)


if __name__ == "__main__":
    main()
